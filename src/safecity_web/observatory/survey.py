"""The residents' survey in the observatory: the published survey tables, as pages show them.

``safecity publish`` stores every public table of the artefact (``PublishedTable`` /
``PublishedRow``), so the survey family's public tables (``survey_waves``,
``survey_estimates``, ``survey_comparisons``: disclosure-controlled, no respondent-level rows)
arrive with the rest. :func:`survey_data` reads all three in one query and caches them by
assessment (an assessment's rows never change), so a survey page makes the same few queries
whatever the number of rows.

A suppressed estimate (unweighted base under the minimum) reads "fewer than N respondents",
never a number: its value is null in the public table, and the pages do not print a number
for it even if one were there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from safecity_web import core_gateway
from safecity_web.observatory import queries, visual
from safecity_web.observatory.models import PublishedAssessment, PublishedRow
from safecity_web.observatory.views.charts import from_gateway

WAVES_TABLE = "survey_waves"
ESTIMATES_TABLE = "survey_estimates"
COMPARISONS_TABLE = "survey_comparisons"
SURVEY_TABLES = (WAVES_TABLE, ESTIMATES_TABLE, COMPARISONS_TABLE)
FAMILY = "survey"
ALL_GROUP = "all"
BETWEEN_WAVES = "between waves"
BETWEEN_GROUPS = "between groups"
NO_SURVEY = "no residents' survey wave was loaded for this assessment's period"
MINUS = "\u2212"


@dataclass(frozen=True, slots=True)
class SurveyData:
    """The survey tables of one assessment, waves oldest first."""

    waves: list[dict[str, Any]]
    estimates: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    wave_order: list[str]
    minimum_base: int | None
    absent_reason: str | None = None
    """Why the assessment has no survey (``None`` when it has one)."""
    confidence: float = 0.95
    """The level of the survey's intervals (its estimates' ``confidence``)."""

    @property
    def latest(self) -> str | None:
        """The latest wave with estimates."""
        return self.wave_order[-1] if self.wave_order else None

    @property
    def previous(self) -> str | None:
        """The wave before the latest, if any."""
        return self.wave_order[-2] if len(self.wave_order) > 1 else None


def _wave_order(waves: list[dict[str, Any]], estimates: list[dict[str, Any]]) -> list[str]:
    with_data = {str(row.get("wave")) for row in estimates}

    def start(row: dict[str, Any]) -> str:
        return str(row.get("fieldwork_start") or "")

    ordered = [
        str(row.get("wave"))
        for row in sorted(waves, key=lambda row: (start(row), str(row.get("wave"))))
    ]
    order = [wave for wave in ordered if wave in with_data]
    return order + sorted(with_data - set(order))


def survey_data(assessment: PublishedAssessment) -> SurveyData:
    """The assessment's survey tables (one query, cached), or why it has none."""

    def build() -> SurveyData:
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in SURVEY_TABLES}
        for name, values in (
            PublishedRow.objects.filter(table__assessment=assessment, table__name__in=SURVEY_TABLES)
            .order_by("table__name", "position")
            .values_list("table__name", "values")
        ):
            found[name].append(values)
        manifest = queries.manifest(assessment)
        estimates = found[ESTIMATES_TABLE]
        absent: str | None = None
        if not estimates:
            skipped = manifest.get("skipped")
            reason = skipped.get(FAMILY) if isinstance(skipped, Mapping) else None
            absent = str(reason).strip().rstrip(".") if reason else NO_SURVEY
        return SurveyData(
            waves=found[WAVES_TABLE],
            estimates=estimates,
            comparisons=found[COMPARISONS_TABLE],
            wave_order=_wave_order(found[WAVES_TABLE], estimates),
            minimum_base=core_gateway.survey_minimum_base(manifest),
            absent_reason=absent,
            confidence=_confidence(estimates),
        )

    return queries.cached(assessment, "survey", build)


def _confidence(estimates: list[dict[str, Any]]) -> float:
    """The confidence level of the survey's intervals (the family computes all at one level,
    ``config/survey.yaml``), 0.95 when no row says."""
    for row in estimates:
        value = row.get("confidence")
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1:
            return float(value)
    return 0.95


# How the pages write survey figures.


def fewer_than(minimum: int | None) -> str:
    """What a suppressed estimate reads ("fewer than 50 respondents"), never a number."""
    if minimum is None:
        return "too few respondents to publish"
    return f"fewer than {minimum:,} respondents"


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def is_suppressed(row: Mapping[str, Any]) -> bool:
    """Whether the row is withheld (flagged, or without a value)."""
    return bool(row.get("suppressed")) or _number(row.get("value")) is None


def share(value: Any) -> str:
    """A share 0-1 as a percentage with one decimal (``0.662`` -> ``66.2%``)."""
    number = _number(value)
    return "not available" if number is None else f"{number * 100:.1f}%"


def points(value: Any) -> str:
    """A difference of shares in percentage points with its sign (``−7.9 points``)."""
    number = _number(value)
    if number is None:
        return "not available"
    sign = "+" if number > 0 else MINUS if number < 0 else ""
    return f"{sign}{abs(number) * 100:.1f} points"


