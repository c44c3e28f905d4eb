"""An Assessment artefact with the ``community_reports`` family's tables, for web tests.

The core's community-reports family (issue 13, helper E) writes five tables (the contract's
columns below): partner copies in the artefact's folder, public copies in ``public/`` where a
count below ``minimum_public_count`` (5) is withheld, with secondary suppression, as null with
``suppressed`` true. :func:`add_community_reports_tables` writes such tables into a copy of an
artefact, each entry in the manifest with its SHA-256 as ``safecity.assess.artefact`` records
it, the family's record under ``families.community_reports`` (sources, months covered,
minimum public count) and, when the copy has a ``findings`` table, one finding of the family.
:func:`mark_not_assessed` records instead that the family was not assessed and why.

The values are hand-made test data, not a computation: the tests check that the site prints
exactly these rows and never a suppressed count (the partner copies keep every number, so a
leak of the wrong copy would show; the criminal damage losses, 1,407.30, are the tests' marker).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from safecity.assess.artefact import MANIFEST_FILE, PUBLIC_FOLDER, _write_table

FAMILY = "community_reports"
MINIMUM_PUBLIC_COUNT = 5
PERIOD_MONTHS = [f"2024-{month:02d}" for month in range(4, 13)] + [
    f"2025-{month:02d}" for month in range(1, 4)
]
PREVIOUS_MONTHS = [f"2023-{month:02d}" for month in range(4, 13)] + [
    f"2024-{month:02d}" for month in range(1, 4)
]
MONTHS = PREVIOUS_MONTHS + PERIOD_MONTHS

SUMMARY_COLUMNS = (
    "kind", "kind_label", "channel", "channel_label", "reports", "reports_previous",
    "losses_pounds", "suppressed",
)  # fmt: skip
MONTHLY_COLUMNS = ("month", "kind", "reports", "suppressed")
STRAND_COLUMNS = (
    "strand", "strand_label", "community_reports", "police_recorded", "police_crime_group",
    "suppressed",
)  # fmt: skip
WARD_COLUMNS = ("ward_code", "ward_name", "kind", "reports", "suppressed")
BUSINESS_COLUMNS = (
    "category", "category_label", "reports", "reports_previous", "losses_pounds", "suppressed",
)  # fmt: skip

KIND_LABELS = {
    "hate": "A hate incident or hate crime",
    "concern": "A community safety concern",
    "business": "A crime or incident at a business",
}
CHANNEL_LABELS = {
    "public_form": "Public reporting form",
    "reporting_centre": "Third-party reporting centre",
    "business": "Business crime portal",
    "open311": "Reporting app (Open311)",
}

SUMMARY = [
    # kind, channel, reports, previous, losses, suppressed (partner copy keeps every number)
    ("hate", "public_form", 42, 35, None, False),
    ("hate", "reporting_centre", 17, 9, None, False),
    ("hate", "open311", 3, 2, None, True),
    ("concern", "public_form", 58, 61, None, False),
    ("concern", "open311", 7, 6, None, True),  # secondary: would reveal the hate app count
    ("business", "business", 26, 19, 4318.5, False),
]
STRANDS = [
    # strand, label, community reports, police recorded, police crime group, suppressed
    ("race", "Race or ethnicity", 38, 412, "hate_crime_race", False),
    ("religion", "Religion or belief", 9, 57, "hate_crime_religion", False),
    ("sexual_orientation", "Sexual orientation", 7, 64, "hate_crime_sexual_orientation", False),
    ("disability", "Disability", 3, 21, "hate_crime_disability", True),
    ("transgender", "Transgender identity", 2, 11, "hate_crime_transgender", True),
    ("other", "Something else about who they are", 6, None, None, False),
]
BUSINESS = [
    # category, label, reports, previous, losses, suppressed
    ("theft", "Theft (including shoplifting)", 14, 11, 2911.2, False),
    ("abuse_violence_staff", "Abuse or violence against staff", 6, 5, None, False),
    ("business_asb", "Anti-social behaviour", 4, 2, None, True),
    ("criminal_damage", "Criminal damage", 2, 1, 1407.3, True),
]
WARD_COUNTS = {
    # kind: reports in the first, second and third ward (fewer than five are suppressed)
    "hate": (31, 19, 3),
    "concern": (40, 22, 3),
    "business": (18, 8, 0),
}
HIDDEN_MONTHS = {("business", "2024-05"), ("business", "2024-11"), ("hate", "2025-02")}


def monthly_count(kind: str, month: str) -> int:
    """The partner copy's count of ``kind`` in ``month`` (a fixed, irregular pattern; under the
    minimum only in ``HIDDEN_MONTHS``)."""
    if (kind, month) in HIDDEN_MONTHS:
        return 2
    base = {"hate": 9, "concern": 11, "business": 5}[kind]
    return base + (int(month[-2:]) * 7 + len(kind)) % 5


def summary_table() -> pd.DataFrame:
    """The partners' ``community_reports_summary``."""
    rows = [
        {
            "kind": kind, "kind_label": KIND_LABELS[kind], "channel": channel,
            "channel_label": CHANNEL_LABELS[channel], "reports": reports,
            "reports_previous": previous, "losses_pounds": losses, "suppressed": suppressed,
        }
        for kind, channel, reports, previous, losses, suppressed in SUMMARY
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def monthly_table() -> pd.DataFrame:
    """The partners' ``community_reports_monthly``: every month of both periods, each kind."""
    rows = []
    for month in MONTHS:
        for kind in KIND_LABELS:
            count = monthly_count(kind, month)
            rows.append({"month": month, "kind": kind, "reports": count, "suppressed": count < 5})
    return pd.DataFrame(rows, columns=list(MONTHLY_COLUMNS))


def strand_table() -> pd.DataFrame:
    """The partners' ``community_reports_strand``."""
    rows = [
        {
            "strand": strand, "strand_label": label, "community_reports": reports,
            "police_recorded": police, "police_crime_group": group, "suppressed": suppressed,
        }
        for strand, label, reports, police, group, suppressed in STRANDS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(STRAND_COLUMNS))


OTHER_WARD_COUNTS = {"hate": 12, "concern": 9, "business": 6}
"""Reports of each kind in every ward after the first three (with ``every_ward``)."""


def ward_table(wards: list[tuple[str, str]], *, every_ward: bool = False) -> pd.DataFrame:
    """The partners' ``community_reports_ward`` for the first three ``wards`` (code, name), or
    for every ward (the others with ``OTHER_WARD_COUNTS``)."""
    rows = []
    for kind, first in WARD_COUNTS.items():
        counts = list(first)
        chosen = wards if every_ward else wards[:3]
        counts += [OTHER_WARD_COUNTS[kind]] * (len(chosen) - len(counts))
        for (code, name), count in zip(chosen, counts, strict=True):
            if count == 0:
                continue
            rows.append(
                {"ward_code": code, "ward_name": name, "kind": kind, "reports": count,
                 "suppressed": count < MINIMUM_PUBLIC_COUNT}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(WARD_COLUMNS))


def business_table() -> pd.DataFrame:
    """The partners' ``community_reports_business``."""
    rows = [
        {"category": category, "category_label": label, "reports": reports,
         "reports_previous": previous, "losses_pounds": losses, "suppressed": suppressed}
        for category, label, reports, previous, losses, suppressed in BUSINESS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(BUSINESS_COLUMNS))


WITHHELD = {
    "community_reports_summary": ("reports", "reports_previous", "losses_pounds"),
    "community_reports_monthly": ("reports",),
    "community_reports_strand": ("community_reports",),
    "community_reports_ward": ("reports",),
    "community_reports_business": ("reports", "reports_previous", "losses_pounds"),
}
"""The counts (and losses) a suppressed row's public copy leaves null."""


def public_copy(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The public version: the protected counts of a suppressed row null."""
    public = table.copy()
    hidden = public["suppressed"].astype(bool)
    for column in WITHHELD[name]:
        public[column] = public[column].astype(float)
        public.loc[hidden, column] = float("nan")
    return public


def ward_names(folder: Path) -> list[tuple[str, str]]:
    """The (code, name) of the wards in the artefact's public indicators, by code."""
    indicators = pd.read_parquet(folder / PUBLIC_FOLDER / "indicators.parquet")
    wards = indicators[indicators["area_level"] == "ward"][["area_code", "area_name"]]
    unique = wards.drop_duplicates().sort_values("area_code")
    return [(str(code), str(name)) for code, name in unique.itertuples(index=False)]


def tables(folder: Path, *, every_ward: bool = False) -> dict[str, pd.DataFrame]:
    """The partner copies of the family's five tables (wards from the artefact's own)."""
    return {
        "community_reports_summary": summary_table(),
        "community_reports_monthly": monthly_table(),
        "community_reports_strand": strand_table(),
        "community_reports_ward": ward_table(ward_names(folder), every_ward=every_ward),
        "community_reports_business": business_table(),
    }


def family_record(*, minimum: int = MINIMUM_PUBLIC_COUNT) -> dict[str, Any]:
    """The manifest's ``families.community_reports`` of an assessed family."""
    return {
        "assessed": True,
        "sources": [
            {"path": "demo/community-reports/community-reports.csv", "rows": 412,
             "sha256": "0" * 64}
        ],
        "months": {"first": MONTHS[0], "last": MONTHS[-1]},
        "period": "2024/25",
        "previous_period": "2023/24",
        "minimum_public_count": minimum,
        "police_recorded": "from the force extract's hate-crime flags",
    }  # fmt: skip


FINDING = {
    "finding_id": "community_reports_race",
    "topic": FAMILY,
    "sentence": "Race or ethnicity was named in 38 of the hate incidents reported to the "
    "partnership, beside 412 race hate crimes recorded by the police.",
    "row_ids": "",
    "significant": False,
    "methods": "",
}
"""The family's finding added to a copied ``findings`` table (its topic is the family's id)."""


def _add_finding(folder: Path, manifest: dict[str, Any]) -> None:
    entry = manifest.get("public_tables", {}).get("findings")
    if entry is None:
        return
    findings = pd.read_parquet(folder / PUBLIC_FOLDER / entry["parquet"])
    # The copied artefact's own findings of the family (the demo's) give way to this one, so
    # the family's findings are exactly the tables written here.
    findings = findings[findings["topic"] != FAMILY]
    findings = pd.concat([findings, pd.DataFrame([FINDING])], ignore_index=True)
    manifest["public_tables"]["findings"] = _write_table(
        findings, folder / PUBLIC_FOLDER, "findings"
    )


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return manifest


def add_community_reports_tables(
    folder: Path,
    *,
    police_recorded: bool = True,
    every_ward: bool = False,
    minimum: int = MINIMUM_PUBLIC_COUNT,
) -> Path:
    """Write the family's tables into the artefact ``folder`` (changed in place).

    Without ``police_recorded`` the strand table's police counts are null and the manifest
    says no force extract was loaded, as the family writes it then; ``every_ward`` gives every
    ward of the artefact reports (a bigger ward table).
    """
    manifest = _manifest(folder)
    for name, table in tables(folder, every_ward=every_ward).items():
        if name == "community_reports_strand" and not police_recorded:
            table["police_recorded"] = None
        manifest.setdefault("tables", {})[name] = _write_table(table, folder, name)
        manifest.setdefault("public_tables", {})[name] = _write_table(
            public_copy(name, table), folder / PUBLIC_FOLDER, name
        )
    _add_finding(folder, manifest)
    record = family_record(minimum=minimum)
    if not police_recorded:
        record["police_recorded"] = None
        record["police_recorded_reason"] = "no force extract was loaded for the period"
    manifest.setdefault("families", {})[FAMILY] = record
    skipped = manifest.get("skipped")
    if isinstance(skipped, dict):
        skipped.pop(FAMILY, None)
    _write_manifest(folder, manifest)
    return folder


def mark_not_assessed(folder: Path, *, reason: str) -> Path:
    """Record in the manifest that the family was not assessed, and why (no tables)."""
    manifest = _manifest(folder)
    manifest.setdefault("families", {})[FAMILY] = {"assessed": False, "reason": reason}
    manifest.setdefault("skipped", {})[FAMILY] = reason
    _write_manifest(folder, manifest)
    return folder
