// The query page: fill the editor with a saved query, POST it to /sparql, show the result.
// No libraries, no network beyond this server.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("saved-queries").textContent);
  var base = JSON.parse(document.getElementById("graph-base").textContent);
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var picker = document.getElementById("example");
  var described = document.getElementById("example-description");
  var statusLine = document.getElementById("status");
  var results = document.getElementById("results");
  var runButton = document.getElementById("run");
  var downloads = document.getElementById("downloads");
  var byName = {};
  examples.forEach(function (q) { byName[q.name] = q; });

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function localHref(iri) {
    // IRIs this graph mints resolve on this server, whatever host their base names.
    if (iri.indexOf(base) === 0) return "/" + iri.slice(base.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.className = kind || "";
  }

  function choose(name) {
    var q = byName[name];
    if (!q) { described.textContent = ""; return; }
    editor.value = q.text;
    described.textContent = q.description || q.summary;
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = localHref(term.value);
      td.appendChild(href ? el("a", term.value, { href: href }) : document.createTextNode(term.value));
    } else {
      td.appendChild(document.createTextNode(term.value));
      var note = term["xml:lang"] ? "@" + term["xml:lang"] : "";
      if (note) td.appendChild(el("small", " " + note, { "class": "note" }));
    }
    return td;
  }

  function showTable(data) {
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var table = el("table", null, { "class": "data results-table" });
    var head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", v, { scope: "col" })); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    results.appendChild(table);
    return rows.length;
  }

  function downloadLinks(query, kind) {
    downloads.textContent = "";
    var formats = kind === "graph" ? ["turtle", "nt", "json-ld"] : ["csv", "tsv", "json", "xml"];
    downloads.appendChild(document.createTextNode("Download: "));
    formats.forEach(function (f, i) {
      var params = new URLSearchParams({ query: query, format: f });
      downloads.appendChild(el("a", f, { href: "/sparql?" + params.toString() }));
      if (i < formats.length - 1) downloads.appendChild(document.createTextNode(" · "));
    });
  }

  function run(event) {
    if (event) event.preventDefault();
    var query = editor.value;
    results.textContent = "";
    downloads.textContent = "";
    setStatus("Running…");
    runButton.disabled = true;
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (response) {
      return response.text().then(function (text) { return { response: response, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      var type = r.response.headers.get("Content-Type") || "";
      if (!r.response.ok) { setStatus("Error " + r.text, "error"); return; }
      var truncated = r.response.headers.get("X-IMET-Truncated") === "true";
      var limit = r.response.headers.get("X-IMET-Result-Limit");
      if (type.indexOf("json") >= 0) {
        var data = JSON.parse(r.text);
        if (typeof data.boolean === "boolean") {
          results.appendChild(el("p", "Answer: " + data.boolean, { "class": "ask-answer" }));
          setStatus("ASK answered in " + ms + " ms.");
        } else {
          var n = showTable(data);
          setStatus(n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms." +
            (truncated ? " Truncated at the endpoint's limit of " + limit + " rows." : ""),
            truncated ? "warning" : "");
        }
        downloadLinks(query, "table");
      } else {
        results.appendChild(el("pre", r.text, { "class": "graph-result" }));
        setStatus("Graph result in " + ms + " ms." + (truncated ? " Truncated at " + limit + " triples." : ""),
          truncated ? "warning" : "");
        downloadLinks(query, "graph");
      }
    }).catch(function (error) {
      setStatus("The request failed: " + error, "error");
    }).then(function () { runButton.disabled = false; });
  }

  picker.addEventListener("change", function () { choose(picker.value); });
  form.addEventListener("submit", run);
  editor.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") run(event);
  });
  // ?example=NAME preselects a saved query; ?edit=... fills the editor with a query.
  var params = new URLSearchParams(window.location.search);
  if (params.get("example") && byName[params.get("example")]) {
    picker.value = params.get("example");
    choose(picker.value);
  } else if (params.get("edit")) {
    editor.value = params.get("edit");
  }
})();