@dataclass(frozen=True, slots=True)
class EstimateView:
    """One estimate as a page prints it."""

    wave: str
    measure: str
    measure_label: str
    category: str
    group_variable: str
    group: str
    group_name: str
    value: str
    interval: str
    respondents: str
    suppressed: bool
    low_base: bool
    rank: str
    method: str


@dataclass(frozen=True, slots=True)
class ComparisonView:
    """One comparison (between waves or groups) as a page prints it."""

    comparison: str
    measure: str
    measure_label: str
    category: str
    group_variable: str
    compared: str
    difference: str
    interval: str
    verdict: str
    tag: str
    test: str


def estimate_view(row: Mapping[str, Any], *, minimum: int | None) -> EstimateView:
    """An estimate row as printed: suppressed rows read "fewer than N respondents"."""
    hidden = is_suppressed(row)
    base = _number(row.get("unweighted_base"))
    rank = _number(row.get("rank"))
    variable = str(row.get("group_variable") or "")
    group = str(row.get("group") or "")
    words = variable.replace("_", " ").capitalize()
    return EstimateView(
        wave=str(row.get("wave") or ""),
        measure=str(row.get("measure") or ""),
        measure_label=str(row.get("measure_label") or row.get("measure") or ""),
        category=str(row.get("category") or ""),
        group_variable=variable,
        group=group,
        group_name=group if variable == ALL_GROUP else f"{words}: {group}",
        value=fewer_than(minimum) if hidden else share(row.get("value")),
        interval="" if hidden else f"{share(row.get('lower_ci'))} to {share(row.get('upper_ci'))}",
        respondents=fewer_than(minimum)
        if hidden
        else ("not available" if base is None else f"{round(base):,}"),
        suppressed=hidden,
        low_base=bool(row.get("low_base")) and not hidden,
        rank="" if rank is None or hidden else f"{round(rank)}",
        method=str(row.get("method") or ""),
    )


def comparison_view(row: Mapping[str, Any], *, minimum: int | None) -> ComparisonView:
    """A comparison row as printed, with its verdict in words (and a tag class)."""
    hidden = bool(row.get("suppressed")) or _number(row.get("difference")) is None
    difference = _number(row.get("difference")) or 0.0
    if hidden:
        verdict = f"Not published ({fewer_than(minimum)})"
        tag = visual.comparison_class(visual.NOT_COMPARED)
    elif row.get("significant") is None:
        verdict, tag = "Not tested", visual.comparison_class(visual.NOT_COMPARED)
    elif row.get("significant"):
        if row.get("comparison") == BETWEEN_GROUPS:
            verdict = "Significantly higher" if difference > 0 else "Significantly lower"
        else:
            verdict = "Significant increase" if difference > 0 else "Significant decrease"
        tag = visual.change_class("increase" if difference > 0 else "decrease")
    else:
        verdict, tag = "No significant difference", visual.change_class("not-significant")
    from_label, to_label = str(row.get("from_label") or ""), str(row.get("to_label") or "")
    compared = (
        f"{to_label}: {fewer_than(minimum)}"
        if hidden
        else f"{to_label} {share(row.get('to_value'))} against {from_label}"
        f" {share(row.get('from_value'))}"
    )
    return ComparisonView(
        comparison=str(row.get("comparison") or ""),
        measure=str(row.get("measure") or ""),
        measure_label=str(row.get("measure_label") or ""),
        category=str(row.get("category") or ""),
        group_variable=str(row.get("group_variable") or "").replace("_", " "),
        compared=compared,
        difference="" if hidden else points(row.get("difference")),
        interval=""
        if hidden
        else f"{points(row.get('lower_ci'))} to {points(row.get('upper_ci'))}",
        verdict=verdict,
        tag=tag,
        test=str(row.get("test") or ""),
    )


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """A measure on the list page: its headline estimate in the latest wave and its change."""

    measure: str
    label: str
    estimate: EstimateView
    change: ComparisonView | None
    theme: str


@dataclass(frozen=True, slots=True)
class SurveyPage:
    """What the list page shows."""

    data: SurveyData
    measures: list[MeasureLine] = field(default_factory=list)
    issues: list[EstimateView] = field(default_factory=list)
    issues_label: str = ""
    waves: list[dict[str, str]] = field(default_factory=list)


def _fieldwork(row: Mapping[str, Any]) -> str:
    start, end = row.get("fieldwork_start"), row.get("fieldwork_end")
    if not start or not end:
        return "not stated"
    try:
        first, last = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    except ValueError:
        return f"{start} to {end}"
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def wave_lines(data: SurveyData) -> list[dict[str, str]]:
    """The waves the assessment used, as printed: respondents, fieldwork, why used."""
    by_wave = {str(row.get("wave")): row for row in data.waves}
    lines = []
    for wave in data.wave_order:
        row = by_wave.get(wave, {})
        respondents = _number(row.get("respondents"))
        effective = _number(row.get("effective_sample_size"))
        design = _number(row.get("design_effect"))
        lines.append(
            {
                "wave": wave,
                "title": str(row.get("title") or ""),
                "fieldwork": _fieldwork(row),
                "respondents": "not stated" if respondents is None else f"{round(respondents):,}",
                "effective": "not stated" if effective is None else f"{round(effective):,}",
                "design_effect": "not stated" if design is None else f"{design:.2f}",
                "weighting": str(row.get("weighting") or ""),
                "relation": str(row.get("relation") or ""),
            }
        )
    return lines


