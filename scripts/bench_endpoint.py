"""Median latency of each saved query through the SPARQL endpoint of a real ``imet-kg serve``.

Starts the server on a free 127.0.0.1 port, runs each saved query (its parameters at their
defaults) once to warm up, then N times, one at a time, as a SPARQL Protocol POST asking for
SPARQL JSON results; prints the median and 90th-percentile wall time per query, measured by the
client, and for comparison the median of the same query run in-process by ``imet_kg.sparql.saved.
run_query``. Only loopback traffic; bounded by --runs.

    python scripts/bench_endpoint.py [--runs 20]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer from {url}") from None
            time.sleep(0.1)


def post(endpoint: str, query: str) -> tuple[int, float, str]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(endpoint, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Accept", "application/sparql-results+json, text/turtle;q=0.9")
    started = time.perf_counter()
    message = ""
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status, message = error.code, error.read().decode("utf-8", "replace").strip()
    return status, (time.perf_counter() - started) * 1000, message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query (default 20)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from imet_kg.kg.graph import build_graph
    from imet_kg.sparql.saved import load_queries, run_query

    queries = load_queries()
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it until the end)
    server = subprocess.Popen(
        [sys.executable, "-m", "imet_kg", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        endpoint = f"http://127.0.0.1:{port}/sparql"
        graph = build_graph()
        width = max(len(q.name) for q in queries)
        print(f"{args.runs} runs per query, one at a time; milliseconds")
        print(f"{'query'.ljust(width)}  {'endpoint p50':>12}  {'p90':>7}  {'in-process p50':>14}")
        medians = []
        for query in queries:
            text = query.bound_text()
            status, _, message = post(endpoint, text)  # warm-up (and a check)
            if status != 200:
                print(f"{query.name}: HTTP {status}: {message}", file=sys.stderr)
                return 1
            times = sorted(post(endpoint, text)[1] for _ in range(args.runs))
            local = []
            for _ in range(max(3, args.runs // 4)):
                started = time.perf_counter()
                result = run_query(graph, query)
                list(result) if result.type != "ASK" else None
                local.append((time.perf_counter() - started) * 1000)
            p50 = statistics.median(times)
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            medians.append(p50)
            print(
                f"{query.name.ljust(width)}  {p50:12.1f}  {p90:7.1f}  "
                f"{statistics.median(local):14.1f}"
            )
        print(f"{'median of medians'.ljust(width)}  {statistics.median(medians):12.1f}")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
