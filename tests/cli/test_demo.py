"""The README's main job: ``safecity demo`` on a fresh folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_generates_loads_and_reports(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SAFECITY_")
    }
    environment["HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "safecity"), "demo", "--json"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    dataset, load, status = report["dataset"], report["load"], report["status"]
    street = [entry for entry in load if entry["format"] == "police_uk_street"]
    assert len(street) == 36
    assert sum(entry["rows_in"] for entry in street) == dataset["rows"]["police_uk"]
    assert all(entry["rows_in"] == entry["loaded"] + entry["quarantined"] for entry in load)
    assert status["table_rows"]["police_uk_street"] == sum(entry["loaded"] for entry in street)
    assert status["table_rows"]["extract_crime"] == dataset["rows"]["extract_crimes"]
    assert [coverage["missing_months"] for coverage in status["coverage"]] == [[]]
    assert status["unknown_lsoa_codes"] == 0
    kinds = {entry["kind"] for entry in status["reference"]}
    assert kinds == {
        "lsoa-lookup",
        "csp-lookup",
        "population",
        "imd",
        "boundaries",
        "harm-weights",
        "published-indicators",  # the synthetic national tables, loaded like real ones
        "postcode-lookup",  # the synthetic survey's postcodes -> LSOA and ward
    }
    # Two survey waves, every respondent loaded, fielded in the assessed year and the one before.
    waves = report["survey"]["waves"]
    assert [wave["wave"] for wave in waves] == ["2023", "2024"]
    for wave in waves:
        entry = next(entry for entry in load if entry["path"].endswith(wave["file"]))
        assert entry["status"] == "loaded"
        assert entry["loaded"] == wave["respondents"] > 2_000
        assert entry["quarantined"] == 0
    assert [wave["fieldwork_start"] for wave in waves] == ["2023-09-01", "2024-09-01"]
    lookup = next(e for e in load if e["path"].endswith(report["survey"]["postcode_lookup"]))
    assert (lookup["status"], lookup["loaded"], lookup["quarantined"]) == ("loaded", 1_800, 0)
    # The demo key lives in the user's configuration folder, never beside the warehouse.
    key_file = tmp_path / "home" / ".config" / "safecity" / "demo-pseudonym.key"
    assert key_file.is_file()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    # The demo keeps its own warehouse inside its folder, apart from the user's data.
    assert (tmp_path / "demo" / "safecity.duckdb").is_file()
    assert not (tmp_path / "safecity.duckdb").exists()
    # The main job ends with the assessment of the demo city; the planted rise is found.
    assessment = report["assessment"]
    assert (assessment["period"], assessment["baseline"]) == ("2024/25", "2023/24")
    assert (tmp_path / assessment["artefact"] / "manifest.json").is_file()
    planted = dataset["planted"]["rise"]
    rise = next(
        finding
        for finding in assessment["findings"]
        if finding["finding_id"] == "change_" + planted["crime_type"].lower()
    )
    assert rise["significant"] is True
    assert "increase" in rise["sentence"]
    assert not list(tmp_path.glob("*.key"))
    # Synthetic community reports (issue 13): written as the site's export, every row loaded,
    # every report counted by the assessment, and the planted rise in one strand found.
    community = report["community_reports"]
    entry = next(e for e in load if e["path"].endswith(community["file"]))
    assert (entry["status"], entry["quarantined"]) == ("loaded", 0)
    manifest = json.loads((tmp_path / assessment["artefact"] / "manifest.json").read_text())
    family = manifest["families"]["community_reports"]
    assert family["status"] == "assessed"
    assert family["reports"]["period"] + family["reports"]["baseline"] == community["reports"]
    strand_rise = next(
        finding
        for finding in assessment["findings"]
        if finding["finding_id"] == f"community_reports_strand_change_{community['planted_strand']}"
    )
    assert strand_rise["significant"] is True
    # Synthetic partner-intelligence counts (issue 14): written as the site's export, every row
    # loaded, the assessed year's submissions in the partners' copy only, concentrated in the
    # planted wards.
    intelligence = report["intelligence_counts"]
    entry = next(e for e in load if e["path"].endswith(intelligence["file"]))
    assert (entry["status"], entry["quarantined"]) == ("loaded", 0)
    partner = manifest["families"]["partner_intelligence"]
    assert partner["status"] == "assessed"
    assert len(partner["months_covered"]) == 12
    assert 0 < partner["submissions"] < intelligence["submissions"]
    assert "partner_intelligence_counts" in manifest["tables"]
    assert "partner_intelligence_counts" not in manifest["public_tables"]
    public_findings = (tmp_path / assessment["artefact"] / "public" / "findings.csv").read_text()
    assert "partner_intelligence" not in public_findings
