"""The endpoint's limits, and their defaults: one owner, light enough for the command line."""

from __future__ import annotations

from dataclasses import dataclass

from imet_kg.errors import ImetKgError


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits.

    Attributes:
        time_limit: seconds a query may run; then it is stopped (answer 503).
        max_rows: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) sent at most; more are cut and
            flagged with ``X-IMET-Truncated: true``.
        workers: worker processes, i.e. queries evaluated at the same time.
        max_query_length: characters a query may have (answer 400 beyond).
        queue_timeout: seconds a query may wait for a free worker (answer 503 beyond).
        max_memory: megabytes of memory a query may take in its worker, above what the worker
            holds once it has loaded the graph; over it the worker is replaced (answer 503).
        max_bytes: bytes an answer's body may have (answer 413 beyond, with no body).
        per_client: queries one client (remote address) may have running or waiting at once;
            one more is refused with 429.
        cache_bytes: bytes of answers kept to answer the same query again without a worker (the
            graph is read-only, so an answer never goes stale); 0 keeps none.
    """

    time_limit: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_query_length: int = 100_000
    queue_timeout: float = 30.0
    max_memory: int = 512
    max_bytes: int = 10_000_000
    per_client: int = 1
    cache_bytes: int = 32_000_000

    def __post_init__(self) -> None:
        if self.time_limit <= 0 or self.max_rows < 1 or self.workers < 1:
            raise ImetKgError("limits: time limit > 0, max rows >= 1 and workers >= 1 are needed")
        if self.max_memory < 16 or self.max_bytes < 1024 or self.per_client < 1:
            raise ImetKgError(
                "limits: max memory >= 16 MB, max bytes >= 1024 and per client >= 1 are needed"
            )
        if self.cache_bytes < 0:
            raise ImetKgError("limits: the answer cache cannot be negative")


DEFAULT_LIMITS = Limits()
