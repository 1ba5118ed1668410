"""External SPARQL stores: push the graph (Graph Store Protocol), query and validate it there."""
