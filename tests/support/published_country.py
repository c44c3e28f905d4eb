"""The twelve-CSP test country with published national tables loaded (issue 11 tests).

``published_country`` builds :func:`csp_country.build_country` and inserts, straight into the
warehouse tables of migration 0006, a severity table by local authority (place 1's CSP covering
two authorities that repeat its value, as the real ONS CSS table by 2023 authority does) and a
recorded-crime table by CSP, for the period given in words, plus CSP residents and areas.
"""

from __future__ import annotations

from pathlib import Path

from csp_country import build_country, country_csps

from safecity.assess.national_coverage import PublishedIndicator
from safecity.data.warehouse import Warehouse

CSS_TITLE = "Crime Severity Score (test table)"
PRC_TITLE = "Police recorded crime by CSP (test table)"
PLACES = country_csps()


def css(index: int) -> float:
    """Planted published severity score of place ``index``: place 7 is the most severe."""
    return 20.0 - abs(index - 7) * 1.5


def recorded(index: int) -> int:
    """Planted published recorded crime of place ``index``."""
    return 60 + 10 * index


def insert_published(
    connection: object, *, indicator: str, title: str, period: str, rows: list[tuple[str, ...]]
) -> None:
    for level, code, name, value in rows:
        connection.execute(  # type: ignore[attr-defined]
            "INSERT INTO published_indicator VALUES ('ONS', ?, '2021-01-21', ?,"
            " 'Total recorded crime', ?, ?, ?, ?, 2023, ?, NULL, NULL, NULL, 'test', 990)",
            [title, indicator, period, level, code, name, float(value)],
        )


def published_country(folder: Path, *, period_words: str) -> Warehouse:
    warehouse = build_country(folder, PLACES, missing=())
    connection = warehouse.connection
    # A second local authority in place 1's CSP: the published table repeats the CSP's value.
    connection.execute(
        "INSERT INTO csp_lookup SELECT 'E06009999', 'Place 1 North', lad_vintage, csp_code,"
        " csp_name, csp_vintage, pfa_code, pfa_name, pfa_vintage, file_id FROM csp_lookup"
        " WHERE csp_code = 'E22000001'"
    )
    for index, entry in enumerate(PLACES, start=1):
        connection.execute(
            "INSERT INTO population_total VALUES ('csp', ?, 2020, 2020, ?, NULL, NULL, NULL, ?,"
            " 900)",
            [entry["csp"], entry["population"], 100.0 * index],
        )
    css_rows = [("lad", str(e["lad"]), str(e["name"]), css(i)) for i, e in enumerate(PLACES, 1)]
    css_rows.append(("lad", "E06009999", "Place 1 North", css(1)))
    css_rows.append(("nation", "E92000001", "England", 15.25))
    insert_published(
        connection,
        indicator=PublishedIndicator.CRIME_SEVERITY_SCORE.value,
        title=CSS_TITLE,
        period=period_words,
        rows=css_rows,
    )
    insert_published(
        connection,
        indicator=PublishedIndicator.RECORDED_CRIME.value,
        title=PRC_TITLE,
        period=period_words,
        rows=[("csp", str(e["csp"]), str(e["name"]), recorded(i)) for i, e in enumerate(PLACES, 1)],
    )
    return warehouse
