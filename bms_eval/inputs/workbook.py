"""A scorecard kept in Excel (docs/commands.md): the workbook read into the same value tree
the YAML reader builds, so the same checks give the same model and the same
problems, located as ``sheet 'links' row 7, column 'lag'``.

The workbook's sheets are the sections of docs/inputs.md:

- ``perspectives``, ``goals``, ``success_factors``, ``indicators`` and ``links``:
  one item per row under a header row of the YAML keys; nested keys are
  flattened with ``_`` (``scale_min``, ``scale_max``, ``ambition_target``,
  ``ambition_threshold``) and a list of lags is written ``0, 1``;
- ``scorecard`` and ``analysis``: two columns, ``key`` and ``value``
  (``controls`` as ``B1.1, M1.2``).

Empty cells mean "not given"; rows whose first cell starts with ``#`` are
comments, and so is everything above the header row that starts with ``#``.
Cells typed as text that read as a number or as ``true``/``false`` count as
such (Excel users type numbers as text often), while ids keep the text as
typed (``0301`` stays ``0301``).
"""

from __future__ import annotations

import io
import re
from typing import Any

from bms_eval.foundation.problems import ProblemList, one_line
from bms_eval.inputs.archives import unpacked_size
from bms_eval.inputs.yaml_tree import YNode

#: Sheets with one item per row, in the order of docs/inputs.md.
ROW_SHEETS = ("perspectives", "goals", "success_factors", "indicators", "links")
#: Sheets of ``key`` / ``value`` pairs.
PAIR_SHEETS = ("scorecard", "analysis")
#: Flattened nested keys: column → (key, inner key or position in a list).
NESTED: dict[str, tuple[str, str | int]] = {
    "scale_min": ("scale", 0),
    "scale_max": ("scale", 1),
    "ambition_target": ("ambition", "target"),
    "ambition_threshold": ("ambition", "threshold"),
}
#: Cells that hold a comma-separated list.
LISTS = {"lag", "controls"}
#: Most rows read from one sheet, and most bytes a workbook may unpack to.
MAX_ROWS = 20_000
MAX_UNPACKED = 50 * 1024**2

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


def _scalar(value: Any, place: str) -> YNode:
    """A cell as a scalar node: text that reads as a number or a yes/no becomes one,
    its text kept as written."""
    if isinstance(value, str):
        text = value.strip()
        parsed: Any = text
        if not text:
            parsed = None
        elif _INTEGER.fullmatch(text):
            parsed = int(text)
        elif _DECIMAL.fullmatch(text):
            parsed = float(text)
        elif text.lower() in ("true", "false"):
            parsed = text.lower() == "true"
        return YNode("scalar", parsed, raw=text, place=place)
    if isinstance(value, bool):
        return YNode("scalar", value, raw=str(value).lower(), place=place)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return YNode("scalar", int(value), raw=f"{value:g}", place=place)
    return YNode("scalar", value, raw="" if value is None else str(value), place=place)


def _list(value: Any, place: str) -> YNode:
    """A cell holding ``0, 1`` as a list node (one value stays a scalar)."""
    if isinstance(value, str) and "," in value:
        items = [_scalar(part, place) for part in value.split(",")]
        return YNode("seq", items, place=place)
    return _scalar(value, place)


def _is_comment(cells: tuple) -> bool:
    first = cells[0] if cells else None
    return isinstance(first, str) and first.strip().startswith("#")


