"""The figure families the engine runs after families 1, 2 and 4, in order.

Each family is a function ``(AssessmentInputs) -> FamilyOutput`` registered under its name.
Families of issue #4 not registered here are listed in the artefact's manifest as skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from safecity.assess.context import AssessmentInputs, FamilyOutput
from safecity.assess.families.benchmarking import benchmarking
from safecity.assess.families.community_reports import community_reports
from safecity.assess.families.deprivation import deprivation
from safecity.assess.families.harm import harm
from safecity.assess.families.hotspots import hotspots
from safecity.assess.families.partner_intelligence import partner_intelligence
from safecity.assess.families.people import people
from safecity.assess.families.priorities import priorities
from safecity.assess.families.quality import data_quality
from safecity.assess.families.survey import survey
from safecity.assess.families.time_of_day import time_of_day

FamilyFunction = Callable[[AssessmentInputs], FamilyOutput]

ALL_FAMILIES = {
    "harm": "family 3: harm (severity score, harm share against volume share)",
    "deprivation": "family 5: rates by deprivation decile and quintile, ratio, SII/RII",
    "benchmarking": "family 6: rank among all CSPs, percentile band, England and comparators",
    "hotspots": "family 7: Gi* hotspots on LSOAs and a grid, emerging/persistent, KDE",
    "people": "family 8: victims and offenders, repeats, profiles, domestic shares",
    "time": "family 9: hour-of-week and peaks (aoristic)",
    "data_quality": "family 10: coverage, missing locations, quarantine, vintages",
    "survey": "residents' survey: weighted shares by subgroup, wave and group comparisons",
    "community_reports": (
        "community reports: hate, concerns and business crime by channel, strand and ward,"
        " beside police-recorded hate crime"
    ),
    "partner_intelligence": (
        "partner intelligence (partners' copy only): Community Partnership Intelligence"
        " submissions by topic and ward, beside police-recorded drug offences"
    ),
    "priorities": "family 11: MoRiLE-style priority scoring",
}
"""Every family the engine knows of, by name, with what it computes."""

REGISTERED_FAMILIES: dict[str, FamilyFunction] = {
    "harm": harm,
    "deprivation": deprivation,
    "benchmarking": benchmarking,
    "hotspots": hotspots,
    "data_quality": data_quality,
    "people": people,
    "time": time_of_day,
    "survey": survey,
    "community_reports": community_reports,
    "partner_intelligence": partner_intelligence,
    "priorities": priorities,
}
"""The families implemented, in the order they run."""


def unimplemented_families() -> dict[str, str]:
    """Families not yet implemented, with a sentence for the manifest's ``skipped``."""
    return {
        name: f"{description}: not implemented in this version"
        for name, description in ALL_FAMILIES.items()
        if name not in REGISTERED_FAMILIES
    }
