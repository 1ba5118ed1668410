"""Where the shipped ontology, data and saved queries live, in a checkout or an installed wheel."""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED_DIR = _PACKAGE_DIR / "_bundled"


def _resource_root() -> Path:
    # A wheel carries the folders under imet_kg/_bundled/; a checkout (or editable install) has
    # them beside the package.
    if (_BUNDLED_DIR / "ontology").is_dir():
        return _BUNDLED_DIR
    return _PACKAGE_DIR.parent


RESOURCE_ROOT = _resource_root()
ONTOLOGY_DIR = RESOURCE_ROOT / "ontology"
DATA_DIR = RESOURCE_ROOT / "data"
QUERIES_DIR = RESOURCE_ROOT / "queries"
SHAPES_FILE = ONTOLOGY_DIR / "imet-shapes.ttl"
JSONLD_CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
DEFAULT_OUT_DIR = Path("dist")
