"""Download one file over HTTP(S): streamed, resumable, verified, atomic.

A file is streamed into ``<name>.part`` next to its destination; the server's validator
(``ETag``, else ``Last-Modified``) is kept in ``<name>.part.json``. An interrupted download
(a dropped connection, a timeout, a transient 5xx) is retried with exponential backoff, and a
retry (or a later run) asks only for the missing bytes with ``Range`` and ``If-Range``
(RFC 9110, sections 13.1.5 and 14.2). A server that answers 200 instead of 206 (it ignores
``Range``, or the file changed) restarts the download from the first byte; a 416 (the partial
file no longer fits the remote one) discards the partial file. The completed file is checked
against the expected SHA-256 when one is known, renamed into place atomically (``os.replace``)
and recorded in ``fetched.json`` (:mod:`safecity.data.fetch.manifest`). A file that is already
complete (its SHA-256 matches the manifest or the expected one) is not downloaded again.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from safecity import __version__
from safecity.data.fetch.catalogue import FetchTarget, Paging
from safecity.data.fetch.errors import ChecksumMismatchError, FetchError
from safecity.data.fetch.manifest import ManifestEntry, read_manifest, record_in_manifest

PART_SUFFIX = ".part"
"""Suffix of a file being downloaded."""

PART_STATE_SUFFIX = ".part.json"
"""Suffix of the validators kept beside a partial download, so a later run can resume it."""

TRANSIENT_HTTP_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""HTTP statuses worth retrying: timeouts, rate limits and temporary server failures."""

ProgressCallback = Callable[[FetchTarget, int, int | None], None]
"""Called as bytes arrive with the target, the bytes held so far and the total (if known)."""


class FetchStatus(StrEnum):
    """What became of a file."""

    DOWNLOADED = "downloaded"
    """Downloaded from the first byte."""
    RESUMED = "resumed"
    """Completed from a partial download (HTTP 206), not from the first byte."""
    ALREADY_COMPLETE = "already-complete"
    """Already there with the recorded (or expected) SHA-256: no request was made."""
    FAILED = "failed"
    """Not downloaded; ``error`` says why (only in :func:`fetch_all` results)."""


@dataclass(frozen=True, slots=True)
class DownloadSettings:
    """Timeouts, retries and buffering.

    ``timeout_seconds`` bounds the connection and every read of every request; a failed
    attempt waits ``backoff_seconds * 2 ** (retry - 1)`` (at most ``max_backoff_seconds``,
    or the server's ``Retry-After`` within that bound) before the next one; there are at most
    ``attempts`` attempts per file.
    """

    timeout_seconds: float = 60.0
    attempts: int = 5
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    chunk_bytes: int = 1 << 16
    user_agent: str = f"safecity/{__version__} (safecity fetch)"

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive, got {self.timeout_seconds}")
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.backoff_seconds < 0 or self.max_backoff_seconds < 0:
            raise ValueError("backoff times cannot be negative")
        if self.chunk_bytes < 1:
            raise ValueError(f"chunk_bytes must be positive, got {self.chunk_bytes}")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened to one target. ``path`` is the destination file."""

    url: str
    path: Path
    description: str
    status: FetchStatus
    bytes: int | None = None
    sha256: str | None = None
    fetched_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (the ``--json`` form)."""
        data: dict[str, Any] = {
            "url": self.url,
            "path": str(self.path),
            "description": self.description,
            "status": self.status.value,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            "etag": self.etag,
            "last_modified": self.last_modified,
        }
        if self.error is not None:
            data["error"] = self.error
        return data


