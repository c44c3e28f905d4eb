"""Reading the YAML configuration shipped inside the package."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def packaged_yaml(name: str) -> dict[str, Any]:
    """The parsed YAML file ``name`` from ``safecity/config/`` (cached; treat it as read-only)."""
    text = (resources.files("safecity.config") / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"packaged configuration {name} is not a YAML mapping")
    return data
