// Runs static/search.js against a stub DOM: argv[2] the script, argv[3] the index script,
// argv[4] the query string; prints the rendered results' hrefs and the facet sections as JSON.
const fs = require("fs");
function element(tag) {
  return {
    tag, children: [], attrs: {}, textContent: "", value: "", parentNode: null,
    appendChild(c) { c.parentNode = this; this.children.push(c); return c; },
    insertBefore(c, ref) { c.parentNode = this; this.children.unshift(c); return c; },
    removeChild(c) { this.children = this.children.filter((x) => x !== c); },
    setAttribute(k, v) { this.attrs[k] = v; },
    getAttribute(k) { return this.attrs[k]; },
    querySelector() { return null; },
  };
}
const ids = {};
for (const id of ["search", "results", "h-results", "facets", "search-q"]) ids[id] = element("div");
ids.search.attrs["data-static"] = "1";
const aside = element("aside"); aside.appendChild(ids.facets);
const h1 = element("h1");
global.window = { location: { search: process.argv[4] } };
global.document = {
  getElementById: (id) => ids[id],
  createElement: element,
  createTextNode: (t) => ({ textContent: t }),
  querySelector: () => h1,
};
eval(fs.readFileSync(process.argv[3], "utf8"));
eval(fs.readFileSync(process.argv[2], "utf8"));
const results = ids.results.children.map((li) => li.children[0].attrs.href);
const facets = {};
for (const s of ids.facets.children) facets[s.attrs["data-facet"]] = s.children[1].children.map((li) => [li.children[0].textContent, Number(li.children[2].textContent)]);
console.log(JSON.stringify({ results, facets, heading: ids["h-results"].textContent }));
