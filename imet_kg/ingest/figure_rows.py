"""Read a country-figures CSV file into checked rows, and say which rows are bad and why."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import URIRef

from imet_kg.errors import InputError
from imet_kg.ingest.countries import Country, CountryRegister, scope_for
from imet_kg.namespaces import IMET

REQUIRED_COLUMNS = (
    "country",
    "fiscal_year",
    "measure",
    "figure_kind",
    "amount",
    "unit",
    "scale",
    "source_title",
    "source_address",
    "page_or_table",
)
OPTIONAL_COLUMNS = ("iso_code", "region", "qualifier", "program", "verification", "notes")
#: All columns, in the order the shipped files use (any order is read).
COLUMNS = (
    "country",
    "iso_code",
    "region",
    "fiscal_year",
    "measure",
    "figure_kind",
    "amount",
    "unit",
    "scale",
    "qualifier",
    "program",
    "verification",
    "source_title",
    "source_address",
    "page_or_table",
    "notes",
)

#: measure -> (data set name, unit the column must give)
MEASURES = {
    "funding": ("country-funding", "USD"),
    "training-cost": ("country-training-cost", "USD"),
    "students": ("country-students", "persons"),
}
#: figure_kind value -> the imet:figure-kinds concept
FIGURE_KINDS = {
    "request": IMET.BudgetRequest,
    "estimate": IMET.BudgetEstimate,
    "allocation": IMET.Allocation,
    "actual": IMET.Actual,
    "planned": IMET.Planned,
    "projected": IMET.Projection,
    "unspecified": IMET.UnspecifiedKind,
    "appropriation": IMET.Appropriation,
    "authorization": IMET.Authorization,
}
QUALIFIERS = {
    "exactly": IMET.Exactly,
    "approximately": IMET.Approximately,
    "at-least": IMET.AtLeast,
    "more-than": IMET.MoreThan,
    "nearly": IMET.Nearly,
}
VERIFICATION = {
    "verified": IMET.Verified,
    "inferred": IMET.Inferred,
    "unverified": IMET.Unverified,
}
PROGRAMS = ("imet", "expanded-imet")
SCALES = {"1": 1, "1000": 1000, "1000000": 1_000_000, "1000000000": 1_000_000_000}
UNIT_ALIASES = {"usd": "USD", "us$": "USD", "$": "USD", "persons": "persons", "students": "persons"}

_AMOUNT = re.compile(r"^\$?(?P<number>[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?)$")
_YEAR = re.compile(r"^(?:FY ?)?([0-9]{4})$", re.IGNORECASE)
_ADDRESS = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class FigureRow:
    """One valid row: a figure for a country (or a named scope), year, measure and kind."""

    line: int
    scope: URIRef
    scope_label: str
    country: Country | None
    region: str
    fiscal_year: int
    measure: str
    figure_kind: str
    published: str
    scale: int
    value: Decimal
    qualifier: str
    program: str
    verification: str
    source_title: str
    source_address: str
    page_or_table: str
    notes: str

    def key(self) -> tuple:
        """What makes a figure unique within a file: the same figure twice is a duplicate."""
        return (
            self.scope,
            self.fiscal_year,
            self.measure,
            self.figure_kind,
            self.program,
            self.source_address,
        )


@dataclass(frozen=True)
class BadRow:
    """A row left out, with its line number in the file and why."""

    line: int
    reason: str

    def message(self, path: Path) -> str:
        """``FILE:LINE: reason``, as the command line prints it."""
        return str(InputError(path, self.line, self.reason))


def _choice(value: str, allowed: Iterable[str], column: str) -> str:
    key = value.strip().lower() or None
    if key not in allowed:
        raise ValueError(f"{column} {value!r} is not one of {', '.join(allowed)}")
    return key


def _amount(text: str, measure: str, scale: int) -> tuple[str, Decimal]:
    published = text.strip()
    match = _AMOUNT.match(published)
    if not match:
        raise ValueError(f"amount {text!r} is not a number (digits, optional $ and 1,000s commas)")
    value = Decimal(match.group("number").replace(",", "")) * scale
    if measure == "students" and value != value.to_integral_value():
        raise ValueError(f"a student count is a whole number, not {published} x {scale}")
    return published, value


def _scope(row: dict[str, str], register: CountryRegister) -> tuple[URIRef, str, Country | None]:
    """The scope IRI, its label and the Country (None for a named scope such as Worldwide)."""
    name, code = row["country"].strip(), (row.get("iso_code") or "").strip()
    if not name and not code:
        raise ValueError("no country given")
    named = scope_for(name) if not code else None
    if named is not None:
        return named[0], named[1], None
    country = register.resolve(code or name)
    if country is None:
        raise ValueError(f"unknown country {code or name!r} (not an ISO 3166-1 name or code)")
    if code and name and (other := register.resolve(name)) is not None and other != country:
        raise ValueError(f"country {name!r} is {other.alpha2}, but iso_code says {code}")
    return country.iri, country.label, country


def _source(row: dict[str, str]) -> tuple[str, str, str]:
    title, address = row["source_title"].strip(), row["source_address"].strip()
    where = row["page_or_table"].strip()
    if not title or not address:
        raise ValueError("missing source: a source title and a source address are required")
    if not _ADDRESS.match(address):
        raise ValueError(f"source address {address!r} is not an http(s) URL")
    if not where:
        raise ValueError("missing source location: say the page or table (page_or_table)")
    return title, address, where


def check_row(line: int, row: dict[str, str], register: CountryRegister) -> FigureRow:
    """Check one CSV row and return it as a FigureRow.

    Raises:
        ValueError: with the reason the row is bad (one line).
    """
    if None in row or any(value is None for value in row.values()):
        raise ValueError("the row has a different number of fields from the header")
    scope, scope_label, country = _scope(row, register)
    year = _YEAR.match(row["fiscal_year"].strip())
    if not year or not 1946 <= int(year.group(1)) <= 2100:
        raise ValueError(f"fiscal year {row['fiscal_year']!r} is not a year such as 2007")
    measure = _choice(row["measure"], MEASURES, "measure")
    unit = UNIT_ALIASES.get(row["unit"].strip().lower())
    if unit != MEASURES[measure][1]:
        raise ValueError(
            f"unit {row['unit']!r} does not fit measure {measure} (expected {MEASURES[measure][1]})"
        )
    scale = SCALES.get(row["scale"].strip().replace(",", ""))
    if scale is None:
        raise ValueError(f"scale {row['scale']!r} is not one of {', '.join(SCALES)}")
    published, value = _amount(row["amount"], measure, scale)
    title, address, where = _source(row)
    verification = _choice(row.get("verification") or "unverified", VERIFICATION, "verification")
    notes = (row.get("notes") or "").strip()
    if verification == "inferred" and not notes:
        raise ValueError("an inferred figure needs notes that give the reasoning")
    return FigureRow(
        line=line,
        scope=scope,
        scope_label=scope_label,
        country=country,
        region=" ".join((row.get("region") or "").split()),
        fiscal_year=int(year.group(1)),
        measure=measure,
        figure_kind=_choice(row["figure_kind"], FIGURE_KINDS, "figure_kind"),
        published=published,
        scale=scale,
        value=value,
        qualifier=_choice(row.get("qualifier") or "exactly", QUALIFIERS, "qualifier"),
        program=_choice(row.get("program") or "imet", PROGRAMS, "program"),
        verification=verification,
        source_title=title,
        source_address=address,
        page_or_table=where,
        notes=notes,
    )


def check_header(
    path: Path,
    header: list[str] | None,
    required: Sequence[str] = REQUIRED_COLUMNS,
    known: Sequence[str] = COLUMNS,
) -> None:
    """Refuse an empty file, or a header row missing a required column or naming an unknown one.

    Shared by the country-figures and training-table ingests, each with its own columns.

    Raises:
        InputError: naming line 1 and every problem at once.
    """
    if not header:
        raise InputError(path, 1, "the file is empty: expected a header row")
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in known]
    if missing or unknown:
        problems = [f"missing column(s) {', '.join(missing)}"] if missing else []
        problems += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise InputError(path, 1, f"{'; '.join(problems)} (columns: {', '.join(known)})")


def _check_unique(
    figure: FigureRow, seen: dict[tuple, int], titles: dict[str, tuple[str, int]]
) -> None:
    """Refuse a second row with the same key, or a source address given two titles."""
    if figure.key() in seen:
        raise ValueError(f"duplicate key: the same figure as line {seen[figure.key()]}")
    title, line = titles.setdefault(figure.source_address, (figure.source_title, figure.line))
    if title != figure.source_title:
        raise ValueError(f"source address {figure.source_address} has another title on line {line}")
    seen[figure.key()] = figure.line


def read_rows(path: Path, register: CountryRegister) -> tuple[list[FigureRow], list[BadRow]]:
    """Read and check every row of a country-figures CSV file.

    Returns:
        The good rows and the bad ones (unknown country, non-numeric amount, missing source,
        duplicate key, ...), each bad row with its line number and reason.

    Raises:
        InputError: if the file cannot be read or its header is wrong (nothing can be checked).
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            check_header(path, reader.fieldnames)
            good, bad = [], []
            seen: dict[tuple, int] = {}
            titles: dict[str, tuple[str, int]] = {}
            for row in reader:
                line = reader.line_num
                try:
                    figure = check_row(line, row, register)
                    _check_unique(figure, seen, titles)
                except ValueError as exc:
                    bad.append(BadRow(line, str(exc)))
                    continue
                good.append(figure)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, None, f"cannot read the CSV file: {exc}") from None
    return good, bad
