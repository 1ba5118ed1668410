"""Read and check the rows of an FMTR-style training table (one line per country, course, year)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Namespace, URIRef

from imet_kg.errors import InputError
from imet_kg.ingest.countries import Country, CountryRegister, slug
from imet_kg.ingest.figure_rows import BadRow, check_header
from imet_kg.namespaces import ID, IMET

COURSE = Namespace(str(ID) + "course/")
INSTITUTION = Namespace(str(ID) + "institution/")
PROGRAM = Namespace(str(ID) + "program/")

REQUIRED_COLUMNS = (
    "fiscal_year",
    "country",
    "program",
    "course_title",
    "institution",
    "location",
    "students",
    "source_title",
    "source_address",
)
OPTIONAL_COLUMNS = ("course_id", "topic", "cost", "page_or_table", "verification")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: program column value (case and spacing ignored) -> the program's IRI
PROGRAMS = {
    "imet": PROGRAM["imet"],
    "expanded imet": PROGRAM["expanded-imet"],
    "expanded-imet": PROGRAM["expanded-imet"],
    "e-imet": PROGRAM["expanded-imet"],
    "eimet": PROGRAM["expanded-imet"],
}
VERIFICATION = {"verified": IMET.Verified, "inferred": IMET.Inferred, "unverified": IMET.Unverified}

_YEAR = re.compile(r"^(?:FY ?)?([0-9]{4})$", re.IGNORECASE)
_COUNT = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$|^[0-9]+$")
_MONEY = re.compile(r"^\$?([0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?|[0-9]+(\.[0-9]+)?)$")
_ADDRESS = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def digest(text: str) -> str:
    """A short stable hash that keeps IRIs made from free text apart."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class TrainingRow:
    """A checked row of a training table (see ``COLUMNS``)."""

    line: int
    fiscal_year: int
    country: Country
    program: URIRef
    course_title: str
    course_id: str
    topic: str
    institution: str
    location: str
    students: int
    cost: Decimal | None
    source_title: str
    source_address: str
    page_or_table: str
    verification: URIRef

    @property
    def course(self) -> URIRef:
        """The course's IRI: from its identifier if the row gives one, else from its title."""
        if self.course_id:
            return COURSE[slug(self.course_id) or digest(self.course_id)]
        return COURSE[f"title/{slug(self.course_title)[:60]}-{digest(self.course_title)}"]

    @property
    def institution_iri(self) -> URIRef:
        """The institution's IRI, from its name."""
        return INSTITUTION[slug(self.institution) or digest(self.institution)]

    def key(self) -> tuple:
        """What no two rows may share: year, country, program, course, institution, location,
        source (the same line twice is a mistake; different sources stay side by side)."""
        return (
            self.fiscal_year,
            self.country.alpha3,
            str(self.program),
            str(self.course),
            str(self.institution_iri),
            self.location,
            self.source_address,
        )


def _text(row: dict[str, str | None], column: str) -> str:
    return " ".join((row.get(column) or "").split())


def _required(row: dict[str, str | None], column: str) -> str:
    value = _text(row, column)
    if not value:
        raise ValueError(f"{column} is empty")
    return value


def _fiscal_year(text: str) -> int:
    match = _YEAR.match(text)
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueError(
            f"fiscal_year {text!r} is not a year from 1900 to 2100 (e.g. 2019, FY2019)"
        )
    return int(match.group(1))


def _students(text: str) -> int:
    if not _COUNT.match(text):
        raise ValueError(f"students {text!r} is not a whole number of 0 or more")
    return int(text.replace(",", ""))


def _cost(text: str) -> Decimal | None:
    if not text:
        return None  # not given: no amount, which is not zero
    match = _MONEY.match(text)
    try:
        return Decimal(match.group(1).replace(",", "")) if match else _bad_cost(text)
    except InvalidOperation:
        return _bad_cost(text)


def _bad_cost(text: str) -> Decimal:
    raise ValueError(f"cost {text!r} is not an amount of US dollars of 0 or more (e.g. 12,500.00)")


def _choice(text: str, allowed: dict[str, URIRef], column: str) -> URIRef:
    found = allowed.get(text.casefold())
    if found is None:
        raise ValueError(f"{column} {text!r} is not one of {', '.join(sorted(allowed))}")
    return found


def check_row(line: int, row: dict[str, str | None], register: CountryRegister) -> TrainingRow:
    """Check one row and return it typed.

    Raises:
        ValueError: naming the first column that is wrong.
    """
    if None in row:  # csv.DictReader puts the cells past the header under the key None
        raise ValueError("more cells than the header has columns")
    country_text = _required(row, "country")
    country = register.resolve(country_text)
    if country is None:
        raise ValueError(f"country {country_text!r} is not an ISO 3166-1 country name or code")
    address = _required(row, "source_address")
    if not _ADDRESS.match(address):
        raise ValueError(f"source_address {address!r} is not an http(s) address")
    return TrainingRow(
        line=line,
        fiscal_year=_fiscal_year(_required(row, "fiscal_year")),
        country=country,
        program=_choice(_required(row, "program"), PROGRAMS, "program"),
        course_title=_required(row, "course_title"),
        course_id=_text(row, "course_id"),
        topic=_text(row, "topic"),
        institution=_required(row, "institution"),
        location=_required(row, "location"),
        students=_students(_required(row, "students")),
        cost=_cost(_text(row, "cost")),
        source_title=_required(row, "source_title"),
        source_address=address,
        page_or_table=_text(row, "page_or_table"),
        verification=_choice(
            _text(row, "verification") or "unverified", VERIFICATION, "verification"
        ),
    )


def _check_consistent(row: TrainingRow, seen: dict[tuple, int], titles: dict[str, tuple]) -> None:
    if row.key() in seen:
        raise ValueError(
            f"the same line as line {seen[row.key()]} (same year, country, program, "
            "course, institution, location and source)"
        )
    title, line = titles.setdefault(row.source_address, (row.source_title, row.line))
    if title != row.source_title:
        raise ValueError(f"source_address {row.source_address} has another title on line {line}")
    seen[row.key()] = row.line


def read_training_rows(
    path: Path, register: CountryRegister
) -> tuple[list[TrainingRow], list[BadRow]]:
    """Read and check every row of a training table.

    Returns:
        The good rows and the bad ones, each bad row with its line number and reason.

    Raises:
        InputError: if the file cannot be read or its header is wrong (nothing can be checked).
    """
    good: list[TrainingRow] = []
    bad: list[BadRow] = []
    seen: dict[tuple, int] = {}
    titles: dict[str, tuple] = {}
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            check_header(path, reader.fieldnames, REQUIRED_COLUMNS, COLUMNS)
            for row in reader:
                try:
                    checked = check_row(reader.line_num, row, register)
                    _check_consistent(checked, seen, titles)
                except ValueError as exc:
                    bad.append(BadRow(reader.line_num, str(exc)))
                    continue
                good.append(checked)
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, None, f"cannot read the table: {exc}") from exc
    return good, bad