def _blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces ("not given")."""
    return value is None or (isinstance(value, str) and not value.strip())


def _unsaved(cells: tuple, raw: tuple, name: str, number: int, problems: ProblemList) -> bool:
    """Record every formula of a row without a saved result (``cells`` the row's saved
    values, ``raw`` the same row's formulas); whether there was one."""
    from openpyxl.utils import get_column_letter

    found = False
    for col, (value, text) in enumerate(zip(cells, raw, strict=False), start=1):
        if value is None and isinstance(text, str) and text.startswith("="):
            problems.error(
                f"sheet {name!r} row {number}, column {get_column_letter(col)}",
                f"the formula {text!r} has no saved result: open the workbook in Excel "
                "and save it, or type the value",
                kind="formula",
            )
            found = True
    return found


def unsaved_formulas(data: bytes, name: str, problems: ProblemList) -> bool:
    """Record every formula of sheet ``name`` of the workbook ``data`` that has no
    saved result (a workbook written by a program, never calculated: read as empty,
    its cells would silently be missing values); whether there was one."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    raw = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        formulas = raw[name].iter_rows(values_only=True)
        found = False
        for number, cells in enumerate(book[name].iter_rows(values_only=True), start=1):
            found |= _unsaved(cells, next(formulas, ()), name, number, problems)
        return found
    finally:
        book.close()
        raw.close()


def _rows(sheet, name: str, problems: ProblemList, formulas) -> list[tuple[int, tuple]]:
    """Numbered rows of a sheet, comments and empty rows left out. ``formulas``, the
    same sheet read without saved results, shows which empty cells are formulas that
    were never calculated (a workbook written by a program, not saved in Excel)."""
    raw_rows = formulas.iter_rows(values_only=True)
    out = []
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        _unsaved(cells, next(raw_rows, ()), name, number, problems)
        if number > MAX_ROWS:
            problems.error(
                f"sheet {name!r} row {number}",
                f"the sheet has more than {MAX_ROWS:,} rows; a scorecard is far smaller",
                kind="too_large",
            )
            break
        if not all(_blank(c) for c in cells) and not _is_comment(cells):
            out.append((number, cells))
    return out


def _item(name: str, number: int, header: list[tuple[int, str]], cells: tuple) -> YNode:
    """One row of a row sheet as a map node, flattened keys nested again."""
    row_place = f"sheet {name!r} row {number}"
    out: dict[str, YNode] = {}
    places: dict[str, str] = {}
    nested: dict[str, dict[str | int, YNode]] = {}
    for col, key in header:
        value = cells[col] if col < len(cells) else None
        if _blank(value):
            continue
        place = f"{row_place}, column {key!r}"
        if key in NESTED:
            outer, inner = NESTED[key]
            nested.setdefault(outer, {})[inner] = _scalar(value, place)
            places.setdefault(outer, place)
        else:
            out[key] = _list(value, place) if key in LISTS else _scalar(value, place)
            places[key] = place
    for outer, parts in nested.items():
        if all(isinstance(k, int) for k in parts):  # a list: every position, empty ones null
            size = 1 + max(int(k) for o, k in NESTED.values() if o == outer)
            out[outer] = YNode(
                "seq",
                [parts.get(k, YNode("scalar", None, place=places[outer])) for k in range(size)],
                place=places[outer],
            )
        else:
            inner_places = {str(k): v.place for k, v in parts.items()}
            out[outer] = YNode(
                "map",
                {str(k): v for k, v in parts.items()},
                place=places[outer],
                key_places=inner_places,
            )
    return YNode("map", out, line=number, place=row_place, key_places=places)


def _row_sheet(sheet, name: str, problems: ProblemList, formulas) -> YNode:
    rows = _rows(sheet, name, problems, formulas)
    if not rows:
        return YNode("seq", [], place=f"sheet {name!r}")
    number, cells = rows[0]
    header: list[tuple[int, str]] = []
    seen: set[str] = set()
    for col, cell in enumerate(cells):
        key = str(cell).strip() if cell is not None else ""
        if not key:
            continue
        if key in seen:
            problems.error(
                f"sheet {name!r} row {number}, column {key!r}",
                f"the column {key!r} appears twice in the header; keep one",
                kind="duplicate_key",
            )
            continue
        seen.add(key)
        header.append((col, key))
    items = [_item(name, n, header, c) for n, c in rows[1:]]
    return YNode("seq", items, line=number, place=f"sheet {name!r}")


def _pair_sheet(sheet, name: str, problems: ProblemList, formulas) -> YNode:
    out: dict[str, YNode] = {}
    places: dict[str, str] = {}
    for number, cells in _rows(sheet, name, problems, formulas):
        key = str(cells[0]).strip() if cells and cells[0] is not None else ""
        value = cells[1] if len(cells) > 1 else None
        if key.lower() == "key" and isinstance(value, str) and value.strip().lower() == "value":
            continue  # the header row
        place = f"sheet {name!r} row {number}, column 'value'"
        if not key:
            problems.error(
                f"sheet {name!r} row {number}, column 'key'",
                "a value without a key: write the key in the first column",
                kind="key",
            )
            continue
        if key in out:
            problems.error(
                f"sheet {name!r} row {number}, column 'key'",
                f"the key {key!r} appears twice (first at {places[key].split(', column')[0]});"
                " keep one",
                kind="duplicate_key",
            )
            continue
        if _blank(value):
            continue
        out[key] = _list(value, place) if key in LISTS else _scalar(value, place)
        places[key] = f"sheet {name!r} row {number}, column 'key'"
    return YNode("map", out, place=f"sheet {name!r}", key_places=places)


def read_workbook(data: bytes, problems: ProblemList) -> YNode | None:
    """The scorecard workbook's bytes as the value tree of a YAML scorecard.

    Returns ``None`` (with the problem recorded) when the bytes are not a
    readable ``.xlsx`` workbook.
    """
    from openpyxl import load_workbook

    unpacked = unpacked_size(data, problems)
    if unpacked is None:
        return None
    if unpacked > MAX_UNPACKED:
        problems.error(
            "",
            f"the workbook unpacks to {unpacked / 1024**2:,.0f} MB; a scorecard workbook is "
            f"far smaller (at most {MAX_UNPACKED // 1024**2} MB)",
            kind="too_large",
        )
        return None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        raw = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        problems.error("", f"cannot read the Excel workbook: {one_line(exc)}", kind="io")
        return None
    try:
        root: dict[str, YNode] = {}
        places: dict[str, str] = {}
        for name in book.sheetnames:
            sheet = book[name]
            if name in ROW_SHEETS:
                root[name] = _row_sheet(sheet, name, problems, raw[name])
            elif name in PAIR_SHEETS:
                root[name] = _pair_sheet(sheet, name, problems, raw[name])
            else:
                problems.warning(
                    f"sheet {name!r}",
                    f"unknown sheet {name!r} is ignored (the sheets are "
                    f"{', '.join(PAIR_SHEETS[:1] + ROW_SHEETS + PAIR_SHEETS[1:])})",
                    kind="unknown_key",
                )
                continue
            places[name] = f"sheet {name!r}"
    finally:
        book.close()
        raw.close()
    return YNode("map", root, place="the workbook", key_places=places)
