"""Read YAML files shipped with the package in ``safecity.config`` (config as data)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
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


def read_config_document(
    *, path_text: str, file_name: str, error: type[ValueError]
) -> tuple[Any, str]:
    """The parsed document of a configuration a partnership may replace, and where it came from.

    Parameters
    ----------
    path_text
        The partnership's own file, or ``""`` for the file shipped in ``safecity.config``.
    file_name
        The shipped file's name, e.g. ``"intelligence.yaml"``.
    error
        The configuration's own error class, raised when the partnership's file cannot be read
        or is not valid YAML (the message names the file).

    Returns
    -------
    tuple[Any, str]
        The parsed document and the words that say where it came from (for error messages).
    """
    if not path_text:
        return read_packaged_yaml(file_name), f"{CONFIG_PACKAGE}/{file_name}"
    path = Path(path_text)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as failure:
        raise error(f"{path}: cannot be read ({failure})") from failure
    except yaml.YAMLError as failure:
        raise error(f"{path}: not valid YAML: {failure}") from failure
    return document, str(path)


def chosen_config_path(*, path: Path | None, environment_variable: str) -> str:
    """The partnership's file in force: ``path``, else ``environment_variable``, else ``""``."""
    chosen = path if path is not None else os.environ.get(environment_variable, "")
    return str(chosen) if chosen else ""
