"""Constant dollars: the chart's amounts deflated with the BLS CPI-U annual averages.

The index is vendored in ``cpi_u.csv`` beside this module, with its source in the file's header
comment (BLS table cpiai.txt of 2014-02-20, annual averages 1913-2013). A fiscal year's amount is
deflated with the average of the calendar year of the same number: federal fiscal years start on
1 October (1 July before FY1977), so this is an approximation of at most a quarter of a year's
inflation, stated on the chart.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

from imet_kg.errors import ImetKgError
from imet_kg.publish.chart.series import Series

CPI_FILE = Path(__file__).resolve().parent / "cpi_u.csv"
CPI_SOURCE = (
    "https://github.com/datasets/cpi-us/blob/0b7144ce2d48fdfc415472d8bd57991763cc5681/"
    "data/cpiai.txt"
)


@cache
def cpi_u() -> dict[int, Decimal]:
    """The CPI-U annual average of each year in the vendored file (1982-84 = 100)."""
    lines = [
        line
        for line in CPI_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return {int(row["year"]): Decimal(row["cpi_u_annual_average"]) for row in csv.DictReader(lines)}


def base_year() -> int:
    """The year whose dollars the constant-dollar chart is in: the last year of the index."""
    return max(cpi_u())


def constant_dollars(series_list: list[Series], year: int | None = None) -> list[Series]:
    """The series with every amount in dollars of ``year`` (default :func:`base_year`).

    Raises:
        ImetKgError: if a figure's fiscal year is outside the vendored index.
    """
    index = cpi_u()
    year = base_year() if year is None else year
    if year not in index:
        raise ImetKgError(f"the CPI-U file has no annual average for {year}")
    deflated = []
    for series in series_list:
        points = []
        for point in series.points:
            if point.amount is not None and point.fiscal_year not in index:
                raise ImetKgError(
                    f"FY{point.fiscal_year}: no CPI-U annual average in {CPI_FILE.name} "
                    f"({min(index)}-{max(index)}); constant dollars cannot be drawn"
                )
            amount = (
                None
                if point.amount is None
                else (point.amount * index[year] / index[point.fiscal_year]).quantize(Decimal(1))
            )
            points.append(replace(point, amount=amount))
        deflated.append(replace(series, points=tuple(points)))
    return deflated
