"""The area an assessment is for, and the LSOAs and wards inside it, by GSS code and vintage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from safecity.data.warehouse import Warehouse


class StudyAreaLevel(StrEnum):
    """The kinds of area an assessment can be run for."""

    CSP = "csp"
    LOCAL_AUTHORITY = "lad"
    POLICE_FORCE_AREA = "pfa"


class StudyAreaError(ValueError):
    """An area code the loaded lookups cannot resolve, saying what to load."""


@dataclass(frozen=True, slots=True)
class StudyArea:
    """An assessed area and its small areas.

    ``lsoas`` has one row per LSOA: ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code,
    lad_name, csp_code, csp_name, pfa_code, pfa_name``; ``lsoa_vintage`` and ``ward_vintage``
    name the boundary sets of those codes.
    """

    code: str
    name: str
    level: StudyAreaLevel
    vintage: int
    lsoa_vintage: int
    ward_vintage: int
    lsoas: pd.DataFrame


def lsoa_hierarchy(warehouse: Warehouse) -> tuple[pd.DataFrame, int, int, int]:
    """Every loaded LSOA with its ward, local authority, CSP and force area.

    The newest loaded LSOA lookup is joined to the newest CSP lookup on the local authority
    code. Returns the table and the LSOA, ward and CSP-lookup vintages.

    Raises
    ------
    StudyAreaError
        If no LSOA lookup or no CSP lookup is loaded.
    """
    connection = warehouse.connection
    lookup = connection.execute(
        "SELECT lsoa_vintage, ward_vintage, lad_vintage FROM area_lookup"
        " GROUP BY ALL ORDER BY lsoa_vintage DESC, ward_vintage DESC LIMIT 1"
    ).fetchall()
    if not lookup:
        raise StudyAreaError(
            "no LSOA lookup is loaded: safecity load reference lsoa-lookup FILE "
            "(e.g. ONS LSOA11_WD20_LAD20_EW_LU.csv)"
        )
    lsoa_vintage, ward_vintage, lad_vintage = (int(value) for value in lookup[0])
    csp = connection.execute(
        "SELECT csp_vintage FROM csp_lookup GROUP BY ALL ORDER BY 1 DESC LIMIT 1"
    ).fetchall()
    if not csp:
        raise StudyAreaError(
            "no CSP lookup is loaded: safecity load reference csp-lookup FILE "
            "(e.g. ONS lookup_ltla24_csp24_pfa24.csv)"
        )
    csp_vintage = int(csp[0][0])
    table = connection.execute(
        "SELECT a.lsoa_code, a.lsoa_name, a.ward_code, a.ward_name, a.lad_code, a.lad_name,"
        " c.csp_code, c.csp_name, c.pfa_code, c.pfa_name"
        " FROM area_lookup a LEFT JOIN (SELECT * FROM csp_lookup WHERE csp_vintage = ?) c"
        " USING (lad_code)"
        " WHERE a.lsoa_vintage = ? AND a.ward_vintage = ? AND a.lad_vintage = ?"
        " ORDER BY a.lsoa_code",
        [csp_vintage, lsoa_vintage, ward_vintage, lad_vintage],
    ).df()
    return table, lsoa_vintage, ward_vintage, csp_vintage


def resolve_study_area(warehouse: Warehouse, *, code: str) -> StudyArea:
    """The area with GSS code ``code`` (a CSP, local authority or police force area).

    Raises
    ------
    StudyAreaError
        If the code is not in the loaded lookups, or none of its LSOAs is.
    """
    hierarchy, lsoa_vintage, ward_vintage, csp_vintage = lsoa_hierarchy(warehouse)
    for level, code_column, name_column in (
        (StudyAreaLevel.CSP, "csp_code", "csp_name"),
        (StudyAreaLevel.LOCAL_AUTHORITY, "lad_code", "lad_name"),
        (StudyAreaLevel.POLICE_FORCE_AREA, "pfa_code", "pfa_name"),
    ):
        inside = hierarchy[hierarchy[code_column] == code]
        if not inside.empty:
            return StudyArea(
                code=code,
                name=str(inside[name_column].iloc[0]),
                level=level,
                vintage=csp_vintage
                if level is not StudyAreaLevel.LOCAL_AUTHORITY
                else ward_vintage,
                lsoa_vintage=lsoa_vintage,
                ward_vintage=ward_vintage,
                lsoas=inside.reset_index(drop=True),
            )
    raise StudyAreaError(
        f"{code} is not a CSP, local authority or police force area in the loaded lookups "
        f"(LSOA {lsoa_vintage} -> ward {ward_vintage} lookup, CSP lookup {csp_vintage}); "
        "check the code and that its lookups are loaded"
    )
