"""What residents told us: the residents' survey beside the crime data.

Built from the ``survey`` family's tables of the artefact (``survey_waves``,
``survey_estimates``, ``survey_comparisons``; the audience's copies, so the public edition
reads the disclosure-controlled ones). The board edition prints the headline measures with a
sentence each on the change between the two latest waves and one chart (the headline measures
by wave, dots with 95% intervals); the partners' edition adds the differences between groups
of residents that are statistically significant, the biggest issues ranked with their intervals
(a second chart), and groups the headline measures by the codebook's themes (victimisation and
not reporting among them).

A suppressed estimate (unweighted base under the documented minimum) reads "fewer than N
respondents", never a number, in both editions. Without survey tables the section is absent
and :func:`survey_absence` gives the sentence the data quality section prints instead.

References
----------
Office for National Statistics (2023) *Crime Survey for England and Wales: user guide*
(wording of estimates, changes "statistically significant at the 5% level"); methods
specification §10 (survey estimates, minimum base).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safecity.report.charts import ChartRenderer, figure_block
from safecity.report.context import ReportContext
from safecity.report.document import (
    FigureBlock,
    Note,
    Paragraph,
    Section,
    Sentence,
    SentenceList,
)
from safecity.report.figures import Figure, FigureDataError, render_svg
from safecity.report.figures.survey import (
    ALL_GROUP,
    fewer_than,
    percent,
    survey_headline_chart,
    survey_issues_chart,
)
from safecity.report.formatting import format_count, format_p_value, is_missing
from safecity.report.report_config import method_by_id

SECTION_ID = "residents"
SECTION_TITLE = "What residents told us"
FAMILY = "survey"
WAVES_TABLE = "survey_waves"
ESTIMATES_TABLE = "survey_estimates"
COMPARISONS_TABLE = "survey_comparisons"
PROPORTION_METHOD = "survey_proportion"
COMPARISON_METHOD = "survey_comparison"
BETWEEN_WAVES = "between waves"
BETWEEN_GROUPS = "between groups"
GROUP_DIFFERENCES_SHOWN = 8
"""Significant differences between groups printed in the partners' edition (the rest counted)."""
MINIMUM_BASE_KEYS = ("minimum_unweighted_base", "minimum_base")
NO_SURVEY = "no residents' survey wave was loaded for this assessment's period"


@dataclass(frozen=True, slots=True)
class SurveyTables:
    """The survey family's tables for the report's audience, waves oldest first."""

    waves: pd.DataFrame
    estimates: pd.DataFrame
    comparisons: pd.DataFrame
    wave_order: tuple[str, ...]
    minimum_base: int | None


def _flag(value: object) -> bool:
    return False if is_missing(value) else bool(value)


def minimum_base(manifest: Mapping[str, Any]) -> int | None:
    """The survey's minimum unweighted base from the manifest's ``families.survey`` record."""
    families = manifest.get("families")
    record = families.get(FAMILY) if isinstance(families, Mapping) else None
    if not isinstance(record, Mapping):
        return None
    for key in MINIMUM_BASE_KEYS:
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def survey_tables(context: ReportContext) -> SurveyTables | None:
    """The survey tables, or ``None`` when the artefact has no survey estimates to report."""
    estimates = context.artefact.table(ESTIMATES_TABLE)
    if estimates is None or estimates.empty:
        return None
    waves = context.artefact.table(WAVES_TABLE)
    comparisons = context.artefact.table(COMPARISONS_TABLE)
    waves = waves if waves is not None else pd.DataFrame({"wave": []})
    comparisons = comparisons if comparisons is not None else pd.DataFrame()
    with_data = set(estimates["wave"].astype(str))
    if not waves.empty and "fieldwork_start" in waves.columns:
        ordered = waves.assign(
            _start=pd.to_datetime(waves["fieldwork_start"], errors="coerce")
        ).sort_values(["_start", "wave"], kind="mergesort", na_position="first")
        order = [str(wave) for wave in ordered["wave"] if str(wave) in with_data]
    else:
        order = sorted(with_data)
    order += sorted(with_data - set(order))
    return SurveyTables(
        waves=waves,
        estimates=estimates,
        comparisons=comparisons,
        wave_order=tuple(order),
        minimum_base=minimum_base(context.artefact.manifest),
    )


def survey_absence(context: ReportContext) -> str | None:
    """Why the report has no "What residents told us" section (``None`` when it has one).

    The manifest's ``skipped`` reason for the survey family when there is one, else that no
    survey was loaded.
    """
    if survey_tables(context) is not None:
        return None
    skipped = context.artefact.manifest.get("skipped")
    reason = skipped.get(FAMILY) if isinstance(skipped, Mapping) else None
    text = str(reason).strip().rstrip(".") if reason else NO_SURVEY
    return f"This report has no “{SECTION_TITLE}” section: {text}."


