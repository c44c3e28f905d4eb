"""The synthetic demo city (and synthetic England and Wales) written as real-format files.

``generate_demo_data`` writes police.uk street files, a force record-level extract and the
reference files (lookups, population, IMD, boundaries, harm weights), deterministically from a
seed, with effects planted for the analyses to find.
"""

from safecity.data.synthetic.dataset import DemoDataset, PlantedEffects, PlantedRise
from safecity.data.synthetic.generate import generate_demo_data
from safecity.data.synthetic.scale import DemoScale

__all__ = ["DemoDataset", "DemoScale", "PlantedEffects", "PlantedRise", "generate_demo_data"]
