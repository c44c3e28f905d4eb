"""Which months have data, and how two periods are compared like for like (methods.md §0.2a).

A month with no data is missing, never zero: rates use the time at risk of the months with
data (residents x months / 12, an annual rate), and a comparison uses only months with data on
both sides, or is refused with the reason. The rule is configuration
(``safecity.config/coverage.yaml``).

References
----------
``methods.md`` §0.2a (statements on imperfect data), §11.7 (coverage gaps in data.police.uk).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from safecity.assess.crime_groups import DataSource
from safecity.assess.periods import MONTH_NAMES, Period
from safecity.assess.study_area import StudyArea
from safecity.config.packaged_yaml import read_packaged_yaml
from safecity.data.warehouse import Warehouse


class CoverageRuleError(ValueError):
    """A coverage configuration that cannot be used, saying which setting is wrong."""


@dataclass(frozen=True, slots=True)
class CoverageRule:
    """The coverage rule of ``coverage.yaml``.

    Attributes
    ----------
    minimum_share_of_months
        A comparison needs at least this share of the period's months with data on each side.
    extract_month_minimum_share
        An extract month has data when it holds at least this share of the median month.
    low_month_share
        Months below this share of the force's median month are flagged (methods.md §11.7).
    low_months_are_missing
        Whether flagged months are also treated as missing.
    """

    minimum_share_of_months: float = 0.5
    extract_month_minimum_share: float = 0.5
    low_month_share: float = 0.8
    low_months_are_missing: bool = False

    def minimum_months(self, length: int) -> int:
        """The fewest months of a ``length``-month period a comparison may rest on (≥ 1).

        Examples
        --------
        >>> CoverageRule().minimum_months(12), CoverageRule().minimum_months(1)
        (6, 1)
        """
        return max(1, math.ceil(self.minimum_share_of_months * length - 1e-9))


def load_coverage_rule(path: Path | None = None) -> CoverageRule:
    """The coverage rule from ``path``, or the shipped ``coverage.yaml``.

    Raises
    ------
    CoverageRuleError
        If a setting is missing, of the wrong type or out of range (the message names it).
    """
    if path is None:
        document = read_packaged_yaml("coverage.yaml")
        where = "safecity.config/coverage.yaml"
    else:
        where = str(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CoverageRuleError(f"{where}: cannot read the coverage rule: {error}") from error
    if not isinstance(document, dict):
        raise CoverageRuleError(f"{where}: expected a mapping of settings")
    values: dict[str, Any] = {}
    for name in ("minimum_share_of_months", "extract_month_minimum_share", "low_month_share"):
        value = document.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1:
            raise CoverageRuleError(f"{where}: {name} must be a number above 0 and at most 1")
        values[name] = float(value)
    missing = document.get("low_months_are_missing")
    if not isinstance(missing, bool):
        raise CoverageRuleError(f"{where}: low_months_are_missing must be true or false")
    values["low_months_are_missing"] = missing
    return CoverageRule(**values)


@dataclass(frozen=True, slots=True)
class SourceCoverage:
    """The months with data of one source for the assessed area.

    Attributes
    ----------
    source
        ``police_uk`` or ``extract``.
    months
        Months of the window with data (missing months are not in it).
    low_months
        Months with data but below the rule's share of the median month (flagged).
    suppliers
        The forces (police.uk) or extract sources whose files the months rest on.
    """

    source: DataSource
    months: frozenset[date]
    low_months: frozenset[date] = frozenset()
    suppliers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coverage:
    """Months with data by source, and the rule comparisons follow."""

    rule: CoverageRule
    by_source: dict[DataSource, SourceCoverage] = field(default_factory=dict)

    def months(self, source: DataSource | str) -> frozenset[date]:
        """Months with data for ``source`` (empty when the source is not loaded)."""
        found = self.by_source.get(DataSource(source))
        return found.months if found is not None else frozenset()

    def months_in(self, source: DataSource | str, period: Period) -> list[date]:
        """The months of ``period`` with data for ``source``, in order."""
        present = self.months(source)
        return [month for month in period.months if month in present]

    def exposure_fraction(self, source: DataSource | str, period: Period) -> float:
        """Years at risk in ``period`` for ``source``: months with data / 12."""
        return len(self.months_in(source, period)) / 12.0

    def complete(self, source: DataSource | str, period: Period) -> bool:
        """Whether every month of ``period`` has data for ``source``."""
        return len(self.months_in(source, period)) == period.length


def _suppliers_reporting(
    connection: Any, *, area: StudyArea, window: Period, table: str, column: str, month_sql: str
) -> list[str]:
    """The suppliers (forces, extract sources) with a record in ``area`` within ``window``."""
    codes = pd.DataFrame({"lsoa_code": area.lsoas["lsoa_code"]})
    connection.register("coverage_area_lsoas", codes)
    try:
        return [
            str(row[0])
            for row in connection.execute(
                f"SELECT DISTINCT {column} FROM {table}"
                " WHERE lsoa_code IN (SELECT lsoa_code FROM coverage_area_lsoas)"
                f" AND {month_sql} BETWEEN ? AND ? ORDER BY 1",
                [window.first_month, window.last_month],
            ).fetchall()
        ]
    finally:
        connection.unregister("coverage_area_lsoas")


def _monthly_counts(
    rows: Iterable[tuple[Any, Any, Any]], suppliers: list[str]
) -> dict[str, dict[date, int]]:
    """Records per supplier and month from ``(supplier, month, count)`` rows."""
    counts: dict[str, dict[date, int]] = {supplier: {} for supplier in suppliers}
    for supplier, month, count in rows:
        month_date = month if isinstance(month, date) else pd.Timestamp(month).date()
        counts[str(supplier)][month_date.replace(day=1)] = int(count)
    return counts


def _police_uk_coverage(
    warehouse: Warehouse, *, area: StudyArea, window: Period, rule: CoverageRule
) -> SourceCoverage | None:
    connection = warehouse.connection
    connection.complete()
    forces = _suppliers_reporting(
        connection,
        area=area,
        window=window,
        table="police_uk_street",
        column="force",
        month_sql="month",
    )
    if not forces:
        return None
    live = connection.execute(
        "SELECT dataset_key FROM load_file WHERE format = 'police_uk_street'"
        " AND status IN ('loaded', 'replaced', 'unchanged') AND superseded_by IS NULL"
    ).fetchall()
    files: dict[str, set[date]] = {force: set() for force in forces}
    for (key,) in live:
        parts = str(key or "").split("/")
        if len(parts) == 3 and parts[1] in files:
            try:
                files[parts[1]].add(date(int(parts[2][:4]), int(parts[2][5:7]), 1))
            except ValueError:
                continue
    rows = connection.execute(
        "SELECT force, month, count(*) FROM police_uk_street"
        " WHERE force IN (SELECT UNNEST(?)) GROUP BY ALL",
        [forces],
    ).fetchall()
    by_force = _monthly_counts(rows, forces)
    for force, counts in by_force.items():
        files[force].update(counts)
    low: set[date] = set()
    for counts in by_force.values():
        if not counts:
            continue
        median = float(pd.Series(list(counts.values())).median())
        low |= {month for month, count in counts.items() if count < rule.low_month_share * median}
    window_months = set(window.months)
    present = set.intersection(*(files[force] for force in forces)) & window_months
    low &= present
    if rule.low_months_are_missing:
        present -= low
    return SourceCoverage(
        source=DataSource.POLICE_UK,
        months=frozenset(present),
        low_months=frozenset(low),
        suppliers=tuple(forces),
    )


def _extract_coverage(
    warehouse: Warehouse, *, area: StudyArea, window: Period, rule: CoverageRule
) -> SourceCoverage | None:
    connection = warehouse.connection
    connection.complete()
    sources = _suppliers_reporting(
        connection,
        area=area,
        window=window,
        table="extract_crime",
        column="source",
        month_sql="CAST(date_trunc('month', committed_from) AS DATE)",
    )
    if not sources:
        return None
    rows = connection.execute(
        "SELECT source, CAST(date_trunc('month', committed_from) AS DATE) AS month, count(*)"
        " FROM extract_crime WHERE source IN (SELECT UNNEST(?)) GROUP BY ALL",
        [sources],
    ).fetchall()
    months_by_source = _monthly_counts(rows, sources)
    present_sets = []
    for counts in months_by_source.values():
        median = float(pd.Series(list(counts.values())).median())
        present_sets.append(
            {
                month
                for month, count in counts.items()
                if count >= rule.extract_month_minimum_share * median
            }
        )
    present = set.intersection(*present_sets) & set(window.months)
    return SourceCoverage(
        source=DataSource.EXTRACT, months=frozenset(present), suppliers=tuple(sources)
    )


def area_coverage(
    warehouse: Warehouse, *, area: StudyArea, window: Period, rule: CoverageRule | None = None
) -> Coverage:
    """The months with data of each source for ``area`` in ``window``.

    Parameters
    ----------
    warehouse
        The loaded warehouse (its load log and fact tables).
    area
        The assessed area.
    window
        The months that may be compared (from the earliest comparison period to the period's
        end).
    rule
        The coverage rule (default: the shipped ``coverage.yaml``).
    """
    rule = rule or load_coverage_rule()
    by_source: dict[DataSource, SourceCoverage] = {}
    police_uk = _police_uk_coverage(warehouse, area=area, window=window, rule=rule)
    if police_uk is not None:
        by_source[DataSource.POLICE_UK] = police_uk
    extract = _extract_coverage(warehouse, area=area, window=window, rule=rule)
    if extract is not None:
        by_source[DataSource.EXTRACT] = extract
    return Coverage(rule=rule, by_source=by_source)


def month_span_words(months: Iterable[date]) -> str:
    """Months in words, runs joined: "April to September 2017", "February 2022".

    Examples
    --------
    >>> month_span_words([date(2017, 4, 1), date(2017, 5, 1), date(2017, 6, 1)])
    'April to June 2017'
    >>> month_span_words([date(2016, 12, 1), date(2017, 1, 1), date(2017, 3, 1)])
    'December 2016 to January 2017 and March 2017'
    >>> month_span_words([])
    'no month'
    """
    ordered = sorted(set(months))
    if not ordered:
        return "no month"
    runs: list[tuple[date, date]] = []
    for month in ordered:
        index = month.year * 12 + month.month
        if runs and runs[-1][1].year * 12 + runs[-1][1].month == index - 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))

    def words(run: tuple[date, date]) -> str:
        first, last = run
        if first == last:
            return f"{MONTH_NAMES[first.month - 1]} {first.year}"
        if first.year == last.year:
            return f"{MONTH_NAMES[first.month - 1]} to {MONTH_NAMES[last.month - 1]} {last.year}"
        return (
            f"{MONTH_NAMES[first.month - 1]} {first.year} to "
            f"{MONTH_NAMES[last.month - 1]} {last.year}"
        )

    texts = [words(run) for run in runs]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def month_span_code(months: Iterable[date]) -> str:
    """Months as compact ranges: ``2017-04..2017-09;2022-02`` (empty for none).

    Examples
    --------
    >>> month_span_code([date(2017, 4, 1), date(2017, 5, 1), date(2022, 2, 1)])
    '2017-04..2017-05;2022-02'
    """
    ordered = sorted(set(months))
    runs: list[list[date]] = []
    for month in ordered:
        if (
            runs
            and (runs[-1][-1].year * 12 + runs[-1][-1].month) == month.year * 12 + month.month - 1
        ):
            runs[-1].append(month)
        else:
            runs.append([month])
    return ";".join(
        f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m}..{run[-1]:%Y-%m}" for run in runs
    )


@dataclass(frozen=True, slots=True)
class MonthsCompared:
    """The months a comparison of two periods rests on, or why it is not made.

    Attributes
    ----------
    period_months, other_months
        Months with data used on each side (empty when refused).
    refused
        Why no comparison is made ("" when it is).
    basis
        The months used, in words, for the finding ("" when both periods are complete).
    """

    period_months: tuple[date, ...]
    other_months: tuple[date, ...]
    refused: str = ""
    basis: str = ""

    @property
    def made(self) -> bool:
        """Whether the comparison is made."""
        return not self.refused


def months_compared(
    *,
    period: Period,
    other: Period,
    present: frozenset[date],
    rule: CoverageRule,
    source_words: str = "data",
) -> MonthsCompared:
    """The months a comparison of ``period`` with ``other`` may use (methods.md §0.2a).

    Periods of the same length are compared month by month at the same position (the same
    calendar months a year apart for financial years): a position is used when both its months
    have data. Periods of different lengths are compared as annualised rates on every month
    with data on each side. Fewer than the rule's minimum share of the period's months on either
    side, or none at all, refuses the comparison with the reason.

    Examples
    --------
    >>> from safecity.assess.periods import parse_period
    >>> months = frozenset(parse_period("2017-02..2017-09").months)
    >>> refused = months_compared(period=parse_period("2017/18"), other=parse_period("2016/17"),
    ...                           present=months, rule=CoverageRule())
    >>> print(refused.refused)  # doctest: +NORMALIZE_WHITESPACE
    no month has data in both 2017/18 and 2016/17
    (data for 2017/18: April to September 2017; for 2016/17: February to March 2017)
    """
    period_present = [month for month in period.months if month in present]
    other_present = [month for month in other.months if month in present]
    described = (
        f"{source_words} for {period.words}: {month_span_words(period_present)};"
        f" for {other.words}: {month_span_words(other_present)}"
    )
    if period.length == other.length:
        pairs = [
            (mine, theirs)
            for mine, theirs in zip(period.months, other.months, strict=True)
            if mine in present and theirs in present
        ]
        needed = rule.minimum_months(period.length)
        if not pairs:
            return MonthsCompared(
                (),
                (),
                refused=f"no month has data in both {period.words} and {other.words} ({described})",
            )
        if len(pairs) < needed:
            return MonthsCompared(
                (),
                (),
                refused=(
                    f"only {len(pairs)} of the {period.length} months have data in both"
                    f" {period.words} and {other.words}; a comparison needs at least {needed}"
                    f" ({described})"
                ),
            )
        mine_months = tuple(pair[0] for pair in pairs)
        their_months = tuple(pair[1] for pair in pairs)
        basis = (
            ""
            if len(pairs) == period.length
            else (
                f"on the {len(pairs)} month{'s' if len(pairs) != 1 else ''} with data in both"
                f" periods ({month_span_words(mine_months)} against"
                f" {month_span_words(their_months)})"
            )
        )
        return MonthsCompared(mine_months, their_months, basis=basis)
    needed_period = rule.minimum_months(period.length)
    needed_other = rule.minimum_months(other.length)
    if len(period_present) < needed_period or len(other_present) < needed_other:
        return MonthsCompared(
            (),
            (),
            refused=(
                f"too few months with data: {len(period_present)} of {period.length} in"
                f" {period.words} (needs {needed_period}) and {len(other_present)} of"
                f" {other.length} in {other.words} (needs {needed_other}) ({described})"
            ),
        )
    basis = (
        f"as annual rates on {_side_words(period, period_present)} against"
        f" {_side_words(other, other_present)}"
    )
    return MonthsCompared(tuple(period_present), tuple(other_present), basis=basis)


def _side_words(period: Period, months: Sequence[date]) -> str:
    """One side of a comparison in words.

    "September 2017" when complete, else "the 6 months of 2017/18 with data (April to
    September 2017)".
    """
    if len(months) == period.length:
        return period.words
    plural = "s" if len(months) != 1 else ""
    return (
        f"the {len(months)} month{plural} of {period.words} with data ({month_span_words(months)})"
    )


def months_compared_across(
    *, period: Period, others: Sequence[Period], present: frozenset[date], rule: CoverageRule
) -> tuple[tuple[date, ...], list[tuple[date, ...]], str]:
    """Positions of ``period`` with data in it and in every one of ``others`` (same lengths).

    Returns the period's months, each other period's months and the reason when refused
    (fewer positions than the rule's minimum share). Used for the previous periods' average.
    """
    positions = [
        index
        for index, month in enumerate(period.months)
        if month in present and all(other.months[index] in present for other in others)
    ]
    needed = rule.minimum_months(period.length)
    if len(positions) < needed:
        labels = ", ".join(other.words for other in others)
        return (
            (),
            [() for _ in others],
            (
                f"only {len(positions)} of the {period.length} months have data in {period.words}"
                f" and in each of {labels}; the comparison with their average needs at least"
                f" {needed}"
            ),
        )
    return (
        tuple(period.months[index] for index in positions),
        [tuple(other.months[index] for index in positions) for other in others],
        "",
    )


__all__ = [
    "Coverage",
    "CoverageRule",
    "CoverageRuleError",
    "MonthsCompared",
    "SourceCoverage",
    "area_coverage",
    "load_coverage_rule",
    "month_span_code",
    "month_span_words",
    "months_compared",
    "months_compared_across",
]
