"""The one place that knows the storage backends: rdflib's in-memory store, or Oxigraph embedded."""

from typing import Literal

from rdflib import Dataset

from imet_kg.errors import ImetKgError
from imet_kg.namespaces import bind_prefixes

Backend = Literal["memory", "oxigraph"]
BACKENDS: tuple[str, ...] = ("memory", "oxigraph")


def new_dataset(backend: Backend = "memory") -> Dataset:
    """Create an empty dataset whose default graph is the union of its named graphs.

    Args:
        backend: ``"memory"`` (rdflib, no extra dependency) or ``"oxigraph"`` (pyoxigraph through
            oxrdflib, from the ``[oxigraph]`` extra; faster on large data).

    Returns:
        An rdflib Dataset with the project's prefixes bound.

    Raises:
        ImetKgError: if the backend is unknown or its package is not installed.
    """
    if backend == "memory":
        dataset = Dataset(store="Memory", default_union=True)
    elif backend == "oxigraph":
        try:
            import oxrdflib  # noqa: F401  (registers the "Oxigraph" store plugin)
        except ImportError as exc:
            raise ImetKgError(
                "the oxigraph backend needs the [oxigraph] extra: pip install 'imet-kg[oxigraph]'"
            ) from exc
        dataset = Dataset(store="Oxigraph", default_union=True)
    else:
        raise ImetKgError(f"unknown store backend {backend!r} (choose from {', '.join(BACKENDS)})")
    return bind_prefixes(dataset)
