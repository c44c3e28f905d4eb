"""Errors of reference loading: a file refused as a whole."""

from __future__ import annotations

from safecity.data.load_report import FileLoadReport


class UnrecognisedFileError(ValueError):
    """The file is not in a format this kind accepts (raised before anything is loaded)."""


class OptionRequiredError(UnrecognisedFileError):
    """The file's header is recognised, but something it does not say must be given as an option
    (``--vintage``, ``--year``, ``--publisher`` ...), or an option contradicts the file."""


class ReferenceFileRejectedError(ValueError):
    """A reference file was rejected as a whole; the rejection is in the load log.

    Parameters
    ----------
    report
        The load report (status ``rejected``) recorded for the file.
    """

    def __init__(self, report: FileLoadReport) -> None:
        super().__init__(f"{report.path}: rejected: {report.message}")
        self.report = report
