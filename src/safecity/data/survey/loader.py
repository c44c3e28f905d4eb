"""Loading one wave of a residents' survey into the warehouse, through its codebook.

:func:`load_survey` reads the file (:mod:`.readers`: only the columns the codebook names),
codes every respondent (:mod:`.coding`), and in one transaction replaces the wave's rows in
``survey_wave``, ``survey_respondent``, ``survey_characteristic``, ``survey_answer`` and
``survey_text``, writes the ``load_file`` row and one ``quarantine`` row per respondent not
loaded (rows in = loaded + quarantined), weights the wave (:func:`.weighting.weight_wave`) and
records the outcome on ``survey_wave``. Anything that fails rolls the whole wave back: an
earlier load of the same wave label stays as it was.

Privacy (``docs/survey.md``, "Loading"):

* every column the codebook does not name is never read into the warehouse (free text,
  names, e-mail, telephone, street address ...); free text named under ``keep_text`` goes to
  ``survey_text`` only (partner use, never public);
* the respondent identifier column is replaced by a keyed pseudonym (HMAC-SHA256 with the
  extract key, :mod:`safecity.data.extract.pseudonyms`) of ``survey:<survey>:<identifier>``,
  so the same person has the same pseudonym in every wave of one survey and no pseudonym
  coincides with a force extract's. Without an identifier column the respondent is known as
  ``line-<n>`` (its line in the file, which ``survey_respondent.line_number`` keeps anyway for
  repair), and no key is needed;
* a postcode becomes the LSOA and ward of the newest ``postcode_lookup`` vintage holding it,
  and is then dropped: it is stored nowhere. A postcode not in the lookup, or not a postcode
  at all, leaves the respondent without a location (kept, and counted in the load report's
  message): a respondent's answers do not become wrong because their postcode is unknown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from safecity.data.extract.pseudonyms import (
    PseudonymKeyError,
    key_check_value,
    pseudonym_key,
    pseudonymise,
)
from safecity.data.input_files import InputError, InputLimits, input_limits
from safecity.data.load_report import (
    FileLoadReport,
    LoadStatus,
    file_sha256,
    next_file_id,
    record_file,
)
from safecity.data.reference.postcodes import normalise_postcode
from safecity.data.survey.codebook import Codebook, LocationSource, load_codebook
from safecity.data.survey.coding import CodedSurvey, SurveyCodingError, code_survey
from safecity.data.survey.readers import (
    SurveyFileError,
    SurveyTable,
    read_survey_file,
    survey_file_format,
)
from safecity.data.survey.wave_label import WAVE_LABEL_PATTERN
from safecity.data.survey.weighting import SurveyWeightingError, weight_wave
from safecity.data.warehouse import Warehouse

SURVEY_FORMAT = "survey_{format}"
_SURVEY_TABLES = (
    "survey_answer",
    "survey_characteristic",
    "survey_text",
    "survey_respondent",
    "survey_wave",
)

__all__ = ["PseudonymKeyError", "SurveyLoadError", "load_survey"]


class SurveyLoadError(InputError):
    """A survey load that cannot start (bad wave label, no postcode lookup); says why."""


@dataclass(frozen=True, slots=True)
class _WaveFacts:
    wave: str
    fieldwork_start: dt.date | None
    fieldwork_end: dt.date | None
    area_code: str | None
    area_vintage: int | None


def load_survey(
    warehouse: Warehouse,
    *,
    path: Path,
    codebook_path: Path,
    wave: str,
    fieldwork_start: dt.date | str | None = None,
    fieldwork_end: dt.date | str | None = None,
    area_code: str | None = None,
    limits: InputLimits | None = None,
) -> list[FileLoadReport]:
    """Load one survey wave from ``path`` through the codebook at ``codebook_path``.

    Parameters
    ----------
    warehouse
        The open warehouse.
    path
        The survey file: SPSS ``.sav``, CSV or a spreadsheet (judged by content).
    codebook_path
        The codebook YAML (``docs/survey.md``, "Codebook").
    wave
        The wave's label (e.g. ``2021``); loading a label again replaces that wave.
    fieldwork_start, fieldwork_end
        Dates (``datetime.date`` or ISO text) overriding the codebook's ``fieldwork``.
    area_code
        GSS code of the surveyed area, overriding the codebook's ``area.code``.
    limits
        Input limits (default ``config/input_limits.yaml``).

    Returns
    -------
    list of FileLoadReport
        One report: ``loaded``, ``replaced`` (the wave was loaded before; the earlier load is
        marked ``superseded_by`` this one) or ``rejected`` (the file cannot be read through the
        codebook, no respondent could be loaded, or the wave cannot be weighted; the message
        says why, and an earlier load of the wave is kept).

    Raises
    ------
    safecity.data.survey.codebook.CodebookError
        If the codebook is not valid (naming the key).
    safecity.data.extract.pseudonyms.PseudonymKeyError
        If the codebook names a respondent identifier and there is no usable key.
    SurveyLoadError
        If the wave label is not usable, the file does not exist, or the codebook locates
        respondents by postcode and no postcode lookup is loaded.
    """
    codebook = load_codebook(codebook_path)
    wave = _wave_label(wave)
    path = Path(path)
    if not path.is_file():
        raise SurveyLoadError(f"{path}: no such file")
    facts = _wave_facts(
        codebook,
        wave=wave,
        fieldwork_start=fieldwork_start,
        fieldwork_end=fieldwork_end,
        area_code=area_code,
    )
    key = None
    if codebook.respondent_id is not None:
        try:
            key = pseudonym_key(warehouse_path=warehouse.path)
        except PseudonymKeyError as error:
            raise PseudonymKeyError(
                f"the codebook names a respondent identifier ({codebook.respondent_id}), which"
                f" is pseudonymised on load with the extract key. {error}"
            ) from error
    if codebook.location is not None and codebook.location.postcode is not None:
        _require_postcode_lookup(warehouse.connection)
    sha256 = file_sha256(path)
    limits = limits or input_limits()
    try:
        file_format = SURVEY_FORMAT.format(format=survey_file_format(path).value)
    except SurveyFileError as error:
        return [
            _reject(
                warehouse, path=path, file_format="unrecognised", sha256=sha256, message=str(error)
            )
        ]
    try:
        table = read_survey_file(path, columns=codebook.columns(), limits=limits)
        coded = code_survey(table, codebook)
    except (SurveyFileError, SurveyCodingError) as error:
        return [
            _reject(
                warehouse, path=path, file_format=file_format, sha256=sha256, message=str(error)
            )
        ]
    if coded.respondents.empty:
        return [
            _nothing_loaded(
                warehouse, path=path, file_format=file_format, sha256=sha256, wave=wave, coded=coded
            )
        ]
    try:
        with warehouse.transaction() as connection:
            return [
                _load(
                    connection,
                    path=path,
                    file_format=file_format,
                    sha256=sha256,
                    codebook=codebook,
                    facts=facts,
                    table=table,
                    coded=coded,
                    key=key,
                )
            ]
    except SurveyWeightingError as error:
        message = f"wave {wave} cannot be weighted: {error}. Nothing of the file was loaded"
        return [
            _reject(warehouse, path=path, file_format=file_format, sha256=sha256, message=message)
        ]


def _wave_label(wave: str) -> str:
    label = str(wave).strip()
    if not WAVE_LABEL_PATTERN.fullmatch(label):
        raise SurveyLoadError(
            f"wave label {wave!r}: use up to 64 letters, digits, spaces and . _ / -"
            " (e.g. 2021 or csew-2013-14)"
        )
    return label


def _wave_facts(
    codebook: Codebook,
    *,
    wave: str,
    fieldwork_start: dt.date | str | None,
    fieldwork_end: dt.date | str | None,
    area_code: str | None,
) -> _WaveFacts:
    start = _date(fieldwork_start, "--fieldwork-start") or codebook.fieldwork.start
    end = _date(fieldwork_end, "--fieldwork-end") or codebook.fieldwork.end
    if start is not None and end is not None and end < start:
        raise SurveyLoadError(f"the fieldwork ends ({end}) before it starts ({start})")
    code = area_code.strip() if area_code else None
    vintage = codebook.area.vintage if codebook.area is not None else None
    if code is None and codebook.area is not None:
        code = codebook.area.code
    elif code is not None and codebook.area is not None and code != codebook.area.code:
        vintage = None
    if code is not None and not re.fullmatch(r"[EWSNK][0-9]{8}", code):
        raise SurveyLoadError(f"area {code!r} is not a GSS code (e.g. E06000045)")
    return _WaveFacts(
        wave=wave, fieldwork_start=start, fieldwork_end=end, area_code=code, area_vintage=vintage
    )


def _date(value: dt.date | str | None, option: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SurveyLoadError(f"{option} {value!r} is not a date written YYYY-MM-DD") from None


def _require_postcode_lookup(connection: duckdb.DuckDBPyConnection) -> None:
    row = connection.execute("SELECT count(*) FROM postcode_lookup").fetchone()
    if row is None or int(row[0]) == 0:
        raise SurveyLoadError(
            "the codebook locates respondents by postcode, but no postcode lookup is loaded:"
            " load one first (safecity load reference postcode-lookup FILE), so that postcodes"
            " become LSOA and ward and can be dropped"
        )


def _reject(
    warehouse: Warehouse, *, path: Path, file_format: str, sha256: str, message: str
) -> FileLoadReport:
    report = FileLoadReport(
        path=str(path),
        format=file_format,
        status=LoadStatus.REJECTED,
        message=message,
        sha256=sha256,
    )
    with warehouse.transaction() as connection:
        record_file(connection, report)
    return report


def _nothing_loaded(
    warehouse: Warehouse,
    *,
    path: Path,
    file_format: str,
    sha256: str,
    wave: str,
    coded: CodedSurvey,
) -> FileLoadReport:
    """No respondent could be loaded: log the quarantine, keep any earlier load of the wave."""
    with warehouse.transaction() as connection:
        file_id = next_file_id(connection)
        reasons = _write_quarantine(connection, coded, file_id=file_id)
        report = FileLoadReport(
            path=str(path),
            format=file_format,
            status=LoadStatus.REJECTED,
            rows_in=sum(reasons.values()),
            quarantined=sum(reasons.values()),
            reasons=reasons,
            message=(
                f"no respondent could be loaded (every row is quarantined; see the quarantine"
                f" table for load {file_id}); wave {wave} was not changed"
                if reasons
                else f"the file has no data rows; wave {wave} was not changed"
            ),
            sha256=sha256,
            dataset_key=f"survey_wave/{wave}",
            file_id=file_id,
        )
        record_file(connection, report)
    return report


def _write_quarantine(
    connection: duckdb.DuckDBPyConnection, coded: CodedSurvey, *, file_id: int
) -> dict[str, int]:
    quarantined = coded.quarantined
    if not quarantined.empty:
        rows = [
            [file_id, int(line), str(reason), str(detail), raw if isinstance(raw, str) else None]
            for line, reason, detail, raw in quarantined.itertuples(index=False)
        ]
        connection.executemany(
            "INSERT INTO quarantine (file_id, line_number, reason, detail, raw_record)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    return {
        str(reason): int(count)
        for reason, count in sorted(quarantined.groupby("reason").size().items())
    }


def _check_key(connection: duckdb.DuckDBPyConnection, key: bytes) -> None:
    check = key_check_value(key)
    stored = connection.execute("SELECT check_value FROM pseudonym_key_check").fetchall()
    if not stored:
        connection.execute("INSERT INTO pseudonym_key_check (check_value) VALUES (?)", [check])
    elif stored[0][0] != check:
        raise PseudonymKeyError(
            "this is not the pseudonymisation key used for earlier loads into this warehouse: "
            "the same respondent would get two pseudonyms. Use the original key."
        )


def _respondent_ids(coded: CodedSurvey, codebook: Codebook, key: bytes | None) -> list[str]:
    respondents = coded.respondents
    if codebook.respondent_id is None or key is None:
        return [f"line-{int(line)}" for line in respondents["line_number"]]
    return pseudonymise(
        (f"survey:{codebook.survey}:{identifier}" for identifier in respondents["identifier"]),
        key=key,
    )


def _register(connection: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    connection.register(f"{name}_arrow", pa.Table.from_pandas(frame, preserve_index=False))
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    connection.unregister(f"{name}_arrow")


def _load(
    connection: duckdb.DuckDBPyConnection,
    *,
    path: Path,
    file_format: str,
    sha256: str,
    codebook: Codebook,
    facts: _WaveFacts,
    table: SurveyTable,
    coded: CodedSurvey,
    key: bytes | None,
) -> FileLoadReport:
    wave = facts.wave
    if key is not None:
        _check_key(connection, key)
    earlier = connection.execute(
        "SELECT w.file_id, f.path FROM survey_wave w LEFT JOIN load_file f USING (file_id)"
        " WHERE w.wave = ?",
        [wave],
    ).fetchone()
    for name in _SURVEY_TABLES:
        connection.execute(f"DELETE FROM {name} WHERE wave = ?", [wave])
    file_id = next_file_id(connection)
    respondents = coded.respondents.assign(
        respondent_id=_respondent_ids(coded, codebook, key),
        postcode=pd.Series(
            [
                normalise_postcode(value) if isinstance(value, str) else None
                for value in coded.respondents["postcode"]
            ],
            dtype="string",
        ),
    )
    postcodes_given = int(coded.respondents["postcode"].notna().sum())
    malformed_postcodes = postcodes_given - int(respondents["postcode"].notna().sum())
    _register(
        connection,
        "survey_incoming",
        respondents[
            [
                "row",
                "respondent_id",
                "line_number",
                "weight",
                "stratum",
                "cluster",
                "postcode",
                "lsoa",
                "ward",
            ]
        ],
    )
    notes = [*table.notes]
    notes += _locate(connection, codebook, postcodes_given, malformed_postcodes)
    connection.execute(
        "INSERT INTO survey_respondent BY NAME SELECT ? AS wave, respondent_id, weight,"
        " NULL::DOUBLE AS design_weight, stratum, cluster, lsoa_code, lsoa_vintage, ward_code,"
        " ward_vintage, line_number, ? AS file_id FROM survey_located",
        [wave, file_id],
    )
    _insert_long(connection, wave=wave, coded=coded, codebook=codebook, respondents=respondents)
    reasons = _write_quarantine(connection, coded, file_id=file_id)
    outcome = weight_wave(
        connection=connection,
        wave=wave,
        specification=_weighting_specification(codebook),
        has_file_weights=codebook.weight is not None,
        area_code=facts.area_code,
        area_vintage=facts.area_vintage,
        reference_year=_reference_year(codebook, facts),
    )
    loaded = len(respondents)
    connection.execute(
        "INSERT INTO survey_wave (wave, survey, title, file_id, codebook_sha256, codebook,"
        " fieldwork_start, fieldwork_end, area_code, area_vintage, weighting, weight_variable,"
        " respondents, design_effect, effective_sample_size, weighting_detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            wave,
            codebook.survey,
            codebook.title,
            file_id,
            codebook.sha256,
            json.dumps(codebook.as_mapping()),
            facts.fieldwork_start,
            facts.fieldwork_end,
            facts.area_code,
            facts.area_vintage,
            outcome.weighting.value,
            table.columns[codebook.weight].name if codebook.weight else None,
            loaded,
            outcome.design_effect,
            outcome.effective_sample_size,
            json.dumps(outcome.detail, default=str),
        ],
    )
    notes.append(
        f"weighting: {outcome.weighting.value}; Kish design effect {outcome.design_effect:.3f},"
        f" effective sample size {outcome.effective_sample_size:,.0f}"
    )
    if table.dropped_columns:
        notes.append(f"{table.dropped_columns} column(s) not in the codebook dropped")
    if earlier is not None:
        connection.execute(
            "UPDATE load_file SET superseded_by = ? WHERE file_id = ?", [file_id, earlier[0]]
        )
        notes.insert(0, f"replaced wave {wave} of load {earlier[0]} ({earlier[1]})")
    quarantined = sum(reasons.values())
    report = FileLoadReport(
        path=str(path),
        format=file_format,
        status=LoadStatus.REPLACED if earlier is not None else LoadStatus.LOADED,
        rows_in=loaded + quarantined,
        loaded=loaded,
        quarantined=quarantined,
        reasons=reasons,
        message="; ".join(notes) or None,
        sha256=sha256,
        dataset_key=f"survey_wave/{wave}",
        file_id=file_id,
    )
    record_file(connection, report)
    for name in ("survey_incoming", "survey_located"):
        connection.execute(f"DROP TABLE IF EXISTS {name}")
    return report


def _weighting_specification(codebook: Codebook) -> dict[str, Any] | None:
    """The codebook's ``weighting`` with its ``characteristics`` (raking reads their
    ``population_ages``/``population_sex``), in the YAML's shape."""
    if codebook.weighting is None:
        return None
    return {
        **codebook.weighting.as_mapping(),
        "characteristics": codebook.as_mapping()["characteristics"],
    }


