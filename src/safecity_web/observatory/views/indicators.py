"""Indicator pages: the list, and one page per indicator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from safecity_web.observatory import queries, visual
from safecity_web.observatory.models import AreaLevel, Indicator, PublishedAssessment
from safecity_web.observatory.views import charts
from safecity_web.observatory.views.common import (
    Mode,
    NoPublishedAssessmentError,
    lazy,
    page_context,
    resolve_assessment,
)
from safecity_web.observatory.views.home import no_assessment


def indicator_list(
    request: HttpRequest, mode: Mode = Mode.CURRENT, assessment_id: int | None = None
) -> HttpResponse:
    """Every indicator of the assessment with the area's value, interval and change."""
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        rows=lazy(lambda: queries.area_rows(assessment)),
        not_assessed=lazy(lambda: queries.not_assessed(assessment)),
    )
    return render(request, "observatory/indicator_list.html", context)


def indicator_of(assessment: PublishedAssessment, indicator_id: str) -> Indicator:
    """The indicator, if the assessment has it (else 404)."""
    indicator = Indicator.objects.filter(indicator_id=indicator_id).first()
    if indicator is None or not queries.values(assessment).filter(indicator=indicator).exists():
        raise Http404(f"No indicator {indicator_id!r} in this assessment")
    return indicator


LABEL_WORDS = {
    "Worse": "Significantly higher (worse)",
    "Better": "Significantly lower (better)",
    "Similar": "Not significantly different",
}
"""The core's Fingertips labels (its 95% interval against the comparison rate), in words."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison the artefact made: with what, its rate, the label in words, the rank."""

    compared_with: str
    rate: Any
    label: str
    rank: str
    label_class: str = ""
    """The tag class of the label (its colour in the one palette, ``observatory.visual``)."""


def _ordinal(number: Any) -> str:
    value = int(number)
    if 10 <= value % 100 <= 20:
        return f"{value}th"
    return f"{value}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(value % 10, 'th') }"


def _present(value: Any) -> bool:
    return value is not None and value != ""


def row_comparisons(row: dict[str, Any]) -> list[Comparison]:
    """The comparisons of one ``benchmarking`` row, named as the artefact names them.

    The national figure appears only when the artefact made it ("England", or "England
    excluding …"); without it the CSPs the area is ranked among are named with their members.
    """
    found = []
    if _present(row.get("national_rate")) and row.get("national_label") in LABEL_WORDS:
        rank = ""
        if _present(row.get("rank")):
            rank = f"{_ordinal(row['rank'])} of {int(row['rank_of'])} {row.get('rank_scope', '')}"
            if row.get("band_description"):
                rank += f", {row['band_description']}"
        found.append(
            Comparison(
                compared_with=str(row["national_name"]),
                rate=row["national_rate"],
                label=LABEL_WORDS[row["national_label"]],
                rank=rank,
                label_class=visual.comparison_class(str(row["national_label"])),
            )
        )
    if _present(row.get("regional_rank")):
        found.append(
            Comparison(
                compared_with=f"The average of {row['regional_scope']} ({row['regional_members']})",
                rate=row.get("regional_rate"),
                label=LABEL_WORDS.get(str(row.get("regional_label")), "Not compared"),
                rank=f"{_ordinal(row['regional_rank'])} of {int(row['regional_rank_of'])}",
                label_class=visual.comparison_class(str(row.get("regional_label"))),
            )
        )
    if _present(row.get("comparator_rate")) and row.get("comparator_label") in LABEL_WORDS:
        rank = ""
        if _present(row.get("comparator_rank")):
            rank = f"{_ordinal(row['comparator_rank'])} of {int(row['comparator_rank_of'])}"
        found.append(
            Comparison(
                compared_with=f"Its comparator group ({row.get('comparator_names', '')})",
                rate=row["comparator_rate"],
                label=LABEL_WORDS[row["comparator_label"]],
                rank=rank,
                label_class=visual.comparison_class(str(row["comparator_label"])),
            )
        )
    return found


def not_made(row: dict[str, Any]) -> list[str]:
    """Why a national comparison (or one among the CSPs loaded) was not made."""
    notes = []
    nation = row.get("nation") or "the nation"
    for column, what in (
        ("national_not_made", f"with {nation}"),
        ("regional_not_made", "among the CSPs loaded"),
    ):
        reason = row.get(column)
        if reason:
            notes.append(f"No comparison {what}: {str(reason).removeprefix('not made: ')}.")
    return notes


@dataclass(frozen=True, slots=True)
class NationalFigure:
    """One figure of the national picture (``benchmarking_context``), as printed."""

    measure: str
    compared_with: str
    value: str
    rank: str
    label: str
    source: str


NATIONAL_CONTEXT_TABLE = "benchmarking_context"
NATIONAL_CONTEXT_INDICATOR = "all_crime"
"""The indicator whose page shows the national picture (volume, rate and severity)."""


