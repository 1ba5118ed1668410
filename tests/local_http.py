"""Scripted HTTP servers on 127.0.0.1 for the client tests: real sockets, a record of each request.

``start(respond)`` runs a threaded ``http.server``; ``respond(handler)`` returns ``(status,
headers, body)``, or None when it wrote the raw response itself (``trickle`` does, one byte at a
time, to show that a client's timeout bounds the whole request, not each read).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imet_kg.errors import EndpointError

Reply = tuple[int, dict[str, str], bytes]
Responder = Callable[[BaseHTTPRequestHandler], Reply | None]
JSON_TYPE = "application/sparql-results+json"
ASK_TRUE = b'{"head": {}, "boolean": true}'


@dataclass
class LocalServer:
    """A running scripted server: ``url(path)`` on it and the requests it has seen."""

    base: str
    seen: list[dict] = field(default_factory=list)

    def url(self, path: str = "/sparql") -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    respond: Responder
    seen: list[dict]

    def _handle(self) -> None:
        self.unread = False  # a responder sets it to refuse without reading the body
        reply = type(self).respond(self)
        length = int(self.headers.get("Content-Length") or 0)
        body = b"" if self.unread or reply is None else self.rfile.read(length)
        self.seen.append(
            {"method": self.command, "path": self.path, "headers": self.headers, "body": body}
        )
        if reply is None:
            return
        status, headers, payload = reply
        try:
            self.send_response(status)
            for name, value in {"Content-Length": str(len(payload)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except OSError:  # the client gave up (timeout tests)
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, *args) -> None:
        pass


@contextmanager
def local_servers() -> Iterator[Callable[[Responder], LocalServer]]:
    """Start servers with ``start(respond)``; all stop when the block ends."""
    servers: list[ThreadingHTTPServer] = []

    def start(respond: Responder) -> LocalServer:
        seen: list[dict] = []
        handler = type("Handler", (_Handler,), {"respond": staticmethod(respond), "seen": seen})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        # shutdown() waits for the loop to look at its flag: every 0.5 s by default, which
        # added half a second to every test that starts a server.
        serve = lambda: server.serve_forever(poll_interval=0.02)  # noqa: E731
        threading.Thread(target=serve, daemon=True).start()
        servers.append(server)
        return LocalServer(f"http://127.0.0.1:{server.server_address[1]}", seen)

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def answers(
    status: int = 200, body: bytes = ASK_TRUE, kind: str = JSON_TYPE, delay: float = 0
) -> Responder:
    """Answer every request with one status, body and Content-Type, after ``delay`` seconds."""

    def respond(handler: BaseHTTPRequestHandler) -> Reply:
        time.sleep(delay)
        return status, {"Content-Type": kind}, body

    return respond


def trickle(
    every: float,
    body: bytes = ASK_TRUE,
    kind: str = JSON_TYPE,
    status: str = "200 OK",
    head_too: bool = True,
    sized: bool = True,
) -> Responder:
    """Send a response one byte every ``every`` seconds: all of it, status line included, or
    (``head_too=False``) the head at once and then the body; ``sized=False`` sends no
    Content-Length, so the body ends where the connection does."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        handler.rfile.read(length)
        size = f"Content-Length: {len(body)}\r\n" if sized else ""
        head = f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{size}\r\n"
        chunks = [head.encode("ascii")] if not head_too else []
        chunks += [bytes([byte]) for byte in (head.encode("ascii") if head_too else b"") + body]
        for chunk in chunks:
            try:
                handler.wfile.write(chunk)
                handler.wfile.flush()
            except OSError:  # the client gave up, as it should
                return
            time.sleep(every)
        handler.close_connection = True

    return respond


def redirects(location: str, status: int = 302) -> Responder:
    """Answer every request with a redirect to ``location``."""
    return lambda handler: (status, {"Location": location}, b"")


def one_line_error(call: Callable[[], object]) -> str:
    """The message of the EndpointError ``call()`` raises, checked to be one line."""
    with pytest.raises(EndpointError) as error:
        call()
    message = str(error.value)
    assert "\n" not in message
    return message
