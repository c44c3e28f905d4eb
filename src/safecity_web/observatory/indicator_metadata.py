"""The observatory's indicator metadata (definitions, polarity, caveats), shipped as YAML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from safecity_web.observatory.models import Polarity

METADATA_FILE = "indicator_metadata.yaml"


class IndicatorMetadataError(ValueError):
    """The shipped indicator metadata file is not valid (names the indicator and key)."""


@dataclass(frozen=True, slots=True)
class IndicatorMetadata:
    """What the observatory says about one indicator beyond the artefact's columns."""

    indicator_id: str
    definition: str
    polarity: Polarity
    unit: str
    caveats: str


@dataclass(frozen=True, slots=True)
class MetadataCatalogue:
    """Every indicator's metadata, the headline order and the caveats common to all."""

    indicators: dict[str, IndicatorMetadata]
    headline: tuple[str, ...]
    common_caveats: str

    def get(self, indicator_id: str) -> IndicatorMetadata:
        """The metadata of ``indicator_id``; a neutral entry saying so when none is written."""
        found = self.indicators.get(indicator_id)
        if found is not None:
            return found
        return IndicatorMetadata(
            indicator_id=indicator_id,
            definition="No definition has been written for this indicator yet.",
            polarity=Polarity.NO_JUDGEMENT,
            unit="crimes",
            caveats="",
        )


def _entry(indicator_id: str, entry: Any) -> IndicatorMetadata:
    where = f"{METADATA_FILE}: indicators.{indicator_id}"
    if not isinstance(entry, dict):
        raise IndicatorMetadataError(f"{where}: must be a mapping")
    try:
        polarity = Polarity(entry.get("polarity", Polarity.LOW_IS_GOOD))
    except ValueError as error:
        choices = ", ".join(Polarity.values)
        raise IndicatorMetadataError(f"{where}.polarity: must be one of {choices}") from error
    definition = entry.get("definition")
    if not isinstance(definition, str) or not definition:
        raise IndicatorMetadataError(f"{where}.definition: must be a non-empty text")
    return IndicatorMetadata(
        indicator_id=indicator_id,
        definition=definition,
        polarity=polarity,
        unit=str(entry.get("unit", "crimes")),
        caveats=str(entry.get("caveats", "")),
    )


@lru_cache(maxsize=1)
def indicator_catalogue() -> MetadataCatalogue:
    """Read ``indicator_metadata.yaml`` shipped in this package (read once)."""
    text = resources.files("safecity_web.observatory").joinpath(METADATA_FILE).read_text("utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("indicators"), dict):
        raise IndicatorMetadataError(f"{METADATA_FILE}: needs an 'indicators' mapping")
    indicators = {
        str(key): _entry(str(key), value) for key, value in document["indicators"].items()
    }
    return MetadataCatalogue(
        indicators=indicators,
        headline=tuple(str(item) for item in document.get("headline", [])),
        common_caveats=str(document.get("common_caveats", "")),
    )
