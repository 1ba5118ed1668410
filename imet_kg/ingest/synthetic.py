"""Synthetic FMTR-shaped training records for benchmarks: labelled synthetic, never real data."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from imet_kg.errors import ImetKgError, InputError, one_line
from imet_kg.ingest.countries import CountryRegister, describe_country
from imet_kg.ingest.country_figures import FY
from imet_kg.ingest.training import (
    TrainingRecord,
    Triple,
    course_triples,
    fiscal_year_triples,
    institution_triples,
    record_triples,
)
from imet_kg.ingest.training_rows import PROGRAM
from imet_kg.namespaces import GRAPH, ID, IMET, bind_prefixes
from imet_kg.paths import DATA_DIR

SYNTHETIC = Namespace(str(ID) + "synthetic/")
SYNTHETIC_GRAPH = GRAPH["synthetic"]
AGENT = ID["agent/imet-kg-generate"]
GRAPH_TITLE = "Synthetic training records (benchmark only; not real data)"
FORMATS = {".nt": "nt", ".nq": "nquads", ".ttl": "turtle", ".trig": "trig"}
FIRST_YEAR, LAST_YEAR = 1976, 2025
COURSES, INSTITUTIONS = 2000, 150
MOBILE_TEAM = "In country (mobile training team)"

# ISO 3166-1 alpha-3 codes of 150 countries (a fixed list: the output must not depend on the
# order of pycountry's data); which ones, and how many records each gets, is synthetic.
# fmt: off
COUNTRY_CODES = (
    "AFG", "ALB", "DZA", "AGO", "ATG", "ARG", "ARM", "AZE", "BHS", "BHR", "BGD", "BRB", "BLZ",
    "BEN", "BTN", "BOL", "BIH", "BWA", "BRA", "BGR", "BFA", "BDI", "KHM", "CMR", "CPV", "CAF",
    "TCD", "CHL", "COL", "COM", "COG", "COD", "CRI", "CIV", "HRV", "CZE", "DJI", "DMA", "DOM",
    "ECU", "EGY", "SLV", "GNQ", "ERI", "EST", "SWZ", "ETH", "FJI", "GAB", "GMB", "GEO", "GHA",
    "GRC", "GRD", "GTM", "GIN", "GNB", "GUY", "HTI", "HND", "HUN", "IND", "IDN", "IRQ", "JAM",
    "JOR", "KAZ", "KEN", "KIR", "KGZ", "LAO", "LVA", "LBN", "LSO", "LBR", "LBY", "LTU", "MKD",
    "MDG", "MWI", "MYS", "MDV", "MLI", "MLT", "MHL", "MRT", "MUS", "MEX", "FSM", "MDA", "MNG",
    "MNE", "MAR", "MOZ", "NAM", "NPL", "NIC", "NER", "NGA", "OMN", "PAK", "PLW", "PAN", "PNG",
    "PRY", "PER", "PHL", "POL", "PRT", "ROU", "RWA", "KNA", "LCA", "VCT", "WSM", "STP", "SEN",
    "SRB", "SYC", "SLE", "SVK", "SVN", "SLB", "ZAF", "LKA", "SUR", "TJK", "TZA", "THA", "TLS",
    "TGO", "TON", "TTO", "TUN", "TUR", "TKM", "UGA", "UKR", "URY", "UZB", "VUT", "VNM", "YEM",
    "ZMB", "ZWE", "CYP", "SOM", "SDN", "BRN", "MMR",
)
# fmt: on
# Topic, relative share of courses, typical cost per student in FY1976 dollars.
TOPICS: tuple[tuple[str, int, int], ...] = (
    ("English language", 14, 3000),
    ("Professional military education", 12, 9000),
    ("Infantry and maneuver", 8, 4000),
    ("Leadership and management", 8, 3500),
    ("Logistics", 7, 4000),
    ("Communications and electronics", 5, 6000),
    ("Aviation maintenance", 5, 7000),
    ("Naval operations", 5, 6000),
    ("Maritime security", 4, 5000),
    ("Medical", 4, 5000),
    ("Engineering", 4, 4500),
    ("Intelligence", 3, 5000),
    ("Military justice and human rights", 3, 2500),
    ("Civil-military relations", 3, 2500),
    ("Defense resource management", 3, 3000),
    ("Peacekeeping", 3, 3000),
    ("Counternarcotics", 2, 3000),
    ("Special operations", 2, 8000),
    ("Helicopter operations and repair", 2, 9000),
    ("Pilot training", 2, 25000),
    ("Search and rescue", 1, 4000),
)
LEVELS = ("Basic", "Intermediate", "Advanced", "Senior", "Orientation", "Instructor")
SERVICES = ("Army", "Navy", "Air Force", "Marine Corps", "Coast Guard", "Joint", "Defense agency")
STATES = (
    "Georgia", "Texas", "Alabama", "Kansas", "Virginia", "California", "Florida", "North Carolina",
    "Rhode Island", "Maryland", "Kentucky", "Oklahoma", "Arizona", "Mississippi", "South Carolina",
    "Washington", "Colorado", "New York", "Louisiana", "Missouri", "District of Columbia", "Hawaii",
)  # fmt: skip


@dataclass(frozen=True)
class _Course:
    iri: URIRef
    institution: int
    cost: float  # per student, FY1976 dollars


@dataclass(frozen=True)
class _World:
    """The synthetic courses, institutions and countries one seed draws records from."""

    seed: int
    run: URIRef
    courses: list[_Course]
    course_weights: list[float]
    institutions: list[tuple[URIRef, str]]
    countries: list[URIRef]
    country_weights: list[float]
    country_start: list[int]
    support: list[Triple]


def _zipf(count: int, exponent: float, rng: random.Random) -> list[float]:
    """Skewed weights (rank ** -exponent), assigned to the items in a random order."""
    weights = [(rank + 1) ** -exponent for rank in range(count)]
    rng.shuffle(weights)
    return list(itertools.accumulate(weights))


def _header(seed: int, records: int, run: URIRef) -> list[Triple]:
    """The named graph's description, the generation run and its software agent."""
    graph = SYNTHETIC_GRAPH
    description = (
        f"{records} made-up training records (seed {seed}) for benchmarks and tests, written by "
        "'imet-kg generate'. They look like Foreign Military Training Report lines but no record, "
        "course, institution, student count or cost is real: never cite or add them to data/."
    )
    return [
        (graph, RDF.type, PROV.Entity),
        (graph, DCTERMS.title, Literal(GRAPH_TITLE, lang="en")),
        (graph, DCTERMS.description, Literal(description, lang="en")),
        (graph, IMET.verificationStatus, IMET.Synthetic),
        (graph, PROV.wasGeneratedBy, run),
        (run, RDF.type, PROV.Activity),
        (run, RDFS.label, Literal(f"Synthetic data generation, seed {seed}", lang="en")),
        (run, RDFS.comment, Literal(f"imet-kg generate --records {records} --seed {seed}")),
        (run, PROV.wasAssociatedWith, AGENT),
        (AGENT, RDF.type, PROV.SoftwareAgent),
        (AGENT, RDF.type, PROV.Agent),
        (AGENT, RDFS.label, Literal("imet-kg generate", lang="en")),
    ]


