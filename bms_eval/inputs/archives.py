"""How large an Excel workbook (a zip archive) becomes when unpacked, read before
anything unpacks it: a small file can unpack to gigabytes (a "zip bomb")."""

from __future__ import annotations

import io
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
