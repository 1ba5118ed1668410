"""Start-up: the quick commands load neither pySHACL, matplotlib, Starlette nor rdflib's SPARQL
parser (they cost seconds of import time a command like `query` on a built store never needs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyshacl", "matplotlib", "starlette", "rdflib.plugins.sparql.parser")
PROBE = """
import json, sys
from imet_kg.cli import main
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["imet-kg", *args]
try:
    main()
except SystemExit:
    pass
print(json.dumps([name for name in heavy if name in sys.modules]), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["queries"], ["query", "purposes"], ["query", "purposes", "--help"]]
)
def test_quick_commands_load_no_heavy_module(args: list[str]):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"imet-kg {' '.join(args)} imported {loaded}"
    assert done.stdout  # the command did its work


def test_the_memory_store_does_load_the_sparql_parser():
    # The probe can tell: rdflib evaluates SPARQL with its own parser.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            json.dumps(["query", "purposes", "--store", "memory"]),
            json.dumps(HEAVY),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == ["rdflib.plugins.sparql.parser"]
