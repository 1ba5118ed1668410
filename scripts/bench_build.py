"""Benchmark the main job and validation; prints medians (the machines are shared and noisy).

Usage: python scripts/bench_build.py [--runs 5]

Figures printed:
- `imet-kg build` wall time, median of N runs, each in a fresh process into a temporary folder;
- validation of the shipped graph with the sh:sparql parse cache (imet_kg.kg.validation.validate) and
  without it (plain pySHACL on the same graph and shapes), medians of N runs in this process, and
  their ratio: the baseline is measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)

    def build_once() -> None:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [sys.executable, "-m", "imet_kg", "build", "--out", out],
                check=True,
                capture_output=True,
            )

    build = median_seconds(build_once, args.runs)
    print(f"imet-kg build: median {build:.2f} s over {args.runs} runs")

    from pyshacl import validate as pyshacl_validate

    from imet_kg.kg.graph import build_graph, load_shapes, union_graph
    from imet_kg.kg.validation import validate

    dataset = build_graph()
    data, shapes = union_graph(dataset), load_shapes()
    cached = median_seconds(lambda: validate(data, shapes), args.runs)
    plain = median_seconds(
        lambda: pyshacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True),
        args.runs,
    )
    print(f"validation, parse cache:    median {cached:.2f} s")
    print(f"validation, plain pySHACL:  median {plain:.2f} s  (x{plain / cached:.1f} slower)")
    print(f"graph: {len(dataset)} triples")


if __name__ == "__main__":
    main()
