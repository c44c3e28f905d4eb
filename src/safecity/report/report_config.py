"""The report's configuration as data: themes, methods, glossary, caveats and licences.

The YAML files ship inside ``safecity.report`` and are read with :mod:`importlib.resources`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

REPORT_PACKAGE = "safecity.report"


def read_report_yaml(file_name: str) -> dict[str, Any]:
    """Parse the YAML file ``file_name`` shipped in ``safecity.report``.

    Raises
    ------
    FileNotFoundError
        When no such file is shipped.
    ValueError
        When the file is not valid YAML or not a mapping (the message names the file).
    """
    resource = resources.files(REPORT_PACKAGE).joinpath(file_name)
    if not resource.is_file():
        raise FileNotFoundError(f"{REPORT_PACKAGE}/{file_name}: no such configuration file")
    try:
        document = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{REPORT_PACKAGE}/{file_name}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ValueError(f"{REPORT_PACKAGE}/{file_name}: expected a mapping at the top level")
    return document


def _entries(file_name: str, key: str) -> list[dict[str, Any]]:
    document = read_report_yaml(file_name)
    entries = document.get(key)
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError(f"{REPORT_PACKAGE}/{file_name}: {key!r} must be a list of mappings")
    return entries


def _text(entry: dict[str, Any], key: str, *, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be non-empty text (entry {entry})")
    return " ".join(value.split())


def _names(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(name) for name in entry.get(key) or ())


@dataclass(frozen=True, slots=True)
class Theme:
    """A priority theme: its section title and the crime groups that give it data."""

    theme_id: str
    title: str
    groups: tuple[str, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class Method:
    """A statistical method of the methods appendix and when the artefact used it."""

    method_id: str
    name: str
    plain: str
    section: str
    description: str
    reference: str
    tables: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The id of the method's entry in the methods appendix (``method-rate-ratio-test``)."""
        return method_anchor(self.method_id)


def method_anchor(method_id: str) -> str:
    """The id of a method's entry in the methods appendix and on the observatory's page."""
    return "method-" + method_id.replace("_", "-")


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A glossary entry; ``needs_tables`` keeps it only when one of those tables is present."""

    term: str
    meaning: str
    needs_tables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Caveat:
    """A standing caveat, printed when the artefact used ``needs_format`` (or always)."""

    caveat_id: str
    title: str
    text: str
    needs_format: str | None


@dataclass(frozen=True, slots=True)
class SourceLicence:
    """How the inputs of some formats are credited."""

    formats: tuple[str, ...]
    publisher: str
    title: str
    licence: str
    attribution: str


@cache
def themes() -> tuple[Theme, ...]:
    """The report's priority themes, in section order (``themes.yaml``)."""
    where = f"{REPORT_PACKAGE}/themes.yaml"
    found = tuple(
        Theme(
            theme_id=_text(entry, "id", where=where),
            title=_text(entry, "title", where=where),
            groups=_names(entry, "groups"),
            summary=_text(entry, "summary", where=where),
        )
        for entry in _entries("themes.yaml", "themes")
    )
    for theme in found:
        if not theme.groups:
            raise ValueError(f"{where}: theme {theme.theme_id!r} names no crime groups")
    return found


@cache
def methods() -> tuple[Method, ...]:
    """The methods the appendix can name (``methods_appendix.yaml``)."""
    where = f"{REPORT_PACKAGE}/methods_appendix.yaml"
    return tuple(
        Method(
            method_id=_text(entry, "id", where=where),
            name=_text(entry, "name", where=where),
            plain=_text(entry, "plain", where=where),
            section=_text(entry, "section", where=where),
            description=_text(entry, "description", where=where),
            reference=_text(entry, "reference", where=where),
            tables=_names(entry, "tables"),
            columns=_names(entry, "columns"),
        )
        for entry in _entries("methods_appendix.yaml", "methods")
    )


def method_by_id(method_id: str) -> Method | None:
    """The appendix's entry ``method_id``, or ``None`` when there is no such entry."""
    return next((method for method in methods() if method.method_id == method_id), None)


def method_ids(value: object) -> tuple[str, ...]:
    """The known method ids in a finding's ``methods`` cell (``;``-joined), in order.

    Ids the appendix does not have are dropped (an artefact newer than the report); a missing
    cell (an older artefact, without the column) gives none.
    """
    if not isinstance(value, str):
        return ()
    known = {method.method_id for method in methods()}
    return tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip() in known))


@cache
def glossary() -> tuple[GlossaryTerm, ...]:
    """The glossary terms, in order (``glossary.yaml``)."""
    where = f"{REPORT_PACKAGE}/glossary.yaml"
    return tuple(
        GlossaryTerm(
            term=_text(entry, "term", where=where),
            meaning=_text(entry, "meaning", where=where),
            needs_tables=_names(entry, "needs_tables"),
        )
        for entry in _entries("glossary.yaml", "terms")
    )


@cache
def caveats() -> tuple[Caveat, ...]:
    """The standing caveats (``caveats.yaml``)."""
    where = f"{REPORT_PACKAGE}/caveats.yaml"
    return tuple(
        Caveat(
            caveat_id=_text(entry, "id", where=where),
            title=_text(entry, "title", where=where),
            text=_text(entry, "text", where=where),
            needs_format=str(entry["needs_format"]) if entry.get("needs_format") else None,
        )
        for entry in _entries("caveats.yaml", "caveats")
    )