def _reference_year(codebook: Codebook, facts: _WaveFacts) -> int | None:
    if codebook.weighting is not None and codebook.weighting.population_year is not None:
        return codebook.weighting.population_year
    if facts.fieldwork_end is not None:
        return int(facts.fieldwork_end.year)
    return None


def _locate(
    connection: duckdb.DuckDBPyConnection,
    codebook: Codebook,
    postcodes_given: int,
    malformed_postcodes: int,
) -> list[str]:
    """Temp table ``survey_located``: each incoming respondent with its LSOA and ward."""
    location = codebook.location
    if location is not None and location.postcode is not None:
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE survey_located AS"
            " WITH newest AS (SELECT postcode, lsoa_code, lsoa_vintage, ward_code, ward_vintage"
            " FROM postcode_lookup QUALIFY row_number() OVER (PARTITION BY postcode"
            " ORDER BY lsoa_vintage DESC, ward_vintage DESC NULLS LAST) = 1)"
            " SELECT i.*, n.lsoa_code, n.lsoa_vintage, n.ward_code, n.ward_vintage,"
            " n.postcode IS NOT NULL AS located"
            " FROM survey_incoming i LEFT JOIN newest n ON n.postcode = i.postcode"
        )
        row = connection.execute(
            "SELECT count(*) FILTER (located), count(*) FILTER (postcode IS NOT NULL AND NOT"
            " located) FROM survey_located"
        ).fetchone()
        located, unknown = (int(row[0]), int(row[1])) if row else (0, 0)
        return [
            f"postcodes: {postcodes_given:,} given, {located:,} located to LSOA and ward,"
            f" {unknown:,} not in the postcode lookup, {malformed_postcodes:,} not a postcode"
            " (those respondents are kept without a location); postcodes are not stored"
        ]
    notes: list[str] = []
    lsoa = "NULL::VARCHAR"
    ward = "NULL::VARCHAR"
    if location is not None and location.lsoa is not None:
        lsoa = "CASE WHEN regexp_full_match(upper(i.lsoa), '[EW]01[0-9]{6}') THEN upper(i.lsoa) END"
    if location is not None and location.ward is not None:
        ward = "CASE WHEN regexp_full_match(upper(i.ward), '[EW]05[0-9]{6}') THEN upper(i.ward) END"
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE survey_located AS"
        " WITH given AS (SELECT i.*, " + lsoa + " AS given_lsoa, " + ward + " AS given_ward"
        " FROM survey_incoming i),"
        " lsoa_match AS (SELECT lsoa_code, lsoa_vintage, ward_code, ward_vintage FROM area_lookup"
        " QUALIFY row_number() OVER (PARTITION BY lsoa_code ORDER BY lsoa_vintage DESC,"
        " ward_vintage DESC) = 1),"
        " ward_match AS (SELECT ward_code, max(ward_vintage) AS ward_vintage FROM area_lookup"
        " GROUP BY ward_code)"
        " SELECT g.* EXCLUDE (given_lsoa, given_ward), g.given_lsoa AS lsoa_code,"
        " l.lsoa_vintage, coalesce(g.given_ward, l.ward_code) AS ward_code,"
        " CASE WHEN g.given_ward IS NOT NULL THEN w.ward_vintage ELSE l.ward_vintage END"
        " AS ward_vintage"
        " FROM given g LEFT JOIN lsoa_match l ON l.lsoa_code = g.given_lsoa"
        " LEFT JOIN ward_match w ON w.ward_code = g.given_ward"
    )
    for column, name in (("lsoa", "LSOA"), ("ward", "ward")):
        if location is None or getattr(location, column) is None:
            continue
        row = connection.execute(
            f"SELECT count(*) FILTER ({column} IS NOT NULL), count(*) FILTER ({column} IS NOT"
            f" NULL AND {column}_code IS NULL) FROM survey_located"
        ).fetchone()
        given, malformed = (int(row[0]), int(row[1])) if row else (0, 0)
        notes.append(
            f"{name} codes: {given:,} given, {malformed:,} not a well-formed {name} code (those"
            " respondents are kept without it)"
        )
    return notes


