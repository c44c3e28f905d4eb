"""The demo city as loaded for the lake tests: its files, warehouse file and pseudonym key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safecity.data.synthetic import DemoDataset


@dataclass(frozen=True)
class LoadedCity:
    """The demo city's files, its warehouse file, and the pseudonym key it was loaded under."""

    dataset: DemoDataset
    warehouse: Path
    key: str
