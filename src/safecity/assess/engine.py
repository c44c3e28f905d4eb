"""Running an assessment: from the warehouse to the Assessment artefact.

Families 1 (volume and rate), 2 (change against the baseline and the previous three periods'
average; monthly series with XmR limits) and 4 (distribution: ward and LSOA rates against the
area, LSOA quintiles, concentration) make the ``indicators`` table; the other families run from
:mod:`safecity.assess.families.registry` on the same inputs; findings (family 12) come last.
The manifest lists every family not yet implemented, and every group skipped, with why.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.artefact import Artefact, write_artefact
from safecity.assess.boundaries_export import (
    BOUNDARIES_FILE,
    area_boundaries,
    boundaries_manifest,
)
from safecity.assess.context import AssessmentInputs, AssessmentOptions
from safecity.assess.counts import group_counts_from_categories, police_uk_category_counts
from safecity.assess.coverage import (
    Coverage,
    CoverageRule,
    area_coverage,
    month_span_code,
    month_span_words,
)
from safecity.assess.crime_groups import CrimeGroup, DataSource, load_crime_groups
from safecity.assess.denominators import lsoa_denominators
from safecity.assess.disclosure import choose_hidden, public_findings, withhold
from safecity.assess.disclosure_policy import (
    DisclosurePolicy,
    load_disclosure_policy,
)
from safecity.assess.disclosure_tables import (
    DisclosureContext,
    build_disclosure_model,
    extract_atoms,
    extract_structure,
    police_uk_atoms,
    police_uk_structure,
)
from safecity.assess.extract_counts import (
    extract_profile_counts,
    group_counts_from_extract,
    offence_classification,
)
from safecity.assess.fact_source import FactSource, warehouse_facts
from safecity.assess.families.rates import (
    add_benchmarks,
    add_change,
    add_three_period_average,
    concentration,
    counts_by_area,
    denominators_by_area,
    finish_indicator_table,
    lsoa_quintiles,
    rate_rows,
)
from safecity.assess.families.registry import REGISTERED_FAMILIES, unimplemented_families
from safecity.assess.families.series import monthly_series
from safecity.assess.findings import (
    change_findings,
    findings_table,
    order_findings,
    ward_findings,
)
from safecity.assess.periods import Period
from safecity.assess.study_area import StudyArea, resolve_study_area
from safecity.data.warehouse import Warehouse


class AssessmentDataError(ValueError):
    """The warehouse holds no crime data the assessment could rest on, saying what to load."""


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """What ``run_assessment`` wrote and found."""

    out_dir: Path
    manifest_path: Path
    area: StudyArea
    period: Period
    baseline: Period
    indicators: pd.DataFrame
    findings: pd.DataFrame


@dataclass(frozen=True, slots=True)
class CountInputs:
    """The area's counts: by group, LSOA and month (months with data), and the aggregates
    they come from (police.uk categories and the extract profile over the window, and the
    offence classification), which disclosure control treats as atoms."""

    counts: pd.DataFrame
    profile: pd.DataFrame
    categories: pd.DataFrame
    classification: pd.DataFrame


SOURCE_NEEDS = {
    DataSource.POLICE_UK.value: "data.police.uk street files",
    DataSource.EXTRACT.value: "a force record-level extract (offence codes, flags, victims)",
}


def _not_assessed(group: CrimeGroup, *, coverage: Coverage, period: Period, area: StudyArea) -> str:
    """Why ``group`` cannot be assessed: the source it needs and what is loaded of it."""
    needs = []
    if group.extract is not None:
        needs.append(DataSource.EXTRACT.value)
    if group.police_uk_defined():
        needs.append(DataSource.POLICE_UK.value)
    reasons = []
    for source in needs:
        if DataSource(source) not in coverage.by_source:
            reasons.append(f"{SOURCE_NEEDS[source]}, and none is loaded for {area.name}")
        else:
            reasons.append(
                f"{SOURCE_NEEDS[source]}, which has no month of {period.label} for {area.name}"
                f" (months with data: {month_span_words(coverage.months(source))})"
            )
    return "not assessed: needs " + "; or ".join(reasons)


def _counts(
    warehouse: Warehouse,
    *,
    area: StudyArea,
    window: Period,
    period: Period,
    groups: list[CrimeGroup],
    coverage: Coverage,
    backend: Any | None = None,
) -> tuple[CountInputs, dict[str, str], dict[str, str]]:
    """Group counts by LSOA and month over ``window``, the source of each group, and skips.

    A group is computed from the force extract when it is defined for it and the extract has
    data for a month of ``period``, otherwise from police.uk when it is defined for police.uk
    and police.uk has such a month; otherwise it is "not assessed" with the source it needs
    (absent is never zero, methods.md §0.2a). Only months with data are kept.
    """
    lsoa_codes = area.lsoas["lsoa_code"].tolist()
    backend = warehouse.ibis if backend is None else backend
    categories = police_uk_category_counts(
        backend,
        first_month=window.first_month,
        last_month=window.last_month,
        lsoa_codes=lsoa_codes,
    ).to_pandas()
    police_uk = group_counts_from_categories(
        categories, groups=[group for group in groups if group.police_uk_defined()]
    )
    profile = extract_profile_counts(
        backend,
        first_month=window.first_month,
        last_month=window.last_month,
        lsoa_codes=lsoa_codes,
    ).to_pandas()
    classification = offence_classification(warehouse)
    extract, flag_skips = group_counts_from_extract(
        profile, groups=groups, classification=classification
    )
    has_extract = bool(coverage.months_in(DataSource.EXTRACT, period))
    has_police_uk = bool(coverage.months_in(DataSource.POLICE_UK, period))
    sources: dict[str, str] = {}
    skipped: dict[str, str] = {}
    frames = []
    for group in groups:
        if has_extract and group.extract is not None and group.id not in flag_skips:
            sources[group.id] = DataSource.EXTRACT.value
            frames.append(extract[extract["group_id"] == group.id])
        elif group.police_uk_defined() and has_police_uk:
            sources[group.id] = DataSource.POLICE_UK.value
            frames.append(police_uk[police_uk["group_id"] == group.id])
        elif has_extract and group.id in flag_skips:
            skipped[group.id] = f"not assessed: {flag_skips[group.id]}"
        else:
            skipped[group.id] = _not_assessed(group, coverage=coverage, period=period, area=area)
    counts = pd.concat(frames, ignore_index=True) if frames else police_uk.iloc[0:0]
    counts["month"] = pd.to_datetime(counts["month"])
    kept = pd.Series(False, index=counts.index)
    for source in set(sources.values()):
        months = [pd.Timestamp(month) for month in coverage.months(source)]
        of_source = counts["group_id"].map(sources) == source
        kept |= of_source & counts["month"].isin(months)
    return (
        CountInputs(
            counts=counts[kept].reset_index(drop=True),
            profile=profile,
            categories=categories,
            classification=classification,
        ),
        sources,
        skipped,
    )


def _coverage_manifest(coverage: Coverage, *, period: Period, baseline: Period) -> dict[str, Any]:
    """Months with data by source, in the period and baseline, and the rule (for the manifest)."""
    return {
        "rule": {
            "minimum_share_of_months": coverage.rule.minimum_share_of_months,
            "extract_month_minimum_share": coverage.rule.extract_month_minimum_share,
            "low_month_share": coverage.rule.low_month_share,
            "low_months_are_missing": coverage.rule.low_months_are_missing,
        },
        "sources": {
            source.value: {
                "suppliers": list(found.suppliers),
                "months": month_span_code(found.months),
                "low_months": month_span_code(found.low_months),
                "period_months": len(coverage.months_in(source, period)),
                "baseline_months": len(coverage.months_in(source, baseline)),
            }
            for source, found in coverage.by_source.items()
        },
    }


def _disclosure_control(
    public_tables: dict[str, pd.DataFrame],
    *,
    count_inputs: CountInputs,
    groups: list[CrimeGroup],
    context: DisclosureContext,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The public tables with protected counts withheld jointly, and the manifest's account."""
    started = time.perf_counter()
    used = set(context.sources.values())
    if DataSource.EXTRACT.value in used and context.policy.protects(DataSource.EXTRACT.value):
        atoms = extract_atoms(
            count_inputs.profile, classification=count_inputs.classification, groups=groups
        )
        context.atoms[DataSource.EXTRACT.value] = (atoms, 0)
        context.structure[DataSource.EXTRACT.value] = extract_structure(
            count_inputs.classification,
            codes=atoms.rows["offence_code"].dropna().astype(str).unique().tolist(),
            groups=groups,
        )
    if DataSource.POLICE_UK.value in used and context.policy.protects(DataSource.POLICE_UK.value):
        context.atoms[DataSource.POLICE_UK.value] = (
            police_uk_atoms(count_inputs.categories, groups=groups),
            0,
        )
        context.structure[DataSource.POLICE_UK.value] = police_uk_structure(groups)
    published = build_disclosure_model(context, public_tables)
    result = choose_hidden(published, threshold=context.policy.threshold)
    tables = withhold(
        public_tables, published=published, hidden=result.hidden, threshold=context.policy.threshold
    )
    account = {
        "threshold": context.policy.threshold,
        "protected_sources": sorted(context.policy.protected_sources),
        "protected_sources_used": sorted(context.atoms),
        "published_counts": len(published.model.keys),
        "withheld_counts": int(result.hidden.sum()),
        "primary_classes": result.primary,
        "secondary_classes": result.secondary,
        "audit_rounds": result.audit_rounds,
        "seconds": round(time.perf_counter() - started, 3),
        "rule": (
            "counts from protected sources under the threshold withheld, with secondary"
            " suppression across every public table sharing a margin, audited by linear"
            " programming so that no withheld count can be narrowed to an interval shorter"
            " than the threshold (methods.md §0.2a)"
        ),
    }
    return tables, account


