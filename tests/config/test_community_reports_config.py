"""The community-reporting vocabulary (issue 13): the shipped file, and errors that say where."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from safecity.assess.crime_groups import load_crime_groups
from safecity.config.community_reports import (
    CommunityReportsConfigError,
    community_reports_config,
    parse_community_reports_config,
)
from safecity.config.packaged_yaml import read_packaged_yaml


def test_the_shipped_file_routes_every_kind_and_maps_strands_to_police_groups() -> None:
    config = community_reports_config()
    assert [kind.id for kind in config.kinds] == ["hate", "concern", "business"]
    assert config.kind("hate").routed_to == ("hate_crime_coordinator", "police_spoc")
    group_ids = {group.id for group in load_crime_groups()}
    for strand in config.strands:
        assert strand.police_crime_group is None or strand.police_crime_group in group_ids
    assert config.service("asb").category == "asb"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["kinds"][0].update(routed_to=["nobody"]),
            r"kinds\[0\]: routed to unknown duty",
        ),
        (lambda d: d["kinds"][1].update(retention_days=0), r"kinds\[1\]: 'retention_days'"),
        (lambda d: d["open311"]["services"][1].update(category="arson"), r"services\[1\]"),
        (lambda d: d["strands"].append(dict(d["strands"][0])), r"strand 'race' appears twice"),
    ],
)
def test_a_malformed_file_is_refused_saying_where(change: object, message: str) -> None:
    document = copy.deepcopy(read_packaged_yaml("community_reports.yaml"))
    change(document)  # type: ignore[operator]
    with pytest.raises(CommunityReportsConfigError, match=message):
        parse_community_reports_config(document, where="mine.yaml")


def test_a_partnership_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    document = read_packaged_yaml("community_reports.yaml")
    document["kinds"][0]["retention_days"] = 400
    path = tmp_path / "ours.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert community_reports_config(path=path).kind("hate").retention_days == 400
