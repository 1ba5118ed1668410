// Search on the static site: filters window.IMET_SEARCH (search-index.js) by the page's ?q= and
// facet parameters, with the rules of imet_kg/publish/views/search.py (keep the two in step).
// The server answers /search itself; this script only runs on the static site's search.html.
(function () {
  "use strict";
  var root = document.getElementById("search");
  var index = window.IMET_SEARCH;
  if (!root || root.getAttribute("data-static") !== "1" || !index) return;
  var params = new URLSearchParams(window.location.search);
  var FACETS = [["type", "Type", "t"], ["status", "Verification status", "s"],
                ["source", "Source", "o"], ["year", "Fiscal year", "y"]];
  var query = (params.get("q") || "").trim().slice(0, 200);
  var chosen = {};
  FACETS.forEach(function (f) { if (params.getAll(f[0]).length) chosen[f[0]] = params.getAll(f[0]); });
  if (!query && !Object.keys(chosen).length) return; // the page already lists everything
  document.getElementById("search-q").value = query;

  function normalize(text) {
    text = text.toLowerCase().split("§").join(" ").split(".").join("");
    return text.replace(/[^a-z0-9()]+/g, " ").trim().split(/\s+/).filter(Boolean).join(" ");
  }
  function values(entry, facet) {
    var v = entry[facet[2]];
    return Array.isArray(v) ? v : (v ? [v] : []);
  }
  function score(entry, wanted) {
    if (!wanted) return [9, entry.r, 0];
    var text = entry.f.join(" | ");
    if (!wanted.split(" ").every(function (w) { return text.indexOf(w) >= 0; })) return null;
    var holding = entry.f.filter(function (f) { return f.indexOf(wanted) >= 0; });
    var level = 3;
    if (holding.some(function (f) { return f === wanted || f.endsWith(" " + wanted); })) level = 0;
    else if (holding.some(function (f) { return f.startsWith(wanted) || f.indexOf(" " + wanted) >= 0; })) level = 1;
    else if (holding.length) level = 2;
    var shortest = holding.length ? Math.min.apply(null, holding.map(function (f) { return f.length; })) : text.length;
    return [level, entry.r, shortest];
  }
  function compare(a, b) {
    for (var i = 0; i < a.key.length; i++) {
      if (a.key[i] < b.key[i]) return -1;
      if (a.key[i] > b.key[i]) return 1;
    }
    return 0;
  }
  var wanted = normalize(query);
  var found = [];
  index.forEach(function (entry) {
    var kept = FACETS.every(function (f) {
      var want = chosen[f[0]];
      return !want || values(entry, f).some(function (v) { return want.indexOf(v) >= 0; });
    });
    var s = kept ? score(entry, wanted) : null;
    if (s) found.push({entry: entry, key: s.concat([entry.l.toLowerCase(), entry.h])});
  });
  found.sort(compare);

  function link(extra, without) {
    var p = new URLSearchParams();
    if (query) p.append("q", query);
    FACETS.forEach(function (f) {
      (chosen[f[0]] || []).forEach(function (v) {
        if (!(without && without[0] === f[0] && without[1] === v)) p.append(f[0], v);
      });
      if (extra && extra[0] === f[0]) p.append(f[0], extra[1]);
    });
    return "?" + p.toString();
  }
  function element(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  var list = document.getElementById("results");
  list.textContent = "";
  found.slice(0, 500).forEach(function (item) {
    var li = element("li");
    li.appendChild(element("a", item.entry.l, {href: item.entry.h}));
    item.entry.t.forEach(function (t) { li.appendChild(document.createTextNode(" ")); li.appendChild(element("span", t, {"class": "type"})); });
    if (item.entry.s) { li.appendChild(document.createTextNode(" ")); li.appendChild(element("span", item.entry.s, {"class": "tag"})); }
    if (item.entry.y.length) { li.appendChild(document.createTextNode(" ")); li.appendChild(element("small", "FY" + item.entry.y.join(", FY"))); }
    list.appendChild(li);
  });
  document.getElementById("h-results").textContent = found.length + (found.length === 1 ? " resource" : " resources") +
    (found.length > 500 ? ", the first 500 shown: narrow with a facet" : "");
  document.querySelector("h1").textContent = query ? "Search: \u201c" + query + "\u201d" : "Search and browse";

  var facets = document.getElementById("facets");
  facets.textContent = "";
  var aside = facets.parentNode;
  var chosenLine = element("p", "Showing only: ", {"class": "chosen"});
  FACETS.forEach(function (f) {
    (chosen[f[0]] || []).forEach(function (v) {
      chosenLine.appendChild(element("a", f[1] + ": " + v + " \u2715", {"class": "tag", href: link(null, [f[0], v])}));
      chosenLine.appendChild(document.createTextNode(" "));
    });
    var counts = {};
    found.forEach(function (item) { values(item.entry, f).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; }); });
    var names = Object.keys(counts).filter(function (v) { return (chosen[f[0]] || []).indexOf(v) < 0; });
    names.sort(f[0] === "year" ? function (a, b) { return a < b ? 1 : -1; }
      : function (a, b) { return counts[b] - counts[a] || (a.toLowerCase() < b.toLowerCase() ? -1 : 1); });
    if (!names.length) return;
    var section = element("section", null, {"class": "facet", "data-facet": f[0]});
    section.appendChild(element("h3", f[1]));
    var ul = element("ul");
    names.forEach(function (v) {
      var li = element("li");
      li.appendChild(element("a", v, {href: link([f[0], v]), rel: "nofollow"}));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(element("span", String(counts[v]), {"class": "count"}));
      ul.appendChild(li);
    });
    section.appendChild(ul);
    facets.appendChild(section);
  });
  var old = aside.querySelector("p.chosen");
  if (old) aside.removeChild(old);
  if (Object.keys(chosen).length) aside.insertBefore(chosenLine, facets);
})();
