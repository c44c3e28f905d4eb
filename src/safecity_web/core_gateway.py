"""The one module through which the web application calls the Safe City core.

Views, management commands and the API never import :mod:`safecity` themselves (an
import-linter contract checks it); they call the functions here. Everything returned is plain
Python (dicts, lists, str, int, float, bool, None): no DataFrames or core objects leak out.

Reading an artefact goes through :func:`safecity.report.artefact_reader.open_artefact` with the
PUBLIC audience, so only the disclosure-controlled copies in ``public/`` are ever read.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INDICATORS_TABLE = "indicators"
FINDINGS_TABLE = "findings"
ROW_ID_COLUMN = "row_id"


class ArtefactUnreadableError(ValueError):
    """An Assessment artefact that cannot be published: the message says what and where."""


@dataclass(slots=True)
class PublicTable:
    """One public table of an artefact as plain records."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass(slots=True)
class PublicArtefact:
    """The public content of an Assessment artefact, as plain Python records.

    ``indicators`` and ``findings`` are the rows of those tables; ``tables`` holds every other
    public table. Missing values are ``None`` (never NaN).
    """

    directory: Path
    manifest: dict[str, Any]
    area_code: str
    area_name: str
    area_level: str
    period: str
    baseline: str
    indicator_columns: list[str]
    indicators: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    tables: dict[str, PublicTable] = field(default_factory=dict)
    boundaries: dict[str, Any] | None = None


