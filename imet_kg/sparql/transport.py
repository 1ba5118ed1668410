"""How every outbound request travels: one deadline per request, redirects kept on the origin.

The SPARQL client (client.py) and the Graph Store client (gsp.py) send their requests through
:func:`fetch`, which builds a urllib opener for the one request and installs nothing process-wide.

- Deadline: urllib's ``timeout`` bounds each socket operation, so a server sending one byte every
  half second could hold a request for ever. :func:`fetch` also starts a timer that shuts the
  request's sockets down when the timeout has passed; the blocked read then returns, and the
  failure is reported as a timeout. Connections opened after that point are refused at once.
- Redirects: followed only to the same origin (scheme, host and port) and only when they keep the
  method (GET and HEAD, or any method through 307 and 308, body included). Anything else raises
  :class:`RedirectRefused` without sending a byte to the new address, so credentials and queries
  go nowhere the user did not name. Basic credentials are added again on a same-origin hop.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from imet_kg.errors import EndpointError
from imet_kg.sparql.protocol import AUTH_SCHEMES

# An error page is shown in one line of 200 characters; no need to read megabytes of it.
_MAX_ERROR_BODY = 65536


class RedirectRefused(Exception):
    """A redirect :func:`fetch` did not follow; its message says where to and why."""


# What sending a request can raise: urllib's errors (OSError), http.client's, ValueError for a URL
# urllib cannot use (a port that is not a number), and a refused redirect.
FAILURES = (OSError, http.client.HTTPException, ValueError, RedirectRefused)


@dataclass(frozen=True)
class Credentials:
    """A user name and password for a store, and the HTTP authentication scheme to send them with.

    Attributes:
        user: the account name.
        password: its password.
        scheme: ``basic`` (sent with every request) or ``digest`` (answered to a challenge; what
            Virtuoso's ``/sparql-graph-crud-auth`` and ``/sparql-auth`` ask for).
    """

    user: str
    password: str
    scheme: str = "basic"

    def __post_init__(self) -> None:
        if self.scheme not in AUTH_SCHEMES:
            raise EndpointError(
                f"unknown authentication {self.scheme!r} (choose from {', '.join(AUTH_SCHEMES)})"
            )

    def __repr__(self) -> str:  # never show the password in tracebacks or logs
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"

    def basic_header(self) -> str:
        """The ``Authorization`` header value for HTTP Basic."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


@dataclass(frozen=True)
class Reply:
    """A 2xx answer, read to its end: its media type (no parameters) and bytes."""

    media_type: str
    data: bytes


def fetch(
    request: urllib.request.Request,
    timeout: float,
    auth: Credentials | None = None,
) -> Reply:
    """Send one request and read its whole answer within ``timeout`` seconds.

    Args:
        request: the request; its headers are sent as they are.
        timeout: seconds for everything: connecting, sending, every redirect, reading the answer.
        auth: Basic credentials are sent with the request (and a same-origin redirect of it);
            Digest ones answer the server's challenge, for this origin only.

    Raises:
        urllib.error.HTTPError: for an error status, its body (cut at 64 KB) already read.
        TimeoutError: when the deadline passes (also as the reason of a URLError).
        RedirectRefused: for a redirect to another origin, or one that would change the method.
        OSError, http.client.HTTPException, ValueError: as urllib raises them.
    """
    deadline = _Deadline(timeout)
    handlers: list[urllib.request.BaseHandler] = [
        _SameOriginRedirects(auth),
        _DeadlineHTTPHandler(deadline),
        _DeadlineHTTPSHandler(deadline),
    ]
    if auth is not None and auth.scheme == "basic":
        request.add_unredirected_header("Authorization", auth.basic_header())
    if auth is not None and auth.scheme == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()  # any realm, this origin
        passwords.add_password(None, _origin_root(request.full_url), auth.user, auth.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    opener = urllib.request.build_opener(*handlers)
    with deadline:
        try:
            try:
                with opener.open(request, timeout=timeout) as response:
                    reply = Reply(response.headers.get_content_type(), response.read())
            except urllib.error.HTTPError as exc:
                raise _read_error(exc) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.passed:
                raise TimeoutError(f"no answer within {timeout:g} s") from exc
            raise
    if deadline.passed:  # an answer without a length ends where the cut connection did
        raise TimeoutError(f"no answer within {timeout:g} s")
    return reply


def same_origin(url: str, other: str) -> bool:
    """Say whether two http(s) URLs share scheme, host and port (the port a scheme implies too)."""
    return _origin(url) == _origin(other)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a number: urllib refuses the URL later
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _origin_root(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _read_error(exc: urllib.error.HTTPError) -> urllib.error.HTTPError:
    """The same error with its body read now, while the deadline still watches the socket."""
    try:
        body = exc.read(_MAX_ERROR_BODY) if exc.fp is not None else b""
    finally:
        exc.close()
    return urllib.error.HTTPError(exc.url, exc.code, exc.msg, exc.headers, io.BytesIO(body))


class _Deadline:
    """One request's time budget; past it, the sockets it watches are shut down."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.passed = False
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left; TimeoutError when none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                _shut(sock)

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it wakes a read blocked in another
    # thread, and leaves closing the socket to its owner.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watched(http.client.HTTPConnection):
    """A connection that gets at most the time left and hands its socket to the deadline."""

    deadline: _Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.deadline.watch(self.sock)


class _WatchedTLS(_Watched, http.client.HTTPSConnection):
    pass


def _watched(cls: type[_Watched], deadline: _Deadline):
    def connection(*args, **kwargs) -> _Watched:
        made = cls(*args, **kwargs)
        made.deadline = deadline
        return made

    return connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._connection = _watched(_Watched, deadline)

    def http_open(self, req: urllib.request.Request):
        return self.do_open(self._connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._connection = _watched(_WatchedTLS, deadline)

    def https_open(self, req: urllib.request.Request):
        return self.do_open(self._connection, req, context=self._context)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only on the same origin and only when it keeps the method."""

    def __init__(self, auth: Credentials | None) -> None:
        self._auth = auth

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        method = req.get_method()
        if not same_origin(newurl, req.full_url):
            problem = ": another origin, not followed (the request goes only where it was sent)"
        elif method not in ("GET", "HEAD") and code not in (307, 308):
            problem = (
                f", which would turn the {method} into a GET: not followed "
                "(only 307 and 308 keep the method and body)"
            )
        else:
            problem = ""
        if problem:
            fp.close()
            raise RedirectRefused(f"redirected to {newurl} (HTTP {code}){problem}")
        new = urllib.request.Request(
            newurl, data=req.data, headers=dict(req.headers), method=method, unverifiable=True
        )
        if self._auth is not None and self._auth.scheme == "basic":
            new.add_unredirected_header("Authorization", self._auth.basic_header())
        return new
