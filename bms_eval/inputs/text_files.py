"""Reading a user's file as text without surprises.

Missing files, folders given as files and undecodable bytes become located
problems. Files are opened read-only; nothing is ever written back.
"""

from __future__ import annotations

from pathlib import Path

from bms_eval.foundation.problems import ProblemList
from bms_eval.foundation.regular_files import MAX_BYTES, UnreadableFile, read_regular


def read_bytes(path: Path, problems: ProblemList, *, limit: int = MAX_BYTES) -> bytes | None:
    """The file's bytes (:func:`read_regular`), or ``None`` with a problem recorded if
    it cannot be read."""
    try:
        return read_regular(path, limit)
    except UnreadableFile as exc:
        problems.error("", str(exc), kind="io")
        return None


def is_utf16(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16 text: its byte-order mark, or (without one)
    every other byte NUL at the start, as Latin letters are in UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:512]
    return len(head) >= 8 and (
        head[1::2].count(0) > 0.9 * (len(head) // 2) or head[0::2].count(0) > 0.9 * (len(head) // 2)
    )


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
    if is_utf16(data):
        problems.error(
            "",
            "the file is UTF-16 text (Excel's 'Unicode text'); save it as UTF-8 (in Excel: "
            "'CSV UTF-8')",
            kind="encoding",
        )
        return None
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
    if b"\x00" in data[:8192] and not is_utf16(data):
        problems.error("", "the file looks binary, not text", kind="encoding")
        return None
    return decode(data, problems, allow_cp1252=allow_cp1252)


def read_text(path: Path, problems: ProblemList, *, allow_cp1252: bool = False) -> str | None:
    """Read a text file, recording any problem; ``None`` if it cannot be read."""
    data = read_bytes(path, problems)
    if data is None:
        return None
    return bytes_to_text(data, problems, allow_cp1252=allow_cp1252)