def _institutions(seed: int, rng: random.Random) -> tuple[list[tuple[URIRef, str]], list[Triple]]:
    institutions, triples = [], []
    for number in range(1, INSTITUTIONS + 1):
        iri = SYNTHETIC[f"seed-{seed}/institution/{number:03d}"]
        service = rng.choices(SERVICES, weights=(30, 20, 20, 8, 5, 10, 7))[0]
        state = STATES[min(int(rng.expovariate(0.25)), len(STATES) - 1)]
        name = f"Synthetic {service} school {number:03d}"
        institutions.append((iri, f"{state}, United States"))
        triples += institution_triples(iri, name, IMET.Synthetic)
    return institutions, triples


def _courses(seed: int, rng: random.Random) -> tuple[list[_Course], list[Triple]]:
    institution_weights = _zipf(INSTITUTIONS, 0.9, rng)
    topic_weights = [share for _, share, _ in TOPICS]
    courses, triples = [], []
    for number in range(1, COURSES + 1):
        topic, _, cost = rng.choices(TOPICS, weights=topic_weights)[0]
        level = rng.choice(LEVELS)
        iri = SYNTHETIC[f"seed-{seed}/course/{number:04d}"]
        institution = rng.choices(range(INSTITUTIONS), cum_weights=institution_weights)[0]
        courses.append(_Course(iri, institution, cost * rng.lognormvariate(0.0, 0.5)))
        title = f"Synthetic course {number:04d}: {topic}, {level.lower()}"
        triples += course_triples(iri, title, f"SYN-{number:04d}", topic, IMET.Synthetic)
    return courses, triples


