"""``safecity demo``: the main job on the synthetic demo city, from nothing to a warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safecity.assess.engine import run_assessment
from safecity.assess.periods import months_ending, parse_period
from safecity.assess.study_area import lsoa_hierarchy
from safecity.cli.assess import print_headline_findings
from safecity.cli.demo_community_reports import load_demo_community_reports
from safecity.cli.demo_intelligence_counts import load_demo_intelligence_counts
from safecity.cli.options import (
    JsonOption,
    console,
    error_console,
    print_json,
    styled,
)
from safecity.cli.report import print_report_written
from safecity.cli.reporting import byte_progress, print_load_reports
from safecity.cli.status import print_status
from safecity.data.demo_load import load_demo
from safecity.data.status import warehouse_status
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.synthetic.survey import write_demo_survey
from safecity.data.warehouse import Warehouse
from safecity.report.artefact_reader import Audience
from safecity.report.writer import parse_generated_at, write_report

DEFAULT_DEMO_FOLDER = Path("demo")
DEMO_WAREHOUSE_FILE = "safecity.duckdb"
DEMO_REPORT_FOLDER = "report"


def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the generated demo files.")
    ] = DEFAULT_DEMO_FOLDER,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic city.")] = 20221,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            "--warehouse",
            help="Warehouse for the demo (default: safecity.duckdb inside --out, so the demo"
            " never mixes with your own data).",
            dir_okay=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic demo city, load it, assess it; show the load, coverage, findings."""
    say = (error_console if as_json else console).print
    say(styled(("1/4", "bold"), f" Generating the synthetic demo city (seed {seed}) in {out}/ ..."))
    dataset = generate_demo_data(out_dir=out, seed=seed, scale=DemoScale.CITY)
    say(
        f"    {len(dataset.police_uk_files)} police.uk files, {dataset.police_uk_rows:,} rows,"
        f" months {dataset.months[0]} to {dataset.months[-1]}; force extract and reference files"
    )
    survey = write_demo_survey(dataset=dataset)
    say(
        "    residents' survey: "
        + "; ".join(
            f"wave {wave.label} ({wave.path.suffix.lstrip('.')}, {len(wave.respondents):,}"
            f" respondents, fieldwork {wave.fieldwork_start} to {wave.fieldwork_end})"
            for wave in survey.waves
        )
    )
    warehouse = warehouse or out / DEMO_WAREHOUSE_FILE
    say(styled(("2/4", "bold"), f" Loading it into {warehouse} ..."))
    total = 2 * sum(file.path.stat().st_size for file in dataset.police_uk_files)
    with Warehouse(warehouse) as store:
        with byte_progress(description="Loading police.uk files", total_bytes=total) as advance:
            result = load_demo(store, dataset=dataset, survey=survey, progress=advance)
        last = parse_period(f"{dataset.months[-1]}..{dataset.months[-1]}").last_month
        period = months_ending(last_month=last)
        area_codes = sorted(lsoa_hierarchy(store)[0]["csp_code"].dropna().unique())
        community = load_demo_community_reports(
            store,
            area_code=str(area_codes[0]),
            seed=seed,
            last_month=dataset.months[-1],
            out_dir=out,
        )
        result.reports.append(community.load)
        say(
            f"    community reports: {len(community.reports.reports):,} synthetic reports over"
            f" two years written as the site's export ({community.reports.path.relative_to(out)})"
        )
        intelligence = load_demo_intelligence_counts(
            store,
            area_code=str(area_codes[0]),
            seed=seed,
            last_month=dataset.months[-1],
            out_dir=out,
        )
        result.reports.append(intelligence.load)
        submissions = sum(row.submissions for row in intelligence.counts.rows)
        say(
            f"    partner intelligence: {submissions:,}"
            " synthetic submissions (counts by topic and ward) written as the site's export"
            f" ({intelligence.counts.path.relative_to(out)}; partners' copy only)"
        )
        status = warehouse_status(store)
        say(
            styled(
                ("4/4", "bold"),
                f" Assessing {area_codes[0]} for {period.label} into {out}/assessment/ ...",
            )
        )
        assessment = run_assessment(
            store, area_code=str(area_codes[0]), period=period, out_dir=out / "assessment"
        )
    say(f"Writing the Strategic Assessment report into {out}/{DEMO_REPORT_FOLDER}/ ...")
    report = write_report(
        assessment_dir=assessment.out_dir,
        out_dir=out / DEMO_REPORT_FOLDER,
        audience=Audience.PUBLIC,
        generated_at=parse_generated_at(None),
    )
    if as_json:
        print_json(
            {
                "dataset": dataset.to_json(),
                "survey": {
                    "waves": [
                        {
                            "wave": wave.label,
                            "file": str(wave.path.relative_to(out)),
                            "codebook": wave.codebook.name,
                            "respondents": len(wave.respondents),
                            "fieldwork_start": wave.fieldwork_start.isoformat(),
                            "fieldwork_end": wave.fieldwork_end.isoformat(),
                        }
                        for wave in survey.waves
                    ],
                    "postcode_lookup": str(survey.postcode_lookup.relative_to(out)),
                    "population_by_sex": str(survey.population_by_sex.relative_to(out)),
                },
                "community_reports": {
                    "file": str(community.reports.path.relative_to(out)),
                    "reports": len(community.reports.reports),
                    "planted_strand": community.reports.planted_strand,
                },
                "intelligence_counts": {
                    "file": str(intelligence.counts.path.relative_to(out)),
                    "submissions": sum(row.submissions for row in intelligence.counts.rows),
                    "planted_wards": list(intelligence.counts.planted_wards),
                },
                "load": [report.as_dict() for report in result.reports],
                "pseudonym_key": result.key_source,
                "status": status.as_dict(),
                "assessment": {
                    "artefact": str(assessment.out_dir),
                    "area": assessment.area.code,
                    "period": assessment.period.label,
                    "baseline": assessment.baseline.label,
                    "findings": assessment.findings.to_dict("records"),
                },
                "report": report.as_dict(),
            }
        )
        return
    print_load_reports(result.reports, as_json=False)
    console.print(f"Pseudonymisation key: {result.key_source}")
    console.print(styled(("3/4", "bold"), " What the warehouse holds now:"))
    print_status(status)
    console.print(
        styled(
            ("4/4", "bold"),
            f" {assessment.area.name} ({assessment.area.code}), {assessment.period.label}"
            f" against {assessment.baseline.label}: the Assessment artefact is in"
            f" {assessment.out_dir}/",
        ),
        soft_wrap=True,
    )
    print_headline_findings(assessment.findings)
    console.print(styled(("The Strategic Assessment report", "bold"), " (public edition):"))
    print_report_written(report)
