"""Ingest: tables users add (country figures, training records) mapped to the graph's terms."""
