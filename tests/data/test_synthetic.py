"""The synthetic demo city: real formats, determinism, realistic volumes and the planted effects.

Formats are checked against the real files in ``shared/data`` (headers byte for byte); volumes
against Southampton (``shared/data/SOURCES.md``: 2,100-2,800 crimes a month excluding ASB);
planted effects against the values the generator reports in its :class:`DemoDataset`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
import shapely
import yaml
from pyproj import Transformer
from typer.testing import CliRunner

from safecity.cli.main import app
from safecity.config.offence_codes import load_offence_codes
from safecity.config.police_forces import load_police_forces
from safecity.data.demo_load import load_demo
from safecity.data.extract.mapping import FLAG_COLUMNS
from safecity.data.load_report import LoadStatus
from safecity.data.synthetic import DemoDataset, DemoScale, generate_demo_data
from safecity.data.synthetic.gss_codes import SYNTHETIC_CODE_PATTERN
from safecity.data.synthetic.months import month_sequence
from safecity.data.warehouse import Warehouse

SEED = 20221
HEX_ID = re.compile(r"^[0-9a-f]{64}$")
LSOA_NAME = re.compile(r"^Demoton \d{3}[A-E]$")
OUR_EXTRACT_COLUMNS = {
    "crimes": {
        "crime_reference",
        "offence_code",
        "offence_description",
        "committed_from",
        "committed_to",
        "recorded_date",
        "longitude",
        "latitude",
        "easting",
        "northing",
        "lsoa_code",
        "outcome",
        *FLAG_COLUMNS,
    },
    "victims": {"crime_reference", "victim_id", "age", "sex", "ethnicity", "victim_type"},
    "offenders": {"crime_reference", "offender_id", "age", "sex", "ethnicity"},
}


def read_bytes(path: Path) -> bytes:
    """A file's bytes, gunzipped when its name ends in .gz."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def first_line(path: Path) -> bytes:
    """The first line of a (possibly gzipped) file, with its line end."""
    data = read_bytes(path)
    return data[: data.index(b"\n") + 1]


def csv_rows(path: Path) -> list[dict[str, str]]:
    text = read_bytes(path).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def street_rows(dataset: DemoDataset) -> list[dict[str, str]]:
    return [row for file in dataset.police_uk_files for row in csv_rows(file.path)]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("city"), seed=SEED, scale=DemoScale.CITY
    )


@pytest.fixture(scope="module")
def city_rows(city: DemoDataset) -> list[dict[str, str]]:
    return street_rows(city)


@pytest.fixture(scope="module")
def tiny_national(tmp_path_factory: pytest.TempPathFactory) -> DemoDataset:
    return generate_demo_data(
        out_dir=tmp_path_factory.mktemp("national"),
        seed=SEED,
        scale=DemoScale.NATIONAL,
        national_lsoa_count=600,
    )


@pytest.fixture(scope="module")
def database(city: DemoDataset) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    street_files = city.out_dir / "police-uk" / "*" / "*-street.csv"
    connection.execute(
        f"CREATE VIEW street AS SELECT * FROM read_csv('{street_files}', header = true,"
        " all_varchar = true)"
    )
    reference = city.reference
    for name, path in (
        ("imd", reference.imd_ranks_deciles),
        ("population", reference.population_by_age),
        ("crimes", city.extract.crimes if city.extract else None),
        ("victims", city.extract.victims if city.extract else None),
        ("offenders", city.extract.offenders if city.extract else None),
    ):
        assert path is not None
        connection.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_csv('{path}', header = true,"
            " all_varchar = true)"
        )
    return connection


# Formats -------------------------------------------------------------------------------------


def test_street_files_have_the_real_header_and_names(city: DemoDataset, shared_data: Path) -> None:
    real_header = first_line(shared_data / "police-uk/hampshire/2022-02-hampshire-street.csv.gz")
    assert real_header.startswith(b"Crime ID,Month,Reported by,Falls within,Longitude,")
    assert len(city.police_uk_files) == 36
    for file in city.police_uk_files:
        assert first_line(file.path) == real_header
        assert file.path.name == f"{file.month}-demoshire-street.csv"
        assert file.path.parent.name == file.month
        assert b'"' not in file.path.read_bytes()