def _plain(value: Any) -> Any:
    """A cell as plain Python: NaN, NA and NaT become None; NumPy scalars become Python ones.

    Infinite floats (a rate ratio against a zero rate) become the texts ``"Infinity"`` and
    ``"-Infinity"``, which JSON can hold.
    """
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, (str, bool, int, float)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _records(frame: Any) -> list[dict[str, Any]]:
    columns = [str(column) for column in frame.columns]
    return [
        {column: _plain(cell) for column, cell in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def indicator_columns() -> list[str]:
    """Every column of the artefact's ``indicators`` table, in order (``row_id`` first)."""
    from safecity.assess.indicator_columns import INDICATOR_COLUMNS

    return [ROW_ID_COLUMN, *INDICATOR_COLUMNS]


def _manifest_text(manifest: dict[str, Any], *keys: str, where: Path) -> str:
    node: Any = manifest
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            dotted = ".".join(keys)
            raise ArtefactUnreadableError(
                f"{where}/manifest.json: no {dotted!r} (not an assessment manifest?)"
            )
        node = node[key]
    if node is None or str(node) == "":
        raise ArtefactUnreadableError(f"{where}/manifest.json: {'.'.join(keys)!r} is empty")
    return str(node)


def read_public_artefact(*, directory: Path) -> PublicArtefact:
    """Read the PUBLIC tables, manifest and boundaries of the Assessment artefact in ``directory``.

    Raises
    ------
    ArtefactUnreadableError
        When the folder is not an artefact, its manifest is missing or invalid, or the public
        ``indicators`` table is missing or lacks columns; the message names the file.
    """
    from safecity.report.artefact_reader import ArtefactError, Audience, open_artefact

    directory = Path(directory)
    try:
        artefact = open_artefact(directory=directory, audience=Audience.PUBLIC)
    except ArtefactError as error:
        raise ArtefactUnreadableError(str(error)) from error
    manifest = artefact.manifest
    area_code = _manifest_text(manifest, "area", "code", where=directory)
    area_name = _manifest_text(manifest, "area", "name", where=directory)
    area_level = str(manifest["area"].get("level") or "csp")
    period = _manifest_text(manifest, "parameters", "period", where=directory)
    baseline = str(manifest.get("parameters", {}).get("baseline") or "")
    if not isinstance(manifest.get("public_tables"), dict):
        raise ArtefactUnreadableError(
            f"{directory}/manifest.json: no 'public_tables'; only disclosure-controlled "
            "tables are published, and this artefact lists none"
        )
    if not artefact.has_table(INDICATORS_TABLE):
        raise ArtefactUnreadableError(
            f"{directory}/manifest.json: no public {INDICATORS_TABLE!r} table to publish"
        )
    expected = indicator_columns()
    frames: dict[str, Any] = {}
    try:
        for name in artefact.table_names:
            frames[name] = artefact.table(name)
    except ArtefactError as error:
        raise ArtefactUnreadableError(str(error)) from error
    except (OSError, ValueError) as error:
        raise ArtefactUnreadableError(
            f"{directory}/public: a table cannot be read ({error})"
        ) from error
    indicators = frames.pop(INDICATORS_TABLE)
    missing = [column for column in expected if column not in indicators.columns]
    if missing:
        raise ArtefactUnreadableError(
            f"{directory}/public/indicators.parquet: missing columns {', '.join(missing)}"
        )
    findings = frames.pop(FINDINGS_TABLE, None)
    tables = {
        name: PublicTable(name=name, columns=[str(c) for c in frame.columns], rows=_records(frame))
        for name, frame in frames.items()
        if frame is not None
    }
    return PublicArtefact(
        directory=directory,
        manifest=manifest,
        area_code=area_code,
        area_name=area_name,
        area_level=area_level,
        period=period,
        baseline=baseline,
        indicator_columns=expected,
        indicators=_records(indicators[expected]),
        findings=[] if findings is None else _records(findings),
        tables=tables,
        boundaries=_boundaries(artefact, directory=directory),
    )


def _boundaries(artefact: Any, *, directory: Path) -> dict[str, Any] | None:
    try:
        collection: dict[str, Any] | None = artefact.boundaries()
    except ValueError as error:
        raise ArtefactUnreadableError(
            f"{directory}: boundaries.geojson is not valid JSON ({error})"
        ) from error
    if collection is not None and collection.get("type") != "FeatureCollection":
        raise ArtefactUnreadableError(f"{directory}: boundaries.geojson is not a FeatureCollection")
    return collection


@dataclass(frozen=True, slots=True)
class MethodEntry:
    """One entry of the methods appendix (the report's, shown on the observatory too)."""

    method_id: str
    anchor: str
    name: str
    plain: str
    section: str
    description: str
    reference: str


def methods_appendix() -> list[MethodEntry]:
    """Every entry of the report's methods appendix, in its order.

    ``plain`` names the method in readers' words; ``anchor`` is the entry's id on the page
    (``method-rate-ratio-test``); ``section`` is the methods specification's section.
    """
    from safecity.report.report_config import methods

    return [
        MethodEntry(
            method_id=method.method_id,
            anchor=method.anchor,
            name=method.name,
            plain=method.plain,
            section=method.section,
            description=method.description,
            reference=method.reference,
        )
        for method in methods()
    ]


def method_ids(value: Any) -> list[str]:
    """The known method ids of a finding's ``methods`` cell (``;``-joined); none if absent."""
    from safecity.report.report_config import method_ids as parse

    return list(parse(value))


def crime_group_names() -> dict[str, str]:
    """Crime group id -> name, for every crime group the core ships (``crime_groups.yaml``)."""
    from safecity.assess.crime_groups import load_crime_groups

    return {group.id: group.name for group in load_crime_groups()}


def not_assessed(reason: str) -> str:
    """A crime group's skip reason as readers see it: ``not assessed: needs ...``."""
    from safecity.report.reader_words import not_assessed as words

    return words(reason)


def column_headings(columns: list[str]) -> list[str]:
    """Headings in readers' words for a chart's data columns (``lower_ci`` -> ``Lower 95%
    limit``)."""
    from safecity.report.reader_words import column_heading

    return [column_heading(column) for column in columns]


def snap_point_note() -> str:
    """The caveat under a grid map of data.police.uk crimes (the report's words)."""
    from safecity.report.reader_words import SNAP_POINT_NOTE

    return SNAP_POINT_NOTE


def gi_counts_note() -> str:
    """The caveat under a neighbourhood hot spot map (the report's words)."""
    from safecity.report.reader_words import GI_COUNTS_NOTE

    return GI_COUNTS_NOTE


NO_DATA = "no data"
"""How a month without data reads in a chart's table (the report's word; never 0)."""


@dataclass(slots=True)
class Chart:
    """A chart from the report's Vega-Lite spec builders, as plain data for a template.

    ``columns`` and ``rows`` are the chart's data table (suppressed figures read
    ``"suppressed"``, months without data ``"no data"``), the accessible alternative printed
    beside the chart; ``shown`` are the columns a reader's table shows (no identifiers) and
    ``headings`` their headings in readers' words.
    """

    chart_id: str
    title: str
    alt_text: str
    spec: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    note: str | None = None
    shown: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)


class ChartUnavailableError(ValueError):
    """The data given cannot make the chart (the message says why, for the page)."""


def _frame(records: list[dict[str, Any]]) -> Any:
    import pandas as pd

    frame = pd.DataFrame.from_records(records)
    for column in frame.columns:
        if frame[column].dtype == object:
            converted = pd.to_numeric(frame[column], errors="coerce")
            if converted.notna().sum() == frame[column].notna().sum() and converted.notna().any():
                frame[column] = converted
    return frame


def _chart(build: Any, **arguments: Any) -> Chart:
    from safecity.report.figures import FigureDataError, display_table
    from safecity.report.reader_words import column_heading, shown_columns

    try:
        figure = build(**arguments)
    except FigureDataError as error:
        raise ChartUnavailableError(str(error)) from error
    table = display_table(figure)
    columns = [str(column) for column in table.columns]
    shown = shown_columns(columns)
    rows = _records(table)
    if "has_data" in columns and "count" in columns:
        for row in rows:
            if row.get("has_data") is False and row.get("count") is None:
                row["count"] = NO_DATA
    return Chart(
        chart_id=figure.figure_id,
        title=figure.title,
        alt_text=figure.alt_text,
        spec=figure.spec,
        columns=columns,
        rows=rows,
        note=figure.note,
        shown=shown,
        headings=[column_heading(column) for column in shown],
    )


def survey_wave_pattern() -> str:
    """The regular expression a survey wave label matches (as ``safecity load survey``
    accepts it), anchored for the API's ``wave`` parameter."""
    from safecity.data.survey.wave_label import WAVE_LABEL_TEXT

    return f"^{WAVE_LABEL_TEXT}$"


def survey_minimum_base(manifest: Mapping[str, Any]) -> int | None:
    """The survey's minimum unweighted base, from a manifest's ``families.survey`` record."""
    from safecity.report.survey_section import minimum_base

    return minimum_base(manifest)


def survey_headline_chart(
    *,
    estimates: list[dict[str, Any]],
    waves: list[str],
    area_name: str,
    minimum_base: int | None,
) -> Chart:
    """The report's dot-and-interval chart of the survey's headline measures by wave, from
    public ``survey_estimates`` rows (suppressed estimates read "fewer than N respondents")."""
    from safecity.report.figures.survey import survey_headline_chart as build

    return _chart(
        build,
        estimates=_frame(estimates),
        waves=waves,
        area_name=area_name,
        minimum_base=minimum_base,
    )


def ward_rates_chart(
    *,
    wards: list[dict[str, Any]],
    area_value: float,
    area_name: str,
    indicator_name: str,
    period: str,
    indicator_id: str,
    denominator_label: str = "residents",
) -> Chart:
    """Ward rates with 95% intervals against the area's rate (the report's ward chart).

    ``wards`` are ward rows with the ``indicators`` column names.
    """
    from safecity.report.figures import ward_rates_chart as build

    return _chart(
        build,
        wards=_frame(wards),
        area_value=area_value,
        area_name=area_name,
        indicator_name=indicator_name,
        period=period,
        group_id=indicator_id,
        crime_group=indicator_id,
        denominator_label=denominator_label,
    )


def monthly_trend_chart(
    *, series: list[dict[str, Any]], indicator_id: str, indicator_name: str, area_name: str
) -> Chart:
    """Monthly counts with XmR limits (the report's trend chart) from ``monthly_series`` rows."""
    from safecity.report.figures import monthly_trend_chart as build

    return _chart(
        build,
        series=_frame(series),
        group_id=indicator_id,
        group_name=indicator_name,
        area_name=area_name,
        crime_group=indicator_id,
    )


def change_by_group_chart(
    *, indicators: list[dict[str, Any]], area_name: str, period: str, baseline: str
) -> Chart:
    """Percentage change by crime group with its significance (the report's change chart)."""
    from safecity.report.figures import change_by_group_chart as build

    return _chart(
        build,
        indicators=_frame(indicators),
        area_name=area_name,
        period=period,
        baseline=baseline,
    )


def deprivation_gradient_chart(
    *,
    rates: list[dict[str, Any]],
    gap: dict[str, Any] | None,
    indicator_id: str,
    indicator_name: str,
    area_name: str,
    period: str,
    grouping: str,
) -> Chart:
    """Rates by deprivation group with 95% intervals and the gap (the report's gradient chart).

    ``rates`` are ``deprivation_rates`` rows of one group and grouping; ``gap`` the matching
    ``deprivation_gaps`` row, if any.
    """
    import pandas as pd

    from safecity.report.figures import deprivation_gradient_chart as build

    return _chart(
        build,
        rates=_frame(rates),
        gap=None if gap is None else pd.Series(gap),
        indicator_name=indicator_name,
        area_name=area_name,
        period=period,
        group_id=indicator_id,
        grouping=grouping,
        crime_group=indicator_id,
    )


def ward_comparison_map(
    *,
    wards: list[dict[str, Any]],
    boundaries: dict[str, Any],
    indicator_id: str,
    indicator_name: str,
    area_name: str,
    period: str,
    per: str,
) -> Chart:
    """Wards shaded by the label their rate has against the area's (as the artefact labels it:
    Higher, Similar, Lower without judgement; Better, Similar, Worse with polarity; suppressed
    white, dashed): the report's choropleth builder with the palette's comparison colours, the
    same the web's tables and tags use.

    ``wards`` are ward rows of ``indicators`` (``area_code, area_name, value,
    benchmark_label, suppressed``). A ward with a value but no label reads "Not compared"
    (never "Similar").
    """
    from safecity.report.figures import SUPPRESSED, palette
    from safecity.report.figures.maps import choropleth_map
    from safecity.stats.labels import COMPARISON_WORDS, ComparisonLabel

    known = {label.value: label for label in palette.COMPARISON_STYLES}
    frame = _frame(wards)
    labels = []
    for row in wards:
        if row.get("value") is None:
            labels.append(SUPPRESSED)
        else:
            label = str(row.get("benchmark_label") or "")
            labels.append(label if label in known else ComparisonLabel.NOT_COMPARED.value)
    frame["comparison"] = labels
    classes = {label.value: style.fill for label, style in palette.COMPARISON_STYLES.items()}
    classes[SUPPRESSED] = palette.MISSING_FILL
    counts = {label: labels.count(label) for label in classes}
    judged = any(counts[label] for label in ("Better", "Worse", "Best", "Worst"))
    always = ("Worse", "Similar", "Better") if judged else ("Higher", "Similar", "Lower")
    words = {label.value: text for label, text in COMPARISON_WORDS.items()}
    shown = [
        f"{counts[label]} {words[label]}"
        for label in (*always, *(label for label in words if label not in always))
        if label in always or counts[label]
    ]
    alt_text = (
        f"Map of the {len(wards)} wards of {area_name} shaded by how their rate of "
        f"{indicator_name.lower()} {per} in {period} compares with the {area_name} rate: "
        + ", ".join(shown)
        + (f", {counts[SUPPRESSED]} suppressed." if counts[SUPPRESSED] else ".")
    )
    return _chart(
        choropleth_map,
        values=frame,
        boundaries=boundaries,
        class_column="comparison",
        classes=classes,
        title=f"{indicator_name}: wards compared with {area_name}, {period}",
        subtitle=[f"Rate {per}; 95% confidence interval against the {area_name} rate."],
        alt_text=alt_text,
        chart_id=f"ward-map-{indicator_id}",
        legend_title=f"Compared with {area_name}",
        source_table="indicators",
        crime_group=indicator_id,
        solid_classes=tuple(
            label.value
            for label, style in palette.COMPARISON_STYLES.items()
            if style.border is palette.BorderStyle.SOLID
        ),
        tooltip=[
            {"field": "area_name", "title": "Ward"},
            {"field": "value", "title": f"Rate {per}", "format": ",.1f"},
            {"field": "comparison", "title": f"Compared with {area_name}"},
        ],
    )


def lsoa_quintile_map(
    *,
    quintiles: list[dict[str, Any]],
    boundaries: dict[str, Any],
    indicator_id: str,
    indicator_name: str,
    area_name: str,
    period: str,
) -> Chart:
    """LSOAs shaded by quintile of their rate (the report's map), from ``lsoa_quintiles`` rows."""
    from safecity.report.figures import lsoa_quintile_map as build

    return _chart(
        build,
        quintiles=_frame(quintiles),
        boundaries=boundaries,
        indicator_name=indicator_name,
        area_name=area_name,
        period=period,
        group_id=indicator_id,
        crime_group=indicator_id,
    )


def hotspot_lsoa_map(
    *,
    hotspots: list[dict[str, Any]],
    boundaries: dict[str, Any],
    group_id: str,
    group_name: str,
    area_name: str,
    period: str,
) -> Chart:
    """LSOAs by Getis-Ord Gi* class (the report's map), from ``hotspots_lsoa`` rows."""
    from safecity.report.figures import hotspot_lsoa_map as build

    return _chart(
        build,
        hotspots=_frame(hotspots),
        boundaries=boundaries,
        group_name=group_name,
        area_name=area_name,
        period=period,
        group_id=group_id,
        crime_group=group_id,
    )


def hotspot_grid_map(
    *,
    cells: list[dict[str, Any]],
    boundaries: dict[str, Any],
    group_id: str,
    group_name: str,
    area_name: str,
    period: str,
    caveat: str | None,
) -> Chart:
    """Grid cells that are Gi* hot or cold spots (the report's map), from ``hotspots_grid``."""
    from safecity.report.figures import hotspot_grid_map as build

    return _chart(
        build,
        cells=_frame(cells),
        boundaries=boundaries,
        group_name=group_name,
        area_name=area_name,
        period=period,
        group_id=group_id,
        crime_group=group_id,
        caveat=caveat,
    )


def kde_map(
    *,
    cells: list[dict[str, Any]],
    boundaries: dict[str, Any],
    cell_size: float,
    group_id: str,
    group_name: str,
    area_name: str,
    period: str,
    caveat: str | None,
) -> Chart:
    """Kernel density of crime per km² (the report's map), from ``kde_grid`` rows."""
    from safecity.report.figures import kde_map as build

    return _chart(
        build,
        cells=_frame(cells),
        boundaries=boundaries,
        cell_size=cell_size,
        group_name=group_name,
        area_name=area_name,
        period=period,
        group_id=group_id,
        crime_group=group_id,
        caveat=caveat,
    )


def period_dates(label: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of an assessment's period label (``2024/25``, ``2022-02..2023-01``).

    None when ``label`` is not a period the core writes.
    """
    import calendar

    from safecity.assess.periods import PeriodError, parse_period

    try:
        period = parse_period(label)
    except PeriodError:
        return None
    last = period.last_month
    return period.first_month, last.replace(day=calendar.monthrange(last.year, last.month)[1])


def visual_language() -> dict[str, Any]:
    """The core's one palette as plain data, for the web's stylesheet, maps and spine charts.

    ``comparison`` maps every comparison label (Better, Similar, Worse, Best, Worst, Higher,
    Lower, Not compared) to its ``fill``, ``text`` colour and ``border`` style; ``change`` the
    change directions (increase, decrease, not-significant) likewise; ``gi_bins`` the Getis-Ord
    Gi* classes in legend order with their colours; ``hotspot_categories`` the emerging and
    persistent classes; ``sequential`` the light-to-dark scale of rates and densities; the
    rest are single colours (no data, outlines, the spine chart's parts).
    """
    from safecity.report.figures import palette

    def style(entry: Any) -> dict[str, str]:
        return {"fill": entry.fill, "text": entry.text, "border": entry.border.value}

    return {
        "comparison": {
            label.value: style(entry) for label, entry in palette.COMPARISON_STYLES.items()
        },
        "change": {
            direction.value: style(entry) for direction, entry in palette.CHANGE_STYLES.items()
        },
        "gi_bins": [[label, colour] for label, colour in palette.GI_BIN_COLOURS.items()],
        "hotspot_categories": dict(palette.HOTSPOT_CATEGORY_COLOURS),
        "not_significant": palette.GI_BIN_COLOURS["not significant"],
        "sequential": list(palette.VIRIDIS_RANGE),
        "no_data": palette.NO_DATA_FILL,
        "background": palette.WHITE,
        "area_outline": palette.MID_GREY,
        "page_ink": palette.PAGE_INK,
        "spine_range": palette.SPINE_RANGE,
        "spine_middle_half": palette.SPINE_MIDDLE_HALF,
    }


# --- Recommendations and commentary (issue 17: safecity_web.commentary) -----------------------
class CommentaryInvalidError(ValueError):
    """A commentary file that is not valid: the message names the entry."""


def draft_recommendations(
    *,
    scores: list[dict[str, Any]],
    top: list[dict[str, Any]],
    period: str,
    known_rows: set[str],
) -> list[dict[str, Any]]:
    """The recommendations the core drafts from the published priority tables, as dicts.

    ``scores`` and ``top`` are the rows of the public ``priority_scores`` and ``priority_top``
    tables; ``known_rows`` the ids published for the assessment (a recommendation cites only
    those). Each dict has ``recommendation_id, group_id, group_name, kind, rank, issues, score,
    text, row_ids`` and ``drivers`` (``criterion, label, score, basis, row_ids``).
    """
    import pandas as pd

    from safecity.report.recommendations import draft_recommendations as draft

    drafted = draft(
        scores=pd.DataFrame.from_records(scores) if scores else None,
        top=pd.DataFrame.from_records(top) if top else None,
        period=period,
        known_rows=known_rows,
    )
    return [
        {
            "recommendation_id": item.recommendation_id,
            "group_id": item.group_id,
            "group_name": item.group_name,
            "kind": item.kind.value,
            "rank": item.rank,
            "issues": item.issues,
            "score": item.score,
            "text": item.text,
            "row_ids": list(item.row_ids),
            "drivers": [
                {
                    "criterion": driver.criterion,
                    "label": driver.label,
                    "score": driver.score,
                    "basis": driver.basis,
                    "row_ids": list(driver.row_ids),
                }
                for driver in item.drivers
            ],
        }
        for item in drafted
    ]


def recommendation_evidence_columns() -> list[str]:
    """The ``priority_scores`` columns whose ``;``-joined row ids a recommendation may cite."""
    from safecity.report.recommendations import load_recommendation_wording

    return ["priority_id"] + [
        f"{criterion}_evidence" for criterion in load_recommendation_wording().criteria
    ]


def render_commentary(text: str) -> str:
    """Analyst's Markdown as sanitised HTML (markdown-it-py, raw HTML off, then nh3)."""
    from safecity.report.commentary import render_markdown

    return render_markdown(text)


def read_commentary_file(*, path: Path) -> dict[str, Any]:
    """A commentary file (``docs/commentary.md``) as plain data.

    Returns ``{"decisions": [{group_id, decision, text, reason, organisation, author, date}],
    "entries": [{target, key, markdown, organisation, author, date}]}`` (dates as
    ``datetime.date`` or None).

    Raises
    ------
    CommentaryInvalidError
        When the file cannot be read or is not valid; the message names the entry.
    """
    from safecity.report.commentary import CommentaryError, read_commentary

    try:
        commentary = read_commentary(path)
    except CommentaryError as error:
        raise CommentaryInvalidError(str(error)) from error
    return {
        "decisions": [
            {
                "group_id": item.group_id,
                "decision": item.decision.value,
                "text": item.text,
                "reason": item.reason,
                "organisation": item.attribution.organisation,
                "author": item.attribution.author,
                "date": item.attribution.date,
            }
            for item in commentary.decisions.values()
        ],
        "entries": [
            {
                "target": entry.target.value,
                "key": entry.key,
                "markdown": entry.markdown,
                "organisation": entry.attribution.organisation,
                "author": entry.attribution.author,
                "date": entry.attribution.date,
            }
            for entry in commentary.entries
        ],
    }


def community_reports_config() -> Any:
    """The community-reporting vocabulary (``safecity.config.community_reports``).

    Returned as the core's frozen configuration records (kinds, strands, duties, services,
    rules): immutable values with look-ups by id, no data frames or warehouse handles.
    """
    from safecity.config.community_reports import community_reports_config as read_config

    return read_config()


def intelligence_config() -> Any:
    """The partner-intelligence vocabulary (``safecity.config.intelligence``).

    Grading scales (3x5x2), provenance, subject kinds, receivers, topics with their routing and
    review and retention rules, outcomes and the counts' minimum: frozen records with look-ups.
    """
    from safecity.config.intelligence import intelligence_config as read_config

    return read_config()


def alerts_config() -> Any:
    """The alerts configuration (``safecity.config.alerts``).

    Kinds of alert (label, optional or by role, the roles that receive them), how many recent
    months of a monthly series are looked at, when an action update is overdue, the daily
    digest's hour: frozen records with a look-up by kind id.
    """
    from safecity.config.alerts import alerts_config as read_config

    return read_config()


_AREA_LOCATORS: dict[Any, Any] = {}


def _area_locator(*, boundaries_key: Any, boundaries: Mapping[str, Any]) -> Any:
    from safecity.geography.point_in_area import AreaLocator

    locator = _AREA_LOCATORS.get(boundaries_key)
    if locator is None:
        _AREA_LOCATORS.clear()
        locator = AreaLocator(boundaries=boundaries)
        _AREA_LOCATORS[boundaries_key] = locator
    return locator


def place_point(
    *, boundaries_key: Any, boundaries: Mapping[str, Any], latitude: float, longitude: float
) -> dict[str, str]:
    """The CSP, ward and LSOA codes containing a point (``""`` where none does).

    ``boundaries_key`` identifies the boundaries (a published assessment's id): the spatial
    index built for them is kept for the next call.
    """
    placed = _area_locator(boundaries_key=boundaries_key, boundaries=boundaries).place(
        latitude=latitude, longitude=longitude
    )
    return {
        "area_code": placed.area_code,
        "ward_code": placed.ward_code,
        "lsoa_code": placed.lsoa_code,
    }


def named_places(*, boundaries_key: Any, boundaries: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every ward and LSOA of the boundaries by name, with a point inside each."""
    locator = _area_locator(boundaries_key=boundaries_key, boundaries=boundaries)
    return [
        {
            "name": place.name,
            "area_level": place.area_level,
            "area_code": place.area_code,
            "latitude": place.latitude,
            "longitude": place.longitude,
        }
        for place in locator.named_places()
    ]


def load_community_reports(*, path: Path, warehouse: Path) -> dict[str, Any]:
    """Load a de-identified ``community-reports`` CSV into the warehouse (the core's loader).

    The same loader as ``safecity load community-reports`` (issue 13); returns its summary.
    """
    from safecity.data.community_reports.loader import load_community_reports_file

    summary: dict[str, Any] = dict(load_community_reports_file(warehouse_path=warehouse, path=path))
    return summary


DEMO_REPORTS_SEED = 20221
"""The seed ``safecity demo`` draws its synthetic community reports with (its default)."""


def _published_demo_area() -> tuple[dict[str, Any], str] | None:
    """The published assessment's boundaries and its period's last month (``YYYY-MM``)."""
    from safecity_web.observatory.models import PublishedAssessment
    from safecity_web.reporting.submission import current_boundaries

    current = current_boundaries()
    if current is None:
        return None
    key, boundaries = current
    manifest = PublishedAssessment.objects.filter(pk=key).values_list("manifest", flat=True).first()
    months = ((manifest or {}).get("parameters") or {}).get("period_months") or []
    if len(months) != 2:
        return None
    return boundaries, str(months[1])


def synthetic_community_reports(
    *,
    boundaries: Mapping[str, Any] | None = None,
    seed: int = DEMO_REPORTS_SEED,
    last_month: str | None = None,
) -> list[dict[str, Any]]:
    """The demo's synthetic community reports, as plain records (issue 13).

    The same reports ``safecity demo`` writes as its export CSV (same ``boundaries``, seed and
    months give the same reports), so the site's export of them equals the demo's file. Each
    record has ``kind, category, strands`` (list), ``channel``, ``received_at`` (aware UTC
    datetime), ``occurred_from``, ``occurred_to`` (dates), ``latitude, longitude`` (None when
    online), ``online``, ``area_code, ward_code, lsoa_code`` (``""`` without a point),
    ``losses_pounds`` (Decimal or None) and a harmless synthetic ``description``.

    Parameters
    ----------
    boundaries
        An assessment's ``boundaries.geojson`` (one CSP, its wards and LSOAs); default: those
        of the assessment published on the site.
    seed
        The demo seed (``safecity demo --seed``, default 20221).
    last_month
        ``YYYY-MM``: the last month of the assessed year; reports cover it and the year before;
        default: that of the published assessment.

    Returns
    -------
    list of dict
        The records, oldest first; none when no boundaries are given and nothing with
        boundaries is published.
    """
    from safecity.data.synthetic.community_reports import (
        synthetic_community_reports as generate,
    )

    if boundaries is None or last_month is None:
        published = _published_demo_area()
        if published is None:
            return []
        boundaries = published[0] if boundaries is None else boundaries
        last_month = published[1] if last_month is None else last_month
    return [
        report.as_record()
        for report in generate(boundaries=boundaries, seed=seed, last_month=last_month)
    ]


def intelligence_counts_columns() -> list[str]:
    """The header of the de-identified ``intelligence-counts`` CSV (issue 14), in order."""
    from safecity.data.intelligence_counts.export_format import EXPORT_COLUMNS

    return list(EXPORT_COLUMNS)


def intelligence_counts_csv(*, rows: list[dict[str, Any]]) -> str:
    """The ``intelligence-counts`` CSV text of ``rows`` as the core writes and reads it.

    Each row has ``area_code, month`` (``YYYY-MM``), ``topic``, ``ward_code`` (``""`` for none)
    and ``submissions`` (int >= 1); the text has the header first and rows sorted by key.
    """
    from safecity.data.intelligence_counts.export_format import CountRow, export_text

    return export_text(
        [
            CountRow(
                area_code=str(row["area_code"]),
                month=str(row["month"]),
                topic=str(row["topic"]),
                ward_code=str(row["ward_code"]),
                submissions=int(row["submissions"]),
            )
            for row in rows
        ]
    )


def load_intelligence_counts(*, path: Path, warehouse: Path) -> dict[str, Any]:
    """Load an ``intelligence-counts`` CSV into the warehouse with the core's loader.

    The same loader as ``safecity load intelligence-counts`` (issue 14); returns its summary.
    """
    from safecity.data.intelligence_counts.loader import load_intelligence_counts_file

    summary: dict[str, Any] = dict(
        load_intelligence_counts_file(warehouse_path=warehouse, path=path)
    )
    return summary


def suppress_count_grid(
    *, counts: Mapping[tuple[str, str], int], rows: list[str], columns: list[str], threshold: int
) -> dict[str, Any]:
    """Which counts of a rows x columns table (with its totals) to withhold (issue 14).

    The core's disclosure control (:func:`safecity.assess.grid_disclosure.suppress_grid`):
    counts from 1 to ``threshold - 1`` withheld, and others so that none of them can be worked
    out from the row, column and grand totals.

    Returns
    -------
    dict
        ``cells`` (set of ``(row, column)``), ``row_totals`` and ``column_totals`` (sets of
        keys), ``grand_total`` (bool), ``primary`` and ``secondary`` (how many withheld).
    """
    from safecity.assess.grid_disclosure import suppress_grid

    result = suppress_grid(counts=counts, rows=rows, columns=columns, threshold=threshold)
    return {
        "cells": set(result.cells),
        "row_totals": set(result.row_totals),
        "column_totals": set(result.column_totals),
        "grand_total": result.grand_total,
        "primary": result.primary,
        "secondary": result.secondary,
    }
