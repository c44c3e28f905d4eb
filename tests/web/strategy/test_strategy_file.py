"""The strategy file checker: a malformed file names the YAML path of what is wrong."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from safecity_web.strategy.strategy_file import StrategyFileError, parse_strategy


def minimal_strategy() -> dict[str, Any]:
    """A small valid strategy: two priorities, the second with two focus areas."""

    def area(code: str) -> dict[str, Any]:
        return {
            "id": code,
            "title": f"Focus {code}",
            "responsible": ["Safe City Partnership"],
            "outcomes": [{"id": f"{code}.O1", "number": 1, "text": "An outcome."}],
            "actions": [{"id": f"{code}.A1", "text": "An action."}],
        }

    return {
        "document": {"title": "A strategy"},
        "partnership": {"name": "A partnership"},
        "period": {"start_year": 2022, "end_year": 2027},
        "priorities": [
            {"id": "P1", "title": "First", "focus_areas": [area("P1.F1")]},
            {"id": "P2", "title": "Second", "focus_areas": [area("P2.F1"), area("P2.F2")]},
        ],
    }


def encoded(document: dict[str, Any]) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode("utf-8")


def test_minimal_strategy_reads_with_inherited_responsibility_and_dates() -> None:
    document = minimal_strategy()
    actions = document["priorities"][1]["focus_areas"][1]["actions"]
    actions.append(
        {
            "id": "P2.F2.A2",
            "text": "Own body.",
            "responsible": ["Trading Standards"],
            "due_date": "2025-03-31",
            "timescale": "By March 2025",
        }
    )
    parsed = parse_strategy(content=encoded(document))
    assert (len(parsed.priorities), len(parsed.focus_areas), len(parsed.actions)) == (2, 3, 4)
    first, own = parsed.priorities[1].focus_areas[1].actions
    assert first.responsible == ("Safe City Partnership",)
    assert own.responsible == ("Trading Standards",)
    assert own.due_date == datetime.date(2025, 3, 31)
    assert own.timescale == "By March 2025"


def mutate(path: tuple[Any, ...], value: Any, *, delete: bool = False) -> bytes:
    document = copy.deepcopy(minimal_strategy())
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return encoded(document)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            mutate(("priorities", 1, "focus_areas", 0, "outcomes"), "several"),
            "priorities[1].focus_areas[0].outcomes: expected a list, found text",
        ),
        (
            mutate(("priorities", 1, "focus_areas", 1, "actions", 0, "text"), None, delete=True),
            "priorities[1].focus_areas[1].actions[0].text: missing",
        ),
        (
            mutate(("priorities", 0, "focus_areas", 0, "outcomes", 0, "number"), "one"),
            "priorities[0].focus_areas[0].outcomes[0].number: expected a whole number, found text",
        ),
        (
            mutate(("priorities", 0, "focus_areas", 0, "responsible"), ["Police", 7]),
            "priorities[0].focus_areas[0].responsible[1]: expected text, found a whole number",
        ),
        (
            mutate(("priorities", 1, "focus_areas", 1, "id"), "P2.F1"),
            "priorities[1].focus_areas[1]: id 'P2.F1' is also used at priorities[1].focus_areas[0]",
        ),
        (
            mutate(("priorities", 0, "focus_areas", 0, "actions", 0, "due_date"), "31/03/2025"),
            "priorities[0].focus_areas[0].actions[0].due_date: expected a date as YYYY-MM-DD",
        ),
        (
            mutate(("period", "end_year"), 2020),
            "period.end_year: 2020 is before the start year 2022",
        ),
        (mutate(("priorities",), []), "priorities: lists no priorities"),
        (mutate(("partnership",), None, delete=True), "partnership: missing"),
        (mutate(("counts",), {"actions": 5}), "counts.actions: the file says 5 but lists 3"),
        (mutate(("priorities", 0, "id"), "P" * 41), "priorities[0].id: longer than 40 characters"),
        (b"priorities: [\n  - id: P1\n title", "not valid YAML at line 2, column 3"),
        (b"- just\n- a list\n", "(top level): expected a mapping, found a list"),
        ("document: caf\u00e9".encode("latin-1"), "the file is not UTF-8 text (byte 13)"),
    ],
)
def test_malformed_files_name_the_yaml_path(content: bytes, message: str) -> None:
    with pytest.raises(StrategyFileError) as raised:
        parse_strategy(content=content)
    assert message in str(raised.value)


def test_reference_file_error_names_the_path(southampton_strategy_path: Path) -> None:
    document = yaml.safe_load(southampton_strategy_path.read_text(encoding="utf-8"))
    document["priorities"][2]["focus_areas"][0]["outcomes"] = {"id": "P3.F1.O1"}
    with pytest.raises(StrategyFileError) as raised:
        parse_strategy(content=encoded(document))
    assert str(raised.value) == (
        "priorities[2].focus_areas[0].outcomes: expected a list, found a mapping"
    )
    assert raised.value.path == "priorities[2].focus_areas[0].outcomes"


def test_reference_file_counts_agree_with_its_counts_block(southampton_strategy_path: Path) -> None:
    parsed = parse_strategy(content=southampton_strategy_path.read_bytes())
    # The file's own counts block: 3 priorities, 18 focus areas, 101 outcomes, 150 actions.
    assert (len(parsed.priorities), len(parsed.focus_areas)) == (3, 18)
    assert (len(parsed.outcomes), len(parsed.actions)) == (101, 150)
    assert parsed.name == "Safe City Strategy 2022-2027"
    assert (parsed.period_start_year, parsed.period_end_year) == (2022, 2027)
