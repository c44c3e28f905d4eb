"""Checking one row of the community-reports export against the vocabulary.

:func:`check_row` turns the fields of a data row into an :class:`ExportRow`, or says what is
wrong with it: the quarantine reason (:class:`~safecity.data.quality.QuarantineReason`), the
column and the problem in words, so that the load report can name file, line and column.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from safecity.config.community_reports import CommunityReportsConfig
from safecity.data.community_reports.export_format import (
    EXPORT_COLUMNS,
    STRAND_SEPARATOR,
    Channel,
    ExportRow,
)
from safecity.data.quality import QuarantineReason
from safecity.data.site_export_rows import (
    AREA_CODE_PATTERN,
    RowProblem,
    count_problem,
    month_problem,
    row_values,
    ward_problem,
)

LSOA_CODE_PATTERN = re.compile(r"[EW]01[0-9]{6}")
REPORTS_PATTERN = re.compile(r"[0-9]+")
POUNDS_PATTERN = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
BUSINESS_KIND = "business"
HATE_KIND = "hate"


def _known(values: list[str]) -> str:
    return ", ".join(values)


def _check_codes(values: dict[str, str]) -> RowProblem | None:
    area = values["area_code"]
    if not AREA_CODE_PATTERN.fullmatch(area):
        return RowProblem(
            QuarantineReason.MALFORMED_AREA_CODE,
            "area_code",
            f"{area!r} is not a GSS code (e.g. E06000045)" if area else "empty",
        )
    ward, lsoa = values["ward_code"], values["lsoa_code"]
    ward_wrong = ward_problem(ward)
    if ward_wrong is not None:
        return ward_wrong
    if lsoa and not LSOA_CODE_PATTERN.fullmatch(lsoa):
        return RowProblem(
            QuarantineReason.MALFORMED_LSOA_CODE,
            "lsoa_code",
            f"{lsoa!r} is not an LSOA GSS code (E01 or W01 and six digits)",
        )
    if bool(ward) != bool(lsoa):
        missing = "lsoa_code" if ward else "ward_code"
        return RowProblem(
            QuarantineReason.MISSING_REQUIRED_VALUE,
            missing,
            "empty while the other of ward_code and lsoa_code is given (a placed report has"
            " both; one without a point has neither)",
        )
    return None


def _check_vocabulary(
    values: dict[str, str], config: CommunityReportsConfig
) -> RowProblem | tuple[str, str, tuple[str, ...], Channel]:
    kind_id = values["kind"]
    kinds = [kind.id for kind in config.kinds]
    if kind_id not in kinds:
        return RowProblem(
            QuarantineReason.UNKNOWN_CATEGORY,
            "kind",
            f"{kind_id!r} is not a kind of report (known: {_known(kinds)})",
        )
    kind = config.kind(kind_id)
    category = values["category"]
    categories = [choice.id for choice in kind.categories]
    if category not in categories:
        return RowProblem(
            QuarantineReason.UNKNOWN_CATEGORY,
            "category",
            f"{category!r} is not a category of {kind_id} reports (known: {_known(categories)})",
        )
    strand_text = values["strands"]
    strands = tuple(part.strip() for part in strand_text.split(STRAND_SEPARATOR) if part.strip())
    known_strands = [strand.id for strand in config.strands]
    for strand in strands:
        if strand not in known_strands:
            return RowProblem(
                QuarantineReason.UNKNOWN_CATEGORY,
                "strands",
                f"{strand!r} is not a hate-crime strand (known: {_known(known_strands)})",
            )
    if kind_id == HATE_KIND and not strands:
        return RowProblem(
            QuarantineReason.MISSING_REQUIRED_VALUE,
            "strands",
            "empty on a hate row (name at least one strand)",
        )
    if kind_id != HATE_KIND and strands:
        return RowProblem(
            QuarantineReason.OUT_OF_RANGE,
            "strands",
            f"{strand_text!r} on a {kind_id} row (only hate rows name strands)",
        )
    try:
        channel = Channel(values["channel"])
    except ValueError:
        return RowProblem(
            QuarantineReason.UNKNOWN_CATEGORY,
            "channel",
            f"{values['channel']!r} is not a channel (known: {_known([c.value for c in Channel])})",
        )
    return kind_id, category, tuple(sorted(set(strands))), channel


def _check_counts(values: dict[str, str], kind: str) -> RowProblem | tuple[int, Decimal | None]:
    reports = count_problem(
        values["reports"], column="reports", one="report", pattern=REPORTS_PATTERN
    )
    if isinstance(reports, RowProblem):
        return reports
    losses_text = values["losses_pounds"]
    if not losses_text:
        return reports, None
    if kind != BUSINESS_KIND:
        return RowProblem(
            QuarantineReason.OUT_OF_RANGE,
            "losses_pounds",
            f"{losses_text!r} on a {kind} row (only business rows record losses)",
        )
    if not POUNDS_PATTERN.fullmatch(losses_text):
        return RowProblem(
            QuarantineReason.UNPARSEABLE_NUMBER,
            "losses_pounds",
            f"{losses_text!r} is not an amount in pounds with at most two decimals (e.g. 125.50)",
        )
    try:
        losses = Decimal(losses_text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return RowProblem(QuarantineReason.UNPARSEABLE_NUMBER, "losses_pounds", f"{losses_text!r}")
    return reports, losses


def check_row(fields: list[str], *, config: CommunityReportsConfig) -> ExportRow | RowProblem:
    """The row as an :class:`ExportRow`, or the first problem found in it (column order).

    Parameters
    ----------
    fields
        The row's fields as read (the header's order, :data:`EXPORT_COLUMNS`).
    config
        The community-reporting vocabulary (kinds, categories, strands).

    Examples
    --------
    >>> from safecity.config.community_reports import community_reports_config
    >>> config = community_reports_config()
    >>> fields = ["E06000045", "2024-13", "hate", "online", "race", "public_form", "", "", "1", ""]
    >>> check_row(fields, config=config).words()
    "column month: '2024-13' is not a month written YYYY-MM (e.g. 2024-04)"
    """
    values = row_values(fields, EXPORT_COLUMNS)
    if isinstance(values, RowProblem):
        return values
    codes = _check_codes(values)
    if codes is not None:
        return codes
    month = month_problem(values["month"], empty_said=False)
    if month is not None:
        return month
    vocabulary = _check_vocabulary(values, config)
    if isinstance(vocabulary, RowProblem):
        return vocabulary
    kind, category, strands, channel = vocabulary
    counts = _check_counts(values, kind)
    if isinstance(counts, RowProblem):
        return counts
    reports, losses = counts
    return ExportRow(
        area_code=values["area_code"],
        month=values["month"],
        kind=kind,
        category=category,
        strands=strands,
        channel=channel,
        ward_code=values["ward_code"],
        lsoa_code=values["lsoa_code"],
        reports=reports,
        losses_pounds=losses,
    )


__all__ = ["RowProblem", "check_row"]
