"""Tests for the published resources (imet_kg.publish.resources): paths, files, lookup."""

from __future__ import annotations

from rdflib import URIRef

from imet_kg.namespaces import ID, IMET
from imet_kg.publish.resources import file_stem, path_of


def test_paths_and_files():
    assert path_of(ID["faa/section-543"]) == "id/faa/section-543"
    assert file_stem("def/") == "def/index"
    assert file_stem("id/x") == "id/x"


def test_publication_resolves_paths_and_representation_files(publication):
    assert publication.resolve("id/faa/section-543") == ID["faa/section-543"]
    assert publication.resolve("/def/") == URIRef(str(IMET))
    iri, rep = publication.resolve_file("id/faa/section-543.ttl")
    assert iri == ID["faa/section-543"] and rep.media_type == "text/turtle"
    iri, rep = publication.resolve_file("def/index.jsonld")
    assert iri == URIRef(str(IMET)) and rep.extension == "jsonld"
    assert publication.resolve_file("def/1.0.0.nt")[0] == URIRef(str(IMET) + "1.0.0")
    assert publication.resolve("id/nothing") is None
    assert publication.resolve_file("id/faa/section-543.pdf") is None
