"""Tests for the bundle: each piece is loaded on first use, once, from the folders it was given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imet_kg.errors import InputError
from imet_kg.kg.bundle import Bundle, load_context
from imet_kg.paths import DATA_DIR, ONTOLOGY_DIR


def test_pieces_load_on_first_use_and_only_once(graph):
    bundle = Bundle()
    assert "dataset" not in vars(bundle) and "shapes" not in vars(bundle)
    assert bundle.queries is bundle.queries
    assert "dataset" not in vars(bundle)  # listing queries does not build the graph
    assert len(bundle.dataset) == len(graph)
    assert bundle.dataset is bundle.dataset
    assert "@context" in bundle.context
    assert len(bundle.shapes) > 0


def test_a_bundle_reads_the_data_folder_it_is_given(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA_DIR / "agencies.ttl", data / "agencies.ttl")
    bundle = Bundle(data_dir=data)
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in bundle.dataset.graphs()}
    ontology = {path.stem for path in ONTOLOGY_DIR.glob("*.ttl") if "shapes" not in path.name}
    assert names - {"DATASET_DEFAULT_GRAPH_ID"} >= {"agencies", *ontology}
    assert "funding" not in names


@pytest.mark.parametrize(
    ("content", "message"),
    [("{ nope", "malformed JSON"), ("[1, 2]", "one JSON object")],
)
def test_context_file_errors_name_the_file(tmp_path: Path, content: str, message: str):
    path = tmp_path / "context.jsonld"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as caught:
        load_context(path)
    assert str(caught.value).startswith(str(path))
    with pytest.raises(InputError, match="no such file"):
        load_context(tmp_path / "missing.jsonld")
