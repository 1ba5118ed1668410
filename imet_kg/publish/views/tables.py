"""Every HTML table of a page gets a scrolling box and a CSV download of the rows it shows.

Done once, on the rendered page (:func:`finish_tables`), rather than in each template: a table
added later gets both without anyone remembering to. The CSV holds the table's cells as the page
shows them (labels, formatted numbers), header row first; it is a ``data:`` URL, so the static
site needs no extra file. A table may name its own CSV instead with ``data-csv="URL"`` (a saved
query's table links the endpoint's CSV answer).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import escape

_SPACE = re.compile(r"\s+")
# Regular expressions, not an HTML parser: the pages' tables are the templates' own (no table in
# a table, no "<" in an attribute), and a parser took as long as rendering the pages did.
_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</\1>", re.S)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
# Elements whose start or end separates words (so "label<br>rdf:type" is two words, not one).
_BREAK = re.compile(r"</?(?:br|p|li|div|ul|ol|small|blockquote)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def _attribute(attributes: str, name: str) -> str:
    found = re.search(rf'\b{name}="([^"]*)"', attributes)
    return html.unescape(found.group(1)) if found else ""


def _text(fragment: str) -> str:
    """A cell's text as the page shows it: tags dropped, entities decoded, spaces single."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", _BREAK.sub(" ", fragment)))).strip()


@dataclass
class _Table:
    start: int  # offset of "<table"
    end: int  # offset just after "</table>"
    name: str  # its id, else its caption
    csv_href: str  # its data-csv attribute, if any
    rows: list[list[str]]  # the cells' texts, rows with no cell left out
    data_rows: int  # the rows with a td (not headings only)


def _tables(page: str) -> list[_Table]:
    found = []
    for table in _TABLE.finditer(page):
        attributes, body = table.groups()
        caption = _CAPTION.search(body)
        rows, data_rows = [], 0
        for row in _ROW.finditer(body):
            cells = _CELL.findall(row.group(1))
            if cells:
                rows.append([_text(content) for _, content in cells])
                data_rows += any(tag == "td" for tag, _ in cells)
        found.append(
            _Table(
                start=table.start(),
                end=table.end(),
                name=_attribute(attributes, "id") or (_text(caption.group(1)) if caption else ""),
                csv_href=_attribute(attributes, "data-csv"),
                rows=rows,
                data_rows=data_rows,
            )
        )
    return found


def table_rows(page: str) -> list[list[list[str]]]:
    """The cell texts of each table of a page, row by row."""
    return [table.rows for table in _tables(page)]


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV (RFC 4180: CRLF line ends, quoted where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_data_url(rows: list[list[str]]) -> str:
    """A ``data:`` URL of the rows as a UTF-8 CSV file."""
    return "data:text/csv;charset=utf-8," + quote(csv_text(rows), safe="")


def _file_name(name: str, number: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return f"{slug}.csv" if slug else f"table-{number}.csv"


def finish_tables(page: str) -> str:
    """The page with each table in a ``div.table-wrap`` (it scrolls in its own box on a narrow
    screen) followed by a link to the CSV of its rows."""
    pieces: list[str] = []
    at = 0
    for number, table in enumerate(_tables(page), start=1):
        href = table.csv_href or csv_data_url(table.rows)
        count = table.data_rows
        rows_named = "this row" if count == 1 else f"these {count} rows"
        download = escape(_file_name(table.name, number))
        link = (
            f'<p class="csv"><a href="{escape(href)}" download="{download}" type="text/csv">'
            f"Download {rows_named} as CSV</a></p>"
        )
        pieces += [page[at : table.start], '<div class="table-wrap">']
        pieces += [page[table.start : table.end], "</div>", link]
        at = table.end
    pieces.append(page[at:])
    return "".join(pieces)
