"""Reading a user's file as text without surprises.

Missing files, folders given as files and undecodable bytes become located
problems. Files are opened read-only; nothing is ever written back.
"""

from __future__ import annotations

from pathlib import Path

from bms_eval.problems import ProblemList

#: Largest input file read (bytes); a scorecard or indicator table is far smaller.
MAX_BYTES = 2 * 1024**3


def read_bytes(path: Path, problems: ProblemList) -> bytes | None:
    """The file's bytes, or ``None`` with a problem recorded if it cannot be read."""
    if not path.exists():
        problems.error("", "file not found: check the path", kind="io")
        return None
    if path.is_dir():
        problems.error("", "this is a folder, not a file", kind="io")
        return None
    try:
        if path.stat().st_size > MAX_BYTES:
            problems.error("", f"the file is larger than {MAX_BYTES // 1024**3} GiB", kind="io")
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.error("", f"cannot read the file: {exc.strerror or exc}", kind="io")
        return None


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


def read_text(path: Path, problems: ProblemList, *, allow_cp1252: bool = False) -> str | None:
    """Read a text file, recording any problem; ``None`` if it cannot be read."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    if b"\x00" in data[:8192]:
        problems.error("", "the file looks binary, not text", kind="encoding")
        return None
    return decode(data, problems, allow_cp1252=allow_cp1252)
