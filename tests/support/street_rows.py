"""police.uk street rows for one LSOA in one month: burglaries, then anti-social behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from police_uk_files import street_row


def lsoa_month_rows(
    *,
    month: str,
    lsoa_code: str,
    lsoa_name: str,
    burglaries: int,
    asb: int,
    serials: Iterator[int],
) -> list[list[str]]:
    """``burglaries`` burglaries, then ``asb`` anti-social behaviour rows (with no Crime ID).

    Each burglary's Crime ID is the next number of ``serials`` in 64 hex digits.
    """
    rows = [
        street_row(month=month, crime_id=f"{serial:064x}", lsoa_code=lsoa_code, lsoa_name=lsoa_name)
        for serial in islice(serials, burglaries)
    ]
    rows.extend(
        street_row(
            month=month,
            crime_type="Anti-social behaviour",
            lsoa_code=lsoa_code,
            lsoa_name=lsoa_name,
        )
        for _ in range(asb)
    )
    return rows
