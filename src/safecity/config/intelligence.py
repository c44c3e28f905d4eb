"""The partner-intelligence vocabulary (``intelligence.yaml``): grading, topics, receivers, rules.

One file read by the web site (the Community Partnership Intelligence form, the receivers' queue,
review and retention, alerts) and by the core (the de-identified counts in the partner copy of
the Assessment), so that a topic, a grade and a retention rule mean the same everywhere. A
partnership may point ``SAFECITY_INTELLIGENCE_CONFIG`` at its own copy.

References
----------
College of Policing, Authorised Professional Practice "Intelligence management" (the 3x5x2
evaluation: source evaluation, intelligence assessment, handling code), and APP "Information
management: Management of police information" (review and retention).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from safecity.config.packaged_yaml import (
    chosen_config_path,
    read_config_document,
)

CONFIG_FILE = "intelligence.yaml"
CONFIG_ENVIRONMENT_VARIABLE = "SAFECITY_INTELLIGENCE_CONFIG"


class IntelligenceConfigError(ValueError):
    """The partner-intelligence configuration is malformed (the message says where)."""


@dataclass(frozen=True, slots=True)
class Grade:
    """One code of a 3x5x2 scale with the words the form shows and its explanation."""

    code: str
    label: str
    explanation: str
    conditions_required: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """An identifier with the words the forms show for it."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class SubjectKind:
    """What a submission can be about (person, vehicle, premises, place) and its fields."""

    id: str
    label: str
    fields: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of intelligence: who receives it and its review and retention rule (days)."""

    id: str
    label: str
    hint: str
    routed_to: tuple[str, ...]
    review_after_days: int
    retain_for_days: int
    escalate_after_days: int
    delete_after_days: int


@dataclass(frozen=True, slots=True)
class IntelligenceConfig:
    """The whole partner-intelligence configuration."""

    source_evaluation: tuple[Grade, ...]
    intelligence_assessment: tuple[Grade, ...]
    handling_codes: tuple[Grade, ...]
    provenance: tuple[Choice, ...]
    subject_kinds: tuple[SubjectKind, ...]
    receivers: tuple[Choice, ...]
    topics: tuple[Topic, ...]
    outcomes: tuple[Choice, ...]
    minimum_count: int

    def topic(self, topic_id: str) -> Topic:
        """The topic ``topic_id`` (``KeyError`` naming the known topics otherwise)."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        known = ", ".join(topic.id for topic in self.topics)
        raise KeyError(f"no intelligence topic {topic_id!r} (known: {known})")

    def subject_kind(self, kind_id: str) -> SubjectKind:
        """The subject kind ``kind_id`` (``KeyError`` naming the known kinds otherwise)."""
        for kind in self.subject_kinds:
            if kind.id == kind_id:
                return kind
        known = ", ".join(kind.id for kind in self.subject_kinds)
        raise KeyError(f"no subject kind {kind_id!r} (known: {known})")

    def handling_code(self, code: str) -> Grade:
        """The handling code ``code`` (``KeyError`` otherwise)."""
        return _grade(self.handling_codes, code, what="handling code")

    def topics_for(self, receivers: frozenset[str]) -> frozenset[str]:
        """The ids of the topics routed to any of ``receivers``."""
        return frozenset(topic.id for topic in self.topics if receivers & set(topic.routed_to))


def _grade(grades: tuple[Grade, ...], code: str, *, what: str) -> Grade:
    for grade in grades:
        if grade.code == code:
            return grade
    known = ", ".join(grade.code for grade in grades)
    raise KeyError(f"no {what} {code!r} (known: {known})")


def _mapping(value: Any, *, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise IntelligenceConfigError(f"{where}: must be a mapping")
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise IntelligenceConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )
    return value


