"""Report options: formats and the generated-at date (option, environment, errors)."""

from __future__ import annotations

from datetime import date

import pytest

from safecity.report.writer import (
    GENERATED_AT_VARIABLE,
    OutputFormat,
    ReportError,
    parse_formats,
    parse_generated_at,
)


def test_formats_are_parsed_in_order_without_repeats() -> None:
    assert parse_formats("html,pdf") == (OutputFormat.HTML, OutputFormat.PDF)
    assert parse_formats(" PDF , html,pdf") == (OutputFormat.PDF, OutputFormat.HTML)
    assert parse_formats("html") == (OutputFormat.HTML,)
    with pytest.raises(ReportError, match="'docx' is not a report format"):
        parse_formats("html,docx")
    with pytest.raises(ReportError, match="names no format"):
        parse_formats(" , ")


def test_generated_at_from_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GENERATED_AT_VARIABLE, "2025-12-24")
    assert parse_generated_at("2026-01-31") == date(2026, 1, 31)
    assert parse_generated_at(None) == date(2025, 12, 24)
    monkeypatch.setenv(GENERATED_AT_VARIABLE, "Christmas")
    with pytest.raises(
        ReportError, match=r"\$SAFECITY_REPORT_GENERATED_AT 'Christmas' is not a date"
    ):
        parse_generated_at(None)
