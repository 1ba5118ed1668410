"""Publishing: the read-only SPARQL endpoint and its workers, pages, the chart, the static site."""
