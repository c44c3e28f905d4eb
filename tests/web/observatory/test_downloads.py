"""CSV and JSON downloads of an indicator: every column of every row of the artefact's public
indicators table; suppressed figures read "suppressed" (CSV) or null (JSON), never 0."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from safecity_web import core_gateway
from safecity_web.observatory.models import PublishedAssessment


@pytest.fixture(scope="module")
def public_indicators(demo_artefact: Path) -> pd.DataFrame:
    # the indicator columns the observatory publishes (the artefact has working columns too)
    table = pd.read_parquet(demo_artefact / "public" / "indicators.parquet")
    return table[core_gateway.indicator_columns()]


def expected_rows(indicators: pd.DataFrame, indicator_id: str) -> list[dict[str, Any]]:
    return indicators[indicators["indicator_id"] == indicator_id].to_dict("records")


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


@pytest.mark.parametrize(
    "indicator_id", ["all_crime", "hate_crime_disability", "residential_burglary"]
)
@pytest.mark.django_db
def test_csv_download_equals_the_artefact_rows(
    client: Any,
    published_demo: PublishedAssessment,
    public_indicators: pd.DataFrame,
    indicator_id: str,
) -> None:
    response = client.get(f"/indicators/{indicator_id}/data.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="E22900001-2024-25-{indicator_id}.csv"' in response["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames == core_gateway.indicator_columns()
    downloaded = {row["row_id"]: row for row in reader}
    expected = expected_rows(public_indicators, indicator_id)
    assert len(downloaded) == len(expected) == 1 + 16 + 150
    numbers = {
        column
        for column in public_indicators.columns
        if pd.api.types.is_numeric_dtype(public_indicators[column])
        and not pd.api.types.is_bool_dtype(public_indicators[column])
    }
    suppressed_cells = 0
    for record in expected:
        row = downloaded[record["row_id"]]
        for column, value in record.items():
            cell = row[column]
            if column == "unreliable" and value is None:
                # withheld with the count: it would say whether the count is under 10
                assert record["suppressed"]
                assert cell == "suppressed", (column, cell)
            elif column in ("suppressed", "unreliable"):
                assert cell == ("true" if value else "false"), (column, cell)
            elif is_missing(value) and record["suppressed"] and column in numbers:
                assert cell == "suppressed", (column, cell)
                suppressed_cells += 1
            elif is_missing(value):
                assert cell == "", (column, cell)
            elif isinstance(value, bool):
                assert cell == ("true" if value else "false"), (column, cell)
            elif isinstance(value, (int, float)):
                assert float(cell) == float(value), (column, cell, value)
            else:
                assert cell == str(value), (column, cell)
        if record["suppressed"] and is_missing(record["numerator"]):
            assert row["numerator"] == "suppressed"
            assert row["value"] == "suppressed"
            assert row["numerator"] != "0"
    if indicator_id == "hate_crime_disability":
        assert suppressed_cells > 0


@pytest.mark.django_db
def test_json_download_equals_the_artefact_rows(
    client: Any, published_demo: PublishedAssessment, public_indicators: pd.DataFrame
) -> None:
    response = client.get("/indicators/hate_crime_disability/data.json")
    assert response.status_code == 200
    document = response.json()
    assert document["assessment"]["area_code"] == "E22900001"
    assert document["assessment"]["period"] == "2024/25"
    assert document["indicator"]["indicator_id"] == "hate_crime_disability"
    assert document["indicator"]["polarity"] == "no_judgement"
    assert document["columns"] == core_gateway.indicator_columns()
    expected = {
        row["row_id"]: row for row in expected_rows(public_indicators, "hate_crime_disability")
    }
    assert len(document["rows"]) == len(expected)
    withheld = 0
    for row in document["rows"]:
        record = expected[row["row_id"]]
        assert list(row) == document["columns"]
        for column in document["columns"]:
            value = record[column]
            if is_missing(value) or value == "":
                assert row[column] in (None, ""), (column, row[column])
            elif isinstance(value, float):
                assert row[column] == value, column
            else:
                assert row[column] == value, column
        if record["suppressed"] and is_missing(record["numerator"]):
            assert row["numerator"] is None
            assert row["suppressed"] is True
            withheld += 1
    assert withheld > 0


@pytest.mark.django_db
def test_archived_assessment_downloads_and_unknown_indicator(
    client: Any, published_demo: PublishedAssessment
) -> None:
    archived = client.get(f"/assessments/{published_demo.pk}/indicators/asb/data.csv")
    assert archived.status_code == 200
    assert archived.content.decode().count("\n") == 1 + 1 + 16 + 150
    assert client.get("/indicators/not_an_indicator/data.json").status_code == 404