def test_reference_files_have_the_real_headers(city: DemoDataset, shared_data: Path) -> None:
    reference = city.reference
    pairs = {
        reference.lsoa_ward_lad_lookup: "geography/LSOA11_WD20_LAD20_EW_LU.csv.gz",
        reference.lad_csp_pfa_lookup: "geography/lookup_ltla24_csp24_pfa24.csv",
        reference.population_by_age: "population/population19_lsoa11_syoa.csv.gz",
        reference.census_population_households: (
            "population/census2011_lsoa11_population_households.csv.gz"
        ),
        reference.imd_ranks_deciles: "deprivation/imd2019_england_lsoa11_ranks_deciles.csv.gz",
        reference.imd_scores: "deprivation/imd2019_england_lsoa11_scores.csv.gz",
    }
    for ours, real in pairs.items():
        assert first_line(ours) == first_line(shared_data / real), ours.name
    assert first_line(reference.lsoa_ward_lad_lookup).startswith(b"\xef\xbb\xbfFID,")
    assert first_line(reference.census_population_households).endswith(b"\r\n")
    assert first_line(reference.harm_weights) == (
        b"offence_code,offence_description,weight,index_name,index_version\n"
    )


def test_boundaries_have_the_real_properties(city: DemoDataset, shared_data: Path) -> None:
    real_lsoas = json.loads((shared_data / "boundaries/lsoa11_bsc_southampton.geojson").read_text())
    real_wards = json.loads(
        (shared_data / "boundaries/wards20_southampton_from_lsoa11.geojson").read_text()
    )
    lsoas = json.loads(city.reference.lsoa_boundaries.read_text())
    wards = json.loads(city.reference.ward_boundaries.read_text())
    assert lsoas["crs"] == real_lsoas["crs"]
    assert set(lsoas["features"][0]["properties"]) == set(real_lsoas["features"][0]["properties"])
    assert set(wards["features"][0]["properties"]) == set(real_wards["features"][0]["properties"])
    assert len(lsoas["features"]) == 150
    assert len(wards["features"]) == 16
    assert sum(f["properties"]["n_lsoa11"] for f in wards["features"]) == 150


def test_crime_types_outcomes_and_ids_are_police_uk_values(
    city_rows: list[dict[str, str]], shared_data: Path
) -> None:
    real_types: set[str] = set()
    real_outcomes: set[str] = set()
    for path in [
        shared_data / "police-uk/hampshire/2022-02-hampshire-street.csv.gz",
        *sorted((shared_data / "police-uk/city-of-london").glob("*.csv.gz")),
    ]:
        for row in csv_rows(path):
            real_types.add(row["Crime type"])
            real_outcomes.add(row["Last outcome category"])
    assert {row["Crime type"] for row in city_rows} == real_types
    assert {row["Last outcome category"] for row in city_rows} <= real_outcomes
    for row in city_rows:
        if row["Crime type"] == "Anti-social behaviour":
            assert row["Crime ID"] == ""
            assert row["Last outcome category"] == ""
        else:
            assert HEX_ID.match(row["Crime ID"])
            assert row["Last outcome category"] != ""
        assert row["Context"] == ""
        assert row["Reported by"] == row["Falls within"] == "Demoshire Constabulary"


