"""The engine benchmark (issue 9): load, validate, every saved query and exports, at about 10k,
100k and 1M triples, for four paths measured in the same run:

* ``oxigraph``: the project's default: the persistent embedded store, SPARQL-compiled SHACL,
  Oxigraph's byte-stable dumps;
* ``rdflib``: the project's rdflib path: rdflib Memory, pySHACL with its query-parse cache,
  byte-stable rdflib exports;
* ``naive``: rdflib Memory, plain pySHACL, rdflib's plain serialisers;
* ``raw``: pyoxigraph alone: load, the same queries, an N-Quads dump (the floor to compare with).

The workload is the shipped graph plus generated training records (``imet-kg generate``), never
written under data/. Each path and size runs in a fresh worker process, which reports its peak
memory; a step still running after ``--step-limit`` seconds is stopped and reported as such (the
worker is killed, so that path's later steps at that size are not run). Not part of the test
suite: it prints a table of medians and ratios and writes CSV and a plot to ``--out``.

    python bench/benchmark.py                         # 10k, 100k, 1M; 3 runs each
    python bench/benchmark.py --sizes 10000 --repeats 1   # a quick look
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PATHS = ("oxigraph", "rdflib", "naive", "raw")
EXPORTS = ("turtle", "nt", "json-ld")


# --- the workload ----------------------------------------------------------------------------


def prepare(size: int, folder: Path) -> tuple[list[Path], int]:
    """Write the shipped graph (N-Quads) and enough synthetic records for ``size`` triples."""
    from imet_kg.ingest.synthetic import write_synthetic
    from imet_kg.kg.graph import build_graph
    from imet_kg.rdf.serialize import serialize_dataset

    folder.mkdir(parents=True, exist_ok=True)
    shipped = folder / "shipped.nq"
    dataset = build_graph()
    shipped.write_bytes(serialize_dataset(dataset, "nquads"))
    files, total = [shipped], len(dataset)
    if size > total:
        # The generator writes a world (countries, courses, institutions) beside the records,
        # which fills up as records arrive: fit triples = fixed + per_record * records on two
        # probes large enough for the world to be nearly full.
        probe = folder / "probe.nt"
        small, large = write_synthetic(probe, 5_000), write_synthetic(probe, 10_000)
        probe.unlink()
        per_record = (large - small) / 5_000
        fixed = small - per_record * 5_000
        synthetic = folder / "synthetic.nt"
        records = max(0, int((size - total - fixed) / per_record))
        total += write_synthetic(synthetic, records)
        files.append(synthetic)
    return files, total


# --- one worker: one path at one size, step by step --------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(name: str, action) -> object:
    started = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - started
    print(json.dumps({"step": name, "seconds": seconds, "peak_mb": _peak_mb()}), flush=True)
    return value


def worker(path: str, files: list[Path], scratch: Path) -> None:
    """Run every step of one path; each finished step is one JSON line on stdout."""
    from imet_kg.kg.bundle import Bundle

    bundle = Bundle()
    shapes, queries, context = bundle.shapes, bundle.queries, bundle.context
    steps = {"oxigraph": _oxigraph, "rdflib": _rdflib, "naive": _naive, "raw": _raw}[path]
    steps(files, scratch, shapes, queries, context)


def _oxigraph(files, scratch, shapes, queries, context) -> None:
    from imet_kg.kg.canonical import canonical_dump
    from imet_kg.kg.fast_validation import validate_on_store
    from imet_kg.kg.persistent import PersistentStore
    from imet_kg.sparql.saved import run_query

    engine = _step("load", lambda: PersistentStore(files, scratch).open())
    _step(
        "validate",
        lambda: validate_on_store(engine.store, shapes, union_default_graph=False),
    )
    for query in queries:
        _step(f"query:{query.name}", lambda q=query: len(list(run_query(engine, q))))
    for fmt in EXPORTS:
        _step(f"export:{fmt}", lambda f=fmt: len(canonical_dump(engine.store, f, context)))


def _rdflib(files, scratch, shapes, queries, context) -> None:
    from imet_kg.kg.graph import load_files
    from imet_kg.kg.validation import validate
    from imet_kg.rdf.serialize import serialize_dataset
    from imet_kg.sparql.saved import run_query

    dataset = _step("load", lambda: load_files(files))
    _step("validate", lambda: validate(dataset, shapes))
    for query in queries:
        _step(f"query:{query.name}", lambda q=query: len(list(run_query(dataset, q))))
    for fmt in EXPORTS:
        _step(f"export:{fmt}", lambda f=fmt: len(serialize_dataset(dataset, f, context)))


def _naive(files, scratch, shapes, queries, context) -> None:
    from pyshacl import validate as pyshacl_validate

    from imet_kg.kg.graph import load_files, union_graph

    dataset = _step("load", lambda: load_files(files))
    _step(
        "validate",
        lambda: pyshacl_validate(union_graph(dataset), shacl_graph=shapes, inference="none"),
    )
    for query in queries:
        _step(f"query:{query.name}", lambda q=query: len(list(dataset.query(q.bound_text()))))
    formats = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld"}
    for fmt in EXPORTS:
        _step(f"export:{fmt}", lambda f=fmt: len(dataset.serialize(format=formats[f])))


def _consume(answer: object) -> int:
    import pyoxigraph as ox

    return int(bool(answer)) if isinstance(answer, ox.QueryBoolean) else len(list(answer))


def _raw(files, scratch, shapes, queries, context) -> None:
    import pyoxigraph as ox

    def load():
        store = ox.Store(str(scratch / "raw-store"))
        for path in files:
            store.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]))
        return store

    store = _step("load", load)
    for query in queries:
        text = query.bound_text()
        _step(
            f"query:{query.name}",
            lambda t=text: _consume(store.query(t, use_default_graph_as_union=True)),
        )
    _step("export:nquads", lambda: len(store.dump(format=ox.RdfFormat.N_QUADS)))


# --- the orchestrator --------------------------------------------------------------------------


def run_worker(path: str, files: list[Path], step_limit: float) -> tuple[dict, float, str]:
    """Run one worker; return {step: seconds}, its peak memory, and how it ended."""
    with tempfile.TemporaryDirectory(prefix="imet-bench-") as scratch:
        command = [sys.executable, __file__, "--worker", path, "--scratch", scratch]
        command += [str(f) for f in files]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        steps, peak, ended = {}, 0.0, "done"
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            if not selector.select(timeout=step_limit):
                process.kill()
                ended = f"stopped: a step ran past {step_limit:g} s"
                break
            line = process.stdout.readline()
            if not line:
                break
            record = json.loads(line)
            steps[record["step"]] = record["seconds"]
            peak = max(peak, record["peak_mb"])
        if process.wait() != 0 and ended == "done":
            ended = f"failed (exit {process.returncode})"
    return steps, peak, ended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--step-limit", type=float, default=600.0)
    parser.add_argument(
        "--no-repeat-over",
        type=float,
        default=300.0,
        help="a path whose first run took longer than this is not repeated",
    )
    parser.add_argument(
        "--always-repeat",
        default="oxigraph,raw",
        help="paths repeated whatever their first run took",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--table", type=Path, help="print the table of an earlier run's CSV")
    parser.add_argument("--worker")
    parser.add_argument("--scratch", type=Path)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.files, args.scratch)
        return
    if args.table:
        with open(args.table, newline="") as handle:
            rows = [
                {
                    **row,
                    "triples": int(row["triples"]),
                    "median_s": float(row["median_s"]),
                    "runs": int(row["runs"]),
                    "peak_mb": float(row["peak_mb"]),
                }
                for row in csv.DictReader(handle)
            ]
        print_table(rows)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="imet-bench-data-") as data:
        for size in (int(s) for s in args.sizes.split(",")):
            files, triples = prepare(size, Path(data) / str(size))
            print(f"# {triples} triples ({size} asked for)", file=sys.stderr, flush=True)
            for path in args.paths.split(","):
                rows += measure(path, files, triples, args)
                write_csv(rows, args.out)  # a partial run still leaves its figures
    write_outputs(rows, args.out)


def measure(path: str, files: list[Path], triples: int, args) -> list[dict]:
    runs, peaks, endings = [], [], []
    for attempt in range(args.repeats):
        started = time.perf_counter()
        steps, peak, ended = run_worker(path, files, args.step_limit)
        runs.append(steps)
        peaks.append(peak)
        endings.append(ended)
        took = time.perf_counter() - started
        print(f"#   {path}: run {attempt + 1} {took:.1f} s, {ended}", file=sys.stderr, flush=True)
        slow = took > args.no_repeat_over and path not in args.always_repeat.split(",")
        if ended != "done" or slow:
            break
    names = list(dict.fromkeys(name for run in runs for name in run))
    rows = []
    for name in names:
        times = [run[name] for run in runs if name in run]
        rows.append(
            {
                "triples": triples,
                "path": path,
                "step": name,
                "median_s": statistics.median(times),
                "runs": len(times),
                "peak_mb": max(peaks),
                "ended": endings[0],
            }
        )
    return rows


def write_csv(rows: list[dict], out: Path) -> None:
    with open(out / "benchmark.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_outputs(rows: list[dict], out: Path) -> None:
    write_csv(rows, out)
    print_table(rows)
    plot(rows, out / "benchmark.png")


def _totals(rows: list[dict]) -> dict[tuple[int, str], float]:
    totals: dict[tuple[int, str], float] = {}
    for row in rows:
        key = (row["triples"], row["path"])
        totals[key] = totals.get(key, 0.0) + row["median_s"]
    return totals


def print_table(rows: list[dict]) -> None:
    sizes = sorted({row["triples"] for row in rows})
    paths = [p for p in PATHS if any(row["path"] == p for row in rows)]
    cell = {(r["triples"], r["path"], r["step"]): r for r in rows}
    steps = list(dict.fromkeys(r["step"] for r in rows))
    for size in sizes:
        print(f"\n## {size:,} triples (median seconds; n = runs)")
        print("| step | " + " | ".join(paths) + " | naive / oxigraph |")
        print("|---|" + "---:|" * (len(paths) + 1))
        for step in steps:
            values = [cell.get((size, p, step)) for p in paths]
            shown = [f"{v['median_s']:.3f} (n={v['runs']})" if v else "—" for v in values]
            ox, naive = cell.get((size, "oxigraph", step)), cell.get((size, "naive", step))
            ratio = f"{naive['median_s'] / ox['median_s']:.0f}x" if ox and naive else ""
            print(f"| {step} | " + " | ".join(shown) + f" | {ratio} |")
        totals = _totals([r for r in rows if r["triples"] == size])
        print(
            "| **all steps** | "
            + " | ".join(f"{totals.get((size, p), 0):.1f}" for p in paths)
            + " | |"
        )
        for p in paths:
            some = next(r for r in rows if r["triples"] == size and r["path"] == p)
            print(f"- {p}: peak {some['peak_mb']:.0f} MB; {some['ended']}")
        print_ratios(size, rows, totals)


def print_ratios(size: int, rows: list[dict], totals: dict[tuple[int, str], float]) -> None:
    """The goals' two ratios of all steps: naive / oxigraph (a lower bound when naive was
    stopped: its stopped step counts as the step limit, the steps after it as nothing) and
    oxigraph / raw."""
    ended = {r["path"]: r["ended"] for r in rows if r["triples"] == size}
    oxigraph, naive, raw = (totals.get((size, p)) for p in ("oxigraph", "naive", "raw"))
    if oxigraph and naive:
        stopped = re.search(r"past ([0-9.]+) s", ended.get("naive", ""))
        bound = "at least " if stopped else ""
        naive += float(stopped.group(1)) if stopped else 0.0
        print(f"- naive / oxigraph, all steps: {bound}{naive / oxigraph:.1f}x")
    if oxigraph and raw:
        print(f"- oxigraph / raw, all steps: {oxigraph / raw:.1f}x")


def plot(rows: list[dict], target: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    totals = _totals(rows)
    sizes = sorted({size for size, _ in totals})
    figure, axes = plt.subplots(figsize=(7, 4))
    for path in PATHS:
        points = [(size, totals[(size, path)]) for size in sizes if (size, path) in totals]
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", label=path)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("triples")
    axes.set_ylabel("seconds, all steps (medians)")
    axes.set_title("IMET-KG engines: load + validate + saved queries + exports")
    axes.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=120)


if __name__ == "__main__":
    main()
