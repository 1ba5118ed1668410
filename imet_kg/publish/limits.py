"""The endpoint's limits, and their defaults: one owner, light enough for the command line."""

from __future__ import annotations

from dataclasses import dataclass

from imet_kg.errors import ImetKgError


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits.

    Attributes:
        time_limit: seconds a query may run before its worker is killed (answer 503).
        max_rows: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) sent at most; more are cut and
            flagged with ``X-IMET-Truncated: true``.
        workers: worker processes, i.e. queries evaluated at the same time.
        max_query_length: characters a query may have (answer 400 beyond).
        queue_timeout: seconds a query may wait for a free worker (answer 503 beyond).
    """

    time_limit: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_query_length: int = 100_000
    queue_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.time_limit <= 0 or self.max_rows < 1 or self.workers < 1:
            raise ImetKgError("limits: time limit > 0, max rows >= 1 and workers >= 1 are needed")


DEFAULT_LIMITS = Limits()
