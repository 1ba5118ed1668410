"""Start a real ``imet-kg serve`` on a free 127.0.0.1 port for HTTP and browser tests."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from conftest import ROOT, free_port, wait_for_http


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and process."""

    base: str
    process: subprocess.Popen

    def url(self, path: str) -> str:
        return self.base + path


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, 2xx or not."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def fetch(
    url: str,
    accept: str | None = None,
    data: bytes | None = None,
    content_type: str | None = None,
    method: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    """Send one request with urllib (no redirects are followed for 3xx: urllib follows them)."""
    request = urllib.request.Request(url, data=data, method=method)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@contextmanager
def running_server(*options: str) -> Iterator[LiveServer]:
    """Run ``python -m imet_kg serve --port N OPTIONS...`` until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "imet_kg", "serve", "--host", "127.0.0.1", "--port", str(port)]
    # The log goes to a file, not a pipe: a full pipe would block the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, *options], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            yield _started(process, f"http://127.0.0.1:{port}", log)
        finally:
            _stop(process)


def _started(process: subprocess.Popen, base: str, log) -> LiveServer:
    try:
        wait_for_http(base + "/", timeout=60)
    except RuntimeError:
        process.kill()
        process.wait(timeout=10)
        log.seek(0)
        output = log.read().decode(errors="replace")
        raise RuntimeError(f"the server did not start:\n{output}") from None
    return LiveServer(base, process)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: uvicorn shuts down and stops its query workers; SIGKILL if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