def _text(entry: dict[str, Any], key: str, *, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise IntelligenceConfigError(f"{where}: {key!r} must be a non-empty text")
    return value.strip()


def _positive_int(entry: dict[str, Any], key: str, *, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise IntelligenceConfigError(f"{where}: {key!r} must be a positive whole number")
    return value


def _list(value: Any, *, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise IntelligenceConfigError(f"{where}: must be a non-empty list")
    return value


def _unique(ids: list[str], *, what: str, where: str) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise IntelligenceConfigError(f"{where}: {what} {identifier!r} appears twice")
        seen.add(identifier)


def _grades(value: Any, *, where: str, expected: tuple[str, ...]) -> tuple[Grade, ...]:
    grades = []
    for index, raw in enumerate(_list(value, where=where)):
        at = f"{where}[{index}]"
        entry = _mapping(
            raw,
            where=at,
            allowed=frozenset({"code", "label", "explanation", "conditions_required"}),
        )
        required = entry.get("conditions_required", False)
        if not isinstance(required, bool):
            raise IntelligenceConfigError(f"{at}: 'conditions_required' must be true or false")
        grades.append(
            Grade(
                code=_text(entry, "code", where=at),
                label=_text(entry, "label", where=at),
                explanation=_text(entry, "explanation", where=at),
                conditions_required=required,
            )
        )
    codes = tuple(grade.code for grade in grades)
    if codes != expected:
        raise IntelligenceConfigError(
            f"{where}: the 3x5x2 model's codes are {', '.join(expected)} in that order "
            f"(found {', '.join(codes)})"
        )
    return tuple(grades)


def _choices(value: Any, *, where: str, what: str) -> tuple[Choice, ...]:
    choices = []
    for index, raw in enumerate(_list(value, where=where)):
        at = f"{where}[{index}]"
        entry = _mapping(raw, where=at, allowed=frozenset({"id", "label"}))
        choices.append(Choice(_text(entry, "id", where=at), _text(entry, "label", where=at)))
    _unique([choice.id for choice in choices], what=what, where=where)
    return tuple(choices)


TOPIC_KEYS = frozenset(
    {
        "id",
        "label",
        "hint",
        "routed_to",
        "review_after_days",
        "retain_for_days",
        "escalate_after_days",
        "delete_after_days",
    }
)


def parse_intelligence_config(document: Any, *, where: str) -> IntelligenceConfig:
    """Check and convert a parsed ``intelligence.yaml`` document.

    Parameters
    ----------
    document
        The parsed YAML.
    where
        Where it came from, for error messages.

    Returns
    -------
    IntelligenceConfig

    Raises
    ------
    IntelligenceConfigError
        Naming the entry and field that is wrong (unknown keys included).
    """
    root = _mapping(
        document,
        where=where,
        allowed=frozenset(
            {
                "version",
                "grading",
                "provenance",
                "subject_kinds",
                "receivers",
                "topics",
                "outcomes",
                "counts",
            }
        ),
    )
    if root.get("version") != 1:
        raise IntelligenceConfigError(f"{where}: 'version' must be 1")
    grading = _mapping(
        root.get("grading"),
        where=f"{where} grading",
        allowed=frozenset({"source_evaluation", "intelligence_assessment", "handling_codes"}),
    )
    receivers = _choices(root.get("receivers"), where=f"{where} receivers", what="receiver")
    receiver_ids = {receiver.id for receiver in receivers}
    subject_kinds = []
    for index, raw in enumerate(_list(root.get("subject_kinds"), where=f"{where} subject_kinds")):
        at = f"{where} subject_kinds[{index}]"
        entry = _mapping(raw, where=at, allowed=frozenset({"id", "label", "fields"}))
        subject_kinds.append(
            SubjectKind(
                id=_text(entry, "id", where=at),
                label=_text(entry, "label", where=at),
                fields=_choices(entry.get("fields"), where=f"{at} fields", what="field"),
            )
        )
    _unique([kind.id for kind in subject_kinds], what="subject kind", where=where)
    topics = []
    for index, raw in enumerate(_list(root.get("topics"), where=f"{where} topics")):
        at = f"{where} topics[{index}]"
        entry = _mapping(raw, where=at, allowed=TOPIC_KEYS)
        routed = _list(entry.get("routed_to"), where=f"{at} routed_to")
        for receiver in routed:
            if receiver not in receiver_ids:
                raise IntelligenceConfigError(f"{at}: routed to unknown receiver {receiver!r}")
        topics.append(
            Topic(
                id=_text(entry, "id", where=at),
                label=_text(entry, "label", where=at),
                hint=_text(entry, "hint", where=at),
                routed_to=tuple(str(receiver) for receiver in routed),
                review_after_days=_positive_int(entry, "review_after_days", where=at),
                retain_for_days=_positive_int(entry, "retain_for_days", where=at),
                escalate_after_days=_positive_int(entry, "escalate_after_days", where=at),
                delete_after_days=_positive_int(entry, "delete_after_days", where=at),
            )
        )
        if topics[-1].escalate_after_days >= topics[-1].delete_after_days:
            raise IntelligenceConfigError(
                f"{at}: 'escalate_after_days' must be less than 'delete_after_days' (an overdue "
                "review is escalated before the submission is deleted)"
            )
    _unique([topic.id for topic in topics], what="topic", where=where)
    counts = _mapping(
        root.get("counts"), where=f"{where} counts", allowed=frozenset({"minimum_count"})
    )
    return IntelligenceConfig(
        source_evaluation=_grades(
            grading.get("source_evaluation"),
            where=f"{where} grading.source_evaluation",
            expected=("1", "2", "3"),
        ),
        intelligence_assessment=_grades(
            grading.get("intelligence_assessment"),
            where=f"{where} grading.intelligence_assessment",
            expected=("A", "B", "C", "D", "E"),
        ),
        handling_codes=_grades(
            grading.get("handling_codes"),
            where=f"{where} grading.handling_codes",
            expected=("P", "C"),
        ),
        provenance=_choices(root.get("provenance"), where=f"{where} provenance", what="provenance"),
        subject_kinds=tuple(subject_kinds),
        receivers=receivers,
        topics=tuple(topics),
        outcomes=_choices(root.get("outcomes"), where=f"{where} outcomes", what="outcome"),
        minimum_count=_positive_int(counts, "minimum_count", where=f"{where} counts"),
    )


@lru_cache(maxsize=4)
def _read(path_text: str) -> IntelligenceConfig:
    document, where = read_config_document(
        path_text=path_text, file_name=CONFIG_FILE, error=IntelligenceConfigError
    )
    return parse_intelligence_config(document, where=where)


def intelligence_config(*, path: Path | None = None) -> IntelligenceConfig:
    """The partner-intelligence configuration in force.

    Parameters
    ----------
    path
        A partnership's own file; default: ``SAFECITY_INTELLIGENCE_CONFIG`` when set,
        otherwise the file shipped with the package.

    Returns
    -------
    IntelligenceConfig
    """
    return _read(chosen_config_path(path=path, environment_variable=CONFIG_ENVIRONMENT_VARIABLE))
