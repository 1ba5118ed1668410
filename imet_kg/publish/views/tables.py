"""Every HTML table of a page gets a scrolling box and a CSV download of the rows it shows.

Done once, on the rendered page (:func:`finish_tables`), rather than in each template: a table
added later gets both without anyone remembering to. The CSV holds the table's cells as the page
shows them (labels, formatted numbers), header row first; it is a ``data:`` URL, so the static
site needs no extra file. A table may name its own CSV instead with ``data-csv="URL"`` (a saved
query's table links the endpoint's CSV answer).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from markupsafe import escape

_SPACE = re.compile(r"\s+")
# Elements whose start or end separates words (so "label<br>rdf:type" is two words, not one).
_BREAKS = {"br", "p", "li", "div", "ul", "ol", "small", "blockquote"}


@dataclass
class _Table:
    start: int  # offset of "<table"
    end: int = -1  # offset just after "</table>"
    name: str = ""
    csv_href: str = ""
    rows: list[list[str]] = field(default_factory=list)
    data_rows: set[int] = field(default_factory=set)  # the rows with a td (not headings only)


class _TableReader(HTMLParser):
    """Finds the tables of a page (their offsets and cell texts); nested tables are skipped."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.tables: list[_Table] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                found = dict(attrs)
                self.tables.append(
                    _Table(
                        start=self._offset(),
                        name=found.get("id") or "",
                        csv_href=found.get("data-csv") or "",
                    )
                )
            return
        if self._depth != 1:
            return
        if tag == "tr":
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables[-1].rows:
            self._cell = []
            if tag == "td":
                self.tables[-1].data_rows.add(len(self.tables[-1].rows) - 1)
        elif tag == "caption":
            self._caption = []
        elif tag in _BREAKS:
            self._text(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 1 and tag in _BREAKS:
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1:
                self.tables[-1].end = self._offset() + len("</table>")
            self._depth = max(self._depth - 1, 0)
            return
        if self._depth != 1:
            return
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1].rows[-1].append(_SPACE.sub(" ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            if not self.tables[-1].name:
                self.tables[-1].name = "".join(self._caption)
            self._caption = None
        elif tag in _BREAKS:
            self._text(" ")

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def table_rows(html: str) -> list[list[list[str]]]:
    """The cell texts of each (outermost) table of a page, row by row."""
    reader = _TableReader(html)
    reader.feed(html)
    reader.close()
    return [[row for row in table.rows if row] for table in reader.tables]


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


def finish_tables(html: str) -> str:
    """The page with each table in a ``div.table-wrap`` (it scrolls in its own box on a narrow
    screen) followed by a link to the CSV of its rows."""
    reader = _TableReader(html)
    reader.feed(html)
    reader.close()
    pieces: list[str] = []
    at = 0
    for number, table in enumerate(reader.tables, start=1):
        if table.end < 0:  # an unclosed table: leave the page as it is from here
            break
        rows = [row for row in table.rows if row]
        href = table.csv_href or csv_data_url(rows)
        count = len(table.data_rows)
        rows_named = "this row" if count == 1 else f"these {count} rows"
        download = escape(_file_name(table.name, number))
        link = (
            f'<p class="csv"><a href="{escape(href)}" download="{download}" type="text/csv">'
            f"Download {rows_named} as CSV</a></p>"
        )
        pieces.append(html[at : table.start])
        pieces.append('<div class="table-wrap">')
        pieces.append(html[table.start : table.end])
        pieces.append("</div>")
        pieces.append(link)
        at = table.end
    pieces.append(html[at:])
    return "".join(pieces)
