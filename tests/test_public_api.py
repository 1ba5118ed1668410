"""The package's public API: every name in ``imet_kg.__all__`` resolves, and the README's example
runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def test_readme_python_example_runs_as_written(capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "README.md has no Python example"
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "2000" in out and "2010" in out  # the funding-change table
    assert "PREFIX imet: <https://w3id.org/imet-kg/def/>" in out  # the Turtle export
