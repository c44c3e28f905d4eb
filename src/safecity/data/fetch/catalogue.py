"""The source catalogue: named download sources, their addresses, and how to override them.

The catalogue is data, ``safecity/config/sources.yaml``, shipped with the package and read with
:mod:`importlib.resources`; a user catalogue in the same layout can add sources or override
fields of shipped ones. This module turns catalogue entries into :class:`FetchTarget` values
(a URL, where to save it, and the SHA-256 to expect, if known).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from safecity.data.fetch.errors import CatalogueError

CATALOGUE_RESOURCE = "sources.yaml"
"""The shipped catalogue, a resource of :mod:`safecity.config`."""

POLICE_UK_ARCHIVE_SOURCE = "police-uk-archive"
"""The catalogue name of the data.police.uk monthly archive zips."""

POLICE_UK_FORCE_MONTH_SOURCE = "police-uk-force-month"
"""The catalogue name of the data.police.uk per-force monthly files."""

_MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class SourceGroup(StrEnum):
    """Families of sources that share a mirror environment variable."""

    POLICE_UK = "police-uk"
    REFERENCE = "reference"


class Paging(StrEnum):
    """How a source's answer comes in several requests."""

    ARCGIS_RESULT_OFFSET = "arcgis-result-offset"
    """An ArcGIS feature-service query: while a page says ``exceededTransferLimit``, ask again
    with ``resultOffset`` = the features received so far; the pages are saved as one answer."""


@dataclass(frozen=True, slots=True)
class LoadHint:
    """How ``safecity load reference`` takes a fetched file: its kind and the options the file
    itself does not say (``sheet``, ``vintage``, ``publisher`` ...), as ``--option value``."""

    kind: str
    options: Mapping[str, str | int]

    def arguments(self) -> list[str]:
        """The options as command-line arguments."""
        arguments: list[str] = []
        for name, value in self.options.items():
            arguments += [f"--{name.replace('_', '-')}", str(value)]
        return arguments


@dataclass(frozen=True, slots=True)
class Source:
    """One named source of the catalogue.

    ``path`` is relative to the base URL and, for police.uk sources, a template with the fields
    ``{month}``, ``{force}`` and ``{kind}``; ``local_path`` is where the file is saved relative
    to the output folder (``filename`` for reference files).
    """

    name: str
    group: SourceGroup
    title: str
    publisher: str
    licence: str
    landing_page: str | None
    address: str
    base_url: str | None
    environment_variable: str
    path: str
    local_path: str
    sha256: str | None
    paging: Paging | None = None
    load: LoadHint | None = None
    """For reference files: how to load the fetched file (``safecity load reference``)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The sources, the mirror variable of each group, and the police.uk forces and file kinds."""

    sources: Mapping[str, Source]
    group_environment_variables: Mapping[SourceGroup, str]
    police_uk_forces: tuple[str, ...]
    police_uk_kinds: tuple[str, ...]
    origin: str

    def source(self, name: str) -> Source:
        """The source called ``name``, or a :class:`CatalogueError` listing the known names."""
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise CatalogueError(
                f"no source called {name!r} in the catalogue ({self.origin}); known: {known}"
            ) from None

    def reference_names(self) -> list[str]:
        """Names of the reference sources (the ``KIND`` of ``safecity fetch reference``)."""
        return sorted(
            name for name, source in self.sources.items() if source.group is SourceGroup.REFERENCE
        )


@dataclass(frozen=True, slots=True)
class FetchTarget:
    """One file to download: from where, to which path under the output folder, what to expect.

    ``description`` says what the file is, for progress bars and error messages.
    """

    url: str
    relative_path: str
    description: str
    expected_sha256: str | None = None
    paging: Paging | None = None


