// A chart for YASGUI's result view: a bar per row of a SELECT result that has a numeric column
// (YASGUI's own chart plugin loads Google Charts from the web; this one draws SVG here).
(function () {
  "use strict";
  var Yasr = (window.Yasgui.default || window.Yasgui).Yasr;
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  var MAX_BARS = 60;
  var SVG = "http://www.w3.org/2000/svg";

  function isNumber(term) {
    return term && term.type !== "uri" && term.type !== "bnode" && NUMERIC.indexOf(term.datatype) >= 0;
  }

  // The last numeric column: amounts and counts tend to follow the years and names they go with.
  function numericVariable(vars, rows) {
    for (var i = vars.length - 1; i >= 0; i--) {
      var values = rows.map(function (row) { return row[vars[i]]; }).filter(Boolean);
      if (values.length && values.every(isNumber)) return vars[i];
    }
    return null;
  }

  function shortName(term, prefixes) {
    if (!term) return "";
    if (term.type !== "uri") return term.value;
    for (var p in prefixes) {
      if (term.value.indexOf(prefixes[p]) === 0) return p + ":" + term.value.slice(prefixes[p].length);
    }
    return term.value;
  }

  function node(tag, attrs, text) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function Chart(yasr) { this.yasr = yasr; }
  Chart.prototype.label = "Chart";
  Chart.prototype.priority = 5;
  Chart.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "▤";
    return icon;
  };
  Chart.prototype.data = function () {
    var results = this.yasr.results;
    if (!results || results.getType() !== "json" || !results.getBindings) return null;
    var vars = results.getVariables() || [];
    var rows = results.getBindings() || [];
    var value = rows.length ? numericVariable(vars, rows) : null;
    if (!value) return null;
    // A bar is named by the (first two) columns before its value: "1976 · authorization".
    var labels = vars.slice(0, vars.indexOf(value)).slice(0, 2);
    if (!labels.length) labels = vars.filter(function (v) { return v !== value; }).slice(0, 1);
    return { vars: vars, rows: rows, value: value, labels: labels };
  };
  Chart.prototype.canHandleResults = function () { return this.data() !== null; };
  Chart.prototype.draw = function () {
    var data = this.data();
    var prefixes = this.yasr.getPrefixes() || {};
    var rows = data.rows.slice(0, MAX_BARS);
    var numbers = rows.map(function (row) { return row[data.value] ? Number(row[data.value].value) : 0; });
    var low = Math.min(0, Math.min.apply(null, numbers));
    var high = Math.max(0, Math.max.apply(null, numbers));
    var span = high - low || 1;
    var labelWidth = 220, barWidth = 380, rowHeight = 20;
    var width = labelWidth + barWidth + 90;
    var svg = node("svg", {
      "class": "imet-chart", role: "img", width: width, height: rows.length * rowHeight + 30,
      viewBox: "0 0 " + width + " " + (rows.length * rowHeight + 30),
      "aria-label": data.value + (data.labels.length ? " by " + data.labels.join(", ") : "")
    });
    svg.appendChild(node("text", { x: labelWidth, y: 14, "font-size": 12, "font-weight": "bold" },
      data.value + (data.labels.length ? " by " + data.labels.join(", ") : "") +
      (data.rows.length > MAX_BARS ? " (first " + MAX_BARS + " rows)" : "")));
    var zero = labelWidth + (-low / span) * barWidth;
    rows.forEach(function (row, i) {
      var y = 24 + i * rowHeight;
      var name = data.labels.map(function (v) { return shortName(row[v], prefixes); }).join(" · ") ||
        String(i + 1);
      if (name.length > 34) name = name.slice(0, 33) + "…";
      var x = labelWidth + ((Math.min(numbers[i], 0) - low) / span) * barWidth;
      var bar = node("rect", { x: x, y: y, height: rowHeight - 6,
        width: Math.max(1, Math.abs(numbers[i]) / span * barWidth), fill: "#3b6ea8" });
      bar.appendChild(node("title", {}, name + ": " + numbers[i].toLocaleString("en-US")));
      svg.appendChild(node("text", { x: labelWidth - 6, y: y + 11, "font-size": 11, "text-anchor": "end" }, name));
      svg.appendChild(bar);
      svg.appendChild(node("text", { x: Math.max(x + Number(bar.getAttribute("width")), zero) + 4, y: y + 11,
        "font-size": 11 }, numbers[i].toLocaleString("en-US")));
    });
    var box = document.createElement("div");
    box.className = "imet-chart-box";
    box.appendChild(svg);
    this.yasr.resultsEl.appendChild(box);
  };
  Chart.prototype.download = function () { return undefined; };
  Yasr.registerPlugin("chart", Chart);
})();
