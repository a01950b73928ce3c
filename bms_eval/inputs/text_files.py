"""Reading a user's file as text without surprises.

Missing files, folders given as files and undecodable bytes become located
problems. Files are opened read-only; nothing is ever written back.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bms_eval.foundation.problems import ProblemList

#: Largest input file read (bytes); a scorecard or indicator table is far smaller.
MAX_BYTES = 2 * 1024**3


def read_bytes(path: Path, problems: ProblemList) -> bytes | None:
    """The file's bytes, or ``None`` with a problem recorded if it cannot be read.

    Only a regular file is read (a link to one is fine): a folder, a named pipe,
    a device such as ``/dev/zero`` or a socket is refused before any byte is
    read, so nothing can make the read hang or fill the memory. The file is
    opened once and read from that handle, so what is checked is what is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        problems.error("", "file not found: check the path", kind="io")
        return None
    except IsADirectoryError:
        problems.error("", "this is a folder, not a file", kind="io")
        return None
    except OSError as exc:
        problems.error("", f"cannot read the file: {exc.strerror or exc}", kind="io")
        return None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            problems.error("", "this is a folder, not a file", kind="io")
            return None
        if not stat.S_ISREG(info.st_mode):
            problems.error(
                "",
                "this is not a regular file (a pipe, device or socket); save the data to a "
                "file and give its path",
                kind="io",
            )
            return None
        if info.st_size > MAX_BYTES:
            problems.error(
                "",
                f"the file is larger than {MAX_BYTES // 1024**3} GiB, the most bms-eval reads",
                kind="io",
            )
            return None
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            problems.error("", f"the file grew beyond {MAX_BYTES // 1024**3} GiB", kind="io")
            return None
        return data
    except OSError as exc:
        problems.error("", f"cannot read the file: {exc.strerror or exc}", kind="io")
        return None
    finally:
        os.close(fd)


def decode(data: bytes, problems: ProblemList, *, allow_cp1252: bool = False) -> str | None:
    """Decode UTF-8 (with or without a byte-order mark).

    Parameters
    ----------
    data : bytes
        The file's content.
    problems : ProblemList
        Receives a problem if the bytes are not UTF-8.
    allow_cp1252 : bool
        Fall back to Windows-1252 (older Norwegian Excel "CSV" exports) with a
        warning instead of failing.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if allow_cp1252:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                pass
            else:
                problems.warning(
                    f"line {line}",
                    "the file is not UTF-8; it was read as Windows-1252 (Excel's older CSV "
                    "export). Check that æ, ø and å look right, or save as 'CSV UTF-8'",
                    kind="encoding",
                )
                return text
        problems.error(
            f"line {line}",
            "the file is not UTF-8 text; save it as UTF-8 (in Excel: 'CSV UTF-8')",
            kind="encoding",
        )
        return None


def bytes_to_text(data: bytes, problems: ProblemList, *, allow_cp1252: bool = False) -> str | None:
    """Decode a text file's bytes, refusing binary content; ``None`` with a problem if not."""
    if b"\x00" in data[:8192]:
        problems.error("", "the file looks binary, not text", kind="encoding")
        return None
    return decode(data, problems, allow_cp1252=allow_cp1252)


def read_text(path: Path, problems: ProblemList, *, allow_cp1252: bool = False) -> str | None:
    """Read a text file, recording any problem; ``None`` if it cannot be read."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    return bytes_to_text(data, problems, allow_cp1252=allow_cp1252)
