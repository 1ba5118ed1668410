"""The dispatcher: one object that renders every page, picking a resource's view by its kind."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef
from rdflib.namespace import RDF

from imet_kg.publish.resources import Publication
from imet_kg.publish.views.browse import BrowsePages
from imet_kg.publish.views.common import Links, environment
from imet_kg.publish.views.country import CountryView
from imet_kg.publish.views.ontology import OntologyView
from imet_kg.publish.views.program import ProgramView
from imet_kg.publish.views.resource import ResourceView
from imet_kg.publish.views.shapes import ShapesView
from imet_kg.publish.views.site_pages import SitePages
from imet_kg.publish.views.statute import StatuteView
from imet_kg.publish.views.versions import VersionView
from imet_kg.sparql.saved import SavedQuery


class Pages:
    """Render the HTML pages of a publication.

    Attributes:
        site: the site-wide pages (home, query pages, not found).
        browse: the resource list and the search page.
        program: the program view, which also owns the funding chart.
        views: the resource views, most specific first; the last takes any resource.

    Args:
        publication: the published resources.
        queries: the saved queries (the query pages' examples).
    """

    def __init__(self, publication: Publication, queries: Iterable[SavedQuery] = ()) -> None:
        self.publication = publication
        env = environment()
        self.site = SitePages(publication, env, queries)
        self.browse = BrowsePages(publication, env)
        self.program = ProgramView(publication, env)
        self.views: tuple[ResourceView, ...] = (
            OntologyView(publication, env),
            ShapesView(publication, env),
            StatuteView(publication, env),
            self.program,
            CountryView(publication, env),
            VersionView(publication, env),
            ResourceView(publication, env),
        )

    def view_for(self, iri: URIRef, types: set[URIRef]) -> ResourceView:
        """The first view that lays out a resource of these types."""
        return next(view for view in self.views if view.matches(iri, types))

    def resource_page(self, iri: URIRef, links: Links) -> str:
        """The HTML page of a published resource (ontology, shapes, statute, program, country or
        generic)."""
        types = set(self.publication.graph.objects(iri, RDF.type))
        return self.view_for(iri, types).page(iri, links, types)