def _countries(register: CountryRegister) -> tuple[list[URIRef], list[Triple]]:
    graph = Graph()
    countries = []
    for code in COUNTRY_CODES:
        country = register.resolve(code)
        if country is None:  # only if pycountry dropped a code
            raise ImetKgError(f"pycountry knows no country {code}")
        describe_country(graph, country)
        countries.append(country.iri)
    return countries, sorted(graph)


def build_world(seed: int, records: int, register: CountryRegister | None = None) -> _World:
    """Draw the synthetic courses, institutions and country shares for ``seed``."""
    rng = random.Random(seed)
    run = SYNTHETIC[f"seed-{seed}/run"]
    institutions, institution_part = _institutions(seed, rng)
    courses, course_part = _courses(seed, rng)
    countries, country_part = _countries(register or CountryRegister.from_data_dir())
    years = fiscal_year_triples(range(FIRST_YEAR, LAST_YEAR + 1))
    # Most countries take part from the start; the rest join later (e.g. after 1991).
    start = [FIRST_YEAR if rng.random() < 0.7 else rng.randint(1977, 2005) for _ in countries]
    return _World(
        seed=seed,
        run=run,
        courses=courses,
        course_weights=_zipf(COURSES, 1.05, rng),
        institutions=institutions,
        countries=countries,
        country_weights=_zipf(len(countries), 0.8, rng),
        country_start=start,
        support=[
            *_header(seed, records, run),
            *years,
            *country_part,
            *institution_part,
            *course_part,
        ],
    )


def _year_weights() -> list[float]:
    """More records in later years, fewer after the Cold War, more again after 2001."""
    weights = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        weight = 1.0 + 0.02 * (year - FIRST_YEAR)
        weight *= 0.75 if 1993 <= year <= 1998 else 1.3 if year >= 2002 else 1.0
        weights.append(weight)
    return list(itertools.accumulate(weights))


def synthetic_records(world: _World, records: int) -> Iterator[TrainingRecord]:
    """Draw ``records`` records, each with a key (year, country, program, course, location) of its
    own; the first N records of a seed are the same whatever the total."""
    rng = random.Random(f"records-{world.seed}")
    year_weights = _year_weights()
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    seen: set[tuple[int, int, int, int, bool]] = set()
    number = 0
    while number < records:
        year = rng.choices(years, cum_weights=year_weights)[0]
        country = rng.choices(range(len(world.countries)), cum_weights=world.country_weights)[0]
        if world.country_start[country] > year:
            continue
        course = rng.choices(range(COURSES), cum_weights=world.course_weights)[0]
        expanded = year >= 1991 and rng.random() < 0.12
        mobile = rng.random() < 0.06
        key = (year, country, expanded, course, mobile)
        if key in seen:
            continue
        seen.add(key)
        number += 1
        yield _record(world, number, key, rng)


def _record(
    world: _World, number: int, key: tuple[int, int, int, int, bool], rng: random.Random
) -> TrainingRecord:
    year, country, expanded, course_index, mobile = key
    course = world.courses[course_index]
    institution, home = world.institutions[course.institution]
    students = rng.randint(8, 60) if mobile else min(1 + int(rng.lognormvariate(0.0, 0.9)), 300)
    inflation = 1.03 ** (year - FIRST_YEAR)
    cost = None
    if rng.random() >= 0.01:  # about 1 in 100 lines gives no cost (not given, not zero)
        cost = Decimal(round(students * course.cost * inflation * rng.uniform(0.85, 1.15)))
    return TrainingRecord(
        iri=SYNTHETIC[f"seed-{world.seed}/training-record/{number:07d}"],
        fiscal_year=FY[str(year)],
        country=world.countries[country],
        program=PROGRAM["expanded-imet" if expanded else "imet"],
        course=course.iri,
        institution=institution,
        location=MOBILE_TEAM if mobile else home,
        students=students,
        cost=cost,
        status=IMET.Synthetic,
        generated_by=world.run,
    )


