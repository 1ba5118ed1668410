// The query page: YASGUI (vendored in static/yasgui/) set up for this graph. It adds what YASGUI
// does not know: the saved queries and their parameter forms, the project's prefixes and terms
// for completion (YASGUI's own class and property completers ask a remote service, LOV: they are
// replaced), links from result IRIs to this site's pages, an address that records the query, and
// on the static site (no endpoint) the saved queries' answers computed when the site was built.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("query-config").textContent);
  var examples = JSON.parse(document.getElementById("saved-queries").textContent);
  var Yasgui = window.Yasgui.default || window.Yasgui;
  var Yasqe = Yasgui.Yasqe;
  var picker = document.getElementById("example");
  var described = document.getElementById("example-description");
  var paramForm = document.getElementById("example-params");
  var statusLine = document.getElementById("status");
  var byName = {};
  examples.forEach(function (q) { byName[q.name] = q; });
  var endpoint = config.endpoint ? new URL(config.endpoint, window.location.href).href : null;

  function prefixLines(prefixes) {
    return Object.keys(prefixes).map(function (p) { return p + ": <" + prefixes[p] + ">"; });
  }

  // Completion from this graph only: prefixes first, then the bundled list; classes and
  // properties are the ones the graph uses (bulk lists, filtered as one types).
  function registerCompleters() {
    var bundledPrefixes = Yasqe.Autocompleters.prefixes.get;
    var ours = prefixLines(config.prefixes);
    Yasqe.forkAutocompleter("prefixes", {
      name: "imet-prefixes",
      persistenceId: null,
      get: function (yasqe) {
        return Promise.resolve(bundledPrefixes(yasqe)).catch(function () { return []; })
          .then(function (bundled) {
            var taken = {};
            ours.forEach(function (line) { taken[line.split(":")[0]] = true; });
            return ours.concat(bundled.filter(function (line) { return !taken[line.split(":")[0]]; }));
          });
      }
    }, false);
    [["class", "imet-classes", config.terms.classes], ["property", "imet-properties", config.terms.properties]]
      .forEach(function (spec) {
        Yasqe.forkAutocompleter(spec[0], {
          name: spec[1], bulk: true, autoShow: true, persistenceId: null,
          get: function () { return spec[2]; }
        }, false);
      });
  }

  // IRIs this graph mints resolve on this site, whatever host their base names.
  function localHref(iri) {
    if (iri.indexOf(config.base) !== 0) return null;
    var path = iri.slice(config.base.length);
    if (!config.static) return "/" + path;
    return config.siteRoot + (path === "" || path.slice(-1) === "/" ? path + "index" : path) + ".html";
  }

  function relink(root) {
    root.querySelectorAll(".yasr a[href]").forEach(function (a) {
      var iri = a.getAttribute("href");
      var href = localHref(iri);
      if (href) {
        a.setAttribute("href", href);
        a.setAttribute("data-iri", iri);
        a.removeAttribute("target");
      }
    });
  }

  // YASGUI shows IRIs only: ask the endpoint (one query per batch) for the labels of the graph's
  // IRIs in the table and show each after its prefixed name.
  var labels = {};
  var labelling = false;
  var SAFE_IRI = /^[^\s<>"{}|^`\\]+$/;
  function showLabels(root) {
    if (!endpoint) return;
    var missing = [];
    root.querySelectorAll("a[data-iri]:not([data-labelled])").forEach(function (a) {
      var iri = a.getAttribute("data-iri");
      if (labels[iri] === undefined) {
        if (SAFE_IRI.test(iri) && missing.indexOf(iri) < 0) missing.push(iri);
        return;
      }
      a.setAttribute("data-labelled", "");
      if (!labels[iri]) return;
      var note = document.createElement("span");
      note.className = "iri-label";
      note.textContent = labels[iri];
      a.insertAdjacentElement("afterend", note);
    });
    if (!missing.length || labelling) return;
    labelling = true;
    missing = missing.slice(0, 200);
    var query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " +
      missing.map(function (iri) { return "<" + iri + ">"; }).join(" ") +
      " } ?s rdfs:label ?l } GROUP BY ?s";
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json" },
      body: new URLSearchParams({ query: query }).toString()
    }).then(function (r) { return r.ok ? r.json() : { results: { bindings: [] } }; })
      .then(function (data) {
        missing.forEach(function (iri) { labels[iri] = ""; });
        data.results.bindings.forEach(function (b) { labels[b.s.value] = b.label.value; });
      })
      .catch(function () { missing.forEach(function (iri) { labels[iri] = ""; }); })
      .then(function () { labelling = false; showLabels(root); });
  }

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.className = kind || "";
  }

  // The page's address names the query, so any result can be shared or reloaded.
  function recordAddress(query) {
    if (!config.endpoint) return;
    var params = new URLSearchParams({ query: query });
    window.history.replaceState(null, "", config.endpoint + "?" + params.toString());
  }

  function showParams(q, values) {
    paramForm.hidden = !q || !q.params.length || !config.endpoint;
    var fields = document.getElementById("example-param-fields");
    fields.textContent = "";
    if (paramForm.hidden) return;
    document.getElementById("example-name").value = q.name;
    q.params.forEach(function (p) {
      var label = document.createElement("label");
      label.textContent = p.name + " (" + p.type + ")";
      var input = document.createElement("input");
      input.name = p.name;
      input.type = p.type === "integer" || p.type === "decimal" ? "number" : p.type === "date" ? "date" : "text";
      if (p.type === "decimal") input.step = "any";
      input.value = values && values[p.name] !== undefined ? values[p.name] : (p.default || "");
      input.required = p.default === null;
      label.appendChild(input);
      fields.appendChild(label);
    });
  }

  var yasgui;
  function tab() { return yasgui.getTab(); }

  function showAnswer(name) {
    var answer = config.answers[name];
    if (!answer) return;
    tab().getYasr().setResponse({ data: answer.data, contentType: answer.contentType, status: 200 });
    setStatus("The answer computed when this site was built" +
      (answer.truncated ? " (first " + answer.rows + " rows)." : "."));
  }

  function choose(name, values) {
    var q = byName[name];
    described.textContent = q ? (q.description || q.summary) : "";
    showParams(q, values);
    if (!q) return;
    tab().setQuery(q.text);
    if (config.static) showAnswer(name);
  }

  registerCompleters();
  Yasgui.Yasr.plugins.table.defaults.openIriInNewWindow = false; // our pages, in this tab
  var requestConfig = {
    endpoint: endpoint || "",
    method: "POST",
    acceptHeaderGraph: "text/turtle,*/*;q=0.9",
    acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9"
  };
  yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    copyEndpointOnNewTab: true,
    requestConfig: requestConfig,
    endpointCatalogueOptions: {
      getData: function () { return endpoint ? [{ endpoint: endpoint }] : []; }
    },
    yasqe: {
      persistenceId: null,
      autocompleters: ["imet-prefixes", "imet-classes", "imet-properties", "variables"],
      queryingDisabled: config.static ? config.staticNote : undefined,
      editorHeight: "320px"
    },
    yasr: {
      persistenceId: null,
      prefixes: config.prefixes
    }
  });
  var host = document.getElementById("yasgui");
  new MutationObserver(function () { relink(host); showLabels(host); })
    .observe(host, { childList: true, subtree: true });

  // The endpoint says in headers when it cut a result at its row limit; YASGUI does not show them.
  var watched = [];
  function watchTruncation(current) {
    var yasqe = current.getYasqe();
    if (!yasqe || watched.indexOf(yasqe) >= 0) return;
    watched.push(yasqe);
    yasqe.on("queryResponse", function () {
      var response = Array.prototype.filter.call(arguments, function (a) { return a && a.headers; })[0];
      if (response && response.headers.get("X-IMET-Truncated") === "true") {
        setStatus("Truncated at the endpoint's limit of " +
          response.headers.get("X-IMET-Result-Limit") + " rows.", "warning");
      }
    });
  }
  yasgui.on("queryBefore", function (instance, current) {
    setStatus("");
    watchTruncation(current);
  });
  yasgui.on("queryResponse", function (instance, current) { recordAddress(current.getQuery()); });

  picker.addEventListener("change", function () { choose(picker.value); });

  if (config.chosen && byName[config.chosen]) {
    picker.value = config.chosen;
    choose(config.chosen, config.values);
  }
  if (config.error) setStatus(config.error, "error");
  if (config.query !== null) tab().setQuery(config.query);
  else if (!config.chosen) tab().setQuery(config.defaultQuery);
  if (config.run && endpoint) tab().query();
  window.imetQueryPage = yasgui; // the browser test drives it
})();
