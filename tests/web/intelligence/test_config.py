"""The partner-intelligence configuration (issue 14): the shipped file and its checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from safecity.config.intelligence import (
    IntelligenceConfigError,
    intelligence_config,
    parse_intelligence_config,
)
from safecity.config.packaged_yaml import read_packaged_yaml


def _shipped() -> dict[str, Any]:
    return copy.deepcopy(read_packaged_yaml("intelligence.yaml"))


def test_the_shipped_file_holds_the_3x5x2_model_and_routes_every_topic() -> None:
    config = intelligence_config()
    assert [grade.code for grade in config.source_evaluation] == ["1", "2", "3"]
    assert [grade.code for grade in config.intelligence_assessment] == ["A", "B", "C", "D", "E"]
    assert [(grade.code, grade.conditions_required) for grade in config.handling_codes] == [
        ("P", False),
        ("C", True),
    ]
    assert config.topics_for(frozenset({"prevent_lead"})) == {"radicalisation"}
    assert {"exploitation", "county_lines", "modern_slavery"} <= config.topics_for(
        frozenset({"police_intelligence"})
    )
    assert config.topic("county_lines").review_after_days == 365


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda doc: doc["topics"][0].update(routed_to=["nobody"]),
            "routed to unknown receiver 'nobody'",
        ),
        (lambda doc: doc["topics"][0].update(colour="red"), "unknown key(s) colour"),
        (lambda doc: doc["topics"][0].update(escalate_after_days=400), "must be less than"),
        (lambda doc: doc["grading"]["source_evaluation"].pop(), "codes are 1, 2, 3"),
        (
            lambda doc: doc["topics"].append(dict(doc["topics"][0])),
            "topic 'exploitation' appears twice",
        ),
        (lambda doc: doc["counts"].update(minimum_count=0), "'minimum_count' must be a positive"),
    ],
)
def test_a_malformed_file_is_refused_saying_where(change: Any, words: str) -> None:
    document = _shipped()
    change(document)
    with pytest.raises(IntelligenceConfigError) as caught:
        parse_intelligence_config(document, where="mine.yaml")
    assert words in str(caught.value)
    assert str(caught.value).startswith("mine.yaml")


def test_a_partnership_file_is_read_from_the_environment(tmp_path: Any, monkeypatch: Any) -> None:
    document = _shipped()
    document["counts"]["minimum_count"] = 3
    path = tmp_path / "intel.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.setenv("SAFECITY_INTELLIGENCE_CONFIG", str(path))
    assert intelligence_config().minimum_count == 3
