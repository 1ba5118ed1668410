"""HTML pages for the graph's resources, shared by the web server and the static site.

:class:`Pages` renders every page of a :class:`~imet_kg.publish.resources.Publication`: a page
per resource, laid out by the view for its kind (statute provision, program, ontology, shapes,
or the generic resource page), and the site-wide pages. A :class:`Links` object says where links
point: the server's paths, or relative files of the static site. Jinja2 escapes every value.
"""

from imet_kg.publish.views.common import TEMPLATES_DIR, Links, PropertyView, ValueView
from imet_kg.publish.views.dispatch import Pages
from imet_kg.publish.views.statute import govinfo_url, olrc_url

__all__ = [
    "TEMPLATES_DIR",
    "Links",
    "Pages",
    "PropertyView",
    "ValueView",
    "govinfo_url",
    "olrc_url",
]
