"""The demo's survey loaded as ``safecity demo`` loads it (issue 12: the DEMO part's wiring).

Runs once the LOAD part (``safecity.data.survey.loader.load_survey``) and the WEIGHT part (the
``postcode-lookup`` reference kind, raking) are merged: it loads the demo city with its survey
through :func:`safecity.data.demo_load.load_demo` and checks what reached the warehouse — every
respondent loaded (none quarantined), postcodes turned into LSOA and ward then dropped, no
comment or e-mail stored, the waves raked to the sex margin of the demo's population, and the
raked estimate of feeling safe after dark nearer the planted population share than the
unweighted one, with the planted fall between the waves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from safecity.data.demo_load import load_demo
from safecity.data.load_report import LoadStatus
from safecity.data.synthetic import DemoScale, generate_demo_data
from safecity.data.synthetic.survey import POSTCODES_PER_LSOA, write_demo_survey
from safecity.data.warehouse import Warehouse

SURVEY_TABLES = ("survey_wave", "survey_respondent", "survey_characteristic", "survey_answer")


def test_the_demo_loads_both_waves_raked_with_postcodes_turned_into_areas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", "e" * 64)
    city = generate_demo_data(out_dir=tmp_path / "demo", seed=20221, scale=DemoScale.CITY, months=2)
    survey = write_demo_survey(dataset=city)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        reports = load_demo(warehouse, dataset=city, survey=survey).reports
        connection = warehouse.connection
        quintiles = connection.execute(
            "SELECT wave, count(*) AS respondents, count(DISTINCT category) AS categories"
            " FROM survey_characteristic WHERE characteristic = 'deprivation_quintile'"
            " GROUP BY wave"
        ).df()
        by_path = {report.path: report for report in reports}
        for path in survey.files():
            report = by_path[str(path)]
            assert report.status is LoadStatus.LOADED, (path, report.message)
            assert report.quarantined == 0, (path, report.reasons)
        lookup_rows = connection.execute("SELECT count(*) FROM postcode_lookup").fetchone()
        assert lookup_rows == (len(survey.lsoa_codes) * POSTCODES_PER_LSOA,)
        waves = connection.execute(
            "SELECT wave, weighting, respondents, fieldwork_start, fieldwork_end "
            "FROM survey_wave ORDER BY wave"
        ).fetchall()
        assert waves == [
            (
                wave.label,
                "raked",
                len(wave.respondents),
                wave.fieldwork_start,
                wave.fieldwork_end,
            )
            for wave in survey.waves
        ]
        respondents = connection.execute(
            "SELECT wave, respondent_id, weight, lsoa_code, ward_code FROM survey_respondent"
        ).df()
        answers = connection.execute(
            "SELECT wave, respondent_id, category, valid FROM survey_answer "
            "WHERE measure = 'feels_safe_after_dark'"
        ).df()
        female = connection.execute(
            "SELECT r.wave, sum(r.weight * (c.category = 'Female')::INTEGER) / sum(r.weight) "
            "FROM survey_respondent r JOIN survey_characteristic c USING (wave, respondent_id) "
            "WHERE c.characteristic = 'sex' GROUP BY r.wave ORDER BY r.wave"
        ).fetchall()
        texts = connection.execute("SELECT count(*) FROM survey_text").fetchone()
        stored_text = pd.concat(
            connection.execute(f"SELECT * FROM {table}").df().astype(str) for table in SURVEY_TABLES
        )
    assert texts == (0,)
    for column in stored_text.columns:
        values = stored_text[column].dropna()
        assert not values.str.contains("@example.org").any(), column
        assert not values.str.contains("DM[0-9]", regex=True).any(), column
    for wave in survey.waves:
        mine = respondents[respondents["wave"] == wave.label]
        given = wave.respondents[wave.respondents["postcode"] != ""]
        assert sorted(mine["lsoa_code"].dropna()) == sorted(
            survey.lsoa_codes[lsoa] for lsoa in given["lsoa"]
        )
        # Every located respondent has the national IMD quintile of their LSOA.
        counted = quintiles[quintiles["wave"] == wave.label].iloc[0]
        assert counted["respondents"] == mine["lsoa_code"].notna().sum()
        assert counted["categories"] > 1
    population = survey.population
    adults_female = float(population.count[population.sex == 1].sum() / population.count.sum())
    for _, share in female:
        assert share == pytest.approx(adults_female, abs=5e-3)  # unweighted: about 4 points more
    estimates = []
    for wave_index, wave in enumerate(survey.waves):
        merged = answers[(answers["wave"] == wave.label) & answers["valid"]].merge(
            respondents, on=["wave", "respondent_id"]
        )
        safe = (merged["category"] == "Very or fairly safe").to_numpy(dtype=np.float64)
        weights = merged["weight"].to_numpy()
        raked = float(np.average(safe, weights=weights))
        effective = weights.sum() ** 2 / (weights**2).sum()
        error = float(np.sqrt(raked * (1 - raked) / effective))
        planted = survey.planted_shares["walkdark"][wave_index]
        assert abs(raked - planted) < 3 * error
        assert abs(raked - planted) < abs(float(safe.mean()) - planted)
        estimates.append((raked, error))
    (first, first_error), (second, second_error) = estimates
    assert second - first < -3 * float(np.hypot(first_error, second_error))
