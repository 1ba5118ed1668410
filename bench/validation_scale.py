"""Validation at scale (issue 9): the SPARQL-compiled validator against pySHACL at ~10k/100k/1M.

Not part of the test suite. The data is the shipped graph's instance data replicated: each copy
renames the graph's own IRIs (https://w3id.org/imet-kg/id/...) so nodes stay distinct; shared
reference data (countries, places, named-graph descriptions) is not copied, and each copy's
document orders are shifted so that rule S12 (unique document order) still holds. The ontology
is included once. Each measurement runs in a fresh process, which reports its peak memory.

    python bench/validation_scale.py                  # 10k, 100k, 1M; pySHACL at 10k and 100k
    python bench/validation_scale.py --pyshacl-1m     # also pySHACL at 1M (stopped at 10 min)
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
ID = "https://w3id.org/imet-kg/id/"
SHARED = ("country/", "place/", "graph/")  # reference data every copy points at
ORDER = "<https://w3id.org/imet-kg/def/documentOrder>"
STOP_AFTER = 600


def replicate(target: int, out: Path) -> int:
    """Write about ``target`` triples of N-Triples to ``out``; return the number written."""
    from rdflib import Graph

    from imet_kg.kg.graph import build_graph, ontology_files, union_graph

    ontology = Graph()
    for path in ontology_files():
        ontology.parse(path, format="turtle")
    instances = union_graph(build_graph()) - ontology
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in instances)
    copies = max(1, round((target - len(ontology)) / len(lines)))
    iri = re.compile(r"<" + re.escape(ID) + r"([^>]*)>")
    order = re.compile(re.escape(ORDER) + r' "(\d+)"')
    text = "".join(lines)
    with out.open("w", encoding="utf-8") as sink:
        sink.write(ontology.serialize(format="nt"))
        for copy in range(copies):
            if copy == 0:
                sink.write(text)
                continue

            def rename(match: re.Match, copy: int = copy) -> str:
                local = match.group(1)
                if local.startswith(SHARED):
                    return match.group(0)
                # Digits after digits keep patterns such as "section-[0-9]+$" true.
                suffix = f"{copy:04d}" if local[-1:].isdigit() else f"-c{copy}"
                return f"<{ID}{local}{suffix}>"

            renamed = iri.sub(rename, text)
            sink.write(
                order.sub(lambda m, c=copy: f'{ORDER} "{int(m.group(1)) + c * 100_000}"', renamed)
            )
    return sum(1 for _ in out.open(encoding="utf-8"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_fast(path: str, repeats: int) -> dict:
    """In a child process: load with Oxigraph's bulk loader, validate ``repeats`` times."""
    import pyoxigraph as ox

    from imet_kg.kg.fast_validation import validate_on_store
    from imet_kg.kg.graph import load_shapes

    shapes = load_shapes()
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - start
    times, cpu, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = validate_on_store(store, shapes)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "load": load,
        "validate": times,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "found": _found(result),
    }


def run_pyshacl(path: str) -> dict:
    """In a child process: the project's reference path (rdflib Memory + pySHACL, parse cache)."""
    from rdflib import Graph

    from imet_kg.kg.graph import load_shapes
    from imet_kg.kg.validation import validate

    shapes = load_shapes()
    start = time.perf_counter()
    data = Graph().parse(path, format="nt")
    load = time.perf_counter() - start
    start, start_cpu = time.perf_counter(), time.process_time()
    result = validate(data, shapes)
    return {
        "load": load,
        "validate": [time.perf_counter() - start],
        "cpu": [time.process_time() - start_cpu],
        "peak_mb": _peak_mb(),
        "found": _found(result),
    }


def _found(result) -> list:
    keys = {(i.severity, i.focus_node, i.path, i.shape, i.constraint) for i in result.issues}
    return sorted(keys)


def _child(kind: str, path: Path, repeats: int) -> dict | None:
    command = [sys.executable, __file__, "--child", kind, str(path), str(repeats)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=STOP_AFTER)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyshacl-1m", action="store_true", help="also run pySHACL at 1M")
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, repeats = args.child
        run = run_fast(path, int(repeats)) if kind == "fast" else run_pyshacl(path)
        print(json.dumps(run))
        return
    print(
        "size | triples | load s | validate s, median of 3 (runs) | CPU s (median) | peak MB | "
        "pySHACL validate s | pySHACL CPU s | pySHACL peak MB | same results"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name in args.sizes.split(","):
            path = Path(folder) / f"{name}.nt"
            triples = replicate(SIZES[name], path)
            fast = _child("fast", path, 3)
            reference = None
            if name != "1M" or args.pyshacl_1m:
                reference = _child("pyshacl", path, 1)
            _print_row(name, triples, fast, reference)


def _print_row(name: str, triples: int, fast: dict, reference: dict | None) -> None:
    median = statistics.median(fast["validate"])
    cpu = statistics.median(fast["cpu"])
    if reference is None:
        ref_time, ref_cpu, ref_mb, same = f"not run or stopped at {STOP_AFTER} s", "-", "-", "-"
    else:
        ref_time = f"{reference['validate'][0]:.1f}"
        ref_cpu = f"{reference['cpu'][0]:.1f}"
        ref_mb = f"{reference['peak_mb']:.0f}"
        same = str(reference["found"] == fast["found"])
    runs = ", ".join(f"{t:.2f}" for t in fast["validate"])
    print(
        f"{name} | {triples} | {fast['load']:.2f} | {median:.2f} ({runs}) | {cpu:.2f} | "
        f"{fast['peak_mb']:.0f} | {ref_time} | {ref_cpu} | {ref_mb} | "
        f"{same} ({len(fast['found'])} results)",
        flush=True,
    )


if __name__ == "__main__":
    main()