def _wave_change(data: SurveyData, row: Mapping[str, Any]) -> ComparisonView | None:
    if data.previous is None:
        return None
    for comparison in data.comparisons:
        if (
            comparison.get("comparison") == BETWEEN_WAVES
            and comparison.get("measure") == row.get("measure")
            and comparison.get("category") == row.get("category")
            and comparison.get("group_variable") == ALL_GROUP
            and str(comparison.get("from_label")) == data.previous
            and str(comparison.get("to_label")) == data.latest
        ):
            return comparison_view(comparison, minimum=data.minimum_base)
    return None


def survey_page(data: SurveyData) -> SurveyPage:
    """The list page: each measure's headline share in the latest wave with its change from
    the wave before, and the biggest issues ranked."""
    if data.latest is None:
        return SurveyPage(data=data)
    measures = []
    issues = []
    issues_measure = ""
    issues_label = ""
    for row in data.estimates:
        if str(row.get("wave")) != data.latest or row.get("group_variable") != ALL_GROUP:
            continue
        if row.get("kind") == "multiple":
            if not issues_measure:
                issues_measure = str(row.get("measure"))
                issues_label = str(row.get("measure_label") or issues_measure)
            if row.get("measure") == issues_measure:
                issues.append(estimate_view(row, minimum=data.minimum_base))
            continue
        if not row.get("headline"):
            continue
        measures.append(
            MeasureLine(
                measure=str(row.get("measure")),
                label=str(row.get("measure_label") or row.get("measure")),
                estimate=estimate_view(row, minimum=data.minimum_base),
                change=_wave_change(data, row),
                theme=str(row.get("theme") or "").replace("_", " ").capitalize(),
            )
        )
    issues.sort(key=lambda view: (view.suppressed, int(view.rank) if view.rank else 10**6))
    return SurveyPage(
        data=data,
        measures=measures,
        issues=issues,
        issues_label=issues_label,
        waves=wave_lines(data),
    )


@dataclass(frozen=True, slots=True)
class MeasurePage:
    """One measure's page: every estimate by wave and group, and its comparisons."""

    measure: str
    label: str
    kind: str
    theme: str
    polarity: str
    by_wave: list[tuple[str, list[EstimateView]]]
    wave_changes: list[ComparisonView]
    group_differences: list[ComparisonView]
    methods: list[str]


POLARITY_WORDS = {
    "higher_is_better": "A higher share is better.",
    "lower_is_better": "A lower share is better.",
    "no_judgement": "Neither a higher nor a lower share is judged better.",
}


def measure_page(data: SurveyData, measure: str) -> MeasurePage | None:
    """The page of ``measure``, or ``None`` when the assessment has no such measure."""
    rows = [row for row in data.estimates if row.get("measure") == measure]
    if not rows:
        return None
    by_wave = []
    for wave in reversed(data.wave_order):
        views = [
            estimate_view(row, minimum=data.minimum_base)
            for row in rows
            if str(row.get("wave")) == wave
        ]
        if views:
            views.sort(key=lambda view: (view.group_variable != ALL_GROUP, view.group_variable))
            by_wave.append((wave, views))
    comparisons = [
        comparison_view(row, minimum=data.minimum_base)
        for row in data.comparisons
        if row.get("measure") == measure
    ]
    first = rows[0]
    return MeasurePage(
        measure=measure,
        label=str(first.get("measure_label") or measure),
        kind=str(first.get("kind") or ""),
        theme=str(first.get("theme") or "").replace("_", " ").capitalize(),
        polarity=POLARITY_WORDS.get(str(first.get("polarity") or ""), ""),
        by_wave=by_wave,
        wave_changes=[view for view in comparisons if view.comparison == BETWEEN_WAVES],
        group_differences=[view for view in comparisons if view.comparison == BETWEEN_GROUPS],
        methods=sorted({str(row.get("method")) for row in rows if row.get("method")}),
    )


def headline_chart(assessment: PublishedAssessment, data: SurveyData) -> Any:
    """The headline measures by wave as a page chart (cached), or why there is none."""

    def build() -> Any:
        if not data.estimates:
            return "No chart: this assessment has no residents' survey."
        try:
            chart = core_gateway.survey_headline_chart(
                estimates=data.estimates,
                waves=data.wave_order,
                area_name=assessment.area_name,
                minimum_base=data.minimum_base,
            )
        except core_gateway.ChartUnavailableError as error:
            return f"No chart: {error}"
        return from_gateway(chart)

    return queries.cached(assessment, "survey-headline-chart", build)
