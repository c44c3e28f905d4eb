"""Finding the area columns of a reference file's header."""

from __future__ import annotations

from dataclasses import dataclass

from safecity.data.reference.areas import AreaLevel, ColumnRole, parse_area_column


@dataclass(frozen=True, slots=True)
class FoundArea:
    """The code (and name) columns of one area level in a header."""

    level: AreaLevel
    code_index: int
    code_header: str
    vintage: int | None
    name_index: int | None


def find_area_columns(header: list[str]) -> dict[AreaLevel, FoundArea]:
    """The first code column of each area level, with its name column when there is one."""
    codes: dict[AreaLevel, tuple[int, int | None]] = {}
    names: dict[AreaLevel, int] = {}
    for index, name in enumerate(header):
        column = parse_area_column(name)
        if column is None:
            continue
        if column.role is ColumnRole.CODE and column.level not in codes:
            codes[column.level] = (index, column.vintage)
        elif column.role is ColumnRole.NAME and column.level not in names:
            names[column.level] = index
    return {
        level: FoundArea(
            level=level,
            code_index=index,
            code_header=header[index],
            vintage=vintage,
            name_index=names.get(level),
        )
        for level, (index, vintage) in codes.items()
    }


def ignored_columns_note(header: list[str], *, used: set[int]) -> tuple[str, ...]:
    """A report note naming the header's columns that the load does not keep."""
    ignored = [
        name or f"(unnamed column {index + 1})"
        for index, name in enumerate(header)
        if index not in used
    ]
    return (f"ignored columns: {', '.join(ignored)}",) if ignored else ()


def name_sql(index: int | None) -> str:
    """SQL for an optional name column of ``ref_valid``."""
    return "CAST(NULL AS VARCHAR)" if index is None else f"nullif(trim(c{index}), '')"
