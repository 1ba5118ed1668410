"""The static site: the server's pages and per-resource RDF files, for any static host.

What is written is the site map's (:mod:`imet_kg.publish.sitemap`). Layout (every link is
relative, so the site works from any folder and from the file system)::

    index.html                      home
    resources.html                  every IRI, by type
    queries/index.html              the saved queries with their results
    id/faa/section-543.html         a resource's page (its IRI's path + .html)
    id/faa/section-543.ttl          ... its description as Turtle, .jsonld, .nt
    def/index.html, def/index.ttl   the ontology (IRI .../def/), every term documented
    def/Program.html                a term
    chart/funding.svg, .png         the funding chart
    data/imet-kg.ttl, .trig, .nt    the whole graph
    static/style.css                the style sheet

A host that does content negotiation can map each IRI path to these files (e.g. Apache
``MultiViews``, or nginx ``try_files $uri.html``); a plain host serves the files as they are.

The site is written to a temporary folder beside ``out`` and moved into place when complete, so
``out`` is never left half-written: it holds either the previous site or the new one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

from imet_kg.errors import ImetKgError
from imet_kg.publish import sitemap
from imet_kg.publish.resources import Publication
from imet_kg.publish.views import Links, Pages
from imet_kg.rdf.temporaries import remove_stale_temporaries, replace_folder, temporary_name
from imet_kg.sparql.saved import SavedQuery

#: The file every site holds, so that ``site`` knows a folder it may replace.
SITE_MARKER = ".imet-kg-site"


@dataclass(frozen=True)
class SiteSummary:
    """What :func:`build_site` wrote."""

    out: Path
    resources: int
    files: int

    def text(self) -> str:
        return f"wrote {self.files} files for {self.resources} resources to {self.out}"


def build_site(
    out: Path,
    dataset: Dataset,
    queries: Iterable[SavedQuery] = (),
    context: dict | None = None,
    progress: Callable[[str], None] | None = None,
    shapes: Graph | None = None,
    force: bool = False,
) -> SiteSummary:
    """Write the static site to ``out`` (replacing what is there, all at once).

    Args:
        out: the site's folder; it is created, or replaced when the new site is complete.
        dataset: the knowledge graph.
        queries: the saved queries (their results go on ``queries/index.html``).
        context: the JSON-LD context for the ``.jsonld`` files.
        progress: called with a line of text at each stage.
        shapes: the SHACL shapes, published under ``def/shapes/``.
        force: replace ``out`` even if it is a non-empty folder without the marker file a
            site holds (``.imet-kg-site``); without it such a folder is refused.

    Returns:
        A summary: folder, number of resources and of files.

    Raises:
        ImetKgError: if ``out`` exists and is not a folder, or is a non-empty folder that is
            not a previous site (unless ``force``), or a saved query fails.
        OSError: if the folder cannot be written (nothing is changed then).
    """
    out = Path(out)
    refuse_foreign_folder(out, force)
    say = progress or (lambda message: None)
    queries = list(queries)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    temporary = temporary_name(out, "site")
    temporary.mkdir()
    try:
        files = _write_site(temporary, dataset, queries, context, say, shapes)
        (temporary / SITE_MARKER).write_text(
            "A static site written by `imet-kg site`, which replaces this folder whole.\n"
        )
        replace_folder(temporary, out)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    publication_count = files.pop("resources")
    return SiteSummary(out=out, resources=publication_count, files=files["files"])


def _write_site(
    root: Path,
    dataset: Dataset,
    queries: list[SavedQuery],
    context: dict | None,
    say: Callable[[str], None],
    shapes: Graph | None = None,
) -> dict[str, int]:
    """Write every file the site map lists for the static site into ``root``."""
    publication = Publication(dataset, context, shapes)
    content = sitemap.Content(Pages(publication, queries))
    count = 0

    def write(relative: str, data: bytes) -> None:
        nonlocal count
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count += 1

    say(f"rendering {len(publication.iris)} resources")
    for iri in publication.sorted_iris():
        for file, body in sitemap.resource_file_bodies(
            content, iri, lambda page: Links(publication, static=True, page=page)
        ):
            write(file, body)
    for document in sitemap.WRITTEN:
        if document.available(content):
            say(f"writing the {document.name}")
            links = Links(publication, static=True, page=document.file)
            write(document.file, document.make(content, links))
    return {"files": count, "resources": len(publication.iris)}


def refuse_foreign_folder(out: Path, force: bool = False) -> None:
    """Refuse ``out`` if it is a file, or a non-empty folder with no site marker (unless
    ``force``): the site replaces the whole folder.

    Raises:
        ImetKgError: saying why, and that ``--force`` replaces such a folder.
    """
    if out.exists() and not out.is_dir():
        raise ImetKgError(f"{out} exists and is not a folder")
    blocker = next((parent for parent in out.parents if parent.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise ImetKgError(f"{out}: cannot write: {blocker} is a file, not a folder")
    if force or not out.is_dir() or (out / SITE_MARKER).is_file():
        return
    if any(out.iterdir()):
        raise ImetKgError(
            f"{out} is not empty and holds no previous site (no {SITE_MARKER}); the site "
            "replaces the whole folder: choose another --out, or give --force to replace it"
        )
