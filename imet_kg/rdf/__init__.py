"""Reading and writing RDF files, and canonical (byte-stable) serialisation; no IMET knowledge."""
