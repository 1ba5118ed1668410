"""The package's public API: every name in ``imet_kg.__all__`` resolves, and the README's example
runs as written."""

from __future__ import annotations

import subprocess
import sys

import pytest

import imet_kg


@pytest.mark.parametrize("name", imet_kg.__all__)
def test_every_public_name_resolves(name: str):
    assert getattr(imet_kg, name) is not None


def test_all_lists_exactly_the_lazily_loaded_names():
    assert sorted(imet_kg.__all__) == sorted(["__version__", *imet_kg._PUBLIC])


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        imet_kg.nope  # noqa: B018


def test_importing_the_package_loads_no_rdflib():
    code = "import sys, imet_kg; print('rdflib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_readme_python_example(graph):
    from imet_kg import find_query, render_result, run_query, validate

    assert validate(graph).conforms
    result = run_query(graph, find_query("funding-change"), {"from": "2000", "to": "2010"})
    table = render_result(result, "table").decode()
    assert "2000" in table and "2010" in table