DEPRIVATION_QUINTILE_SQL = (
    "CASE (CAST(d.value AS INTEGER) + 1) // 2 WHEN 1 THEN '1 (most deprived)'"
    " WHEN 5 THEN '5 (least deprived)' ELSE CAST((CAST(d.value AS INTEGER) + 1) // 2 AS VARCHAR)"
    " END"
)
"""A national IMD decile (1 = most deprived 10%) as its quintile's category."""


def _insert_deprivation_quintiles(
    connection: duckdb.DuckDBPyConnection, *, wave: str, characteristic: str
) -> None:
    """Each located respondent's national IMD quintile, from the newest loaded index's LSOA
    deciles (overall index, the LSOA's vintage); respondents whose LSOA has none get no row
    ("Not known")."""
    connection.execute(
        "INSERT INTO survey_characteristic BY NAME"
        " WITH newest AS (SELECT max(index_name) AS index_name FROM deprivation"
        "  WHERE area_level = 'lsoa' AND domain = 'imd' AND measure = 'decile')"
        f" SELECT ? AS wave, l.respondent_id, ? AS characteristic, {DEPRIVATION_QUINTILE_SQL}"
        " AS category FROM survey_located l"
        " JOIN deprivation d ON d.area_code = l.lsoa_code AND d.area_vintage = l.lsoa_vintage"
        " AND d.area_level = 'lsoa' AND d.domain = 'imd' AND d.measure = 'decile'"
        " JOIN newest n ON d.index_name = n.index_name"
        " WHERE l.lsoa_code IS NOT NULL",
        [wave, characteristic],
    )


