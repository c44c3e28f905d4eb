"""Family 8: victims and offenders — repeats, profiles and domestic-flagged shares.

From the force extract only (police.uk has no people). For the area's crimes in the period:

* **Repeats** (``people_repeats``): per crime group and person scope, crimes ``C`` (one per
  person and crime: a crime with two victims counts for each), distinct people ``V``, repeat
  people ``V₂₊`` (two or more crimes in the period), the repeat-person share ``V₂₊/V``, the
  share of crimes suffered (or committed) by repeat people, definition A ``C(V₂₊)/C``, and the
  share of crimes that are repeats, definition B ``(C − V)/C``, with Wilson intervals
  (``methods.md`` §7, §1.2). Identity is the extract's keyed pseudonym: a repeat recorded
  under two identifiers looks like two people, so the shares are lower bounds.
* **Profiles** (``people_profiles``): distinct people by age band, sex and ethnicity, as
  recorded at their first crime of the group in the period, with Wilson intervals.
* **Domestic-flagged shares** (``people_domestic_shares``): the share of each main group's
  crimes flagged as domestic, this period against the baseline, the difference with
  Newcombe's hybrid score interval (``methods.md`` §2.2b).

Repeats and profiles are derived from person-level records: they are partner tables only.
Domestic shares are crime counts; their public version withholds every row with a count from
1 to 4 (with secondary suppression over the period x domestic table) and, because the groups
nest (violent crime holds violence with injury), every row whose group shares crimes with a
withheld one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.crime_groups import CrimeGroup, DataSource
from safecity.assess.disclosure_policy import DEFAULT_THRESHOLD
from safecity.assess.families.extract_records import (
    PersonRole,
    area_extract_crimes,
    area_extract_people,
    crime_group_membership,
)
from safecity.assess.findings import Finding
from safecity.assess.periods import Period
from safecity.stats import (
    proportion,
    proportion_difference,
    repeat_concentration,
    repeat_counts_from_ids,
)

REPEAT_GROUPS = (
    "all_crime",
    "violent_crime",
    "domestic_flagged",
    "stalking_and_harassment",
    "sexual_offences",
    "residential_burglary",
    "shoplifting",
    "hate_crime",
    "vawg",
)
"""Groups whose repeat victims and offenders are reported (those the extract gives)."""

PROFILE_GROUPS = ("all_crime", "violent_crime", "domestic_flagged")
"""Groups whose victims and offenders are profiled by age, sex and ethnicity."""

DOMESTIC_SHARE_GROUPS = (
    "all_crime",
    "violent_crime",
    "violence_with_injury",
    "violence_without_injury",
    "stalking_and_harassment",
    "sexual_offences",
    "rape",
    "criminal_damage_and_arson",
    "residential_burglary",
)
"""Main groups whose domestic-flagged share is compared with the baseline."""

AGE_BANDS = (
    ("0-17", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 200),
)
UNKNOWN = "unknown"
SEX_LABELS = {"F": "female", "M": "male"}
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other", "Not stated")
PROFILE_CATEGORIES = {
    "age_band": (*(band for band, _, _ in AGE_BANDS), UNKNOWN),
    "sex": ("female", "male", UNKNOWN),
    "ethnicity": (*ETHNIC_GROUPS, UNKNOWN),
}

VICTIM_SCOPES = ("all", "person", "organisation")
"""Victims counted: all, people only, organisations only (by the extract's victim type)."""

_REPEAT_COLUMNS = [
    "row_id",
    "role",
    "scope",
    "group_id",
    "group_name",
    "period",
    "group_crimes",
    "crimes",
    "persons",
    "repeat_persons",
    "crimes_by_repeat_persons",
    "repeat_person_share",
    "repeat_person_share_lower_ci",
    "repeat_person_share_upper_ci",
    "repeat_person_crime_share",
    "repeat_person_crime_share_lower_ci",
    "repeat_person_crime_share_upper_ci",
    "repeat_crime_share",
    "repeat_crime_share_lower_ci",
    "repeat_crime_share_upper_ci",
    "concentration",
    "crimes_per_repeat_person",
]


def age_band(age: float | None) -> str:
    """The age band of an age in years (``unknown`` when missing or negative).

    Examples
    --------
    >>> [age_band(age) for age in (0, 17, 18, 34, 64, 65, None)]
    ['0-17', '0-17', '18-24', '25-34', '55-64', '65+', 'unknown']
    """
    if age is None or pd.isna(age) or age < 0:
        return UNKNOWN
    for band, low, high in AGE_BANDS:
        if low <= age <= high:
            return band
    return AGE_BANDS[-1][0]


def _sex_label(sex: object) -> str:
    return SEX_LABELS.get(str(sex), UNKNOWN) if isinstance(sex, str) else UNKNOWN


def _ethnicity_label(ethnicity: object) -> str:
    return ethnicity if isinstance(ethnicity, str) and ethnicity in ETHNIC_GROUPS else UNKNOWN


def _people_in_scope(records: pd.DataFrame, *, role: PersonRole, scope: str) -> pd.DataFrame:
    if role is PersonRole.OFFENDER or scope == "all":
        return records
    return records[records["victim_type"] == scope]


def repeat_table(
    records_by_role: dict[PersonRole, pd.DataFrame],
    membership: pd.DataFrame,
    *,
    groups: list[CrimeGroup],
    period: Period,
) -> pd.DataFrame:
    """Repeat victims and offenders per group and scope (the ``people_repeats`` rows)."""
    names = {group.id: group.name for group in groups}
    group_crimes = membership.groupby("group_id")["crime_key"].nunique()
    reported = membership[membership["group_id"].isin(REPEAT_GROUPS)]
    frames = []
    for role, records in records_by_role.items():
        scopes = VICTIM_SCOPES if role is PersonRole.VICTIM else ("all",)
        for scope in scopes:
            pairs = _people_in_scope(records, role=role, scope=scope).merge(
                reported, on="crime_key"
            )
            if pairs.empty:
                continue
            counts = repeat_counts_from_ids(ids=pairs["person"], group=pairs["group_id"])
            result = repeat_concentration(
                crimes=counts["crimes"].to_numpy(),
                victims=counts["victims"].to_numpy(),
                repeat_victims=counts["repeat_victims"].to_numpy(),
                crimes_against_repeat_victims=counts["crimes_against_repeat_victims"].to_numpy(),
            )
            result.index = counts.index
            renamed = result.rename(
                columns=lambda column: (
                    column.replace("victims", "persons")
                    .replace("victim", "person")
                    .replace("crimes_against_repeat_persons", "crimes_by_repeat_persons")
                )
            )
            renamed = renamed.reset_index(names="group_id")
            renamed["role"] = role.value
            renamed["scope"] = scope
            frames.append(renamed)
    if not frames:
        return pd.DataFrame(columns=_REPEAT_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["group_name"] = table["group_id"].map(names)
    table["group_crimes"] = table["group_id"].map(group_crimes).astype("int64")
    counted = ["crimes", "persons", "repeat_persons", "crimes_by_repeat_persons"]
    table[counted] = table[counted].astype("int64")
    table["period"] = period.label
    table["row_id"] = (
        "people_repeats:"
        + table["role"]
        + ":"
        + table["scope"]
        + ":"
        + table["group_id"]
        + ":"
        + period.label
    )
    table["group_order"] = table["group_id"].map(
        {group_id: index for index, group_id in enumerate(REPEAT_GROUPS)}
    )
    table = table.sort_values(["role", "scope", "group_order"])
    return table[_REPEAT_COLUMNS].reset_index(drop=True)


def _first_records(pairs: pd.DataFrame) -> pd.DataFrame:
    ordered = pairs.sort_values(["person", "committed_from", "crime_key"])
    return ordered.drop_duplicates("person", keep="first")


def profile_table(
    records_by_role: dict[PersonRole, pd.DataFrame],
    membership: pd.DataFrame,
    *,
    groups: list[CrimeGroup],
    period: Period,
) -> pd.DataFrame:
    """Distinct people by age band, sex and ethnicity (the ``people_profiles`` rows).

    Victims are people only (organisations have no age, sex or ethnicity); each person is
    described as recorded at their first crime of the group in the period.
    """
    names = {group.id: group.name for group in groups}
    rows = []
    for role, records in records_by_role.items():
        scoped = _people_in_scope(records, role=role, scope="person")
        for group_id in PROFILE_GROUPS:
            if group_id not in names:
                continue
            keys = membership.loc[membership["group_id"] == group_id, ["crime_key"]]
            first = _first_records(scoped.merge(keys, on="crime_key"))
            if first.empty:
                continue
            labels = {
                "age_band": first["age"].map(age_band),
                "sex": first["sex"].map(_sex_label),
                "ethnicity": first["ethnicity"].map(_ethnicity_label),
            }
            for dimension, categories in PROFILE_CATEGORIES.items():
                counts = labels[dimension].value_counts().reindex(categories, fill_value=0)
                shares = proportion(counts.to_numpy(), np.full(len(counts), len(first)))
                for category, count, share in zip(
                    categories, counts.to_numpy(), shares.to_dict("records"), strict=True
                ):
                    rows.append(
                        {
                            "row_id": f"people_profiles:{role.value}:{group_id}:{dimension}:"
                            f"{category}:{period.label}",
                            "role": role.value,
                            "group_id": group_id,
                            "group_name": names[group_id],
                            "period": period.label,
                            "dimension": dimension,
                            "category": category,
                            "persons": int(count),
                            "total_persons": len(first),
                            "share": share["value"],
                            "share_lower_ci": share["lower_ci"],
                            "share_upper_ci": share["upper_ci"],
                        }
                    )
    return pd.DataFrame(
        rows,
        columns=[
            "row_id",
            "role",
            "group_id",
            "group_name",
            "period",
            "dimension",
            "category",
            "persons",
            "total_persons",
            "share",
            "share_lower_ci",
            "share_upper_ci",
        ],
    )


def _domestic_counts(crimes: pd.DataFrame, membership: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per group: crimes, and crimes flagged as domestic."""
    flagged = crimes[["crime_key", "flag_domestic"]].merge(membership, on="crime_key")
    flagged["domestic"] = flagged["flag_domestic"].fillna(False).astype(bool)
    counts = flagged.groupby("group_id")["domestic"].agg(["size", "sum"])
    return {
        str(group_id): (int(size), int(total))
        for group_id, size, total in zip(counts.index, counts["size"], counts["sum"], strict=True)
    }


def domestic_share_table(
    *,
    current: tuple[pd.DataFrame, pd.DataFrame],
    baseline: tuple[pd.DataFrame, pd.DataFrame] | None,
    groups: list[CrimeGroup],
    period: Period,
    baseline_period: Period,
) -> pd.DataFrame:
    """Domestic-flagged shares this period and in the baseline, with the Newcombe test.

    ``current`` and ``baseline`` are each ``(crimes, membership)``; ``baseline`` is None when
    the extract has no crimes for the baseline.
    """
    names = {group.id: group.name for group in groups}
    now = _domestic_counts(*current)
    before = _domestic_counts(*baseline) if baseline is not None else None
    rows = []
    for group_id in DOMESTIC_SHARE_GROUPS:
        if group_id not in names or group_id not in now:
            continue
        crimes, domestic = now[group_id]
        share = proportion(domestic, crimes).iloc[0]
        row: dict[str, object] = {
            "row_id": f"people_domestic_shares:{group_id}:{period.label}",
            "group_id": group_id,
            "group_name": names[group_id],
            "period": period.label,
            "crimes": crimes,
            "domestic": domestic,
            "share": share["value"],
            "share_lower_ci": share["lower_ci"],
            "share_upper_ci": share["upper_ci"],
            "baseline_period": baseline_period.label,
            "baseline_crimes": 0,
            "baseline_domestic": 0,
            "baseline_share": np.nan,
            "baseline_share_lower_ci": np.nan,
            "baseline_share_upper_ci": np.nan,
            "difference": np.nan,
            "difference_lower_ci": np.nan,
            "difference_upper_ci": np.nan,
            "significant": False,
            "test": "",
        }
        if before is not None and group_id in before:
            base_crimes, base_domestic = before[group_id]
            base_share = proportion(base_domestic, base_crimes).iloc[0]
            difference = proportion_difference(
                numerator=domestic,
                denominator=crimes,
                comparator_numerator=base_domestic,
                comparator_denominator=base_crimes,
            ).iloc[0]
            row.update(
                baseline_crimes=base_crimes,
                baseline_domestic=base_domestic,
                baseline_share=base_share["value"],
                baseline_share_lower_ci=base_share["lower_ci"],
                baseline_share_upper_ci=base_share["upper_ci"],
                difference=difference["value"],
                difference_lower_ci=difference["lower_ci"],
                difference_upper_ci=difference["upper_ci"],
                significant=bool(difference["significant"]),
                test="Newcombe hybrid score interval for the difference of two proportions"
                " (methods.md §2.2b)",
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def repeat_findings(repeats: pd.DataFrame) -> list[Finding]:
    """Sentences on repeat victims (people) and repeat offenders of all and domestic crime.

    Findings are published, so none is written when repeat or single people number fewer
    than the suppression threshold.
    """
    findings = []
    wording = {
        ("victim", "person"): (
            "victims {group}experienced more than one crime",
            "repeat victims accounted for {crime_share} of the crimes against people",
        ),
        ("offender", "all"): (
            "offenders {group}committed more than one offence",
            "repeat offenders accounted for {crime_share} of the offences with a known offender",
        ),
    }
    for (role, scope), (people_text, crimes_text) in wording.items():
        for group_id in ("all_crime", "domestic_flagged"):
            rows = repeats[
                (repeats["role"] == role)
                & (repeats["scope"] == scope)
                & (repeats["group_id"] == group_id)
            ]
            if rows.empty:
                continue
            row = rows.iloc[0]
            single = int(row["persons"]) - int(row["repeat_persons"])
            if min(int(row["repeat_persons"]), single) < DEFAULT_THRESHOLD:
                continue
            group = "" if group_id == "all_crime" else f"of {row['group_name'].lower()} "
            sentence = (
                f"In {row['period']}, {_percent(row['repeat_person_share'])} of "
                + people_text.format(group=group)
                + f" ({int(row['repeat_persons']):,} of {int(row['persons']):,}); "
                + crimes_text.format(crime_share=_percent(row["repeat_person_crime_share"]))
                + f" ({int(row['crimes_by_repeat_persons']):,} of {int(row['crimes']):,},"
                " including each repeat person's first crime; people identified by the"
                " extract's pseudonyms, so these shares are lower bounds)."
            )
            findings.append(
                Finding(
                    finding_id=f"people_repeat_{role}s_{group_id}",
                    topic=group_id,
                    sentence=sentence,
                    row_ids=(str(row["row_id"]),),
                )
            )
    return findings


def domestic_findings(shares: pd.DataFrame, *, withheld: set[str]) -> list[Finding]:
    """One sentence per group on its domestic-flagged share against the baseline.

    Groups ``withheld`` from the public table (small counts) get no sentence.
    """
    findings = []
    for row in shares.to_dict("records"):
        if row["group_id"] in withheld:
            continue
        name = str(row["group_name"])
        lowered = name[0].lower() + name[1:]
        sentence = (
            f"{_percent(row['share'])} of {lowered} in {row['period']} "
            f"({int(row['domestic']):,} of {int(row['crimes']):,}) were flagged as domestic"
        )
        if row["test"]:
            points = (
                f"{100 * row['difference']:+.1f} percentage points, 95% CI "
                f"{100 * row['difference_lower_ci']:.1f} to {100 * row['difference_upper_ci']:.1f}"
            )
            verdict = (
                "a statistically significant change"
                if row["significant"]
                else "not a statistically significant change"
            )
            sentence += (
                f", compared with {_percent(row['baseline_share'])} in {row['baseline_period']}:"
                f" {verdict} ({points}; Newcombe hybrid score interval for the difference of"
                " two proportions)."
            )
        else:
            sentence += f"; the extract has no {lowered} for {row['baseline_period']}."
        findings.append(
            Finding(
                finding_id=f"people_domestic_share_{row['group_id']}",
                topic=str(row["group_id"]),
                sentence=sentence,
                row_ids=(str(row["row_id"]),),
                significant=bool(row["significant"]),
            )
        )
    return findings


def people(inputs: AssessmentInputs) -> FamilyOutput:
    """Family 8: repeat victims and offenders, their profiles, and domestic-flagged shares."""
    groups = [
        group for group in inputs.groups if inputs.sources.get(group.id) == DataSource.EXTRACT
    ]
    reason = (
        "victims and offenders need a force extract, which has no crimes for this area and"
        f" {inputs.period.label}"
    )
    if not groups:
        return FamilyOutput(skipped={"people": reason})
    warehouse, area = inputs.warehouse, inputs.area
    crimes = area_extract_crimes(warehouse, area=area, period=inputs.period)
    if crimes.empty:
        return FamilyOutput(skipped={"people": reason})
    membership, _ = crime_group_membership(warehouse, crimes, groups=groups)
    records = {
        role: area_extract_people(warehouse, area=area, period=inputs.period, role=role)
        for role in PersonRole
    }
    skipped: dict[str, str] = {}
    for role, frame in records.items():
        if frame.empty:
            skipped[f"people_{role.value}s"] = (
                f"the force extract records no {role.value}s of this area's crimes in"
                f" {inputs.period.label}"
            )
    repeats = repeat_table(records, membership, groups=groups, period=inputs.period)
    profiles = profile_table(records, membership, groups=groups, period=inputs.period)
    tables = {"people_repeats": repeats, "people_profiles": profiles}
    public_tables: dict[str, pd.DataFrame] = {}
    findings = repeat_findings(repeats)
    if crimes["flag_domestic"].isna().all():
        skipped["people_domestic_shares"] = "the force extract does not carry flag_domestic"
    else:
        baseline_crimes = area_extract_crimes(warehouse, area=area, period=inputs.baseline)
        baseline = None
        if not baseline_crimes.empty and not baseline_crimes["flag_domestic"].isna().all():
            baseline_membership, _ = crime_group_membership(
                warehouse, baseline_crimes, groups=groups
            )
            baseline = (baseline_crimes, baseline_membership)
        else:
            skipped["people_domestic_shares_change"] = (
                f"no domestic-flagged extract crimes for the baseline {inputs.baseline.label}:"
                " shares not compared"
            )
        shares = domestic_share_table(
            current=(crimes, membership),
            baseline=baseline,
            groups=groups,
            period=inputs.period,
            baseline_period=inputs.baseline,
        )
        tables["people_domestic_shares"] = shares
        # Published whole: disclosure control withholds small counts across every public table
        # at once, and the public findings leave out those citing withheld rows.
        public_tables["people_domestic_shares"] = shares.copy()
        findings += domestic_findings(shares, withheld=set())
    manifest = {
        "crimes": len(crimes),
        "crimes_with_victim": int(records[PersonRole.VICTIM]["crime_key"].nunique()),
        "crimes_with_offender": int(records[PersonRole.OFFENDER]["crime_key"].nunique()),
        "identity": "keyed pseudonyms of the extract's person identifiers (methods.md §7)",
        "repeat_window": inputs.period.label,
        "person_level_tables": ["people_repeats", "people_profiles"],
    }
    return FamilyOutput(
        tables=tables,
        public_tables=public_tables,
        skipped=skipped,
        findings=findings,
        manifest=manifest,
    )
