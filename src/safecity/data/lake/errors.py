"""What can be wrong with a lake, each as its own error with a sentence saying what and where."""

from __future__ import annotations


class LakeError(RuntimeError):
    """A lake cannot be read or written as asked."""


class NotALakeError(LakeError):
    """The folder exists and holds other things, but no lake manifest."""


class LakeVersionError(LakeError):
    """The lake was written by a newer Safe City (a layout version this one does not know)."""


class LakeManifestError(LakeError):
    """The manifest is not valid JSON or lacks what the layout requires."""


class LakeIntegrityError(LakeError):
    """A file the manifest lists is missing, or its size or SHA-256 is not the listed one."""


class LakeBusyError(LakeError):
    """Another process is writing to the lake."""
