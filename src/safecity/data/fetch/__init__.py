"""Downloading source data: data.police.uk files and the ONS/MHCLG reference files.

:mod:`~safecity.data.fetch.catalogue` names the sources (``safecity/config/sources.yaml``) and
builds the targets to fetch; :mod:`~safecity.data.fetch.download` downloads them (streamed,
resumable, verified, atomic); :mod:`~safecity.data.fetch.manifest` records what was fetched in
``fetched.json`` next to the files.
"""

from safecity.data.fetch.catalogue import (
    POLICE_UK_ARCHIVE_SOURCE,
    POLICE_UK_FORCE_MONTH_SOURCE,
    Catalogue,
    FetchTarget,
    Source,
    SourceGroup,
    load_catalogue,
    months_between,
    police_uk_archive_targets,
    police_uk_force_month_targets,
    reference_target,
    resolve_base_url,
    url_target,
)
from safecity.data.fetch.download import (
    DownloadSettings,
    FetchResult,
    FetchStatus,
    fetch_all,
    fetch_file,
)
from safecity.data.fetch.errors import CatalogueError, ChecksumMismatchError, FetchError
from safecity.data.fetch.manifest import MANIFEST_FILE, ManifestEntry, read_manifest

__all__ = [
    "MANIFEST_FILE",
    "POLICE_UK_ARCHIVE_SOURCE",
    "POLICE_UK_FORCE_MONTH_SOURCE",
    "Catalogue",
    "CatalogueError",
    "ChecksumMismatchError",
    "DownloadSettings",
    "FetchError",
    "FetchResult",
    "FetchStatus",
    "FetchTarget",
    "ManifestEntry",
    "Source",
    "SourceGroup",
    "fetch_all",
    "fetch_file",
    "load_catalogue",
    "months_between",
    "police_uk_archive_targets",
    "police_uk_force_month_targets",
    "read_manifest",
    "reference_target",
    "resolve_base_url",
    "url_target",
]
