"""The knowledge graph: the loaded bundle, building it, SHACL validation and the release."""
