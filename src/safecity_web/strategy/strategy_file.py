"""Reading and checking a strategy YAML file.

The structure (the Southampton Safe City Strategy 2022-2027 file in ``shared/strategy`` is the
reference example)::

    document: {title: str}
    partnership: {name: str}
    period: {start_year: int, end_year: int}
    priorities:
      - id: str
        number: int            # optional
        title: str
        our_focus: [str]       # optional
        focus_areas:
          - id: str
            title: str
            responsible: [str]                 # bodies responsible for the focus area's actions
            placement_notes: [str]             # optional
            outcomes: [{id: str, number: int?, text: str, indicators: [str]?}]
            actions:
              - {id: str, text: str, responsible: [str]?, due_date: date?, timescale: str?}
    counts: {priorities, focus_areas, outcomes, actions, responsible_entries}  # optional check

Any other keys are kept in the file but not imported. Every problem raises
:class:`StrategyFileError` naming the YAML path, e.g.
``priorities[2].focus_areas[0].outcomes: expected a list``.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml


class StrategyFileError(ValueError):
    """A strategy file is not valid YAML or does not have the expected structure."""

    def __init__(self, *, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


@dataclass(frozen=True)
class OutcomeEntry:
    """An outcome as read from the file."""

    code: str
    number: int | None
    text: str
    indicator_ids: tuple[str, ...]


@dataclass(frozen=True)
class ActionEntry:
    """An action as read from the file; ``responsible`` is inherited from its focus area."""

    code: str
    text: str
    responsible: tuple[str, ...]
    due_date: datetime.date | None
    timescale: str


@dataclass(frozen=True)
class FocusAreaEntry:
    """A focus area as read from the file."""

    code: str
    title: str
    responsible: tuple[str, ...]
    notes: tuple[str, ...]
    outcomes: tuple[OutcomeEntry, ...]
    actions: tuple[ActionEntry, ...]


@dataclass(frozen=True)
class PriorityEntry:
    """A priority as read from the file."""

    code: str
    number: int | None
    title: str
    focus_statements: tuple[str, ...]
    focus_areas: tuple[FocusAreaEntry, ...]


@dataclass(frozen=True)
class StrategyFile:
    """A checked strategy file."""

    name: str
    partnership: str
    period_start_year: int
    period_end_year: int
    source_sha256: str
    priorities: tuple[PriorityEntry, ...] = field(default_factory=tuple)

    @property
    def focus_areas(self) -> list[FocusAreaEntry]:
        """Every focus area, in file order."""
        return [area for priority in self.priorities for area in priority.focus_areas]

    @property
    def outcomes(self) -> list[OutcomeEntry]:
        """Every outcome, in file order."""
        return [outcome for area in self.focus_areas for outcome in area.outcomes]

    @property
    def actions(self) -> list[ActionEntry]:
        """Every action, in file order."""
        return [action for area in self.focus_areas for action in area.actions]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", int: "a whole number"}
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


def _mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StrategyFileError(path=path, problem=f"expected a mapping, found {_type_name(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise StrategyFileError(path=path, problem=f"expected a list, found {_type_name(value)}")
    return value


def _required(mapping: dict[str, Any], key: str, path: str) -> Any:
    if key not in mapping or mapping[key] is None:
        raise StrategyFileError(path=_join(path, key), problem="missing")
    return mapping[key]


MAX_NAME_LENGTH = 300
"""Longest title, partnership or body name (the database columns hold 300 characters)."""
MAX_TIMESCALE_LENGTH = 200
MAX_INDICATOR_ID_LENGTH = 100


def _text(value: Any, path: str, *, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise StrategyFileError(path=path, problem=f"expected text, found {_type_name(value)}")
    text = value.strip()
    if not text:
        raise StrategyFileError(path=path, problem="is empty")
    if "\x00" in text:
        raise StrategyFileError(path=path, problem="contains a NUL character")
    if max_length is not None and len(text) > max_length:
        raise StrategyFileError(
            path=path, problem=f"is {len(text)} characters long; at most {max_length} are allowed"
        )
    return text


def _whole_number(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StrategyFileError(
            path=path, problem=f"expected a whole number, found {_type_name(value)}"
        )
    return value


def _optional_number(mapping: dict[str, Any], key: str, path: str) -> int | None:
    value = mapping.get(key)
    return None if value is None else _whole_number(value, _join(path, key))


def _text_list(
    mapping: dict[str, Any], key: str, path: str, *, max_length: int | None = None
) -> tuple[str, ...]:
    value = mapping.get(key)
    if value is None:
        return ()
    items = _list(value, _join(path, key))
    return tuple(
        _text(item, _join(_join(path, key), index), max_length=max_length)
        for index, item in enumerate(items)
    )


def _date(value: Any, path: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise StrategyFileError(path=path, problem=f"expected a date as YYYY-MM-DD, found {value!r}")


MAX_ID_LENGTH = 40


def _unique_code(code: str, path: str, seen: dict[str, str]) -> str:
    if len(code) > MAX_ID_LENGTH:
        raise StrategyFileError(
            path=_join(path, "id"), problem=f"longer than {MAX_ID_LENGTH} characters: {code!r}"
        )
    if code in seen:
        raise StrategyFileError(path=path, problem=f"id {code!r} is also used at {seen[code]}")
    seen[code] = path
    return code


def _outcome(value: Any, path: str, seen: dict[str, str]) -> OutcomeEntry:
    mapping = _mapping(value, path)
    return OutcomeEntry(
        code=_unique_code(_text(_required(mapping, "id", path), _join(path, "id")), path, seen),
        number=_optional_number(mapping, "number", path),
        text=_text(_required(mapping, "text", path), _join(path, "text")),
        indicator_ids=_text_list(mapping, "indicators", path, max_length=MAX_INDICATOR_ID_LENGTH),
    )


def _action(value: Any, path: str, seen: dict[str, str], inherited: tuple[str, ...]) -> ActionEntry:
    mapping = _mapping(value, path)
    own = _text_list(mapping, "responsible", path, max_length=MAX_NAME_LENGTH)
    timescale = mapping.get("timescale")
    return ActionEntry(
        code=_unique_code(_text(_required(mapping, "id", path), _join(path, "id")), path, seen),
        text=_text(_required(mapping, "text", path), _join(path, "text")),
        responsible=own or inherited,
        due_date=_date(mapping.get("due_date"), _join(path, "due_date")),
        timescale=""
        if timescale is None
        else _text(timescale, _join(path, "timescale"), max_length=MAX_TIMESCALE_LENGTH),
    )


def _focus_area(value: Any, path: str, seen: dict[str, str]) -> FocusAreaEntry:
    mapping = _mapping(value, path)
    code = _unique_code(_text(_required(mapping, "id", path), _join(path, "id")), path, seen)
    responsible = _text_list(mapping, "responsible", path, max_length=MAX_NAME_LENGTH)
    duplicates = sorted({name for name in responsible if responsible.count(name) > 1})
    if duplicates:
        raise StrategyFileError(
            path=_join(path, "responsible"), problem=f"lists {duplicates[0]!r} more than once"
        )
    outcomes_path = _join(path, "outcomes")
    actions_path = _join(path, "actions")
    return FocusAreaEntry(
        code=code,
        title=_text(_required(mapping, "title", path), _join(path, "title")),
        responsible=responsible,
        notes=_text_list(mapping, "placement_notes", path),
        outcomes=tuple(
            _outcome(item, _join(outcomes_path, index), seen)
            for index, item in enumerate(_list(mapping.get("outcomes", []), outcomes_path))
        ),
        actions=tuple(
            _action(item, _join(actions_path, index), seen, responsible)
            for index, item in enumerate(_list(mapping.get("actions", []), actions_path))
        ),
    )


def _priority(value: Any, path: str, seen: dict[str, str]) -> PriorityEntry:
    mapping = _mapping(value, path)
    code = _unique_code(_text(_required(mapping, "id", path), _join(path, "id")), path, seen)
    areas_path = _join(path, "focus_areas")
    areas = _list(_required(mapping, "focus_areas", path), areas_path)
    return PriorityEntry(
        code=code,
        number=_optional_number(mapping, "number", path),
        title=_text(_required(mapping, "title", path), _join(path, "title")),
        focus_statements=_text_list(mapping, "our_focus", path),
        focus_areas=tuple(
            _focus_area(item, _join(areas_path, index), seen) for index, item in enumerate(areas)
        ),
    )


def _check_counts(strategy: StrategyFile, counts: dict[str, Any]) -> None:
    """Compare the file's own ``counts`` block (when present) with what it lists."""
    found = {
        "priorities": len(strategy.priorities),
        "focus_areas": len(strategy.focus_areas),
        "outcomes": len(strategy.outcomes),
        "actions": len(strategy.actions),
        "responsible_entries": sum(len(area.responsible) for area in strategy.focus_areas),
    }
    for key, listed in found.items():
        if key in counts:
            stated = _whole_number(counts[key], f"counts.{key}")
            if stated != listed:
                raise StrategyFileError(
                    path=f"counts.{key}", problem=f"the file says {stated} but lists {listed}"
                )


