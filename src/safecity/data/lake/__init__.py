"""The Parquet data lake: the warehouse as Parquet files any engine reads (``docs/lake.md``).

``export_lake`` writes a warehouse to a lake, :meth:`safecity.data.warehouse.Warehouse.on_lake`
reads one in place with DuckDB, ``publish_load`` loads files straight into one, and
``refresh_street_aggregates`` keeps its monthly street aggregate in step with its facts.
"""

from safecity.data.lake.commit import LakeWriteSummary
from safecity.data.lake.errors import (
    LakeBusyError,
    LakeError,
    LakeIntegrityError,
    LakeManifestError,
    LakeVersionError,
    NotALakeError,
)
from safecity.data.lake.export import export_lake
from safecity.data.lake.layout import LAKE_SCHEMA_VERSION, MANIFEST_FILE, Partition, TableKind
from safecity.data.lake.manifest import (
    LakeFile,
    LakeManifest,
    LakeTable,
    read_manifest,
    verify_lake,
)

__all__ = [
    "LAKE_SCHEMA_VERSION",
    "MANIFEST_FILE",
    "LakeBusyError",
    "LakeError",
    "LakeFile",
    "LakeIntegrityError",
    "LakeManifest",
    "LakeManifestError",
    "LakeTable",
    "LakeVersionError",
    "LakeWriteSummary",
    "NotALakeError",
    "Partition",
    "TableKind",
    "export_lake",
    "read_manifest",
    "verify_lake",
]
