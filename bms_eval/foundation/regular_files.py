"""Reading a user's file: only a regular file, only up to a size, in pieces.

Every read of a path a user (or a manifest) names goes through
:func:`open_regular`: a named pipe would make the read wait for ever, a device
such as ``/dev/zero`` would fill the memory, so only a regular file is opened,
and it is read no further than a stated limit, into a buffer of its own size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Largest input file read (bytes); a scorecard or indicator table is far smaller.
MAX_BYTES = 2 * 1024**3


class UnreadableFile(Exception):
    """A user's path that is not a regular file bms-eval may read; the message says why."""


def open_regular(path: Path) -> int:
    """Open ``path`` read-only, as a regular file; returns the descriptor.

    Only a regular file is opened (a link to one is fine): a folder, a named pipe,
    a device such as ``/dev/zero`` or a socket is refused before any byte is
    read, and the open itself cannot wait on a pipe without a writer. The
    descriptor is checked, not the name, so what is checked is what is read.

    Raises
    ------
    UnreadableFile
        Missing, a folder, not a regular file, or not readable; the message says which.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFile("file not found: check the path") from None
    except IsADirectoryError:
        raise UnreadableFile("this is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableFile("this is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise UnreadableFile(
                "this is not a regular file (a pipe, a device or a socket), and bms-eval "
                "reads only regular files: save the content to a file and give its path"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (:func:`open_regular`), at most ``limit``.

    The file is read to its end in the system's pieces into a buffer of its own
    size, never more: nothing is reserved for a file larger than it is.

    Raises
    ------
    UnreadableFile
        As :func:`open_regular`, or the file is (or grew while read) beyond ``limit``.
    """
    fd = open_regular(path)
    too_large = f"the file is larger than {_size_text(limit)}, the most bms-eval reads here"
    try:
        if os.fstat(fd).st_size > limit:
            raise UnreadableFile(too_large)
        with os.fdopen(fd, "rb", closefd=False, buffering=0) as handle:
            data = handle.readall()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(too_large.replace("is larger", "grew larger"))
    return data


def _size_text(limit: int) -> str:
    return f"{limit // 1024**3} GiB" if limit >= 1024**3 else f"{limit // 1024**2} MiB"
