"""How every outbound request travels: one deadline per request, redirects kept on the origin.

Each request gets its own urllib opener (:func:`request_opener`). The Graph Store client (gsp.py)
sends through it with :func:`fetch`; the SPARQL client (client.py) sends its queries through
SPARQLWrapper, which calls ``urllib.request.urlopen`` and so uses urllib's installed opener:
:func:`sending` installs the request's opener for the duration of one query and puts the previous
one back afterwards, whatever happens. Installing is process-wide, so this is not thread-safe:
the command line makes one request at a time, and the server (``imet-kg serve``) makes none.

- Deadline: urllib's ``timeout`` bounds each socket operation, so a server sending one byte every
  half second could hold a request for ever. The opener's connections hand their sockets to a
  timer that shuts them down when the timeout has passed; the blocked read then returns, and the
  failure is reported as a timeout. Connections opened after that point are refused at once.
  An error answer's body (its first 64 KB) is read inside the deadline too.
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
from collections.abc import Iterator
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
        ErrorAnswer: for an error status, its body (cut at 64 KB) already read.
        TimeoutError: when the deadline passes.
        RedirectRefused: for a redirect to another origin, or one that would change the method.
        OSError, http.client.HTTPException, ValueError: as urllib raises them.
    """
    if auth is not None and auth.scheme == "basic":
        request.add_unredirected_header("Authorization", auth.basic_header())
    with within(timeout) as deadline:
        opener = request_opener(request.full_url, deadline, auth)
        with opener.open(request, timeout=timeout) as response:
            return Reply(response.headers.get_content_type(), response.read())


@contextlib.contextmanager
def sending(url: str, timeout: float, auth: Credentials | None = None) -> Iterator[None]:
    """Within the block, ``urllib.request.urlopen`` (which SPARQLWrapper calls) sends through
    :func:`request_opener` for ``url``, and everything must be done within ``timeout`` seconds:
    read the whole answer inside the block.

    The opener that was installed before (usually none) is put back when the block ends,
    whatever happens in it. Not thread-safe (see the module docstring).

    Raises:
        TimeoutError: when the deadline passes, in place of whatever the cut connection raised.
    """
    previous = _installed_opener()
    try:
        with within(timeout) as deadline:
            urllib.request.install_opener(request_opener(url, deadline, auth))
            yield
    finally:
        urllib.request.install_opener(previous)


@contextlib.contextmanager
def within(timeout: float) -> Iterator[Deadline]:
    """A deadline for the block: connections opened by :func:`request_opener` with it are shut
    down when ``timeout`` seconds have passed.

    Raises:
        TimeoutError: when the deadline has passed, whether the block then failed (a cut
            connection raises anything: a reset, an incomplete read, an HTTP error whose page was
            cut) or ended (an answer without a length ends where the cut connection did).
    """
    deadline = Deadline(timeout)
    with deadline:
        try:
            yield deadline
        except Exception as exc:
            if deadline.passed:
                raise TimeoutError(f"no answer within {timeout:g} s") from exc
            raise
    if deadline.passed:
        raise TimeoutError(f"no answer within {timeout:g} s")


def request_opener(
    url: str, deadline: Deadline, auth: Credentials | None = None
) -> urllib.request.OpenerDirector:
    """The opener for one request to ``url``: its connections watched by ``deadline``, redirects
    kept on the origin and the method, error pages read in time, and Digest challenges from
    ``url``'s origin answered with ``auth`` (any realm)."""
    handlers: list[urllib.request.BaseHandler] = [
        _SameOriginRedirects(auth),
        _DeadlineHTTPHandler(deadline),
        _DeadlineHTTPSHandler(deadline),
        _ErrorsReadInTime(),
    ]
    if auth is not None and auth.scheme == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()  # any realm, this origin
        passwords.add_password(None, _origin_root(url), auth.user, auth.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _installed_opener() -> urllib.request.OpenerDirector | None:
    # urllib has install_opener() but no getter; urlopen() reads this module global.
    return urllib.request._opener  # type: ignore[attr-defined]


class ErrorAnswer(urllib.error.HTTPError):
    """An HTTP error answer whose body was read (its first 64 KB) while the deadline watched.

    Attributes:
        body: those bytes; ``read()`` gives them once too, as for any HTTPError.
    """

    def __init__(self, url: str, code: int, msg: str, hdrs, fp) -> None:
        try:
            body = fp.read(_MAX_ERROR_BODY) if fp is not None else b""
        finally:
            if fp is not None:
                fp.close()
        super().__init__(url, code, msg, hdrs, io.BytesIO(body))
        self.body = body


class _ErrorsReadInTime(urllib.request.HTTPDefaultErrorHandler):
    def http_error_default(self, req, fp, code, msg, hdrs):
        raise ErrorAnswer(req.full_url, code, msg, hdrs, fp)


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


class Deadline:
    """One request's time budget; past it, the sockets it watches are shut down."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.passed = False
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
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

    deadline: Deadline

    def connect(self) -> None:
        self.timeout = self.deadline.remaining()
        super().connect()
        self.deadline.watch(self.sock)


class _WatchedTLS(_Watched, http.client.HTTPSConnection):
    pass


def _watched(cls: type[_Watched], deadline: Deadline):
    def connection(*args, **kwargs) -> _Watched:
        made = cls(*args, **kwargs)
        made.deadline = deadline
        return made

    return connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._connection = _watched(_Watched, deadline)

    def http_open(self, req: urllib.request.Request):
        return self.do_open(self._connection, req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
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