def fetch_file(
    *,
    target: FetchTarget,
    out_directory: Path,
    settings: DownloadSettings | None = None,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Download ``target`` into ``out_directory`` unless it is already complete there.

    Parameters
    ----------
    target
        The URL, the path relative to ``out_directory``, and the expected SHA-256 (if known).
    out_directory
        The folder that receives the file and ``fetched.json``.
    settings
        Timeouts, retries and buffering (defaults: :class:`DownloadSettings`).
    progress
        Called with the bytes held so far as they arrive.

    Returns
    -------
    FetchResult
        Status ``downloaded``, ``resumed`` or ``already-complete``, with size and SHA-256.

    Raises
    ------
    FetchError
        On a non-transient HTTP error (naming the status and the URL), or when every attempt
        failed; a partial download is kept for a later resume.
    ChecksumMismatchError
        When the completed bytes do not have the expected SHA-256; nothing is left in place.
    """
    settings = settings or DownloadSettings()
    destination = out_directory / target.relative_path
    destination.parent.mkdir(parents=True, exist_ok=True)
    complete = _already_complete(target, out_directory=out_directory, destination=destination)
    if complete is not None:
        return complete
    if target.paging is Paging.ARCGIS_RESULT_OFFSET:
        outcome = _fetch_arcgis_pages(
            target=target, destination=destination, settings=settings, progress=progress
        )
    else:
        download = _Download(target=target, destination=destination, settings=settings)
        outcome = download.run(progress=progress)
    fetched_at = _now()
    record_in_manifest(
        out_directory,
        relative_path=target.relative_path,
        entry=ManifestEntry(
            url=target.url,
            path=target.relative_path,
            bytes=outcome.size,
            sha256=outcome.sha256,
            fetched_at=fetched_at,
            etag=outcome.etag,
            last_modified=outcome.last_modified,
        ),
    )
    return FetchResult(
        url=target.url,
        path=destination,
        description=target.description,
        status=FetchStatus.RESUMED if outcome.resumed else FetchStatus.DOWNLOADED,
        bytes=outcome.size,
        sha256=outcome.sha256,
        fetched_at=fetched_at,
        etag=outcome.etag,
        last_modified=outcome.last_modified,
    )


def fetch_all(
    *,
    targets: Sequence[FetchTarget],
    out_directory: Path,
    settings: DownloadSettings | None = None,
    progress: ProgressCallback | None = None,
    keep_going: bool = False,
) -> list[FetchResult]:
    """Fetch ``targets`` in order; a failure becomes a ``failed`` result.

    With ``keep_going`` false the run stops at the first failure (its result is the last one
    returned); otherwise every target is tried. Callers decide the exit status from the
    ``failed`` results.
    """
    results: list[FetchResult] = []
    for target in targets:
        try:
            results.append(
                fetch_file(
                    target=target,
                    out_directory=out_directory,
                    settings=settings,
                    progress=progress,
                )
            )
        except FetchError as error:
            results.append(
                FetchResult(
                    url=target.url,
                    path=out_directory / target.relative_path,
                    description=target.description,
                    status=FetchStatus.FAILED,
                    error=str(error),
                )
            )
            if not keep_going:
                break
    return results


def sha256_of_file(path: Path, *, chunk_bytes: int = 1 << 22) -> str:
    """Hex SHA-256 of the bytes of ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def _already_complete(
    target: FetchTarget, *, out_directory: Path, destination: Path
) -> FetchResult | None:
    """The ``already-complete`` result when ``destination`` holds the right bytes, else None.

    Right bytes means: the expected SHA-256 when the target has one; otherwise the size and
    SHA-256 recorded for it in the manifest. A file the manifest does not know and whose
    checksum is not known in advance is downloaded again (it may be truncated).
    """
    if not destination.is_file():
        return None
    entry = read_manifest(out_directory).get(target.relative_path)
    size = destination.stat().st_size
    if target.expected_sha256 is None and (entry is None or entry.bytes != size):
        return None
    digest = sha256_of_file(destination)
    wanted = target.expected_sha256 or (entry.sha256 if entry else None)
    if digest != wanted:
        return None
    if entry is None or entry.sha256 != digest:
        modified = datetime.fromtimestamp(destination.stat().st_mtime, tz=UTC)
        entry = ManifestEntry(
            url=target.url,
            path=target.relative_path,
            bytes=size,
            sha256=digest,
            fetched_at=modified.isoformat(timespec="seconds"),
        )
        record_in_manifest(out_directory, relative_path=target.relative_path, entry=entry)
    return FetchResult(
        url=target.url,
        path=destination,
        description=target.description,
        status=FetchStatus.ALREADY_COMPLETE,
        bytes=size,
        sha256=digest,
        fetched_at=entry.fetched_at,
        etag=entry.etag,
        last_modified=entry.last_modified,
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    size: int
    sha256: str
    resumed: bool
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class _ContentRange:
    start: int
    end: int
    total: int | None


class _RetryableError(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(slots=True)
class _Download:
    """The state of one download across its attempts."""

    target: FetchTarget
    destination: Path
    settings: DownloadSettings
    opener: urllib.request.OpenerDirector = field(default_factory=urllib.request.build_opener)
    full_download_after_mismatch: bool = False

    @property
    def part(self) -> Path:
        return self.destination.with_name(self.destination.name + PART_SUFFIX)

    @property
    def part_state(self) -> Path:
        return self.destination.with_name(self.destination.name + PART_STATE_SUFFIX)

    def run(self, *, progress: ProgressCallback | None) -> _Outcome:
        if not self._validator_of_part():
            self._discard_part()
        failures: list[_RetryableError] = []
        for attempt in range(1, self.settings.attempts + 1):
            if failures:
                time.sleep(self._backoff(attempt - 1, retry_after=failures[-1].retry_after))
            try:
                return self._attempt(progress=progress)
            except _RetryableError as error:
                failures.append(error)
        raise FetchError(
            f"giving up on {self.target.url} ({self.target.description}) after "
            f"{self.settings.attempts} attempt(s): {failures[-1]}",
            url=self.target.url,
            status=failures[-1].status,
            description=self.target.description,
        )

    def _attempt(self, *, progress: ProgressCallback | None) -> _Outcome:
        offset = self.part.stat().st_size if self.part.exists() else 0
        validator = self._validator_of_part() if offset else None
        if offset and not validator:
            self._discard_part()
            offset = 0
        request = urllib.request.Request(self.target.url, method="GET")
        request.add_header("User-Agent", self.settings.user_agent)
        request.add_header("Accept-Encoding", "identity")
        if offset and validator:
            request.add_header("Range", f"bytes={offset}-")
            request.add_header("If-Range", validator)
        try:
            response = self.opener.open(request, timeout=self.settings.timeout_seconds)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 416 and offset:
                return self._after_range_not_satisfiable()
            message = f"HTTP {error.code} {error.reason} for {self.target.url}"
            if error.code in TRANSIENT_HTTP_STATUSES:
                raise _RetryableError(
                    message,
                    status=error.code,
                    retry_after=_retry_after_seconds(error.headers.get("Retry-After")),
                ) from error
            raise FetchError(
                f"{message} ({self.target.description})",
                url=self.target.url,
                status=error.code,
                description=self.target.description,
            ) from error
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise FetchError(
                    f"cannot verify the certificate of {self.target.url} "
                    f"({self.target.description}): {reason}",
                    url=self.target.url,
                    status=None,
                    description=self.target.description,
                ) from error
            raise _RetryableError(f"no response from {self.target.url}: {reason}") from error
        with response:
            return self._receive(response, offset=offset, progress=progress)

    def _receive(
        self, response: Any, *, offset: int, progress: ProgressCallback | None
    ) -> _Outcome:
        status = int(response.status)
        headers = response.headers
        if status == 206 and offset:
            content_range = _parse_content_range(headers.get("Content-Range"))
            if content_range is None or content_range.start != offset:
                self._discard_part()
                raise _RetryableError(
                    f"{self.target.url} answered a range request with Content-Range "
                    f"{headers.get('Content-Range')!r} for a partial file of {offset} bytes; "
                    "starting again from the first byte",
                    status=status,
                )
            total = content_range.total
            resumed = True
        elif status == 200:
            offset = 0
            length = headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            resumed = False
        else:
            raise FetchError(
                f"unexpected HTTP {status} for {self.target.url} ({self.target.description})",
                url=self.target.url,
                status=status,
                description=self.target.description,
            )
        etag = headers.get("ETag")
        last_modified = headers.get("Last-Modified")
        self._save_part_state(etag=etag, last_modified=last_modified)
        digest = hashlib.sha256()
        if resumed:
            with self.part.open("rb") as existing:
                while chunk := existing.read(1 << 22):
                    digest.update(chunk)
        held = offset
        try:
            with self.part.open("ab" if resumed else "wb") as stream:
                if progress is not None:
                    progress(self.target, held, total)
                while chunk := response.read(self.settings.chunk_bytes):
                    stream.write(chunk)
                    digest.update(chunk)
                    held += len(chunk)
                    if progress is not None:
                        progress(self.target, held, total)
                stream.flush()
                os.fsync(stream.fileno())
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, OSError) and not _is_network_error(error):
                raise
            raise _RetryableError(
                f"connection to {self.target.url} failed after {held} bytes: {error}"
            ) from error
        if total is not None and held != total:
            if held > total:
                self._discard_part()
            raise _RetryableError(
                f"{self.target.url} sent {held} of {total} bytes before the connection closed"
            )
        return self._complete(
            digest.hexdigest(),
            size=held,
            resumed=resumed,
            etag=etag,
            last_modified=last_modified,
        )

    def _after_range_not_satisfiable(self) -> _Outcome:
        """HTTP 416: keep the partial file only if it is already the whole expected file."""
        expected = self.target.expected_sha256
        if expected is not None and sha256_of_file(self.part) == expected:
            state = self._read_part_state()
            return self._complete(
                expected,
                size=self.part.stat().st_size,
                resumed=True,
                etag=state.get("etag"),
                last_modified=state.get("last_modified"),
            )
        self._discard_part()
        raise _RetryableError(
            f"{self.target.url} answered 416 to a resume: the partial file does not fit the "
            "remote one; starting again from the first byte",
            status=416,
            retry_after=0.0,
        )

    def _complete(
        self,
        sha256: str,
        *,
        size: int,
        resumed: bool,
        etag: str | None,
        last_modified: str | None,
    ) -> _Outcome:
        expected = self.target.expected_sha256
        if expected is not None and sha256 != expected:
            self._discard_part()
            if resumed and not self.full_download_after_mismatch:
                self.full_download_after_mismatch = True
                raise _RetryableError(
                    f"{self.target.url}: resumed file has sha256 {sha256}, expected {expected}; "
                    "downloading it again from the first byte",
                    retry_after=0.0,
                )
            raise ChecksumMismatchError(
                url=self.target.url,
                description=self.target.description,
                expected_sha256=expected,
                actual_sha256=sha256,
            )
        os.replace(self.part, self.destination)
        self.part_state.unlink(missing_ok=True)
        return _Outcome(
            size=size, sha256=sha256, resumed=resumed, etag=etag, last_modified=last_modified
        )

    def _validator_of_part(self) -> str | None:
        """The ``If-Range`` value for the partial file, or None when it cannot be resumed."""
        if not self.part.exists():
            return None
        state = self._read_part_state()
        if state.get("url") != self.target.url:
            return None
        etag = state.get("etag")
        if etag and not etag.startswith("W/"):
            return str(etag)
        last_modified = state.get("last_modified")
        return str(last_modified) if last_modified else None

    def _read_part_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.part_state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_part_state(self, *, etag: str | None, last_modified: str | None) -> None:
        state = {"url": self.target.url, "etag": etag, "last_modified": last_modified}
        self.part_state.write_text(json.dumps(state), encoding="utf-8")

    def _discard_part(self) -> None:
        self.part.unlink(missing_ok=True)
        self.part_state.unlink(missing_ok=True)

    def _backoff(self, retry: int, *, retry_after: float | None) -> float:
        exponential = self.settings.backoff_seconds * 2 ** (retry - 1)
        wait = exponential if retry_after is None else retry_after
        return min(wait, self.settings.max_backoff_seconds)


MAX_PAGES = 10_000
"""Most pages one paged answer may have (a service returning pages forever is refused)."""


def with_result_offset(url: str, offset: int) -> str:
    """``url`` with its ``resultOffset`` query parameter set to ``offset``.

    >>> with_result_offset("https://x/query?where=1%3D1&f=json", 2000)
    'https://x/query?where=1%3D1&f=json&resultOffset=2000'
    """
    parts = urllib.parse.urlsplit(url)
    query = [
        (name, value)
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if name != "resultOffset"
    ]
    query.append(("resultOffset", str(offset)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, safe="*")))


def _more_pages(page: dict[str, Any]) -> bool:
    properties = page.get("properties")
    return page.get("exceededTransferLimit") is True or (
        isinstance(properties, dict) and properties.get("exceededTransferLimit") is True
    )


def _fetch_arcgis_pages(
    *,
    target: FetchTarget,
    destination: Path,
    settings: DownloadSettings,
    progress: ProgressCallback | None,
) -> _Outcome:
    """Every page of an ArcGIS feature-service query, saved as one answer at ``destination``.

    The first page is asked for at the target's URL; while a page says
    ``exceededTransferLimit`` (a FeatureSet's own field, or a GeoJSON answer's
    ``properties``), the next is asked for with ``resultOffset`` = the features received so far
    (Esri, *ArcGIS REST API: Query (Feature Service/Layer)*). One page is saved byte for byte;
    several are saved as the first page with every page's features and without
    ``exceededTransferLimit``. The saved file is checked against the expected SHA-256.
    """
    pages: list[dict[str, Any]] = []
    first_bytes = b""
    received = 0
    while True:
        if len(pages) >= MAX_PAGES:
            raise FetchError(
                f"{target.url}: more than {MAX_PAGES:,} pages: refusing to go on",
                url=target.url,
                status=None,
                description=target.description,
            )
        url = target.url if not pages else with_result_offset(target.url, received)
        page_path = destination.with_name(f"{destination.name}.page{len(pages) + 1}")
        page_target = FetchTarget(
            url=url,
            relative_path=target.relative_path,
            description=f"{target.description}, page {len(pages) + 1}",
        )
        _Download(target=page_target, destination=page_path, settings=settings).run(
            progress=progress
        )
        data = page_path.read_bytes()
        page_path.unlink()
        try:
            page = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FetchError(
                f"{url}: not a JSON answer: {error}",
                url=url,
                status=None,
                description=target.description,
            ) from error
        features = page.get("features") if isinstance(page, dict) else None
        if not isinstance(features, list):
            message = page.get("error") if isinstance(page, dict) else None
            raise FetchError(
                f"{url}: not an ArcGIS query answer (no 'features')"
                + (f": {message}" if message else ""),
                url=url,
                status=None,
                description=target.description,
            )
        if not pages:
            first_bytes = data
        pages.append(page)
        received += len(features)
        if not _more_pages(page) or not features:
            break
    if len(pages) == 1:
        combined = first_bytes
    else:
        whole = dict(pages[0])
        whole["features"] = [feature for page in pages for feature in page["features"]]
        whole.pop("exceededTransferLimit", None)
        if isinstance(whole.get("properties"), dict):
            whole["properties"] = {
                key: value
                for key, value in whole["properties"].items()
                if key != "exceededTransferLimit"
            }
        combined = json.dumps(whole).encode("utf-8")
    digest = hashlib.sha256(combined).hexdigest()
    if target.expected_sha256 is not None and digest != target.expected_sha256:
        raise ChecksumMismatchError(
            url=target.url,
            description=target.description,
            expected_sha256=target.expected_sha256,
            actual_sha256=digest,
        )
    part = destination.with_name(destination.name + PART_SUFFIX)
    part.write_bytes(combined)
    os.replace(part, destination)
    return _Outcome(size=len(combined), sha256=digest, resumed=False, etag=None, last_modified=None)


def _parse_content_range(value: str | None) -> _ContentRange | None:
    """``bytes START-END/TOTAL`` (TOTAL may be ``*``) as numbers, or None if malformed."""
    if not value or not value.startswith("bytes "):
        return None
    span, _, total = value[len("bytes ") :].partition("/")
    start, _, end = span.partition("-")
    if not (start.isdigit() and end.isdigit()) or not (total.isdigit() or total == "*"):
        return None
    return _ContentRange(
        start=int(start), end=int(end), total=int(total) if total.isdigit() else None
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (the delay form only), or None."""
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _is_network_error(error: OSError) -> bool:
    return isinstance(error, TimeoutError | ConnectionError) or error.errno is None


def _now() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="seconds")
