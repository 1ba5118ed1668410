"""Load test of ``imet-kg serve`` (issue 13): do well-behaved clients stay served when a few
clients loop expensive queries?

Starts the server on a free 127.0.0.1 port, then runs phases of ``--seconds`` each, in one run so
that they share the machine's conditions: ``--clients`` good clients loop saved queries, first
alone (*clean*), then with ``--hostile`` clients looping a 3-way cross join over the whole graph
(and, with ``--concat``, a CONCAT-doubling memory bomb). Two kinds of good traffic, each clean and
hostile:

* ``saved``: the saved queries as the query page sends them (parameters at their defaults); the
  server may answer a repeated one from its answer cache;
* ``fresh``: the same texts with a unique comment, so that every one needs a query worker.

Each client has its own loopback address (127.0.0.x; Linux routes 127/8 to the loopback), as
the server tells clients apart by address. Prints p50/p95 latency and throughput of the good
clients' answers per phase, and the hostile/clean ratios. Not part of the test suite; only
loopback traffic; bounded by --seconds. The machine may be shared and noisy: compare phases of
one run, not runs.

    python bench/load.py [--seconds 20] [--clients 20] [--hostile 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def concat_bomb(times: int = 26) -> str:
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?s{times}) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?s0) {binds} }}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(port: int, address: str, query: str, timeout: float = 120) -> tuple[int, float]:
    """POST a query from a local address; (status, seconds). Status 0: no HTTP answer."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(address, 0)
    )
    try:
        body = urllib.parse.urlencode({"query": query})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT}
        connection.request("POST", "/sparql", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.perf_counter() - started


@dataclass
class Phase:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    hostile: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float, good: bool = True) -> None:
        with self.lock:
            counts = self.statuses if good else self.hostile
            counts[status] = counts.get(status, 0) + 1
            if good and status == 200:
                self.latencies.append(seconds)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds


def run_phase(port: int, args, name: str, texts: list[str], fresh: bool, hostile: int) -> Phase:
    phase = Phase(name, args.seconds)
    stop = time.monotonic() + args.seconds
    counter = itertools.count()

    def good(index: int) -> None:
        address = f"127.0.0.{10 + index}"
        for n in itertools.count():
            if time.monotonic() >= stop:
                return
            text = texts[(index + n) % len(texts)]
            if fresh:
                text += f"\n# {name} client {index} request {next(counter)}"
            phase.record(*post(port, address, text))

    def bad(index: int) -> None:
        address = f"127.0.1.{10 + index}"
        queries = itertools.cycle([CROSS_JOIN, concat_bomb()] if args.concat else [CROSS_JOIN])
        for n in itertools.count():
            if time.monotonic() >= stop:
                return
            status, seconds = post(port, address, next(queries) + f" # {name} {index} {n}")
            phase.record(status, seconds, good=False)

    threads = [threading.Thread(target=good, args=(i,)) for i in range(args.clients)]
    threads += [threading.Thread(target=bad, args=(i,)) for i in range(hostile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # a request under way at the end is awaited (at most the time limit)
    return phase


def report(phases: list[Phase]) -> None:
    print(f"{'phase':<16} {'answers':>8} {'q/s':>6} {'p50 s':>7} {'p95 s':>7}  statuses")
    for phase in phases:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(phase.statuses.items()))
        hostile = ", ".join(f"{k}: {v}" for k, v in sorted(phase.hostile.items()))
        print(
            f"{phase.name:<16} {len(phase.latencies):>8} {phase.throughput:>6.1f} "
            f"{phase.p(0.5):>7.2f} {phase.p(0.95):>7.2f}  good {{{statuses}}}"
            + (f" hostile {{{hostile}}}" if hostile else "")
        )
    by_name = {phase.name: phase for phase in phases}
    for kind in ("saved", "fresh"):
        clean, loaded = by_name.get(f"{kind} clean"), by_name.get(f"{kind} hostile")
        if clean and loaded and clean.latencies and loaded.latencies:
            print(
                f"{kind}: hostile/clean  p50 x{loaded.p(0.5) / clean.p(0.5):.2f}  "
                f"p95 x{loaded.p(0.95) / clean.p(0.95):.2f}  "
                f"throughput x{loaded.throughput / clean.throughput:.2f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="per phase (default 20)")
    parser.add_argument("--clients", type=int, default=20, help="good clients (default 20)")
    parser.add_argument("--hostile", type=int, default=2, help="hostile clients (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="server's --workers (default 2)")
    parser.add_argument("--concat", action="store_true", help="hostile clients also send a bomb")
    parser.add_argument("--kinds", default="saved,fresh", help="saved, fresh or both")
    parser.add_argument("serve_options", nargs="*", help="more `imet-kg serve` options (after --)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from imet_kg.sparql.saved import load_queries

    texts = [query.bound_text() for query in load_queries() if not query.endpoint]
    port = free_port()
    command = [sys.executable, "-m", "imet_kg", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers), *args.serve_options]
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it until the end)
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while post(port, "127.0.0.1", "ASK {}", timeout=5)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                print(log.read().decode(errors="replace"), file=sys.stderr)
                return 1
            time.sleep(0.2)
        for text in texts:  # one warm-up pass, so the saved phases start alike
            post(port, "127.0.0.2", text)
        print(
            f"{args.clients} good clients, {args.hostile} hostile, {args.workers} workers, "
            f"{args.seconds:g} s per phase, {len(texts)} saved queries"
        )
        phases = []
        for kind in args.kinds.split(","):
            for hostile in (0, args.hostile):
                name = f"{kind} {'hostile' if hostile else 'clean'}"
                phases.append(run_phase(port, args, name, texts, kind == "fresh", hostile))
                print(f"  {name}: done", file=sys.stderr)
        report(phases)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