def _row_ids(row: pd.Series) -> tuple[str, ...]:
    value = row.get("row_id")
    return () if is_missing(value) else (str(value),)


def _plain(method_id: str) -> str:
    method = method_by_id(method_id)
    return method.plain if method is not None else ""


TEST_WORDS = (
    ("rao", "a Rao–Scott corrected chi-squared test allowing for the survey design"),
    ("design-based t", "a design-based t test allowing for the survey design"),
    ("newcombe", "Newcombe's interval for the difference of two weighted shares"),
)
"""The test a comparison row names (its ``test`` column), in readers' words."""


def _test_words(comparison: pd.Series) -> str:
    """Which test made the difference significant or not, with its p-value: the row's own
    ``test`` in readers' words, else the methods appendix's plain words."""
    named = str(comparison.get("test") or "").casefold()
    words = next((text for key, text in TEST_WORDS if key in named), _plain(COMPARISON_METHOD))
    p_value = comparison.get("p_value")
    return words if is_missing(p_value) else f"{words}, {format_p_value(p_value)}"


def _estimate_text(row: pd.Series, *, minimum: int | None) -> str:
    """``74.1% (95% confidence interval 72.3% to 75.8%)``, or "fewer than N respondents"."""
    if _flag(row.get("suppressed")) or is_missing(row.get("value")):
        return f"not published ({fewer_than(minimum)})"
    text = percent(row["value"])
    if not is_missing(row.get("lower_ci")) and not is_missing(row.get("upper_ci")):
        text += (
            f" (95% confidence interval {percent(row['lower_ci'])} to {percent(row['upper_ci'])})"
        )
    return text


RELATION_WORDS = {
    "in period": "in the assessment period",
    "before period": "before the assessment period, for comparison",
    "after period": "after the assessment period, for comparison",
    "without a date": "used without a fieldwork date",
}
"""Why a wave was used (``survey_waves.relation``), in readers' words."""


def _wave_words(tables: SurveyTables) -> Sentence | None:
    """Which waves the section rests on: respondents, fieldwork and why each was used."""
    if tables.waves.empty:
        return None
    parts = []
    by_wave = {str(row["wave"]): row for _, row in tables.waves.iterrows()}
    for wave in tables.wave_order:
        row = by_wave.get(wave)
        if row is None:
            continue
        details = []
        if not is_missing(row.get("respondents")):
            details.append(f"{format_count(row['respondents'])} respondents")
        start, end = row.get("fieldwork_start"), row.get("fieldwork_end")
        if not is_missing(start) and not is_missing(end):
            first, last = pd.Timestamp(str(start)), pd.Timestamp(str(end))
            details.append(f"fieldwork {first:%-d %B %Y} to {last:%-d %B %Y}")
        if not is_missing(row.get("relation")) and str(row["relation"]):
            details.append(RELATION_WORDS.get(str(row["relation"]), str(row["relation"])))
        parts.append(f"{wave} ({', '.join(details)})" if details else wave)
    if not parts:
        return None
    title = next(
        (str(value) for value in tables.waves.get("title", pd.Series(dtype=object)) if value),
        "the residents' survey",
    )
    waves = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return Sentence(
        text=f"From {title}, wave{'s' if len(parts) > 1 else ''} {waves}. Shares are weighted"
        " to the area's population and given with 95% confidence intervals.",
        row_ids=(),
    )


def _comparison(
    tables: SurveyTables, *, measure: str, category: str, earlier: str, later: str
) -> pd.Series | None:
    frame = tables.comparisons
    if frame.empty or "comparison" not in frame.columns:
        return None
    found = frame[
        (frame["comparison"].astype(str) == BETWEEN_WAVES)
        & (frame["measure"].astype(str) == measure)
        & (frame["category"].astype(str) == category)
        & (frame["group_variable"].astype(str) == ALL_GROUP)
        & (frame["from_label"].astype(str) == earlier)
        & (frame["to_label"].astype(str) == later)
    ]
    return None if found.empty else found.iloc[0]


