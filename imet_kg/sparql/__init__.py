"""SPARQL: query-text facts, saved queries and parameters, result formats, the HTTP client."""
