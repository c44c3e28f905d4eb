"""What ``generate_demo_data`` wrote, and the effects planted in it (for tests and the demo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecity.data.synthetic.force_extract import ExtractFiles
from safecity.data.synthetic.national_context import NationalContextFiles
from safecity.data.synthetic.police_uk_files import PoliceUkFile
from safecity.data.synthetic.reference_files import ReferenceFiles
from safecity.data.synthetic.scale import DemoScale


@dataclass(frozen=True, slots=True)
class PlantedRise:
    """A crime type made ``ratio`` times as frequent in the latest 12 months as in the 12 before."""

    crime_type: str
    ratio: float
    latest_months: tuple[str, str]
    previous_months: tuple[str, str]
    """First and last month of each 12-month period."""


@dataclass(frozen=True, slots=True)
class PlantedEffects:
    """The effects built into the synthetic data, so later analyses can be checked to find them.

    ``hotspot_lsoa_codes`` are the town-centre (night-time economy) LSOAs;
    ``hotspot_multipliers`` their rate multipliers by crime type. ``deprivation_rate_ratio`` is
    the expected crime rate (excluding ASB and town centres) in IMD decile 1 over decile 10;
    ``deprivation_ratios`` the planted ratio by crime type. ``seasonal_peaks`` gives the peak
    calendar month and amplitude by crime type. ``night_time_economy_peak`` describes when
    night-time violence peaks. The repeat probabilities are the chance that a victim (domestic
    or other) or an offender is drawn from the pools of repeat people.
    """

    hotspot_lsoa_codes: tuple[str, ...]
    hotspot_multipliers: dict[str, float]
    rise: PlantedRise | None
    deprivation_rate_ratio: float
    deprivation_ratios: dict[str, float]
    seasonal_peaks: dict[str, tuple[int, float]]
    night_time_economy_peak: str
    domestic_repeat_victim_probability: float
    other_repeat_victim_probability: float
    repeat_offender_probability: float


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """Every file ``generate_demo_data`` wrote, by kind, with counts and the planted effects."""

    out_dir: Path
    seed: int
    scale: DemoScale
    months: tuple[str, ...]
    force_slugs: tuple[str, ...]
    police_uk_files: tuple[PoliceUkFile, ...]
    reference: ReferenceFiles
    extract: ExtractFiles | None
    extract_skipped_reason: str | None
    area_counts: dict[str, int]
    planted: PlantedEffects
    seconds: float = field(compare=False)
    national_context: NationalContextFiles | None = None
    """The synthetic national context of the city (other CSPs, synthetic published tables)."""

    @property
    def police_uk_rows(self) -> int:
        """Rows (crimes and ASB) in all police.uk files."""
        return sum(file.rows for file in self.police_uk_files)

    @property
    def anti_social_behaviour_rows(self) -> int:
        """ASB rows in all police.uk files."""
        return sum(file.anti_social_behaviour_rows for file in self.police_uk_files)

    def files_by_kind(self) -> dict[str, list[Path]]:
        """Every file written, grouped by kind."""
        kinds: dict[str, list[Path]] = {"police_uk_street": [f.path for f in self.police_uk_files]}
        for name, path in self.reference.as_dict().items():
            kinds[name] = [path]
        if self.extract is not None:
            kinds["extract_crimes"] = [self.extract.crimes]
            kinds["extract_victims"] = [self.extract.victims]
            kinds["extract_offenders"] = [self.extract.offenders]
            kinds["extract_mapping"] = [self.extract.mapping]
        if self.national_context is not None:
            for name, path in self.national_context.reference().items():
                kinds[name] = [path]
            kinds["published_indicators"] = [
                table.path for table in self.national_context.published_tables
            ]
        return kinds

    def all_files(self) -> list[Path]:
        """Every file written."""
        return [path for paths in self.files_by_kind().values() for path in paths]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary: files by kind (relative to ``out_dir``), counts and effects."""
        rise = self.planted.rise
        planted = self.planted
        return {
            "out_dir": str(self.out_dir),
            "seed": self.seed,
            "scale": self.scale.value,
            "months": {"first": self.months[0], "last": self.months[-1], "count": len(self.months)},
            "areas": self.area_counts,
            "rows": {
                "police_uk": self.police_uk_rows,
                "anti_social_behaviour": self.anti_social_behaviour_rows,
                "extract_crimes": self.extract.crime_rows if self.extract else None,
                "extract_victims": self.extract.victim_rows if self.extract else None,
                "extract_offenders": self.extract.offender_rows if self.extract else None,
            },
            "extract_skipped_reason": self.extract_skipped_reason,
            "files": {
                kind: [str(path.relative_to(self.out_dir)) for path in paths]
                for kind, paths in self.files_by_kind().items()
            },
            "planted": {
                "hotspot_lsoa_codes": list(self.planted.hotspot_lsoa_codes),
                "hotspot_multipliers": self.planted.hotspot_multipliers,
                "rise": None
                if rise is None
                else {
                    "crime_type": rise.crime_type,
                    "ratio": rise.ratio,
                    "latest_months": list(rise.latest_months),
                    "previous_months": list(rise.previous_months),
                },
                "deprivation_rate_ratio": round(self.planted.deprivation_rate_ratio, 3),
                "deprivation_ratios": self.planted.deprivation_ratios,
                "seasonal_peaks": {
                    name: {"month": month, "amplitude": amplitude}
                    for name, (month, amplitude) in self.planted.seasonal_peaks.items()
                },
                "night_time_economy_peak": self.planted.night_time_economy_peak,
                "domestic_repeat_victim_probability": planted.domestic_repeat_victim_probability,
                "other_repeat_victim_probability": self.planted.other_repeat_victim_probability,
                "repeat_offender_probability": self.planted.repeat_offender_probability,
            },
            "seconds": round(self.seconds, 2),
        }
