"""The one error type whose message is written for the user, not for a developer.

Core functions raise subclasses of `UserError` for bad input (a ragged matrix, an unknown
preset, missing data). The CLI prints the message and exits with code 2; screens show it
inline. Anything else escaping the core is a bug and keeps its traceback.
"""

import errno
import os


class UserError(ValueError):
    """Bad input or a missing resource; `str(error)` says what is wrong and what to do."""


class StorageError(UserError, OSError):
    """A file could not be written: the disk is full, read-only or not ours to write. Also an
    OSError, so code that tolerates a failed write (the heartbeat) still does."""


STORAGE_ERRNOS = {
    errno.ENOSPC: "space",
    errno.EDQUOT: "space",
    errno.EFBIG: "space",  # a file-size limit (ulimit -f)
    errno.EROFS: "read-only",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}


def storage_error(error: OSError, path: object = None) -> StorageError | None:
    """The plain message for a failed write, or None when `error` is not about storage. It names
    the folder the write went to: the parent of the file or folder being made (`error.filename`,
    else `path`, the file being written)."""
    kind = STORAGE_ERRNOS.get(error.errno or 0)
    if kind is None:
        return None
    target = error.filename or path
    folder = os.path.dirname(os.fspath(target)) if target else "the runs folder"
    reason = error.strerror or str(error)
    if kind == "space":
        text = f"No space left on {folder}: free space or move the runs folder ({reason})."
    elif kind == "read-only":
        text = f"{folder} is read-only: move the runs folder somewhere writable ({reason})."
    else:
        text = (
            f"No permission to use {folder}: fix its permissions or move the runs folder "
            f"({reason})."
        )
    return StorageError(text)