def _input_files(warehouse: Warehouse) -> list[dict[str, Any]]:
    rows = warehouse.connection.execute(
        "SELECT file_id, path, format, sha256, rows_in, loaded, quarantined, loaded_at"
        " FROM load_file WHERE status IN ('loaded', 'replaced') AND superseded_by IS NULL"
        " ORDER BY file_id"
    ).fetchall()
    keys = ("file_id", "path", "format", "sha256", "rows_in", "loaded", "quarantined", "loaded_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("safecity", "duckdb", "ibis-framework", "numpy", "scipy", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def vars_of(options: AssessmentOptions) -> dict[str, object]:
    """The options as a mapping (for the manifest)."""
    return {name: getattr(options, name) for name in options.__slots__}


def run_assessment(
    warehouse: Warehouse,
    *,
    area_code: str,
    period: Period,
    out_dir: Path,
    baseline: Period | None = None,
    crime_groups_path: Path | None = None,
    suppression_threshold: int | None = None,
    seed: int = 20221,
    options: AssessmentOptions | None = None,
    facts: FactSource | None = None,
    coverage_rule: CoverageRule | None = None,
    disclosure_policy: DisclosurePolicy | None = None,
) -> AssessmentResult:
    """Assess ``area_code`` over ``period`` and write the artefact to ``out_dir``.

    Parameters
    ----------
    warehouse
        The loaded warehouse.
    area_code
        GSS code of a CSP, local authority or police force area.
    period
        The months assessed.
    out_dir
        Folder for the artefact.
    baseline
        The comparison period; by default the same length immediately before.
    crime_groups_path
        A crime-groups YAML file to use instead of the shipped one.
    suppression_threshold
        Counts from 1 to this minus one of protected sources are withheld from the public
        tables; it overrides the policy's threshold (default: the policy's, 5).
    seed
        Seed for simulations (SII intervals, permutation tests): the same seed, the same
        artefact.
    options
        Comparators, priority inputs and harm index for the families that use them.
    facts
        Where the count aggregations run (:mod:`safecity.assess.fact_source`): by default
        DuckDB on ``warehouse``; or DuckDB or Spark on a lake, whose backend holds the same
        ``police_uk_street`` and extract tables. Lookups, denominators and the study area
        always come from ``warehouse``. The manifest records the engine.
    coverage_rule
        When months have data and how periods are compared (default: the shipped
        ``coverage.yaml``, methods.md §0.2a).
    disclosure_policy
        Which sources' counts are protected in public tables (default: the shipped
        ``disclosure.yaml``: force extracts, partner data, surveys and community reports,
        not data.police.uk).

    Raises
    ------
    AssessmentDataError
        When no crime data is loaded for the area, or none for any month of ``period``.
    """
    started = time.perf_counter()
    fact_source = facts or warehouse_facts(warehouse)
    policy = disclosure_policy or load_disclosure_policy()
    if suppression_threshold is not None:
        policy = policy.with_threshold(suppression_threshold)
    area = resolve_study_area(warehouse, code=area_code)
    baseline = baseline or period.preceding(count=1)[0]
    previous = period.preceding(count=3)
    groups = load_crime_groups(crime_groups_path)
    earliest = min(previous[-1].first_month, baseline.first_month)
    window = Period(first_month=earliest, last_month=max(period.last_month, baseline.last_month))
    coverage = area_coverage(warehouse, area=area, window=window, rule=coverage_rule)
    if not coverage.by_source:
        raise AssessmentDataError(
            f"no crime data is loaded for {area.name} ({area.code}) between"
            f" {window.first_month:%Y-%m} and {window.last_month:%Y-%m}: load police.uk street"
            " files (safecity load police-uk) or a force extract (safecity load extract)"
        )
    count_inputs, sources, skipped = _counts(
        warehouse,
        area=area,
        window=window,
        period=period,
        groups=groups,
        coverage=coverage,
        backend=fact_source.backend,
    )
    counts = count_inputs.counts
    if not sources:
        raise AssessmentDataError(
            f"no crime data for any month of {period.label} in {area.name} ({area.code}):"
            f" months with data are police.uk"
            f" {month_span_words(coverage.months(DataSource.POLICE_UK))}, force extract"
            f" {month_span_words(coverage.months(DataSource.EXTRACT))}"
        )
    active = [group for group in groups if group.id in sources]

    denominators = lsoa_denominators(
        warehouse,
        lsoa_codes=area.lsoas["lsoa_code"].tolist(),
        lsoa_vintage=area.lsoa_vintage,
        year=period.mid_year,
    )
    baseline_denominators = lsoa_denominators(
        warehouse,
        lsoa_codes=area.lsoas["lsoa_code"].tolist(),
        lsoa_vintage=area.lsoa_vintage,
        year=baseline.mid_year,
    )
    current = rate_rows(
        counts=counts_by_area(counts, area=area, period=period),
        denominators=denominators_by_area(denominators.table, area=area),
        groups=active,
        period=period,
        sources=sources,
        coverage=coverage,
    )
    indicators, refused = add_change(
        current,
        group_counts=counts,
        area=area,
        period=period,
        baseline=baseline,
        baseline_denominators=denominators_by_area(baseline_denominators.table, area=area),
        groups=active,
        sources=sources,
        coverage=coverage,
    )
    for source, reason in refused.items():
        skipped[f"change:{source}"] = f"change against {baseline.label} not made: {reason}"
    indicators, refused = add_three_period_average(
        indicators,
        group_counts=counts,
        area=area,
        period=period,
        previous=previous,
        sources=sources,
        coverage=coverage,
    )
    for source, reason in refused.items():
        skipped[f"three_period_average:{source}"] = (
            "comparison with the previous three periods' average not made: " + reason
        )
    indicators = add_benchmarks(indicators, area=area)
    indicators = finish_indicator_table(indicators)
    indicators.insert(
        0,
        "row_id",
        indicators["indicator_id"] + ":" + indicators["area_code"] + ":" + period.label,
    )
    indicators["suppressed"] = False
    series = monthly_series(
        counts, area=area, window=window, period=period, sources=sources, coverage=coverage
    )
    inputs = AssessmentInputs(
        warehouse=warehouse,
        area=area,
        period=period,
        baseline=baseline,
        window=window,
        groups=active,
        sources=sources,
        counts=counts,
        denominators=denominators,
        indicators=indicators,
        seed=seed,
        options=options or AssessmentOptions(),
        coverage=coverage,
        policy=policy,
    )
    outputs = {}
    timings = {"families_1_2_4_seconds": round(time.perf_counter() - started, 3)}
    for name, family in REGISTERED_FAMILIES.items():
        # DuckDB refuses some work while an earlier result is unread (e.g. after fetchone):
        # each family starts on a connection with nothing pending.
        warehouse.connection.complete()
        family_started = time.perf_counter()
        outputs[name] = family(inputs)
        timings[f"{name}_seconds"] = round(time.perf_counter() - family_started, 3)
    family_findings = [finding for output in outputs.values() for finding in output.findings]
    for output in outputs.values():
        skipped.update(output.skipped)
    findings = findings_table(
        order_findings(
            change_findings(indicators, area_code=area.code, period=period, baseline=baseline)
            + ward_findings(indicators, area_name=area.name, period=period)
            + family_findings
        )
    )
    group_table = pd.DataFrame(
        [
            {
                "group_id": group.id,
                "name": group.name,
                "source": sources.get(group.id, ""),
                "computed": group.id in sources,
                "months_with_data": len(coverage.months_in(sources[group.id], period))
                if group.id in sources
                else 0,
                "skipped_reason": skipped.get(group.id, ""),
            }
            for group in groups
        ]
    )
    quintiles = lsoa_quintiles(indicators, units={group.id: group.unit for group in active})
    boundaries = area_boundaries(warehouse, area=area)
    if boundaries is None:
        skipped["boundaries"] = (
            f"no LSOA boundaries of vintage {area.lsoa_vintage} are loaded for the area:"
            " no boundaries.geojson, maps are left out (safecity load reference boundaries FILE)"
        )
    manifest = {
        "kind": "safecity-assessment",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "area": {
            "code": area.code,
            "name": area.name,
            "level": area.level.value,
            "lsoas": len(area.lsoas),
            "wards": int(area.lsoas["ward_code"].nunique()),
        },
        "parameters": {
            "period": period.label,
            "period_months": [f"{period.first_month:%Y-%m}", f"{period.last_month:%Y-%m}"],
            "baseline": baseline.label,
            "previous_periods": [earlier.label for earlier in previous],
            "confidence": 0.95,
            "rate_multiplier": 1000,
            "suppression_threshold": policy.threshold,
            "seed": seed,
            "options": {
                key: None if value is None else str(value)
                for key, value in vars_of(options or AssessmentOptions()).items()
            },
        },
        "vintages": {
            "lsoa": area.lsoa_vintage,
            "ward": area.ward_vintage,
            "population_year": denominators.population_year,
            "households_year": denominators.households_year,
            "population_note": denominators.note,
            "data_months": sorted({f"{month:%Y-%m}" for month in counts["month"].dt.date.unique()}),
        },
        "config": {
            "crime_groups": str(crime_groups_path or "safecity.config/crime_groups.yaml"),
            "crime_groups_sha256": hashlib.sha256(
                crime_groups_path.read_bytes() if crime_groups_path else b""
            ).hexdigest()
            if crime_groups_path
            else "packaged",
        },
        "coverage": _coverage_manifest(coverage, period=period, baseline=baseline),
        "inputs": _input_files(warehouse),
        "versions": _versions(),
        "timings": timings,
        "skipped": {**skipped, **unimplemented_families()},
        "families": {name: output.manifest for name, output in outputs.items() if output.manifest},
        "engine": {"engine": fact_source.engine.value, "facts": fact_source.description},
    }
    if boundaries is not None:
        manifest["boundaries"] = boundaries_manifest(boundaries)
    public_tables = {
        "indicators": indicators.assign(suppressed=False),
        # what was assessed, from which source, and why the rest was not (no counts in it)
        "crime_groups": group_table,
        "lsoa_quintiles": quintiles.assign(suppressed=False),
        "monthly_series": series.assign(suppressed=False),
        **{
            name: table
            for output in outputs.values()
            for name, table in output.public_tables.items()
        },
    }
    public_tables, manifest["disclosure"] = _disclosure_control(
        public_tables,
        count_inputs=count_inputs,
        groups=active,
        context=DisclosureContext(
            area=area,
            period=period,
            baseline=baseline,
            previous=previous,
            coverage=coverage,
            sources=sources,
            policy=policy,
            atoms={},
        ),
    )
    public_tables["findings"] = public_findings(findings, public_tables=public_tables)
    artefact = Artefact(
        tables={
            "indicators": indicators,
            "crime_groups": group_table,
            "lsoa_quintiles": quintiles,
            "concentration": concentration(indicators),
            "monthly_series": series,
            **{name: table for output in outputs.values() for name, table in output.tables.items()},
            "findings": findings,
        },
        public_tables=public_tables,
        manifest=manifest,
        shared_files={}
        if boundaries is None
        else {BOUNDARIES_FILE: json.dumps(boundaries, separators=(",", ":")) + "\n"},
    )
    manifest_path = write_artefact(artefact, out_dir=out_dir)
    return AssessmentResult(
        out_dir=out_dir,
        manifest_path=manifest_path,
        area=area,
        period=period,
        baseline=baseline,
        indicators=indicators,
        findings=findings,
    )


__all__ = ["AssessmentDataError", "AssessmentResult", "run_assessment"]