def _change_words(comparison: pd.Series, *, earlier: str, minimum: int | None) -> str:
    """The change from the earlier wave in words, with whether it is significant."""
    if _flag(comparison.get("suppressed")) or is_missing(comparison.get("from_value")):
        return f"; no comparison with {earlier} is published ({fewer_than(minimum)})"
    raw = comparison.get("difference")
    difference = 0.0 if is_missing(raw) else float(str(raw))
    moved = "against" if difference == 0 else ("up from" if difference > 0 else "down from")
    text = f", {moved} {percent(comparison['from_value'])} in {earlier}"
    if is_missing(comparison.get("significant")):
        return text + " (not tested)"
    if _flag(comparison.get("significant")):
        what = "increase" if difference > 0 else "decrease"
        verdict = f"a statistically significant {what}"
    else:
        verdict = "not a statistically significant change"
    return f"{text}: {verdict} ({_test_words(comparison)})"


def headline_sentences(tables: SurveyTables) -> list[tuple[str, Sentence]]:
    """One sentence per headline measure for all respondents in the latest wave, with its
    theme: the share, its interval, and the change from the wave before."""
    estimates = tables.estimates
    latest = tables.wave_order[-1]
    earlier = tables.wave_order[-2] if len(tables.wave_order) > 1 else None
    headline = estimates["headline"].astype("boolean").fillna(False).astype(bool)
    kind = estimates["kind"].astype(str) if "kind" in estimates.columns else ""
    rows = estimates[
        headline
        & (estimates["group_variable"].astype(str) == ALL_GROUP)
        & (estimates["wave"].astype(str) == latest)
        & (kind != "multiple")
    ]
    found: list[tuple[str, Sentence]] = []
    for _, row in rows.iterrows():
        text = (
            f"{row['measure_label']} ({str(row['category']).lower()}):"
            f" {_estimate_text(row, minimum=tables.minimum_base)} in {latest}"
        )
        row_ids = list(_row_ids(row))
        methods = [PROPORTION_METHOD]
        if earlier is not None and not _flag(row.get("suppressed")):
            comparison = _comparison(
                tables,
                measure=str(row["measure"]),
                category=str(row["category"]),
                earlier=earlier,
                later=latest,
            )
            if comparison is not None:
                text += _change_words(comparison, earlier=earlier, minimum=tables.minimum_base)
                row_ids.extend(_row_ids(comparison))
                methods.append(COMPARISON_METHOD)
        theme = "" if is_missing(row.get("theme")) else str(row.get("theme") or "")
        found.append(
            (
                theme,
                Sentence(text=text + ".", row_ids=tuple(row_ids), methods=tuple(methods)),
            )
        )
    return found


def group_difference_sentences(tables: SurveyTables) -> tuple[list[Sentence], int]:
    """The statistically significant differences between groups of residents (at most
    :data:`GROUP_DIFFERENCES_SHOWN`, largest first), and how many more there are."""
    frame = tables.comparisons
    if frame.empty or "comparison" not in frame.columns:
        return [], 0
    significant = frame["significant"].astype("boolean").fillna(False).astype(bool)
    hidden = frame["suppressed"].astype("boolean").fillna(False).astype(bool)
    chosen = frame[
        (frame["comparison"].astype(str) == BETWEEN_GROUPS) & significant & ~hidden
    ].copy()
    chosen = chosen[chosen["from_value"].notna() & chosen["to_value"].notna()]
    chosen["_size"] = pd.to_numeric(chosen["difference"], errors="coerce").abs()
    chosen = chosen.sort_values(["_size", "measure_label"], ascending=[False, True])
    sentences = []
    for _, row in chosen.head(GROUP_DIFFERENCES_SHOWN).iterrows():
        variable = str(row["group_variable"]).replace("_", " ")
        points = abs(float(row["difference"])) * 100
        higher = "higher" if float(row["difference"]) > 0 else "lower"
        interval = ""
        if not is_missing(row.get("lower_ci")) and not is_missing(row.get("upper_ci")):
            interval = (
                f", 95% confidence interval {float(row['lower_ci']) * 100:.1f} to"
                f" {float(row['upper_ci']) * 100:.1f} points"
            )
        sentences.append(
            Sentence(
                text=f"{row['measure_label']} ({str(row['category']).lower()}), by {variable}:"
                f" {percent(row['to_value'])} among {row['to_label']} against"
                f" {percent(row['from_value'])} among {row['from_label']}, {points:.1f}"
                f" percentage points {higher}{interval}; statistically significant"
                f" ({_test_words(row)}).",
                row_ids=_row_ids(row),
                methods=(COMPARISON_METHOD,),
            )
        )
    return sentences, max(0, len(chosen) - GROUP_DIFFERENCES_SHOWN)


