"""IMET-KG: a legal-text knowledge graph of the US International Military Education and Training
program (IMET) and the statute that governs it."""

__version__ = "1.0.0"