def test_real_quirks_are_reproduced(city: DemoDataset) -> None:
    no_location = repeated_ids = identical_rows = 0
    for file in city.police_uk_files:
        rows = csv_rows(file.path)
        assert {row["Month"] for row in rows} == {file.month}
        names = [row["LSOA name"] for row in rows]
        located = [name for name in names if name]
        assert located == sorted(located)
        assert names == located + [""] * (len(names) - len(located))
        for row in rows:
            if row["LSOA code"] == "":
                no_location += 1
                assert row["Location"] == "No Location"
                assert row["Longitude"] == row["Latitude"] == row["LSOA name"] == ""
            else:
                assert row["Location"].startswith("On or near ")
                assert re.match(r"^-?\d+\.\d{6}$", row["Longitude"])
        ids = Counter(row["Crime ID"] for row in rows if row["Crime ID"])
        repeated_ids += sum(1 for count in ids.values() if count > 1)
        without_id = Counter(tuple(v for k, v in row.items() if k != "Crime ID") for row in rows)
        identical_rows += sum(count - 1 for count in without_id.values())
    total = city.police_uk_rows
    assert 0.0005 * total < no_location < 0.005 * total
    assert 0 < repeated_ids < 0.003 * total
    assert identical_rows > 0.05 * total


# Volumes -------------------------------------------------------------------------------------


def test_monthly_volumes_are_like_southampton(city: DemoDataset) -> None:
    assert city.months == month_sequence(first_month="2022-04", count=36)
    for file in city.police_uk_files:
        crimes = file.rows - file.anti_social_behaviour_rows
        assert 2_000 <= crimes <= 2_800 * 1.35, file.month
        assert 300 <= file.anti_social_behaviour_rows <= 1_000, file.month
    population = csv_rows(city.reference.population_by_age)
    assert len(population) == 150
    assert 230_000 <= sum(int(row["total_population"]) for row in population) <= 270_000
    for row in population:
        ages = [int(row[str(age)]) for age in range(90)] + [int(row["90+"])]
        assert sum(ages) == int(row["total_population"])
        assert 1_000 <= int(row["total_population"]) <= 3_200


def test_areas_and_codes_are_synthetic_and_consistent(city: DemoDataset) -> None:
    lookup = csv_rows(city.reference.lsoa_ward_lad_lookup)
    assert len({row["LSOA11CD"] for row in lookup}) == 150
    assert len({row["WD20CD"] for row in lookup}) == 16
    assert {row["LAD20NM"] for row in lookup} == {"Demoton"}
    for row in lookup:
        assert SYNTHETIC_CODE_PATTERN.match(row["LSOA11CD"])
        assert row["LSOA11CD"].startswith("E019")
        assert SYNTHETIC_CODE_PATTERN.match(row["WD20CD"])
        assert row["WD20CD"].startswith("E059")
        assert row["LAD20CD"].startswith("E069")
        assert LSOA_NAME.match(row["LSOA11NM"])
    (authority,) = csv_rows(city.reference.lad_csp_pfa_lookup)
    assert authority["ltla24_code"] == lookup[0]["LAD20CD"]
    assert authority["csp24_code"].startswith("E229")
    assert authority["pfa24_code"].startswith("E239")
    assert SYNTHETIC_CODE_PATTERN.match(authority["csp24_code"])
    street_codes = {row["LSOA code"] for row in street_rows_sample(city)}
    assert street_codes - {""} <= {row["LSOA11CD"] for row in lookup}


def street_rows_sample(dataset: DemoDataset) -> list[dict[str, str]]:
    return csv_rows(dataset.police_uk_files[-1].path)