def _render(renderer: ChartRenderer, figure: Figure) -> FigureBlock:
    started = time.perf_counter()
    svg = render_svg(spec=figure.spec)
    renderer.seconds += time.perf_counter() - started
    renderer.rendered.append((figure, svg))
    return figure_block(figure, svg=svg)


def _issues(tables: SurveyTables, context: ReportContext, renderer: ChartRenderer) -> Section:
    """The biggest issues (the first multiple-choice measure) ranked, latest wave."""
    section = Section(section_id="residents-issues", number="", title="The biggest issues")
    estimates = tables.estimates
    latest = tables.wave_order[-1]
    kind = estimates["kind"].astype(str) if "kind" in estimates.columns else ""
    multiple = estimates[(kind == "multiple") & (estimates["wave"].astype(str) == latest)]
    if multiple.empty:
        section.blocks.append(
            Note(text=f"The survey asked no multiple-choice question in {latest}.")
        )
        return section
    measure = str(multiple["measure"].iloc[0])
    try:
        figure = survey_issues_chart(
            estimates=estimates,
            measure=measure,
            wave=latest,
            area_name=context.area_name,
            minimum_base=tables.minimum_base,
        )
    except FigureDataError as error:
        section.blocks.append(Note(text=f"No chart: {error}."))
        return section
    data = figure.data
    top = data[~data["suppressed"]].head(3)
    if not top.empty:
        named = "; ".join(
            f"{category} ({value:.1f}%, 95% confidence interval {lower:.1f}% to {upper:.1f}%)"
            for category, value, lower, upper in zip(
                top["category"], top["share"], top["share_lower"], top["share_upper"], strict=True
            )
        )
        options = multiple[multiple["measure"].astype(str) == measure]
        row_ids = tuple(
            str(value)
            for value in options.get("row_id", pd.Series(dtype=object)).dropna().astype(str)
        )
        section.blocks.append(
            Paragraph(
                sentences=(
                    Sentence(
                        text=f"Most often named in {latest} ({len(figure.data)} issues"
                        f" offered; residents could name more than one): {named}. Issues whose"
                        " intervals overlap are not clearly ranked apart.",
                        row_ids=row_ids,
                        methods=(PROPORTION_METHOD,),
                    ),
                )
            )
        )
    section.blocks.append(_render(renderer, figure))
    return section


def survey_section(
    context: ReportContext, renderer: ChartRenderer, *, detailed: bool
) -> Section | None:
    """The "What residents told us" section, or ``None`` when the artefact has no survey.

    Parameters
    ----------
    context
        The report's artefact and labels.
    renderer
        Renders (and records) the charts.
    detailed
        The partners' edition: headline measures grouped by theme, significant differences
        between groups and the biggest issues; otherwise the board's short version (headline
        measures and their change, one chart).
    """
    tables = survey_tables(context)
    if tables is None:
        return None
    section = Section(section_id=SECTION_ID, number="", title=SECTION_TITLE)
    waves = _wave_words(tables)
    if waves is not None:
        section.blocks.append(Paragraph(sentences=(waves,)))
    headlines = headline_sentences(tables)
    if not headlines:
        section.blocks.append(Note(text="The survey tables hold no headline measure."))
    elif detailed:
        by_theme: dict[str, list[Sentence]] = {}
        for theme, sentence in headlines:
            by_theme.setdefault(theme, []).append(sentence)
        for theme, sentences in by_theme.items():
            heading = theme.replace("_", " ").capitalize() if theme else "Other measures"
            section.blocks.append(
                SentenceList(
                    sentences=tuple(sentences), heading=heading if len(by_theme) > 1 else None
                )
            )
    else:
        section.blocks.append(SentenceList(sentences=tuple(sentence for _, sentence in headlines)))
    try:
        figure = survey_headline_chart(
            estimates=tables.estimates,
            waves=tables.wave_order,
            area_name=context.area_name,
            minimum_base=tables.minimum_base,
        )
    except FigureDataError as error:
        section.blocks.append(Note(text=f"No chart: {error}."))
    else:
        section.blocks.append(_render(renderer, figure))
    if not detailed:
        return section
    differences, more = group_difference_sentences(tables)
    groups = Section(
        section_id="residents-groups", number="", title="Differences between groups of residents"
    )
    if differences:
        groups.blocks.append(SentenceList(sentences=tuple(differences)))
        if more:
            groups.blocks.append(
                Note(
                    text=f"{format_count(more)} more statistically significant differences are"
                    " in the published table of survey comparisons."
                )
            )
    else:
        groups.blocks.append(
            Note(text="No difference between groups of residents is statistically significant.")
        )
    section.subsections.append(groups)
    section.subsections.append(_issues(tables, context, renderer))
    return section
