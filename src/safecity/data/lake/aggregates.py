"""Keeping the lake's aggregates in step with its facts, one partition at a time.

An aggregate file records the SHA-256 of the fact file it was computed from
(``source_sha256``); only partitions whose fact file changed are computed again, and the
aggregates of partitions that are gone are dropped.
"""

from __future__ import annotations

from dataclasses import replace

from safecity.data.lake.layout import STREET_MONTH_TABLE, Partition, PartitionKey, table_kind
from safecity.data.lake.manifest import LakeFile, LakeTable
from safecity.data.lake.parquet_writer import StagedWriter, sql_text
from safecity.data.lake.street_aggregate import STREET_MONTH_COLUMNS, street_month_sql
from safecity.data.lake.table_sync import TableChange, source_query


def stale_partitions(street: LakeTable, aggregate: LakeTable | None) -> list[Partition]:
    """Partitions of ``street`` whose aggregate is missing or was computed from another file."""
    computed = aggregate.by_partition() if aggregate is not None else {}
    stale = []
    for partition, fact in sorted(street.by_partition().items()):
        done = computed.get(partition)
        if done is None or done.source_sha256 != fact.sha256:
            stale.append(partition)
    return stale


def sync_street_month(
    writer: StagedWriter,
    *,
    street: LakeTable,
    relation: str,
    previous: LakeTable | None,
) -> tuple[LakeTable, TableChange]:
    """Bring ``street_month`` up to date with the street table ``street`` will list.

    Parameters
    ----------
    writer
        Writes the new files (on the connection holding ``relation``).
    street
        The ``police_uk_street`` entry of the manifest about to be committed.
    relation
        A SQL relation holding (at least) the street rows of every stale partition, with the
        warehouse's columns (``force`` and ``month`` included).
    previous
        ``street_month`` as the lake lists it now (None: not computed yet).

    Returns
    -------
    tuple of LakeTable and TableChange
        The aggregate's new manifest entry and what changed.
    """
    stale = stale_partitions(street, previous)
    facts = street.by_partition()
    before = previous.by_partition() if previous is not None else {}
    kept = [item for partition, item in before.items() if partition in facts]
    kept = [item for item in kept if item.partition not in set(stale)]
    change = TableChange(
        unchanged=len(kept),
        rows_unchanged=sum(item.rows for item in kept),
        removed=sum(1 for partition in before if partition not in facts),
    )
    written: list[LakeFile] = []
    if stale:
        values = ", ".join(
            f"({sql_text(partition.force or '')}, DATE {sql_text(str(partition.month))})"
            for partition in stale
        )
        filtered = (
            f"(SELECT * FROM {relation} SEMI JOIN (SELECT * FROM (VALUES {values})"
            f" v({PartitionKey.FORCE.value}, {PartitionKey.MONTH.value}))"
            f" USING ({PartitionKey.FORCE.value}, {PartitionKey.MONTH.value}))"
        )
        query = source_query(
            STREET_MONTH_TABLE,
            STREET_MONTH_COLUMNS,
            relation=f"({street_month_sql(filtered)})",
        )
        written = [
            replace(item, source_sha256=facts[item.partition].sha256)
            for item in writer.write(STREET_MONTH_TABLE, query=query)
        ]
        missing = set(stale) - {item.partition for item in written}
        if missing:
            raise RuntimeError(
                f"street_month: no aggregate was computed for {len(missing)} partitions"
                f" (e.g. {sorted(missing)[0].describe()}); nothing was committed"
            )
    for item in written:
        existed = item.partition in before
        change += TableChange(
            written=0 if existed else 1,
            rewritten=1 if existed else 0,
            rows_written=item.rows,
            bytes_written=item.bytes,
        )
    entry = LakeTable(
        kind=table_kind(STREET_MONTH_TABLE),
        partition_by=(PartitionKey.FORCE.value, PartitionKey.MONTH.value),
        columns=STREET_MONTH_COLUMNS,
        files=tuple(sorted([*kept, *written], key=lambda item: item.path)),
    )
    return entry, change