def test_deprivation_ranks_are_consistent_and_span_all_deciles(city: DemoDataset) -> None:
    ranks = csv_rows(city.reference.imd_ranks_deciles)
    scores = {
        row["lsoa11_code"]: float(row["imd_score"]) for row in csv_rows(city.reference.imd_scores)
    }
    deciles = Counter(int(row["IMD_decile"]) for row in ranks)
    assert set(deciles) == set(range(1, 11))
    for row in ranks:
        rank = int(row["IMD_rank"])
        assert 1 <= rank <= 32_844
        assert int(row["IMD_decile"]) == -(-rank * 10 // 32_844)
    by_rank = sorted(ranks, key=lambda row: int(row["IMD_rank"]))
    ordered_scores = [scores[row["lsoa11_code"]] for row in by_rank]
    assert ordered_scores == sorted(ordered_scores, reverse=True)
    assert 0.5 < min(ordered_scores) < max(ordered_scores) < 93


# Planted effects -----------------------------------------------------------------------------


def test_hotspot_lsoas_have_several_times_the_median_count(
    city: DemoDataset, database: duckdb.DuckDBPyConnection
) -> None:
    counts = dict(
        database.execute(
            'SELECT "LSOA code", count(*) FROM street WHERE "LSOA code" IS NOT NULL GROUP BY 1'
        ).fetchall()
    )
    median = float(np.median(list(counts.values())))
    assert len(city.planted.hotspot_lsoa_codes) == 4
    for code in city.planted.hotspot_lsoa_codes:
        assert counts[code] > 4 * median, code
    top_four = sorted(counts, key=counts.__getitem__, reverse=True)[:4]
    assert len(set(top_four) & set(city.planted.hotspot_lsoa_codes)) >= 3


def test_planted_rise_is_found_in_the_raw_files(
    city: DemoDataset, database: duckdb.DuckDBPyConnection
) -> None:
    rise = city.planted.rise
    assert rise is not None
    assert rise.crime_type == "Shoplifting"
    assert rise.latest_months == ("2024-04", "2025-03")
    assert rise.previous_months == ("2023-04", "2024-03")

    def count(crime_type: str, first: str, last: str) -> int:
        query = 'SELECT count(*) FROM street WHERE "Crime type" = ? AND "Month" BETWEEN ? AND ?'
        result = database.execute(query, [crime_type, first, last]).fetchone()
        assert result is not None
        return int(result[0])

    latest = count(rise.crime_type, *rise.latest_months)
    previous = count(rise.crime_type, *rise.previous_months)
    assert latest / previous == pytest.approx(rise.ratio, abs=0.12)
    violence = "Violence and sexual offences"
    flat = count(violence, *rise.latest_months) / count(violence, *rise.previous_months)
    assert flat == pytest.approx(1.0, abs=0.05)


def test_crime_rate_falls_with_deprivation(
    city: DemoDataset, database: duckdb.DuckDBPyConnection
) -> None:
    hotspots = list(city.planted.hotspot_lsoa_codes)
    rates = dict(
        database.execute(
            """
            WITH counts AS (
                SELECT "LSOA code" AS code, count(*) AS crimes FROM street
                WHERE "Crime type" <> 'Anti-social behaviour' AND "LSOA code" IS NOT NULL
                  AND NOT list_contains(?, "LSOA code")
                GROUP BY 1)
            SELECT imd.IMD_decile::INTEGER, sum(crimes) / sum(population.total_population::INTEGER)
            FROM counts JOIN imd ON imd.lsoa11_code = code
            JOIN population ON population.lsoa11_code = code GROUP BY 1
            """,
            [hotspots],
        ).fetchall()
    )
    assert rates[1] > 2.0 * rates[10]
    assert rates[1] + rates[2] > rates[9] + rates[10]
    assert city.planted.deprivation_rate_ratio > 2.5


def test_seasonality_is_visible(database: duckdb.DuckDBPyConnection) -> None:
    by_month = dict(
        database.execute(
            """SELECT substr("Month", 6, 2), count(*) FROM street
               WHERE "Crime type" = 'Bicycle theft' GROUP BY 1"""
        ).fetchall()
    )
    summer = by_month["06"] + by_month["07"] + by_month["08"]
    winter = by_month["12"] + by_month["01"] + by_month["02"]
    assert summer > 1.5 * winter


# Geometry ------------------------------------------------------------------------------------


def test_points_fall_inside_their_lsoa_polygons(city: DemoDataset) -> None:
    features = json.loads(city.reference.lsoa_boundaries.read_text())["features"]
    polygons = {
        f["properties"]["LSOA11CD"]: shapely.geometry.shape(f["geometry"]) for f in features
    }
    union = shapely.union_all(list(polygons.values()))
    assert union.geom_type == "Polygon"
    assert sum(p.area for p in polygons.values()) == pytest.approx(union.area, rel=1e-9)
    rows = [row for row in street_rows_sample(city) if row["LSOA code"]]
    codes = [row["LSOA code"] for row in rows]
    points = shapely.points(
        [float(r["Longitude"]) for r in rows], [float(r["Latitude"]) for r in rows]
    )
    assert all(
        shapely.contains(polygons[code], point) for code, point in zip(codes, points, strict=True)
    )
    assert city.extract is not None
    crimes = [row for row in csv_rows(city.extract.crimes)[:5_000] if row["LSOA"]]
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    for row in crimes:
        longitude, latitude = float(row["Longitude"]), float(row["Latitude"])
        assert polygons[row["LSOA"]].contains(shapely.Point(longitude, latitude))
        back = to_wgs84.transform(float(row["GridEasting"]), float(row["GridNorthing"]))
        assert back == pytest.approx((longitude, latitude), abs=2e-5)
    west, south, east, north = union.bounds
    assert -6.0 < west < east < 2.0
    assert 49.9 < south < north < 55.8


def test_neighbouring_lsoas_share_edges(city: DemoDataset) -> None:
    features = json.loads(city.reference.lsoa_boundaries.read_text())["features"]
    polygons = [shapely.geometry.shape(f["geometry"]) for f in features]
    neighbours = [
        sum(1 for other in polygons if other is not polygon and polygon.touches(other))
        for polygon in polygons
    ]
    assert min(neighbours) >= 3
    assert float(np.mean(neighbours)) > 6


# Force extract -------------------------------------------------------------------------------


def test_mapping_maps_every_column_to_ours(city: DemoDataset) -> None:
    assert city.extract is not None
    mapping = yaml.safe_load(city.extract.mapping.read_text())
    for table, ours in OUR_EXTRACT_COLUMNS.items():
        header = first_line(getattr(city.extract, table)).decode().strip().split(",")
        assert set(header) == set(mapping["columns"][table])
        assert set(mapping["columns"][table].values()) == ours
        assert mapping["files"][table] == f"{table}.csv"
    assert mapping["datetime_formats"][0] == "%d/%m/%Y %H:%M"


def test_extract_is_consistent_with_the_street_files(
    city: DemoDataset, database: duckdb.DuckDBPyConnection
) -> None:
    assert city.extract is not None
    category_of = {code.code: code.police_uk_category for code in load_offence_codes()}
    crimes = csv_rows(city.extract.crimes)
    assert len(crimes) == city.extract.crime_rows
    assert len({row["CrimeRef"] for row in crimes}) == len(crimes)
    extract_counts: Counter[tuple[str, str, str]] = Counter()
    for row in crimes:
        committed_from = datetime.strptime(row["CommittedFrom"], "%d/%m/%Y %H:%M")
        if row["CommittedTo"]:
            assert datetime.strptime(row["CommittedTo"], "%d/%m/%Y %H:%M") > committed_from
        recorded = datetime.strptime(row["DateRecorded"], "%d/%m/%Y")
        assert recorded.date() >= committed_from.date()
        month = committed_from.strftime("%Y-%m")
        extract_counts[(month, row["LSOA"], category_of[row["HOOffenceCode"]])] += 1
        flags = [
            value
            for key, value in row.items()
            if key.endswith("Flag") or key.startswith(("Hate", "Weapon"))
        ]
        assert set(flags) <= {"Y", "N"}
    street_counts = Counter(
        {
            (month, code or "", crime_type): count
            for month, code, crime_type, count in database.execute(
                """SELECT "Month", "LSOA code", "Crime type", count(*) FROM street
                   WHERE "Crime type" <> 'Anti-social behaviour' GROUP BY ALL"""
            ).fetchall()
        }
    )
    assert extract_counts == street_counts
    windows = sum(1 for row in crimes if row["CommittedTo"])
    assert 0.1 * len(crimes) < windows < 0.5 * len(crimes)


def test_victims_and_offenders_reference_crimes_and_repeat(city: DemoDataset) -> None:
    assert city.extract is not None
    crimes = {row["CrimeRef"]: row for row in csv_rows(city.extract.crimes)}
    victims = csv_rows(city.extract.victims)
    offenders = csv_rows(city.extract.offenders)
    assert {row["CrimeRef"] for row in victims} <= set(crimes)
    assert {row["CrimeRef"] for row in offenders} <= set(crimes)
    ethnic_groups = {"Asian", "Black", "Mixed", "White", "Other", "Not stated"}
    people = [row for row in victims if row["VictimType"] == "person"]
    assert {row["VictimEthnicity"] for row in people} == ethnic_groups
    assert {row["VictimSex"] for row in people} == {"F", "M", "U"}
    assert all(0 <= int(row["VictimAge"]) <= 100 for row in people)
    assert {row["OffenderEthnicity"] for row in offenders} == ethnic_groups

    crimes_of: defaultdict[str, list[str]] = defaultdict(list)
    for row in people:
        crimes_of[row["VictimPersonID"]].append(row["CrimeRef"])
    repeat = [person for person, refs in crimes_of.items() if len(refs) > 1]
    repeat_share = len(repeat) / len(crimes_of)
    repeat_crime_share = sum(len(crimes_of[p]) for p in repeat) / len(people)
    assert 0.03 < repeat_share < 0.2
    assert repeat_crime_share > 2 * repeat_share
    domestic_of = {ref: row["DomesticFlag"] == "Y" for ref, row in crimes.items()}
    domestic_repeat = sum(
        len(crimes_of[p]) for p in repeat if any(domestic_of[r] for r in crimes_of[p])
    )
    assert domestic_repeat > 0.3 * sum(len(crimes_of[p]) for p in repeat)

    offences_of = Counter(row["NominalID"] for row in offenders)
    assert sum(1 for count in offences_of.values() if count > 1) > 0.05 * len(offences_of)
    assert sum(1 for row in offenders if row["OffenderSex"] == "M") > 0.7 * len(offenders)

    organisation_crimes = {
        row["CrimeRef"] for row in victims if row["VictimType"] == "organisation"
    }
    organisation_codes = {crimes[reference]["HOOffenceCode"] for reference in organisation_crimes}
    assert {"46", "34A", "30C"} <= organisation_codes


def test_night_time_violence_peaks_on_weekend_nights(city: DemoDataset) -> None:
    assert city.extract is not None
    weekend_night = other = 0
    for row in csv_rows(city.extract.crimes):
        if row["NightTimeEconomy"] != "Y":
            continue
        committed = datetime.strptime(row["CommittedFrom"], "%d/%m/%Y %H:%M")
        friday_or_saturday_night = (committed.weekday() in (4, 5) and committed.hour >= 20) or (
            committed.weekday() in (5, 6) and committed.hour < 6
        )
        weekend_night += friday_or_saturday_night
        other += not friday_or_saturday_night
    assert weekend_night > 2 * other


def test_offence_codes_agree_with_the_home_office_classification(shared_data: Path) -> None:
    # The table lists homicide as "1/4.1/4.10/4.2" (murder, manslaughter, infanticide, ...).
    table = csv_rows(shared_data / "severity/homeoffice_offence_code_to_policeuk_category.csv")
    real = {code: row for row in table for code in row["Offence_Code"].split("/")}
    for code in load_offence_codes():
        assert code.code in real, code.code
        assert code.police_uk_category.lower() == real[code.code]["Police.uk_Cat"].lower()
        assert code.description == real[code.code]["Offence_Description"]


# Determinism, scales, errors, command --------------------------------------------------------


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_demo_data(out_dir=tmp_path / "a", seed=7, scale=DemoScale.CITY, months=2)
    again = generate_demo_data(
        out_dir=tmp_path / "b", seed=7, scale=DemoScale.CITY, months=2, workers=1
    )
    other = generate_demo_data(out_dir=tmp_path / "c", seed=8, scale=DemoScale.CITY, months=2)
    assert digest(first.out_dir) == digest(again.out_dir)
    assert len(digest(first.out_dir)) == len(first.all_files()) + 1
    different = digest(other.out_dir)
    assert all(
        different[name] != value
        for name, value in digest(first.out_dir).items()
        if name.startswith(("police-uk", "extract/crimes"))
    )


def test_tiny_national_has_every_force_and_no_extract(
    tiny_national: DemoDataset, shared_data: Path
) -> None:
    forces = load_police_forces()
    assert len(forces) == 43
    assert tiny_national.months == month_sequence(first_month="2024-04", count=12)
    assert tiny_national.extract is None
    assert tiny_national.extract_skipped_reason
    assert len(tiny_national.police_uk_files) == 43 * 12
    real_header = first_line(shared_data / "police-uk/hampshire/2022-02-hampshire-street.csv.gz")
    by_force = {
        file.force_slug: file for file in tiny_national.police_uk_files if file.month == "2024-04"
    }
    assert set(by_force) == {force.slug for force in forces}
    hampshire = csv_rows(by_force["hampshire"].path)
    assert {row["Falls within"] for row in hampshire} == {"Hampshire Constabulary"}
    assert first_line(by_force["city-of-london"].path) == real_header
    lookup = csv_rows(tiny_national.reference.lsoa_ward_lad_lookup)
    authorities = csv_rows(tiny_national.reference.lad_csp_pfa_lookup)
    assert len(lookup) == 600
    assert {row["LAD20CD"] for row in lookup} == {row["ltla24_code"] for row in authorities}
    assert len({row["pfa24_code"] for row in authorities}) == 43
    assert len({row["csp24_code"] for row in authorities}) >= 43
    assert tiny_national.planted.rise is None
    ranks = csv_rows(tiny_national.reference.imd_ranks_deciles)
    assert sorted(int(row["IMD_rank"]) for row in ranks) == list(range(1, 601))


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        generate_demo_data(out_dir=tmp_path, seed=-1, scale=DemoScale.CITY)
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate_demo_data(out_dir=tmp_path, seed=1, scale=DemoScale.CITY, first_month="2024-13")
    with pytest.raises(ValueError, match="at least 1"):
        generate_demo_data(out_dir=tmp_path, seed=1, scale=DemoScale.CITY, months=0)
    with pytest.raises(ValueError, match="at least 258 LSOAs"):
        generate_demo_data(
            out_dir=tmp_path, seed=1, scale=DemoScale.NATIONAL, national_lsoa_count=100
        )
    foreign = tmp_path / "someone-else"
    (foreign / "police-uk").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="not written by safecity demo-data"):
        generate_demo_data(out_dir=foreign, seed=1, scale=DemoScale.CITY, months=1)


