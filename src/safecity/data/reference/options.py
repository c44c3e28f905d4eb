"""Choices a user may give with a reference file when the file does not say them itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from safecity.data.reference.errors import OptionRequiredError


@dataclass(frozen=True, slots=True)
class ReferenceOptions:
    """What the file's header and name may not say.

    Parameters
    ----------
    file_name
        The file's name (years and vintages are read from it when the header lacks them).
    vintage
        Boundary-set year of the areas, for headers without one (``LSOA Code``).
    year
        Year the figures are for (mid-year of a population estimate, year of an index).
    index_name, index_version
        Name and version of a harm-weight index (or of a deprivation index).
    publisher, title, release, period, indicator
        For a published table (``published-indicators``, ``comparator-groups``,
        ``offence-counts``): who published it, its title (a comparator group's name), which
        release (stored as ``vintage``), the period its figures are for, and which statistic
        it holds - each used only where the file does not say it.
    sheet
        The spreadsheet sheet to read (otherwise the first whose header is recognised).
    title_rows
        The text above the header in a spreadsheet (title, source and release lines), set by
        the loader while it looks for the header.
    """

    file_name: str
    vintage: int | None = None
    year: int | None = None
    index_name: str | None = None
    index_version: str | None = None
    publisher: str | None = None
    title: str | None = None
    release: str | None = None
    period: str | None = None
    indicator: str | None = None
    sheet: str | None = None
    title_rows: tuple[str, ...] = ()

    @classmethod
    def for_path(
        cls,
        path: Path,
        *,
        vintage: int | None = None,
        year: int | None = None,
        index_name: str | None = None,
        index_version: str | None = None,
        publisher: str | None = None,
        title: str | None = None,
        release: str | None = None,
        period: str | None = None,
        indicator: str | None = None,
        sheet: str | None = None,
    ) -> ReferenceOptions:
        """Options for the file at ``path``."""
        return cls(
            file_name=path.name,
            vintage=vintage,
            year=year,
            index_name=index_name,
            index_version=index_version,
            publisher=publisher,
            title=title,
            release=release,
            period=period,
            indicator=indicator,
            sheet=sheet,
        )


def resolve_vintage(header_vintage: int | None, *, options: ReferenceOptions, column: str) -> int:
    """The areas' vintage: from the header, else ``--vintage``; a conflict is an error."""
    if header_vintage is not None and options.vintage is not None:
        if header_vintage != options.vintage:
            raise OptionRequiredError(
                f"column {column} says vintage {header_vintage} but --vintage {options.vintage} "
                "was given"
            )
        return header_vintage
    if header_vintage is not None:
        return header_vintage
    if options.vintage is not None:
        return options.vintage
    raise OptionRequiredError(
        f"column {column} does not say which year's areas it holds: give --vintage"
    )


_YEAR_IN_NAME = (
    re.compile(r"(?:^|[^0-9])((?:19|20)[0-9]{2})(?:[^0-9]|$)"),
    re.compile(r"(?:population|pop|mye|mid)[-_]?([0-9]{2})(?:[^0-9]|$)", re.IGNORECASE),
)


def year_from_file_name(file_name: str) -> int | None:
    """A four-digit year in the file name, else a two-digit one after ``population``/``mid``.

    >>> year_from_file_name("census2011_lsoa11_population_households.csv.gz")
    2011
    >>> year_from_file_name("population19_lsoa11_syoa.csv.gz")
    2019
    >>> year_from_file_name("lsoa_population.csv") is None
    True
    """
    four_digits = _YEAR_IN_NAME[0].search(file_name)
    if four_digits:
        return int(four_digits[1])
    two_digits = _YEAR_IN_NAME[1].search(file_name)
    if two_digits:
        return 2000 + int(two_digits[1])
    return None


def resolve_year(options: ReferenceOptions, *, what: str) -> int:
    """The year the figures are for: ``--year``, else from the file name."""
    if options.year is not None:
        return options.year
    year = year_from_file_name(options.file_name)
    if year is None:
        raise OptionRequiredError(
            f"the file name {options.file_name!r} does not say the year of the {what}: give --year"
        )
    return year