def _insert_long(
    connection: duckdb.DuckDBPyConnection,
    *,
    wave: str,
    coded: CodedSurvey,
    codebook: Codebook,
    respondents: pd.DataFrame,
) -> None:
    by_row = pd.Series(
        respondents["respondent_id"].to_numpy(dtype=object),
        index=respondents["row"].to_numpy(),
    )
    for target, frame in (
        ("survey_characteristic", coded.characteristics),
        ("survey_answer", coded.answers),
        ("survey_text", coded.texts),
    ):
        if frame.empty:
            continue
        rows = frame.drop(columns="row").assign(
            respondent_id=pd.array(by_row.loc[frame["row"].to_numpy()].to_numpy(), dtype="string")
        )
        connection.register("survey_rows_arrow", pa.Table.from_pandas(rows, preserve_index=False))
        connection.execute(
            f"INSERT INTO {target} BY NAME SELECT ? AS wave, * FROM survey_rows_arrow", [wave]
        )
        connection.unregister("survey_rows_arrow")
    for item in codebook.characteristics.values():
        if item.from_location is None:
            continue
        if item.from_location is LocationSource.DEPRIVATION_QUINTILE:
            _insert_deprivation_quintiles(connection, wave=wave, characteristic=item.name)
            continue
        column = "lsoa_code" if item.from_location is LocationSource.LSOA else "ward_code"
        connection.execute(
            "INSERT INTO survey_characteristic BY NAME SELECT ? AS wave, respondent_id,"
            f" ? AS characteristic, {column} AS category FROM survey_located"
            f" WHERE {column} IS NOT NULL",
            [wave, item.name],
        )
