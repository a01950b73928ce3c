"""JSON output: strict, streamed, with tables as rows (``results.json``, ``manifest.json``).

Every JSON file bms-eval writes goes through :func:`to_json` or :func:`write_json`:
NaN and infinities become ``null``, numpy scalars Python's, UTF-8 characters are
kept, and a long table is streamed row block by row block
(:class:`FrameRecords`), never held as one list of dictionaries.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from bms_eval.outputs.paths import utf8_text


class FrameRecords(list):
    """The rows of a table as JSON-ready dictionaries, made a block at a time.

    A status table of a thousand indicators × hundreds of units has hundreds of
    thousands of rows; as one list of dictionaries it takes gigabytes. This list
    holds the table and yields its rows block by block whenever it is iterated,
    so :func:`write_json` streams them to the file and a reader that only wants
    some rows never holds all of them.
    """

    BLOCK = 5000

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self.frame = frame

    def __iter__(self):
        for start in range(0, len(self.frame), self.BLOCK):
            yield from records(self.frame.iloc[start : start + self.BLOCK])

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return records(self.frame.iloc[index])
        return records(self.frame.iloc[[index]])[0]

    def __len__(self) -> int:
        return len(self.frame)

    def __bool__(self) -> bool:
        return len(self.frame) > 0

    def __eq__(self, other: object) -> bool:
        return list(iter(self)) == list(other) if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become ``null``; numpy scalars become Python's;
    text is UTF-8 (:func:`~bms_eval.outputs.paths.utf8_text`)."""
    if isinstance(value, FrameRecords):
        return value  # cleaned row by row as it is iterated
    if isinstance(value, str):
        return utf8_text(value)  # a file name's bytes that are not UTF-8
    if isinstance(value, dict):
        return {utf8_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: Strict JSON (no NaN), UTF-8 characters kept, indented: for every JSON file a run writes.
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False)


def to_json(value: Any) -> str:
    """Strict JSON text (no NaN), UTF-8 characters kept."""
    return _ENCODER.encode(_clean(value))


def write_json(path: Path, value: Any) -> None:
    """Write strict JSON as :func:`to_json` does, streamed to the file in pieces (a
    results document of hundreds of megabytes is never one string in memory)."""
    with path.open("w", encoding="utf-8") as handle:
        for piece in _ENCODER.iterencode(_clean(value)):
            handle.write(piece)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a table as JSON-ready dictionaries."""
    return _clean(frame.astype(object).where(frame.notna(), None).to_dict("records"))
