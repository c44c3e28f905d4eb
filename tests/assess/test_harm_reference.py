"""The harm reference data shipped with Safe City, checked against the publishers' files.

The shipped ONS Crime Severity Score weights and the national offence mix (2017/18) are derived
by ``scripts/build_harm_reference.py``; here they are compared with the shared public files
(``../shared/data/severity/`` and ``csp-tables/``, see SOURCES.md), the category weights are
checked by hand on a few codes, and a small extract's harm is computed by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from safecity.assess.families.harm import (
    HarmScope,
    IndexSource,
    OffenceMix,
    category_weights,
    harm_by_group,
    harm_by_offence,
)
from safecity.config.harm_reference import load_shipped_harm_weights, load_shipped_offence_mix
from safecity.config.offence_codes import load_offence_codes
from safecity.stats import IntervalMethod, harm_rate

Z95 = 1.959963984540054  # methods.md §0.2


def _weights() -> pd.DataFrame:
    shipped = load_shipped_harm_weights()
    return pd.DataFrame(
        {
            "offence_code": [weight.offence_code for weight in shipped.weights],
            "weight_description": [weight.offence_description for weight in shipped.weights],
            "weight": [weight.weight for weight in shipped.weights],
        }
    )


def _mix() -> OffenceMix:
    shipped = load_shipped_offence_mix()
    counts = pd.DataFrame(
        {
            "offence_code": [count.offence_code for count in shipped.counts],
            "offence_description": [count.offence_description for count in shipped.counts],
            "police_uk_category": [count.police_uk_category for count in shipped.counts],
            "offences": [count.offences for count in shipped.counts],
        }
    )
    return OffenceMix(
        counts=counts,
        source=IndexSource.SHIPPED,
        table_version=shipped.table_version,
        financial_year=shipped.financial_year,
        description=shipped.source,
    )


def test_shipped_weights_name_their_source_and_match_the_ons_file(shared_data: Path) -> None:
    shipped = load_shipped_harm_weights()
    assert (shipped.index_name, shipped.index_version) == ("ONS Crime Severity Score", "2020-12")
    assert "Office for National Statistics" in shipped.source
    assert "Open Government Licence v3.0" in shipped.source
    assert "December 2020" in shipped.source
    weights = _weights().set_index("offence_code")["weight"]
    source = pd.read_csv(
        shared_data / "severity" / "ons_css_weights_by_offence_code.csv", dtype=str
    )
    # Every code of the ONS file (in the open-data numbering, code_original) keeps its weight.
    for code, weight in zip(source["code_original"], source["weight"].astype(float), strict=True):
        assert weights[code] == weight
    # SOURCES.md: 56A arson endangering life 826.19, 28E residential burglary 465.38,
    # homicide 7973.39 — and every homicide code, including corporate manslaughter (4.10).
    assert weights["56A"] == pytest.approx(826.19, abs=0.005)
    assert weights["28E"] == pytest.approx(465.38, abs=0.005)
    for code in ("1", "4.1", "4.2", "4.10", "1/4.1/4.10/4.2"):
        assert weights[code] == pytest.approx(7973.39, abs=0.005)
    # Every offence code Safe City ships (the extract numbering) has a weight.
    assert not [code.code for code in load_offence_codes() if code.code not in weights.index]


def test_shipped_mix_is_the_territorial_forces_total(shared_data: Path) -> None:
    mix = load_shipped_offence_mix()
    assert (mix.table_version, mix.financial_year) == ("prc-pfa-2017-18", "2017/18")
    assert "Open Government Licence v3.0" in mix.source
    counts = {count.offence_code: count for count in mix.counts}
    table = pd.read_csv(
        shared_data / "csp-tables" / "prc_pfa_2017_18_by_offence_code.csv.gz",
        index_col=0,
        dtype={"Offence_Code": str},
    )
    left_out = ["Action Fraud", "CIFAS", "Financial Fraud Action UK", "UK Finance"]
    left_out.append("British Transport Police")
    territorial = table[~table["Force_Name"].isin(left_out)]
    assert territorial["Force_Name"].nunique() == 43
    expected = territorial.groupby("Offence_Code")["Number_of_Offences"].sum()
    for code in ("34A", "34B", "28E", "10A", "8N", "1/4.1/4.10/4.2"):
        assert counts[code].offences == expected[code]
    assert sum(count.offences for count in mix.counts) == int(expected.sum()) == 4_821_452
    # British Transport Police's robberies are not in the mix (the fraud bodies record none).
    robbery = table[table["Offence_Code"] == "34B"]
    transport = robbery[robbery["Force_Name"] == "British Transport Police"]
    assert int(transport["Number_of_Offences"].sum()) > 0
    assert counts["34B"].offences == int(robbery["Number_of_Offences"].sum()) - int(
        transport["Number_of_Offences"].sum()
    )
    assert counts["44"].police_uk_category == "Bicycle theft"


def test_category_weights_by_hand_on_the_shipped_data() -> None:
    # methods.md §4.1: w̄_c = Σ w_k n_k / Σ n_k over the category's codes, never the plain mean.
    # Possession of weapons, England and Wales 2017/18 (shipped mix) with ONS weights:
    #   10A 2,339 × 616.5600892592785   10B 3,721 × 412.2023946087773
    #   10C 13,152 × 52.12609711004277  10D 17,944 × 53.03823910170986
    #   81    983 × 1287.5444129870136  90      8 × 250.25
    # = 5,880,862.2… / 38,147 = 154.16357534577588 (the plain mean would be 445.29).
    means = category_weights(_mix(), weights=_weights()).set_index("police_uk_category")
    weapons = means.loc["Possession of weapons"]
    by_hand = (
        2339 * 616.5600892592785
        + 3721 * 412.2023946087773
        + 13152 * 52.12609711004277
        + 17944 * 53.03823910170986
        + 983 * 1287.5444129870136
        + 8 * 250.25
    ) / 38147
    assert weapons["mean_weight"] == pytest.approx(by_hand, rel=1e-12)
    assert weapons["mean_weight"] == pytest.approx(154.16357534577588, rel=1e-12)
    assert weapons["national_offences"] == 38147
    # Drugs: 92A 26,507 × 512.957…, 92C 821 × 9.062…, 92D 26,633 × 8.082…, 92E 81,024 × 1.771…
    drugs = (
        26507 * 512.9573593857484
        + 821 * 9.062218937211675
        + 26633 * 8.082043407919919
        + 81024 * 1.7706234781993522
    ) / 134985
    assert means.loc["Drugs", "mean_weight"] == pytest.approx(drugs, rel=1e-12)
    assert drugs == pytest.approx(103.44195922336732, rel=1e-12)
    # A category of one code takes its weight: bicycle theft (44) 15.17572799366388.
    assert means.loc["Bicycle theft", "mean_weight"] == pytest.approx(15.17572799366388)
    # Every code in the 2017/18 territorial mix has an ONS weight.
    assert int(means["offences_without_weight"].sum()) == 0
    assert len(means) == 13


def test_small_extract_harm_by_hand() -> None:
    # 2 rapes of a female 16+ (19C, 2952.9409930950865), 10 assaults without injury (105A,
    # 13.510541522943404, 4 domestic), 3 residential burglaries (28E, 465.3814732283848) and
    # 1 fraud (53A, excluded as ONS excludes it); 1,000 person-years.
    counts = pd.DataFrame(
        {
            "offence_code": ["19C", "105A", "28E", "53A"],
            "crimes": [2, 10, 3, 1],
            "domestic_crimes": [0, 4, 0, 0],
        }
    )
    classification = pd.DataFrame(
        {
            "offence_code": ["19C", "105A", "28E", "53A"],
            "offence_group": [
                "Sexual offences",
                "Violence against the person",
                "Theft offences",
                "Fraud offences",
            ],
            "offence_subgroup": ["Rape", "Violence without injury", "Domestic burglary", ""],
        }
    )
    categories = pd.DataFrame(
        {
            "offence_code": ["19C", "105A", "28E"],
            "offence_description": ["Rape", "Assault without injury", "Burglary"],
            "police_uk_category": ["Violence and sexual offences"] * 2 + ["Burglary"],
        }
    )
    table, excluded = harm_by_offence(
        counts,
        weights=_weights(),
        classification=classification,
        categories=categories,
        population=1000.0,
    )
    assert excluded == {"fraud": 1, "no_weight": 0}
    everything = table[table["scope"] == HarmScope.ALL.value].set_index("offence_code")
    rape = 2 * 2952.9409930950865  # 5,905.881986190173
    assault = 10 * 13.510541522943404  # 135.10541522943404
    burglary = 3 * 465.3814732283848  # 1,396.1444196851544
    total = rape + assault + burglary  # 7,437.131821104761
    assert total == pytest.approx(7437.131821104761, rel=1e-12)
    assert everything.loc["19C", "harm"] == pytest.approx(rape)
    assert everything["harm"].sum() == pytest.approx(total)
    assert everything.loc["19C", "harm_share_pct"] == pytest.approx(100 * rape / total)
    assert everything.loc["19C", "volume_share_pct"] == pytest.approx(100 * 2 / 15)
    variance = 2 * 2952.9409930950865**2 + 10 * 13.510541522943404**2 + 3 * 465.3814732283848**2
    groups = harm_by_group(table, population=1000.0)
    every = groups[groups["scope"] == HarmScope.ALL.value]
    assert every["harm_variance"].sum() == pytest.approx(variance)
    sexual = every.set_index("group").loc["Sexual offences"]
    assert sexual["harm_per_1000"] == pytest.approx(rape)  # 1,000 person-years
    spread = Z95 * math.sqrt(2 * 2952.9409930950865**2)
    assert sexual["harm_per_1000_lower"] == pytest.approx(max(rape - spread, 0.0))
    assert sexual["harm_per_1000_upper"] == pytest.approx(rape + spread)
    assert sexual["harm_interval_method"] == IntervalMethod.WEIGHTED_POISSON.value
    domestic = table[table["scope"] == HarmScope.DOMESTIC.value].set_index("offence_code")
    assert domestic.loc["105A", "harm"] == pytest.approx(4 * 13.510541522943404)
    assert domestic.loc["105A", "harm_share_pct"] == pytest.approx(100.0)


def test_harm_rate_interval_by_hand() -> None:
    # 10 assaults without injury and 10 residential burglaries over 2,500 person-years:
    # H = 135.10541522943404 + 4,653.814732283848 = 4,788.920147513282,
    # Var = 10 × 13.510541522943404² + 10 × 465.3814732283848² = 2,167,623.…
    harm = 10 * 13.510541522943404 + 10 * 465.3814732283848
    variance = 10 * 13.510541522943404**2 + 10 * 465.3814732283848**2
    row = harm_rate(harm=harm, variance=variance, person_years=2500.0).iloc[0]
    assert row["value"] == pytest.approx(4788.920147513282 * 1000 / 2500)
    assert row["lower_ci"] > 0
    assert row["lower_ci"] == pytest.approx((harm - Z95 * math.sqrt(variance)) * 1000 / 2500)
    assert row["upper_ci"] == pytest.approx((harm + Z95 * math.sqrt(variance)) * 1000 / 2500)
    assert row["method"] == IntervalMethod.WEIGHTED_POISSON.value
    # Two rapes alone: 5,905.88 − 1.96 × √(2 × 2952.94²) = −2,279.4 < 0, so the limit is 0.
    rapes = harm_rate(
        harm=2 * 2952.9409930950865, variance=2 * 2952.9409930950865**2, person_years=2500.0
    ).iloc[0]
    assert rapes["lower_ci"] == 0.0
    assert rapes["upper_ci"] == pytest.approx(
        (2 * 2952.9409930950865 + Z95 * math.sqrt(2) * 2952.9409930950865) * 1000 / 2500
    )