def _figure_text(row: dict[str, Any]) -> str:
    digits = 0 if row.get("measure") == "volume" else 1
    text = f"{float(row['value']):,.{digits}f}"
    if _present(row.get("lower_ci")) and _present(row.get("upper_ci")):
        text += f" ({float(row['lower_ci']):,.{digits}f} to {float(row['upper_ci']):,.{digits}f})"
    return text


def national_figures(assessment: PublishedAssessment) -> tuple[list[NationalFigure], list[str]]:
    """The area, its nation and its comparator group by volume, rate and severity (each named
    with its source), and the reasons for figures not made."""
    figures = []
    reasons = []
    for row in queries.table_values(assessment, NATIONAL_CONTEXT_TABLE):
        if row.get("not_made"):
            reasons.append(str(row["not_made"]).removeprefix("not made: ").rstrip(".") + ".")
            continue
        if not _present(row.get("value")):
            continue
        rank = ""
        if _present(row.get("rank")) and _present(row.get("rank_of")):
            rank = f"{_ordinal(row['rank'])} of {int(row['rank_of'])} {row.get('rank_scope', '')}"
        figures.append(
            NationalFigure(
                measure=f"{row.get('measure_name', '')} ({row.get('unit', '')})",
                compared_with=str(row.get("comparison_name", "")),
                value=_figure_text(row),
                rank=rank.strip(),
                label=LABEL_WORDS.get(str(row.get("label")), ""),
                source=str(row.get("source", "")).removeprefix("published: "),
            )
        )
    return figures, sorted(set(reasons))


def comparisons(assessment: PublishedAssessment, indicator: Indicator) -> dict[str, Any]:
    """The area's rate against its nation, the CSPs loaded and its comparators, or why not."""
    benchmarking = queries.table_rows(assessment, "benchmarking", group_key=indicator.indicator_id)
    skipped = (queries.manifest(assessment).get("skipped") or {}).get("benchmarking")
    rows = benchmarking.rows if benchmarking is not None else []
    reason = ""
    if not rows:
        reason = (
            f"No comparison with other partnerships in this assessment: {skipped}"
            if skipped
            else "No comparison with other partnerships: the assessment has no benchmarking "
            "rows for this indicator."
        )
    national, national_not_made = (
        national_figures(assessment)
        if indicator.indicator_id == NATIONAL_CONTEXT_INDICATOR
        else ([], [])
    )
    return {
        "national_figures": national,
        "national_not_made": national_not_made,
        "benchmark_rows": rows,
        "comparisons": [item for row in rows for item in row_comparisons(row)],
        "not_made": [note for row in rows for note in not_made(row)],
        "benchmark_reason": reason,
    }


def indicator_detail(
    request: HttpRequest,
    indicator_id: str,
    mode: Mode = Mode.CURRENT,
    assessment_id: int | None = None,
) -> HttpResponse:
    """Definition, polarity, method, caveats; trend; comparisons; ward table; map; downloads.

    A crime group the assessment did not assess gets a page saying so and why (``not
    assessed: needs ...``), never an empty or zero value.
    """
    try:
        assessment = resolve_assessment(mode=mode, assessment_id=assessment_id)
    except NoPublishedAssessmentError:
        return no_assessment(request)
    skipped = queries.not_assessed_group(assessment, indicator_id)
    if (
        skipped is not None
        and not queries.values(assessment).filter(indicator_id=indicator_id).exists()
    ):
        return render(
            request,
            "observatory/indicator_not_assessed.html",
            page_context(request, mode=mode, assessment=assessment, group=skipped),
        )
    indicator = indicator_of(assessment, indicator_id)
    area_row = lazy(
        lambda: (
            queries.values(assessment)
            .filter(indicator=indicator, area_code=assessment.area_code)
            .first()
        )
    )
    wards = lazy(lambda: queries.indicator_rows(assessment, indicator, level=AreaLevel.WARD))
    context = page_context(
        request,
        mode=mode,
        assessment=assessment,
        indicator=indicator,
        area_row=area_row,
        wards=wards,
        suppressed_wards=lazy(
            lambda: sum(1 for row in wards if row.suppressed and row.value is None)
        ),
        trend_chart=lazy(lambda: charts.trend_chart(assessment, indicator)),
        ward_chart=lazy(
            lambda: charts.ward_chart(
                assessment, indicator, area_value=area_row.value if area_row else None
            )
        ),
        ward_map=lazy(lambda: charts.choropleth(assessment, indicator, level=AreaLevel.WARD)),
        lsoa_map=lazy(lambda: charts.choropleth(assessment, indicator, level=AreaLevel.LSOA)),
        deprivation_chart=lazy(lambda: charts.deprivation_chart(assessment, indicator)),
        findings=lazy(lambda: queries.findings(assessment, topic=indicator.indicator_id)),
        comparison=lazy(lambda: comparisons(assessment, indicator)),
    )
    return render(request, "observatory/indicator_detail.html", context)
