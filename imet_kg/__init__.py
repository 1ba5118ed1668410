"""IMET-KG: a legal-text knowledge graph of the US International Military Education and Training program."""

__version__ = "1.0.0"
