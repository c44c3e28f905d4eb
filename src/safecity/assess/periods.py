"""Assessment periods: runs of whole months, written ``2020-04..2021-03`` or ``2020/21``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_RANGE = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class PeriodError(ValueError):
    """A period that cannot be read, saying what form is expected."""


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole months from ``first_month`` to ``last_month`` inclusive (first days of months)."""

    first_month: date
    last_month: date

    def __post_init__(self) -> None:
        if self.first_month.day != 1 or self.last_month.day != 1:
            raise PeriodError("a period runs from the first day of a month to that of another")
        if self.last_month < self.first_month:
            raise PeriodError(
                f"the period ends ({self.last_month:%Y-%m}) before it starts "
                f"({self.first_month:%Y-%m})"
            )

    @property
    def length(self) -> int:
        """Number of months."""
        return _month_index(self.last_month) - _month_index(self.first_month) + 1

    @property
    def months(self) -> list[date]:
        """Every month of the period, in order."""
        start = _month_index(self.first_month)
        return [_from_index(start + offset) for offset in range(self.length)]

    @property
    def is_financial_year(self) -> bool:
        """True for April to March of the next year."""
        return (
            self.first_month.month == 4
            and self.length == 12
            and self.last_month.year == self.first_month.year + 1
        )

    @property
    def label(self) -> str:
        """``2020/21`` for a financial year, else ``2020-04..2021-03``.

        Examples
        --------
        >>> parse_period("2020-04..2021-03").label
        '2020/21'
        >>> parse_period("2021-01..2021-06").label
        '2021-01..2021-06'
        """
        if self.is_financial_year:
            return f"{self.first_month.year}/{(self.first_month.year + 1) % 100:02d}"
        return f"{self.first_month:%Y-%m}..{self.last_month:%Y-%m}"

    @property
    def words(self) -> str:
        """The period as a reader says it: ``2020/21``, ``February 2022``, ``April to June 2021``.

        Examples
        --------
        >>> [parse_period(text).words for text in ("2020/21", "2022-02..2022-02",
        ...                                        "2021-04..2021-06", "2021-11..2022-02")]
        ['2020/21', 'February 2022', 'April to June 2021', 'November 2021 to February 2022']
        """
        if self.is_financial_year:
            return self.label
        first = f"{MONTH_NAMES[self.first_month.month - 1]}"
        last = f"{MONTH_NAMES[self.last_month.month - 1]} {self.last_month.year}"
        if self.length == 1:
            return last
        if self.first_month.year == self.last_month.year:
            return f"{first} to {last}"
        return f"{first} {self.first_month.year} to {last}"

    def shifted(self, *, months: int) -> Period:
        """The period moved by ``months`` (negative: earlier)."""
        return Period(
            first_month=_from_index(_month_index(self.first_month) + months),
            last_month=_from_index(_month_index(self.last_month) + months),
        )

    def preceding(self, *, count: int = 1) -> list[Period]:
        """The ``count`` periods of the same length immediately before, latest first.

        Examples
        --------
        >>> [period.label for period in parse_period("2020/21").preceding(count=3)]
        ['2019/20', '2018/19', '2017/18']
        """
        return [self.shifted(months=-self.length * step) for step in range(1, count + 1)]

    @property
    def mid_year(self) -> int:
        """The calendar year holding the period's middle month (for mid-year populations)."""
        middle = _month_index(self.first_month) + (self.length - 1) // 2
        return _from_index(middle).year


def months_ending(*, last_month: date, count: int = 12) -> Period:
    """The ``count`` months ending with ``last_month``.

    Examples
    --------
    >>> months_ending(last_month=date(2025, 3, 1)).label
    '2024/25'
    """
    single = Period(first_month=last_month, last_month=last_month)
    return Period(first_month=single.shifted(months=1 - count).first_month, last_month=last_month)


def parse_period(text: str) -> Period:
    """Read ``YYYY-MM..YYYY-MM`` or a financial year ``YYYY/YY`` (April to March).

    Raises
    ------
    PeriodError
        If ``text`` has neither form, or names impossible months.

    Examples
    --------
    >>> parse_period("2020/21")
    Period(first_month=datetime.date(2020, 4, 1), last_month=datetime.date(2021, 3, 1))
    """
    text = text.strip()
    if match := _MONTH_RANGE.match(text):
        first_year, first_month, last_year, last_month = (int(part) for part in match.groups())
        if not (1 <= first_month <= 12 and 1 <= last_month <= 12):
            raise PeriodError(f"{text!r}: months must be 01 to 12")
        return Period(
            first_month=date(first_year, first_month, 1), last_month=date(last_year, last_month, 1)
        )
    if match := _FINANCIAL_YEAR.match(text):
        start = int(match[1])
        if (start + 1) % 100 != int(match[2]):
            raise PeriodError(f"{text!r}: a financial year is written like 2020/21")
        return Period(first_month=date(start, 4, 1), last_month=date(start + 1, 3, 1))
    raise PeriodError(
        f"{text!r} is not a period: write months as 2020-04..2021-03,"
        " or a financial year as 2020/21"
    )