def synthetic_triples(
    records: int, seed: int = 1, register: CountryRegister | None = None
) -> Iterator[Triple]:
    """Every triple of a synthetic data set: its description, then the records, one at a time."""
    world = build_world(seed, records, register)
    yield from world.support
    for record in synthetic_records(world, records):
        yield from record_triples(record)


# --- writing -----------------------------------------------------------------------------------


def output_format(path: Path) -> str:
    """The output format for a file name (.nt, .nq, .ttl, .trig)."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            Path(path), None, f"unknown output extension (known: {', '.join(FORMATS)})"
        )
    return fmt


def refuse_data_folder(path: Path, data_dir: Path = DATA_DIR) -> None:
    """Synthetic data never goes into the data folder: refuse an output path under it."""
    if Path(path).resolve().is_relative_to(Path(data_dir).resolve()):
        raise InputError(Path(path), None, f"synthetic data never goes into {data_dir}")


def write_synthetic(
    path: Path, records: int, seed: int = 1, register: CountryRegister | None = None
) -> int:
    """Write a synthetic data set to ``path`` (format from the extension) atomically.

    N-Triples and N-Quads are written as they are generated (memory stays small); Turtle and TriG
    are built in memory first. Everything is in the named graph id/graph/synthetic (N-Quads,
    TriG); in every format each record carries imet:verificationStatus imet:Synthetic.

    Returns:
        The number of triples written.

    Raises:
        InputError: for an unknown extension or a path under the data folder.
        ImetKgError: if the file cannot be written.
    """
    if records < 0:
        raise InputError(None, None, f"--records must be 0 or more, not {records}")
    fmt = output_format(path)
    refuse_data_folder(path)
    triples = synthetic_triples(records, seed, register)
    if fmt in ("nt", "nquads"):
        with _atomic_file(Path(path)) as handle:
            return _write_lines(handle, triples, fmt == "nquads")
    # rdflib's writers order subjects and predicates; the project's canonical serialiser (which
    # relabels blank nodes, of which there are none here) would take minutes at this size.
    if fmt == "turtle":
        graph = bind_prefixes(Graph())
        for triple in triples:
            graph.add(triple)
        data, count = graph.serialize(format="longturtle", encoding="utf-8"), len(graph)
    else:
        dataset = bind_prefixes(Dataset())
        named = dataset.graph(SYNTHETIC_GRAPH)
        for triple in triples:
            named.add(triple)
        data, count = dataset.serialize(format="trig", encoding="utf-8"), len(named)
    with _atomic_file(Path(path)) as handle:
        handle.write(data)
    return count


def _write_lines(handle: BinaryIO, triples: Iterator[Triple], quads: bool) -> int:
    """Write N-Triples (or N-Quads in the synthetic graph). The IRIs are the project's own, so
    they are written as they are; literals go through rdflib's N-Triples escaping."""
    end = f" <{SYNTHETIC_GRAPH}> .\n" if quads else " .\n"
    count = 0
    batch: list[str] = []
    for s, p, o in triples:
        obj = f"<{o}>" if type(o) is URIRef else o.n3()
        batch.append(f"<{s}> <{p}> {obj}{end}")
        count += 1
        if len(batch) >= 10_000:
            handle.write("".join(batch).encode("utf-8"))
            batch.clear()
    handle.write("".join(batch).encode("utf-8"))
    return count


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path`` that replaces it when the block ends without error."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ImetKgError(f"{path}: cannot write: {one_line(exc.strerror or str(exc))}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def sample(records: int, seed: int = 1) -> Sequence[Triple]:
    """A small synthetic data set as a list (for tests and examples)."""
    return list(synthetic_triples(records, seed))
