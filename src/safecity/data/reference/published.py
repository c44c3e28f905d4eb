"""What a published table says about itself: publisher, title, release and period.

Each is read from the file where it says it (the title rows above a spreadsheet's table:
``Source: Office for National Statistics``, ``Released: 20 July 2023``, ``Year ending March
2023``), else from the command line (``--publisher``, ``--title``, ``--release``, ``--period``);
a required one that neither gives is refused with a sentence saying which option to give.

Periods are kept as financial years ``YYYY/YY`` when the text is recognisably one (``2022/23``,
``2022-23``, ``Apr '22 to Mar '23``, ``April 2022 to March 2023``, ``year ending March
2023``); other periods are kept as published.
"""

from __future__ import annotations

import re

from safecity.data.reference.errors import OptionRequiredError
from safecity.data.reference.options import ReferenceOptions

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
_APRIL_TO_MARCH = re.compile(
    r"^apr[a-z]*\.?\s*'?(\d{2}|\d{4})\s*(?:to|-|–)\s*mar[a-z]*\.?\s*'?(\d{2}|\d{4})$"
)
_YEAR_ENDING_MARCH = re.compile(r"(?:year\s+ending|ye)\s*mar[a-z]*\.?\s*'?(\d{4}|\d{2})\b")
_SOURCE_LINE = re.compile(r"^\s*source\s*:\s*(?P<publisher>.+?)\s*\.?\s*$", re.IGNORECASE)
_RELEASE_LINE = re.compile(
    r"^\s*(?:released|release\s+date|published)\s*:?\s*(?P<release>.+?)\s*$", re.IGNORECASE
)


def _year(text: str) -> int:
    value = int(text)
    return value if value >= 100 else 2000 + value if value < 70 else 1900 + value


def _financial(first: int) -> str:
    return f"{first}/{(first + 1) % 100:02d}"


def financial_year(text: str) -> str | None:
    """``text`` as a financial year ``YYYY/YY`` if it is one, else None.

    >>> financial_year("2022-23"), financial_year("Apr '08 to \\nMar '09")
    ('2022/23', '2008/09')
    >>> financial_year("Year ending March 2023"), financial_year("April 2017 to March 2018")
    ('2022/23', '2017/18')
    >>> financial_year("Persons") is None
    True
    """
    cleaned = " ".join(text.replace("\u2019", "'").split()).strip().lower()
    match = _FINANCIAL_YEAR.match(cleaned)
    if match:
        first, second = int(match[1]), _year(match[2])
        return _financial(first) if second % 100 == (first + 1) % 100 else None
    match = _APRIL_TO_MARCH.match(cleaned)
    if match:
        first, second = _year(match[1]), _year(match[2])
        return _financial(first) if second == first + 1 else None
    match = _YEAR_ENDING_MARCH.search(cleaned)
    if match and len(cleaned) <= 40:
        return _financial(_year(match[1]) - 1)
    return None


def normalised_period(text: str) -> str:
    """A period as stored: a financial year when it is one, else the text as published."""
    return financial_year(text) or " ".join(text.split())


def _from_title_rows(options: ReferenceOptions, pattern: re.Pattern[str], group: str) -> str | None:
    for row in options.title_rows:
        match = pattern.match(row)
        if match:
            return match[group]
    return None


def resolve_publisher(options: ReferenceOptions) -> str:
    """The publisher: ``--publisher``, else a ``Source:`` line above the table."""
    found = options.publisher or _from_title_rows(options, _SOURCE_LINE, "publisher")
    if not found:
        raise OptionRequiredError(
            "the file does not say who published it (no 'Source:' line above the table): "
            "give --publisher (e.g. 'Office for National Statistics')"
        )
    return found


def resolve_title(options: ReferenceOptions, *, what: str = "title") -> str:
    """The table's title: ``--title``, else the first title row above the table."""
    candidates = [
        row
        for row in options.title_rows
        if not _SOURCE_LINE.match(row) and not _RELEASE_LINE.match(row)
    ]
    found = options.title or (candidates[0] if candidates else None)
    if not found:
        raise OptionRequiredError(
            f"the file does not say its {what} (no title row above the table): give --title"
        )
    return " ".join(found.split())


def resolve_release(options: ReferenceOptions) -> str:
    """The release (vintage) of the table: ``--release``, else a ``Released:`` line."""
    found = options.release or _from_title_rows(options, _RELEASE_LINE, "release")
    if not found:
        raise OptionRequiredError(
            "the file does not say which release it is (no 'Released:' line above the "
            "table): give --release (e.g. the publication date '2023-07-20')"
        )
    return found


def resolve_period(options: ReferenceOptions) -> str | None:
    """The period of a table with no period column: ``--period``, else a title row saying one
    (``Year ending March 2023``); None when neither does."""
    if options.period:
        return normalised_period(options.period)
    for row in options.title_rows:
        found = financial_year(row)
        if found is None:
            match = _YEAR_ENDING_MARCH.search(row.lower())
            found = _financial(_year(match[1]) - 1) if match else None
        if found is not None:
            return found
    return None