def parse_strategy(*, content: bytes) -> StrategyFile:
    """Read and check a strategy file's bytes.

    Raises
    ------
    StrategyFileError
        When the bytes are not UTF-8 YAML or the structure is wrong; the error names the
        YAML path (``priorities[0].focus_areas[1].actions[3].text: missing``).
    """
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StrategyFileError(
            path="", problem=f"the file is not UTF-8 text (byte {error.start})"
        ) from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        raise StrategyFileError(path="", problem=f"not valid YAML{where}: {reason}") from error
    except (ValueError, OverflowError) as error:  # a value YAML reads but Python cannot hold
        raise StrategyFileError(
            path="", problem=f"not valid YAML: a value cannot be read ({error})"
        ) from error
    except RecursionError as error:
        raise StrategyFileError(path="", problem="not valid YAML: nested too deeply") from error
    root = _mapping(document, "(top level)")
    heading = _mapping(_required(root, "document", ""), "document")
    partnership = _mapping(_required(root, "partnership", ""), "partnership")
    period = _mapping(_required(root, "period", ""), "period")
    start = _whole_number(_required(period, "start_year", "period"), "period.start_year")
    end = _whole_number(_required(period, "end_year", "period"), "period.end_year")
    if end < start:
        raise StrategyFileError(
            path="period.end_year", problem=f"{end} is before the start year {start}"
        )
    priorities = _list(_required(root, "priorities", ""), "priorities")
    if not priorities:
        raise StrategyFileError(path="priorities", problem="lists no priorities")
    seen: dict[str, str] = {}
    strategy = StrategyFile(
        name=_text(
            _required(heading, "title", "document"), "document.title", max_length=MAX_NAME_LENGTH
        ),
        partnership=_text(
            _required(partnership, "name", "partnership"),
            "partnership.name",
            max_length=MAX_NAME_LENGTH,
        ),
        period_start_year=start,
        period_end_year=end,
        source_sha256=hashlib.sha256(content).hexdigest(),
        priorities=tuple(
            _priority(item, _join("priorities", index), seen)
            for index, item in enumerate(priorities)
        ),
    )
    if root.get("counts") is not None:
        _check_counts(strategy, _mapping(root["counts"], "counts"))
    return strategy
