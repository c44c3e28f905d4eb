"""What can go wrong when fetching: each error says which URL (or which catalogue entry) failed."""

from __future__ import annotations


class FetchError(Exception):
    """A download failed for good (after any retries).

    Attributes
    ----------
    url
        The URL that failed.
    status
        The HTTP status of the last response, or ``None`` when no response arrived (a network
        error, a timeout, a dropped connection).
    description
        What the file is (e.g. ``"police-uk street file, hampshire 2017-04"``).
    """

    def __init__(self, message: str, *, url: str, status: int | None, description: str) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.description = description


class ChecksumMismatchError(FetchError):
    """The downloaded bytes do not have the SHA-256 the catalogue (or the caller) expects."""

    def __init__(
        self, *, url: str, description: str, expected_sha256: str, actual_sha256: str
    ) -> None:
        super().__init__(
            f"checksum mismatch for {url} ({description}): expected sha256 {expected_sha256}, "
            f"got {actual_sha256}; the download was discarded",
            url=url,
            status=None,
            description=description,
        )
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256


class CatalogueError(ValueError):
    """The source catalogue (shipped or user-supplied) or a request made of it is invalid."""