def test_command_writes_and_lists_the_files(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        [
            "demo-data",
            "--seed",
            "3",
            "--out",
            str(out),
            "--months",
            "1",
            "--first-month",
            "2024-06",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    assert listing["months"] == {"first": "2024-06", "last": "2024-06", "count": 1}
    assert listing["files"]["police_uk_street"] == [
        "police-uk/2024-06/2024-06-demoshire-street.csv"
    ]
    for paths in listing["files"].values():
        for path in paths:
            assert (out / path).is_file()
    refused = CliRunner().invoke(app, ["demo-data", "--out", str(out), "--first-month", "June"])
    assert refused.exit_code == 2
    assert "YYYY-MM" in refused.output


def test_loaders_read_every_demo_row_without_quarantine(
    city: DemoDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFECITY_PSEUDONYM_KEY", "d" * 64)
    with Warehouse(tmp_path / "warehouse.duckdb") as warehouse:
        reports = load_demo(warehouse, dataset=city).reports
    mapping_files = 1  # read to load the extract, not loaded itself
    assert len(reports) == len(city.all_files()) - mapping_files
    for report in reports:
        assert report.status is LoadStatus.LOADED, (report.path, report.message)
        assert report.quarantined == 0, (report.path, report.reasons)
    assert sum(r.loaded for r in reports if r.path.endswith("-street.csv")) == city.police_uk_rows
