"""How large an Excel workbook (a zip archive) becomes when unpacked, read before
anything unpacks it: a small file can unpack to gigabytes (a "zip bomb")."""

from __future__ import annotations

import io
import re
import zipfile

from bms_eval.foundation.problems import ProblemList


def unpacked_size(data: bytes, problems: ProblemList) -> int | None:
    """The bytes a workbook's parts take unpacked, by its zip directory; ``None``, with
    the problem recorded, when the bytes are not a workbook at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        problems.error(
            "", "this is not an Excel workbook (.xlsx): it cannot be opened as one", kind="io"
        )
        return None


#: A formula's tag in a worksheet's XML (``<f>``, ``<f t="shared" …>``, ``<x:f>``).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def holds_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook ``data`` holds a formula (read piece by
    piece from the archive; the caller has checked the unpacked size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for item in archive.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(item) as part:
                tail = b""
                for piece in iter(lambda part=part: part.read(1 << 20), b""):
                    if _FORMULA_TAG.search(tail + piece):
                        return True
                    tail = piece[-32:]
    return False