@cache
def source_licences() -> tuple[tuple[SourceLicence, ...], str]:
    """How each input format is credited, and the Open Government Licence's full name."""
    where = f"{REPORT_PACKAGE}/licences.yaml"
    document = read_report_yaml("licences.yaml")
    found = tuple(
        SourceLicence(
            formats=_names(entry, "formats"),
            publisher=_text(entry, "publisher", where=where),
            title=_text(entry, "title", where=where),
            licence=_text(entry, "licence", where=where),
            attribution=_text(entry, "attribution", where=where),
        )
        for entry in _entries("licences.yaml", "sources")
    )
    return found, _text(document, "open_government_licence", where=where)


class PriorityEvidence(StrEnum):
    """Where a priority's scores-and-evidence table is printed."""

    SUMMARY = "summary"
    APPENDIX = "appendix"
    DATA_FILES = "data_files"
    """Only in the published priority tables (``priority_scores``), not in the document."""


class SkippedParts(StrEnum):
    """How the data-quality section lists the parts of the assessment not computed."""

    TABLE = "table"
    """Every part with its reason (parts with the same reason share a row)."""
    LIST = "list"
    """One sentence naming the kinds of part, each with how many; reasons left to the
    partners' edition (a board document's length)."""


class WardTable(StrEnum):
    """Where the ward figures of a theme are printed."""

    SECTION = "section"
    APPENDIX = "appendix"


@dataclass(frozen=True, slots=True)
class PageBudget:
    """The A4 pages an edition may run to on the demo city (inclusive bounds)."""

    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class ThemeLayout:
    """How each priority theme is laid out in an edition."""

    new_page: bool
    findings: int | None
    """Findings printed per theme; ``None`` prints every one."""
    small_multiples: tuple[str, ...]
    max_groups: int
    charts: tuple[str, ...]
    ward_table: WardTable
    volume_sentence: bool
    """Whether the key figures are also said in a sentence under them."""


@dataclass(frozen=True, slots=True)
class Edition:
    """An edition of the report (one per audience): budget, section order and layout."""

    audience: str
    title: str
    pages: PageBudget
    sections: tuple[str, ...]
    priority_evidence: PriorityEvidence
    overview_charts: tuple[str, ...]
    overview_findings: int | None
    """Findings on all crime and harm the overview prints; ``None`` prints every one."""
    themes: ThemeLayout
    skipped_parts: SkippedParts = SkippedParts.TABLE
    """How the data-quality section lists the parts not computed."""


def _mapping(entry: dict[str, Any], key: str, *, where: str) -> dict[str, Any]:
    value = entry.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {key!r} must be a mapping")
    return value


def _whole(value: object, *, where: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{where}: expected a whole number of at least {minimum}, got {value!r}")
    return value


def _findings_shown(value: object, *, where: str) -> int | None:
    """``findings`` of an edition: ``all`` (``None``) or how many are printed."""
    return None if value == "all" else _whole(value, where=f"{where}.findings")


def _edition(audience: str, entry: dict[str, Any]) -> Edition:
    where = f"{REPORT_PACKAGE}/editions.yaml: edition {audience!r}"
    pages = _mapping(entry, "pages", where=where)
    budget = PageBudget(
        minimum=_whole(pages.get("min"), where=f"{where} pages.min", minimum=1),
        maximum=_whole(pages.get("max"), where=f"{where} pages.max", minimum=1),
    )
    if budget.minimum > budget.maximum:
        raise ValueError(f"{where}: pages.min is above pages.max")
    layout = _mapping(entry, "themes", where=where)
    findings = layout.get("findings")
    theme_layout = ThemeLayout(
        new_page=bool(layout.get("new_page")),
        findings=None if findings == "all" else _whole(findings, where=f"{where} themes.findings"),
        small_multiples=_names(layout, "small_multiples"),
        max_groups=_whole(layout.get("max_groups"), where=f"{where} themes.max_groups", minimum=1),
        charts=_names(layout, "charts"),
        ward_table=WardTable(str(layout.get("ward_table"))),
        volume_sentence=bool(layout.get("volume_sentence", True)),
    )
    sections = _names(entry, "sections")
    if not sections or len(set(sections)) != len(sections):
        raise ValueError(f"{where}: 'sections' must name each section once")
    summary = _mapping(entry, "summary", where=where)
    overview = _mapping(entry, "overview", where=where)
    return Edition(
        audience=audience,
        title=_text(entry, "title", where=where),
        pages=budget,
        sections=sections,
        priority_evidence=PriorityEvidence(str(summary.get("priority_evidence"))),
        overview_charts=_names(overview, "charts"),
        overview_findings=_findings_shown(overview.get("findings"), where=f"{where} overview"),
        themes=theme_layout,
        skipped_parts=SkippedParts(
            str((entry.get("data_quality") or {}).get("skipped_parts", SkippedParts.TABLE))
        ),
    )


@cache
def editions() -> dict[str, Edition]:
    """The report's editions by audience (``public``, ``partners``), from ``editions.yaml``.

    Raises
    ------
    ValueError
        When an entry lacks a field or has one of the wrong kind (the message names it).
    """
    document = read_report_yaml("editions.yaml")
    entries = document.get("editions")
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{REPORT_PACKAGE}/editions.yaml: 'editions' must be a mapping")
    return {str(audience): _edition(str(audience), entry) for audience, entry in entries.items()}


def edition(audience: str) -> Edition:
    """The edition for ``audience`` (an :class:`~safecity.report.artefact_reader.Audience`
    value).

    Raises
    ------
    KeyError
        When ``editions.yaml`` has no edition for that audience.
    """
    found = editions()
    if audience not in found:
        raise KeyError(f"{REPORT_PACKAGE}/editions.yaml has no edition {audience!r}")
    return found[audience]