def load_catalogue(*, user_catalogue: Path | None = None) -> Catalogue:
    """Read the shipped catalogue, with ``user_catalogue`` (same layout) laid over it.

    Parameters
    ----------
    user_catalogue
        A YAML file whose ``sources`` entries override fields of shipped sources (by name) or
        add new ones; ``groups`` and ``police_uk`` entries replace the shipped ones.

    Raises
    ------
    CatalogueError
        When either file is not valid, naming the file and the entry.
    """
    shipped_text = resources.files("safecity.config").joinpath(CATALOGUE_RESOURCE).read_text()
    shipped_origin = f"safecity/config/{CATALOGUE_RESOURCE}"
    document = _parse_document(shipped_text, origin=shipped_origin)
    origin = shipped_origin
    if user_catalogue is not None:
        try:
            user_text = user_catalogue.read_text(encoding="utf-8")
        except OSError as error:
            raise CatalogueError(f"cannot read catalogue {user_catalogue}: {error}") from error
        user_document = _parse_document(user_text, origin=str(user_catalogue))
        document = _overlay(document, user_document)
        origin = f"{shipped_origin} + {user_catalogue}"
    return _build_catalogue(document, origin=origin)


def resolve_base_url(
    source: Source,
    catalogue: Catalogue,
    *,
    override: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> str:
    """The base URL to use for ``source``.

    Precedence: ``override`` (the ``--base-url`` option), the source's environment variable,
    its group's environment variable, the catalogue's ``base_url``.

    Raises
    ------
    CatalogueError
        When none of these gives a URL (a source with no default address), or the URL is not
        ``http``/``https``.
    """
    variables = os.environ if environment is None else environment
    group_variable = catalogue.group_environment_variables.get(source.group)
    candidates = [
        ("--base-url", override),
        (f"${source.environment_variable}", variables.get(source.environment_variable)),
        (f"${group_variable}", variables.get(group_variable) if group_variable else None),
        (f"base_url of {source.name!r} in {catalogue.origin}", source.base_url),
    ]
    for where, value in candidates:
        if value:
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise CatalogueError(
                    f"base URL {value!r} (from {where}) for source {source.name!r} is not an "
                    "http(s) URL"
                )
            return value.rstrip("/")
    hint = f" ({source.landing_page})" if source.landing_page else ""
    raise CatalogueError(
        f"source {source.name!r} has no default base URL{hint}: give --base-url or set "
        f"${source.environment_variable}" + (f" or ${group_variable}" if group_variable else "")
    )


def join_url(base_url: str, path: str) -> str:
    """``base_url`` and a relative ``path`` (which may carry a query string) joined by one ``/``."""
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def validate_month(month: str) -> str:
    """``month`` if it is a ``YYYY-MM`` month, else a :class:`CatalogueError` saying so."""
    if not _MONTH_PATTERN.match(month):
        raise CatalogueError(f"month {month!r} is not of the form YYYY-MM (e.g. 2017-04)")
    return month


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, as ``YYYY-MM``.

    >>> months_between("2017-11", "2018-02")
    ['2017-11', '2017-12', '2018-01', '2018-02']
    """
    first_year, first_month = (int(part) for part in validate_month(first).split("-"))
    last_year, last_month = (int(part) for part in validate_month(last).split("-"))
    first_index = first_year * 12 + first_month - 1
    last_index = last_year * 12 + last_month - 1
    if last_index < first_index:
        raise CatalogueError(f"month range {first}..{last} ends before it starts")
    return [
        f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first_index, last_index + 1)
    ]


def police_uk_archive_targets(
    catalogue: Catalogue, *, months: Sequence[str], base_url: str
) -> list[FetchTarget]:
    """The data.police.uk archive zip of each month in ``months``."""
    source = catalogue.source(POLICE_UK_ARCHIVE_SOURCE)
    return [
        FetchTarget(
            url=join_url(base_url, source.path.format(month=month)),
            relative_path=_safe_relative_path(source.local_path.format(month=month)),
            description=f"police-uk archive {month}",
        )
        for month in months
    ]


def police_uk_force_month_targets(
    catalogue: Catalogue,
    *,
    months: Sequence[str],
    forces: Sequence[str],
    kinds: Sequence[str],
    base_url: str,
) -> list[FetchTarget]:
    """The per-force monthly files: every month × force × kind, month by month.

    Raises
    ------
    CatalogueError
        When a force or kind is not one data.police.uk uses (as listed in the catalogue).
    """
    _check_known("force", forces, catalogue.police_uk_forces)
    _check_known("file kind", kinds, catalogue.police_uk_kinds)
    if not forces:
        raise CatalogueError("give at least one --force for per-force files (or use --archive)")
    source = catalogue.source(POLICE_UK_FORCE_MONTH_SOURCE)
    targets = []
    for month in months:
        for force in forces:
            for kind in kinds:
                fields = {"month": month, "force": force, "kind": kind}
                targets.append(
                    FetchTarget(
                        url=join_url(base_url, source.path.format(**fields)),
                        relative_path=_safe_relative_path(source.local_path.format(**fields)),
                        description=f"police-uk {kind} file, {force} {month}",
                    )
                )
    return targets


def reference_target(catalogue: Catalogue, *, name: str, base_url: str) -> FetchTarget:
    """The reference file called ``name`` in the catalogue."""
    source = catalogue.source(name)
    if source.group is not SourceGroup.REFERENCE:
        raise CatalogueError(
            f"source {name!r} is not a reference file; reference files: "
            + ", ".join(catalogue.reference_names())
        )
    return FetchTarget(
        url=join_url(base_url, source.path),
        relative_path=_safe_relative_path(source.local_path),
        description=f"reference file {name} ({source.title})",
        expected_sha256=source.sha256,
        paging=source.paging,
    )


def url_target(*, url: str, filename: str | None, expected_sha256: str | None) -> FetchTarget:
    """A single URL, saved as ``filename`` (default: the last segment of the URL's path)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CatalogueError(f"{url!r} is not an http(s) URL")
    name = filename or unquote(PurePosixPath(parts.path).name)
    if not name:
        raise CatalogueError(f"cannot name a file after {url!r}: give a file name (--name)")
    return FetchTarget(
        url=url,
        relative_path=_safe_relative_path(name),
        description=f"file {name}",
        expected_sha256=normalise_sha256(expected_sha256) if expected_sha256 else None,
    )


def normalise_sha256(value: str) -> str:
    """``value`` as 64 lower-case hex digits, or a :class:`CatalogueError` saying what is wrong."""
    normalised = value.strip().lower()
    if not _SHA256_PATTERN.match(normalised):
        raise CatalogueError(f"{value!r} is not a SHA-256 (64 hexadecimal digits)")
    return normalised


def _check_known(what: str, values: Iterable[str], known: Sequence[str]) -> None:
    unknown = [value for value in values if value not in known]
    if unknown:
        raise CatalogueError(
            f"unknown police-uk {what} {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
        )


def _safe_relative_path(path: str) -> str:
    """``path`` if it stays inside the output folder, else a :class:`CatalogueError`."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise CatalogueError(f"local path {path!r} must be relative and stay in the output folder")
    return pure.as_posix()


def _parse_document(text: str, *, origin: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CatalogueError(f"{origin} is not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise CatalogueError(f"{origin}: the catalogue must be a mapping at the top level")
    if document.get("version", 1) != 1:
        raise CatalogueError(f"{origin}: unsupported catalogue version {document.get('version')!r}")
    return document


def _overlay(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key in ("groups", "police_uk"):
        if key in user:
            merged[key] = {**base.get(key, {}), **user[key]}
    sources = {name: dict(entry) for name, entry in base.get("sources", {}).items()}
    user_sources = user.get("sources", {})
    if not isinstance(user_sources, dict):
        raise CatalogueError("user catalogue: 'sources' must be a mapping of name to source")
    for name, entry in user_sources.items():
        if not isinstance(entry, dict):
            raise CatalogueError(f"user catalogue: source {name!r} must be a mapping")
        sources[name] = {**sources.get(name, {}), **entry}
    merged["sources"] = sources
    return merged


def _build_catalogue(document: dict[str, Any], *, origin: str) -> Catalogue:
    groups: dict[SourceGroup, str] = {}
    for group_name, group in (document.get("groups") or {}).items():
        group_enum = _group(group_name, where=f"{origin}: groups")
        variable = group.get("environment_variable") if isinstance(group, dict) else None
        if variable:
            groups[group_enum] = str(variable)
    police_uk = document.get("police_uk") or {}
    forces = tuple(str(force) for force in police_uk.get("forces") or ())
    kinds = tuple(str(kind) for kind in police_uk.get("kinds") or ())
    raw_sources = document.get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        raise CatalogueError(f"{origin}: 'sources' must be a non-empty mapping")
    sources = {
        str(name): _build_source(str(name), entry, origin=origin)
        for name, entry in raw_sources.items()
    }
    return Catalogue(
        sources=sources,
        group_environment_variables=groups,
        police_uk_forces=forces,
        police_uk_kinds=kinds,
        origin=origin,
    )


def _build_source(name: str, entry: Any, *, origin: str) -> Source:
    where = f"{origin}: source {name!r}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where} must be a mapping")
    for required in ("group", "title", "path"):
        if not entry.get(required):
            raise CatalogueError(f"{where} has no {required!r}")
    group = _group(entry["group"], where=where)
    local_path = entry.get("local_path") or entry.get("filename")
    if not local_path:
        raise CatalogueError(f"{where} has neither 'local_path' nor 'filename'")
    sha256 = entry.get("sha256")
    if sha256 and "{" in str(entry["path"]):
        raise CatalogueError(
            f"{where}: a templated path names many files, so it cannot have one sha256"
        )
    default_variable = "SAFECITY_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()) + "_BASE_URL"
    return Source(
        name=name,
        group=group,
        title=str(entry["title"]),
        publisher=str(entry.get("publisher", "")),
        licence=str(entry.get("licence", "")),
        landing_page=entry.get("landing_page"),
        address=str(entry.get("address", "best-known")),
        base_url=entry.get("base_url"),
        environment_variable=str(entry.get("environment_variable") or default_variable),
        path=str(entry["path"]),
        local_path=str(local_path),
        sha256=_checked_sha256(sha256, where=where) if sha256 else None,
        paging=_paging(entry.get("paging"), where=where),
        load=_load_hint(entry.get("load"), where=where),
    )


def _paging(value: Any, *, where: str) -> Paging | None:
    if value is None:
        return None
    try:
        return Paging(value)
    except ValueError:
        known = ", ".join(paging.value for paging in Paging)
        raise CatalogueError(f"{where}: unknown paging {value!r} (known: {known})") from None


def _load_hint(value: Any, *, where: str) -> LoadHint | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise CatalogueError(f"{where}: 'load' must be a mapping with a 'kind'")
    options = value.get("options") or {}
    if not isinstance(options, dict) or not all(
        isinstance(option, str) and isinstance(setting, str | int)
        for option, setting in options.items()
    ):
        raise CatalogueError(f"{where}: 'load.options' must map option names to values")
    return LoadHint(kind=value["kind"], options=dict(options))


def _checked_sha256(value: Any, *, where: str) -> str:
    try:
        return normalise_sha256(str(value))
    except CatalogueError as error:
        raise CatalogueError(f"{where}: {error}") from None


def _group(value: Any, *, where: str) -> SourceGroup:
    try:
        return SourceGroup(value)
    except ValueError:
        known = ", ".join(group.value for group in SourceGroup)
        raise CatalogueError(f"{where}: unknown group {value!r} (known: {known})") from None
