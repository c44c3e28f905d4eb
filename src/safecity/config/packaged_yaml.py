"""Read YAML files shipped with the package in ``safecity.config`` (config as data)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

CONFIG_PACKAGE = "safecity.config"


def read_packaged_yaml(file_name: str) -> Any:
    """Parse the YAML file ``file_name`` shipped in ``safecity.config``.

    Parameters
    ----------
    file_name
        The file's name inside the package, e.g. ``"offence_codes.yaml"``.

    Returns
    -------
    Any
        The parsed document (mappings, lists and scalars).

    Raises
    ------
    FileNotFoundError
        When no such file is shipped.
    ValueError
        When the file is not valid YAML (the message names the file).
    """
    resource = resources.files(CONFIG_PACKAGE).joinpath(file_name)
    if not resource.is_file():
        raise FileNotFoundError(f"{CONFIG_PACKAGE}/{file_name}: no such configuration file")
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{CONFIG_PACKAGE}/{file_name}: not valid YAML: {error}") from error
