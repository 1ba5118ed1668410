"""Countries as resources: resolve names and ISO codes with pycountry, mint and describe them.

Run ``python -m imet_kg.ingest.countries`` to regenerate ``data/countries.ttl``, the country
register: every country ``data/places.ttl`` or a shipped ``data/country-figures/*.csv`` names, with
its ISO 3166-1 alpha-2, alpha-3 and numeric codes as the ``pycountry`` package gives them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from imet_kg.kg.graph import describe_graph
from imet_kg.namespaces import ID, IMET, bind_prefixes
from imet_kg.paths import DATA_DIR
from imet_kg.rdf.files import parse_into, write_atomic
from imet_kg.rdf.serialize import serialize_graph

COUNTRY = Namespace(str(ID) + "country/")
PLACE = Namespace(str(ID) + "place/")
ISO_SOURCE = ID["source/iso-3166-1-pycountry"]
REGISTER_FILE = DATA_DIR / "countries.ttl"
FIGURES_DIR_NAME = "country-figures"

# Scopes other than a country that a figures file may name in its country column.
SCOPES: dict[str, tuple[str, str]] = {
    "worldwide": ("worldwide", "Worldwide"),
    "eastern caribbean": ("eastern-caribbean", "Eastern Caribbean"),
}


@dataclass(frozen=True)
class Country:
    """A country: its IRI, English label and ISO 3166-1 codes (from pycountry)."""

    iri: URIRef
    label: str
    alpha2: str
    alpha3: str
    numeric: str


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: ``Côte d'Ivoire`` -> ``cote-d-ivoire``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _pycountry_record(text: str) -> Any:
    """The pycountry record for a code or a name, or None (names as pycountry spells them, any
    case; also "Republic of Korea" for pycountry's inverted "Korea, Republic of")."""
    wanted = " ".join(text.split())
    if not wanted:
        return None
    try:
        return pycountry.countries.lookup(wanted)
    except LookupError:
        pass
    folded = wanted.casefold()
    for record in pycountry.countries:
        head, sep, tail = record.name.partition(", ")
        if sep and f"{tail} {head}".casefold() == folded:
            return record
    return None


def default_label(record: Any) -> str:
    """The label a newly minted country gets: pycountry's common name, else its name."""
    return getattr(record, "common_name", None) or record.name


class CountryRegister:
    """The countries the graph already names (their IRIs and labels win), keyed by alpha-2 code.

    A country not in the register is minted as ``id/country/{slug of its label}``.
    """

    def __init__(self, known: dict[str, tuple[URIRef, str]] | None = None) -> None:
        self.known = dict(known or {})

    @classmethod
    def from_graph(cls, graph: Graph) -> CountryRegister:
        """Read the countries of ``graph`` that carry an ``imet:isoAlpha2`` code."""
        known = {}
        for iri in sorted(set(graph.subjects(IMET.isoAlpha2, None))):
            code = str(graph.value(iri, IMET.isoAlpha2))
            label = graph.value(iri, RDFS.label)
            if isinstance(iri, URIRef) and label is not None:
                known.setdefault(code, (iri, str(label)))
        return cls(known)

    @classmethod
    def from_data_dir(cls, data_dir: Path = DATA_DIR) -> CountryRegister:
        """Read the shipped register: ``countries.ttl`` (codes) and ``places.ttl`` (the labels of
        the countries it names) in ``data_dir``; files that are missing are skipped."""
        graph = Graph()
        for name in ("places.ttl", "countries.ttl"):
            if (data_dir / name).exists():
                parse_into(graph, data_dir / name)
        return cls.from_graph(graph)

    def resolve(self, text: str) -> Country | None:
        """The country a name or ISO code (alpha-2 or alpha-3) names, or None if none does."""
        record = _pycountry_record(text)
        if record is None:
            return None
        iri, label = self.known.get(record.alpha_2, (None, default_label(record)))
        return Country(
            iri=iri or COUNTRY[slug(label)],
            label=label,
            alpha2=record.alpha_2,
            alpha3=record.alpha_3,
            numeric=record.numeric,
        )


def scope_for(text: str) -> tuple[URIRef, str] | None:
    """The region IRI and label for a non-country scope name (see ``SCOPES``), or None."""
    found = SCOPES.get(" ".join(text.split()).casefold())
    return None if found is None else (PLACE[found[0]], found[1])


def describe_country(graph: Graph, country: Country, codes_only: bool = False) -> None:
    """Add a country's type, labels (unless ``codes_only``), ISO 3166-1 codes and their source."""
    if not codes_only:
        graph.add((country.iri, RDF.type, IMET.Country))
        graph.add((country.iri, RDFS.label, Literal(country.label, lang="en")))
        graph.add((country.iri, SKOS.prefLabel, Literal(country.label, lang="en")))
    graph.add((country.iri, IMET.isoAlpha2, Literal(country.alpha2)))
    graph.add((country.iri, IMET.isoAlpha3, Literal(country.alpha3)))
    graph.add((country.iri, IMET.isoNumeric, Literal(country.numeric)))
    graph.add((country.iri, DCTERMS.source, ISO_SOURCE))


def _places_countries(places: Path) -> dict[str, tuple[URIRef, str]]:
    """The countries ``places.ttl`` names, resolved by their labels, keyed by alpha-2 code."""
    graph = Graph()
    parse_into(graph, places)
    found = {}
    for iri in sorted(graph.subjects(RDF.type, IMET.Country)):
        label = str(graph.value(iri, RDFS.label))
        record = _pycountry_record(label)
        if record is None:
            raise ValueError(f"{places}: no ISO 3166-1 country is called {label!r} ({iri})")
        found[record.alpha_2] = (iri, label)
    return found


def _figures_countries(folder: Path) -> set[str]:
    """The country names and codes the figures files in ``folder`` use."""
    names = set()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                names.add(row.get("iso_code") or row.get("country") or "")
    return {name for name in names if name and scope_for(name) is None}


def register_graph(data_dir: Path = DATA_DIR) -> Graph:
    """The country register: places.ttl's countries (their IRIs and labels kept) and the shipped
    figures' countries, each with its ISO 3166-1 codes."""
    register = CountryRegister(_places_countries(data_dir / "places.ttl"))
    countries = {register.resolve(code) for code in register.known}
    for name in _figures_countries(data_dir / FIGURES_DIR_NAME):
        country = register.resolve(name)
        if country is None:
            raise ValueError(f"{data_dir / FIGURES_DIR_NAME}: unknown country {name!r}")
        countries.add(country)
    graph = bind_prefixes(Graph())
    graph.bind("country", COUNTRY)
    iri = describe_graph(
        graph,
        "countries",
        "Countries",
        "The countries the graph names, with their ISO 3166-1 alpha-2, alpha-3 and numeric codes "
        "from the pycountry package.",
    )
    graph.add((iri, PROV.wasDerivedFrom, ISO_SOURCE))
    for country in sorted(countries, key=lambda c: c.alpha2):
        # places.ttl already types and labels its countries: only their codes are added here.
        describe_country(graph, country, codes_only=country.alpha2 in register.known)
    return graph


HEADER = """\
# GENERATED by `python -m imet_kg.ingest.countries` from data/places.ttl and
# data/country-figures/*.csv: edit those (or imet_kg/ingest/countries.py), not this file.
#
# The country register: one resource per country the graph names, with its ISO 3166-1 alpha-2,
# alpha-3 and numeric codes as the pycountry package gives them (imet:isoAlpha2, imet:isoAlpha3,
# imet:isoNumeric). Countries places.ttl already names keep their IRIs and labels (typed and
# labelled there, so only their codes are here): the eligibility rules (FAA 546) and the
# per-country figures point at the same resources. No other identifier (Wikidata, GeoNames,
# UN M49) is asserted: none is verified here.

"""


def main() -> None:
    """Regenerate ``data/countries.ttl``."""
    data = serialize_graph(register_graph(), "turtle")
    write_atomic(REGISTER_FILE, HEADER.encode() + data)
    print(f"wrote {REGISTER_FILE}")


if __name__ == "__main__":
    main()
