"""Read indicator data (SPEC section 1.1): tidy or wide, CSV, Excel or Parquet.

:func:`load_data` returns :class:`IndicatorData`, whose ``frame`` is always tidy:
``unit`` (text, so municipality ``0301`` keeps its zero), ``period`` (integer),
``indicator`` (text), ``value`` (float, NaN where missing), plus the optional
``unit_name``, ``source`` and ``note`` when present. Every problem is recorded
with the file line (CSV), sheet row (Excel) or row (Parquet) where it stands.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bms_eval.inputs.archives import unpacked_size
from bms_eval.inputs.text_files import decode, read_bytes
from bms_eval.memory import release_memory
from bms_eval.problems import ProblemList

TIDY_COLUMNS = ("unit", "period", "indicator", "value")
OPTIONAL_COLUMNS = ("unit_name", "source", "note")
SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Widest range of periods accepted: the analysis works on a units × periods grid,
#: and a lone period far from the rest is a typo, not a century of history.
MAX_PERIOD_SPAN = 200
#: Periods accepted: years (or a plain count of periods from 0).
PERIOD_RANGE = (0, 9999)
#: Largest magnitude of a value accepted: squares of larger ones approach the limits
#: of floating point, and no indicator is measured in such numbers.
MAX_ABS_VALUE = 1e100
#: Most rows (lines, Parquet rows, Excel's unpacked bytes) and columns a data file
#: may have: checked before it is parsed, so a small file that unpacks or declares
#: far more cannot fill the memory (7 M rows take about 1.2 GB).
MAX_ROWS = 30_000_000
MAX_COLUMNS = 100_000
MAX_XLSX_UNPACKED = 1024**3
#: Rows parsed as numbers in one step (see ``_arrow_numbers``).
NUMBER_BLOCK = 1_000_000

#: Cell texts read as a missing value besides the empty cell: the usual "not
#: available" spellings and Statistics Norway's status symbols.
MISSING_TOKENS = frozenset(
    {"", "NA", "N/A", "NaN", "nan", "null", "NULL", ".", "..", "...", ":", "-"}
)


def grid_shape(frame: pd.DataFrame) -> tuple[int, int]:
    """The unit × period grid of a tidy table: the units that appear, by every period
    from the first to the last. A year no unit reports is in the grid, as missing
    (the link tests' lags cannot reach over it either)."""
    if not len(frame):
        return 0, 0
    periods = frame["period"]
    return int(frame["unit"].nunique()), int(periods.max() - periods.min() + 1)


@dataclass(frozen=True)
class IndicatorData:
    """A tidy indicator panel read from one file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Tidy rows: ``unit``, ``period``, ``indicator``, ``value`` (+ optional columns).
    file : str
        The file as the user named it.
    layout : {"tidy", "wide"}
        The layout the file had.
    sha256 : str
        Hash of the file's bytes, for the run manifest.
    places : Places
        For each row of ``frame``, where it stood in the file: ``places[i]`` is
        ``"line 5"`` or ``"sheet 'data' row 5, column B1.1"``.
    """

    frame: pd.DataFrame
    file: str
    layout: str
    sha256: str
    places: Places

    @property
    def units(self) -> list[str]:
        """Units in sorted order."""
        return sorted(self.frame["unit"].unique())

    @property
    def periods(self) -> list[int]:
        """Periods in ascending order."""
        return sorted(int(p) for p in self.frame["period"].unique())

    @property
    def grid_shape(self) -> tuple[int, int]:
        """Units × periods of the grid every coverage share is of (:func:`grid_shape`)."""
        return grid_shape(self.frame)

    def without_rows(self) -> IndicatorData:
        """The same file's description (name, layout, hash) with none of its rows: what
        a process needs that only shows results computed from the rows elsewhere."""
        return replace(
            self, frame=self.frame.iloc[:0].copy(), places=Places(np.zeros(0), self.places.template)
        )


class Places:
    """Where each row of a table stood in its file, formatted on demand.

    Parameters
    ----------
    numbers : numpy.ndarray
        Line or row number of each row.
    template : str
        How to show one, e.g. ``"line {}"`` or ``"sheet 'data' row {}"``.
    columns : numpy.ndarray, optional
        For rows melted from a wide table, the column each value came from.
    """

    def __init__(self, numbers: np.ndarray, template: str, columns: np.ndarray | None = None):
        self.numbers = np.asarray(numbers, dtype=np.int64)
        self.template = template
        self.columns = columns

    def __getitem__(self, i: int) -> str:
        place = self.template.format(int(self.numbers[i]))
        return place if self.columns is None else f"{place}, column {self.columns[i]}"

    def __len__(self) -> int:
        return int(self.numbers.size)

    def melt(self, columns: list[str]) -> Places:
        """Places of a wide table's values, column after column."""
        k = len(columns)
        return Places(
            np.tile(self.numbers, k),
            self.template,
            np.repeat(np.array(columns, dtype=object), self.numbers.size),
        )


@dataclass
class _Table:
    """Raw cells of a file before typing: columns as object arrays."""

    columns: list[str]
    cells: dict[str, pd.Series]
    places: Places
    decimal_comma: bool = False
    typed_cells: bool = False  # Excel/Parquet: cells may already be numbers


def _sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=lambda k: counts[k])
    return sep if counts[sep] else ","


def _block_size(data: bytes, width: int) -> int:
    """Bytes Arrow parses per block: blocks run in parallel, but every block makes
    one piece of every column, so a wide table (thousands of indicator columns) is
    read in few large blocks, a long one in about a dozen."""
    pieces = 2 if width > 1000 else 12
    return int(min(max(len(data) // pieces + 1, 1 << 20), (1 << 31) - 1))


def _csv_fast(
    data: bytes, sep: str, width: int, newlines: int
) -> tuple[list[str], pd.DataFrame, np.ndarray] | None:
    """Arrow's multithreaded CSV reader, when every record is exactly one physical line.

    Every cell is kept as Arrow-backed text (a few bytes per cell, not a Python
    object), so a KOSTRA-sized table of millions of rows reads in a second and a
    fraction of the memory. Returns the header, the cells and each row's line
    number, or ``None`` when the file needs the exact reader: not UTF-8, a quoted
    line break, a ragged or blank line. ``width`` is the number of fields of the
    first line and ``newlines`` the number of line breaks, both counted by the caller.
    """
    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_block_size(data, width)),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    physical = newlines + (0 if data.endswith(b"\n") else 1)
    if table.num_rows == 0 or table.num_rows != physical:
        return (
            None  # a record spans lines (a quoted line break): line numbers need the exact reader
        )
    # rows of only separators (",,,") are skipped: look at the first column, then the rest
    empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(table.column(0))), 0)
    empty = empty.to_numpy(zero_copy_only=False)
    if empty.any():
        for name in names[1:]:
            rest = pc.utf8_length(pc.utf8_trim_whitespace(table.column(name)))
            empty &= pc.equal(rest, 0).to_numpy(zero_copy_only=False)
    lines = np.arange(1, table.num_rows + 1)
    if empty.any():
        table, lines = table.filter(pa.array(~empty)), lines[~empty]
    if table.num_rows == 0:
        return None
    header = [str(table.column(j)[0].as_py()) for j in range(table.num_columns)]
    df = table.slice(1).to_pandas()
    del table
    return header, df, lines[1:]


def _csv_exact(
    text: str, sep: str, problems: ProblemList
) -> tuple[list[str], pd.DataFrame, np.ndarray] | None:
    """Python's csv module: quoted fields, ragged and blank lines, exact line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    last = width = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, width = record, len(record)
                continue
            if len(record) > width and not any(c.strip() for c in record[width:]):
                record = record[:width]
            if len(record) != width:
                problems.error(
                    f"line {start}",
                    f"this line has {len(record)} fields but the header has {width} "
                    f"(separator {sep!r}); check for a stray separator or an unquoted "
                    "decimal comma",
                    kind="field_count",
                )
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        problems.error(f"line {reader.line_num}", f"cannot parse CSV: {exc}", kind="csv")
        return None
    assert header is not None
    body = (
        pd.DataFrame(rows, columns=range(width), dtype=object)
        if rows
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    return header, body, np.array(lines, dtype=np.int64)


def _too_large(problems: ProblemList, rows: int, columns: int, what: str) -> bool:
    """Record an error and return True when a file is beyond :data:`MAX_ROWS` or
    :data:`MAX_COLUMNS`."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        problems.error(
            "",
            f"the {what} has {rows:,} rows and {columns:,} columns; bms-eval reads at most "
            f"{MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns (split the table, or keep only the "
            "indicators the scorecard uses)",
            kind="too_large",
        )
        return True
    return False


def _read_csv(data: bytes, problems: ProblemList) -> _Table | None:
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.error(
            "",
            "the file is empty: expected a header line unit,period,indicator,value",
            kind="empty",
        )
        return None
    first_line = next((ln for ln in data[:65536].splitlines() if ln.strip()), b"")
    sep = _sniff_separator(first_line.decode("utf-8", errors="replace"))
    header_end = data.find(b"\n")
    width = (data if header_end < 0 else data[:header_end]).count(sep.encode()) + 1
    newlines = data.count(b"\n")
    if _too_large(problems, newlines, width, "file"):
        return None
    parsed = _csv_fast(data, sep, width, newlines)
    if parsed is None:  # the exact reader, on the decoded text
        text = decode(data, problems, allow_cp1252=True)
        if text is None:
            return None
        parsed = _csv_exact(text, sep, problems)
    if parsed is None:
        return None
    header, body, lines = parsed
    cols = [str(h).strip().lstrip("\ufeff") for h in header]
    cells = {c: body[name] for c, name in zip(cols, body.columns, strict=True)}
    return _Table(cols, cells, Places(lines, "line {}"), decimal_comma=(sep == ";"))


def _from_frame(df: pd.DataFrame, places: Places) -> _Table:
    cols = [str(c).strip() for c in df.columns]
    cells = {c: df.iloc[:, j].reset_index(drop=True) for j, c in enumerate(cols)}
    return _Table(cols, cells, places, decimal_comma=True, typed_cells=True)


def _read_xlsx(data: bytes, problems: ProblemList) -> _Table | None:
    unpacked = unpacked_size(data, problems)
    if unpacked is None:
        return None
    if unpacked > MAX_XLSX_UNPACKED:
        problems.error(
            "",
            f"the workbook unpacks to {unpacked / 1024**2:,.0f} MB, more than the "
            f"{MAX_XLSX_UNPACKED // 1024**2:,} MB bms-eval reads; save the data sheet as CSV",
            kind="too_large",
        )
        return None
    try:
        sheets = pd.read_excel(
            io.BytesIO(data), sheet_name=None, dtype=object, header=0, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl raises many types for damaged files
        problems.error("", f"cannot read the Excel workbook: {exc}", kind="io")
        return None
    if not sheets:
        problems.error("", "the workbook has no sheets", kind="empty")
        return None
    name = "data" if "data" in sheets else next(iter(sheets))
    if len(sheets) > 1:
        problems.warning(
            "",
            f"the workbook has {len(sheets)} sheets; reading sheet {name!r} "
            "(name a sheet 'data' to choose another)",
            kind="sheets",
        )
    df = sheets[name]
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed:") and df[c].isna().all()]
    df = df.drop(columns=unnamed).dropna(how="all")
    # dropna(how="all") keeps the original index: sheet row = index + 2 (row 1 is the header)
    return _from_frame(df, Places(np.asarray(df.index) + 2, f"sheet {name!r} row {{}}"))


def _read_parquet(data: bytes, problems: ProblemList) -> _Table | None:
    import pyarrow.parquet as pq  # only for Parquet files

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:  # pyarrow raises many types for damaged files
        problems.error("", f"cannot read the Parquet file: {exc}", kind="io")
        return None
    if _too_large(problems, meta.num_rows, meta.num_columns, "Parquet file"):
        return None
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many types for damaged files
        problems.error("", f"cannot read the Parquet file: {exc}", kind="io")
        return None
    return _from_frame(df.reset_index(drop=True), Places(np.arange(1, len(df) + 1), "row {}"))


def _as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped text; whole floats lose their ``.0``; missing → ''."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return series.str.strip().fillna("")  # Arrow-backed: stripped in place, no objects
    kind = pd.api.types.infer_dtype(series, skipna=False)
    if kind == "string":  # strip each distinct text once: ids and codes repeat a lot
        codes, uniques = pd.factorize(series)
        stripped = np.array([u.strip() for u in uniques], dtype=object)
        return pd.Series(stripped[codes], index=series.index, dtype=object)
    if kind == "integer":
        return series.astype(str).astype(object)

    def one(v: object) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return series.map(one).astype(object)


def _cell_texts(series: pd.Series, rows: np.ndarray) -> list[str]:
    """The stripped texts of the cells at ``rows``, for messages (one step for all)."""
    if rows.size == 0:
        return []
    return _as_text(pd.Series(series.iloc[rows].to_numpy(dtype=object), dtype=object)).tolist()


def _parse_text_numbers(text: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Parse stripped cell texts; returns (values, bad) with NaN for missing cells.

    Most cells parse directly; only the ones that do not are cleaned of thousands
    separators (spaces, no-break spaces, apostrophes, and dots in decimal-comma
    files) and the typographic minus sign, then parsed again.
    """
    missing = text.isin(MISSING_TOKENS)
    first = text.str.replace(",", ".", regex=False) if decimal_comma else text
    parsed = pd.to_numeric(first.where(~missing, ""), errors="coerce").astype(float)
    retry = parsed.isna() & ~missing
    if retry.any():
        cleaned = (
            text[retry].str.replace(r"[\s\u00a0\u202f']", "", regex=True).str.replace("−", "-")
        )
        if decimal_comma:
            has_comma = cleaned.str.contains(",", regex=False)
            cleaned[has_comma] = (
                cleaned[has_comma].str.replace(".", "", regex=False).str.replace(",", ".")
            )
        parsed[retry] = pd.to_numeric(cleaned, errors="coerce").astype(float)
    parsed[missing] = np.nan
    return parsed, parsed.isna() & ~missing


def _arrow_numbers(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Parse Arrow-backed text cells as floats, a block of rows at a time.

    Each block is cast by Arrow in one step (stripped, the missing tokens set
    aside, a decimal comma read as a point); only a block that holds something
    Arrow cannot read as a number (thousands separators, a typographic minus, a
    mistake) is parsed cell by cell, so memory stays bounded by the block.
    """
    values = np.empty(len(series))
    bad = np.zeros(len(series), dtype=bool)
    tokens = pa.array(sorted(MISSING_TOKENS))
    for start in range(0, len(series), NUMBER_BLOCK):
        block = series.iloc[start : start + NUMBER_BLOCK]
        text = pc.utf8_trim_whitespace(pa.array(block))
        kept = pc.if_else(pc.is_in(text, value_set=tokens), None, text)
        if decimal_comma:
            kept = pc.replace_substring(kept, ",", ".")
        try:
            parsed = pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            cells = pd.Series(block.to_numpy(dtype=object), index=block.index, dtype=object)
            got, wrong = _as_number(cells, decimal_comma)
            parsed, wrong_block = got.to_numpy(dtype=float), wrong.to_numpy(dtype=bool)
            bad[start : start + len(block)] = wrong_block
        values[start : start + len(block)] = parsed
    return pd.Series(values, index=series.index), pd.Series(bad, index=series.index)


def _as_number(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Parse cells as floats.

    Returns
    -------
    values : Series of float
        NaN for missing and for unparseable cells.
    bad : Series of bool
        True where a cell holds something that is neither a number nor missing.
    """
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return _arrow_numbers(series, decimal_comma)
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float"):
        return series.astype(float), pd.Series(False, index=series.index)
    if kind in ("string", "empty"):  # parse each distinct text once
        codes, uniques = pd.factorize(series)
        values, bad = _parse_text_numbers(_as_text(pd.Series(uniques, dtype=object)), decimal_comma)
        return (
            pd.Series(values.to_numpy()[codes], index=series.index),
            pd.Series(bad.to_numpy()[codes], index=series.index),
        )
    numeric = series.map(
        lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
    )
    out = pd.Series(np.nan, index=series.index, dtype=float)
    if numeric.any():
        out[numeric] = series[numeric].astype(float)
    series = series.astype(object)  # dates and other typed cells are read as their text
    bad = pd.Series(False, index=series.index)
    parsed, text_bad = _parse_text_numbers(_as_text(series[~numeric]), decimal_comma)
    out[~numeric] = parsed
    bad[~numeric] = text_bad
    bools = series.map(lambda v: isinstance(v, bool | np.bool_))
    bad |= bools
    out[bools] = np.nan
    return out, bad


def _check_columns(table: _Table, problems: ProblemList) -> str | None:
    """Decide tidy or wide and report wrong or missing columns."""
    cols = table.columns
    dupes = sorted(c for c, n in Counter(cols).items() if n > 1)
    for c in dupes:
        problems.error("", f"the column {c!r} appears more than once in the header", kind="columns")
    if dupes:
        return None
    empty = [i + 1 for i, c in enumerate(cols) if not c]
    if empty:
        problems.error("", f"header column(s) {empty} have no name", kind="columns")
        return None
    found = ", ".join(cols)
    if "indicator" in cols or "value" in cols:
        missing = [c for c in TIDY_COLUMNS if c not in cols]
        if missing:
            problems.error(
                "",
                f"missing column(s) {', '.join(missing)}: a tidy table has "
                f"exactly unit, period, indicator, value (found: {found})",
                kind="columns",
            )
            return None
        extra = [c for c in cols if c not in TIDY_COLUMNS + OPTIONAL_COLUMNS]
        for c in extra:
            problems.warning(
                "",
                f"column {c!r} is not used (tidy columns are unit, period, "
                "indicator, value; optional unit_name, source, note)",
                kind="extra_column",
            )
        return "tidy"
    if "unit" in cols and "period" in cols:
        if not [c for c in cols if c not in ("unit", "period", *OPTIONAL_COLUMNS)]:
            problems.error(
                "",
                "a wide table needs one column per indicator after unit and "
                f"period (found: {found})",
                kind="columns",
            )
            return None
        return "wide"
    missing = [c for c in ("unit", "period") if c not in cols]
    lower = {c.lower(): c for c in cols}
    hints = [f"{lower[m]!r} → {m!r}" for m in (*TIDY_COLUMNS,) if m in lower and m not in cols]
    hint = f"; rename {', '.join(hints)} (names are lower case)" if hints else ""
    problems.error(
        "",
        f"missing column(s) {', '.join(missing)}. Expected a tidy table "
        "(unit, period, indicator, value) or a wide one (unit, period, then one "
        f"column per indicator id); found: {found}{hint}",
        kind="columns",
    )
    return None


def _to_tidy(table: _Table, layout: str) -> tuple[pd.DataFrame, Places]:
    """Melt a wide table; return tidy raw cells and the place of each row."""
    keep = [c for c in OPTIONAL_COLUMNS if c in table.columns]
    if layout == "tidy":
        df = pd.DataFrame({c: table.cells[c] for c in (*TIDY_COLUMNS, *keep)})
        return df, table.places
    ids = [c for c in table.columns if c not in ("unit", "period", *OPTIONAL_COLUMNS)]
    n = len(table.places)
    # columns stacked as they are (Arrow-backed text stays Arrow-backed, no object per cell)
    repeat = np.tile(np.arange(n), len(ids))
    parts = {
        "unit": table.cells["unit"].take(repeat).reset_index(drop=True),
        "period": table.cells["period"].take(repeat).reset_index(drop=True),
        "indicator": pd.Series(np.repeat(np.array(ids, dtype=object), n), dtype=object),
        "value": (
            pd.concat([table.cells[c] for c in ids], ignore_index=True)
            if n
            else pd.Series([], dtype=object)
        ),
    }
    for c in keep:
        parts[c] = table.cells[c].take(repeat).reset_index(drop=True)
    return pd.DataFrame(parts), table.places.melt(ids)


def _type_cells(
    raw: pd.DataFrame,
    places: Places,
    typed_cells: bool,
    decimal_comma: bool,
    problems: ProblemList,
) -> pd.DataFrame:
    """Type the raw cells (consuming ``raw``: each column is dropped once typed) and
    record every bad cell at its place."""
    unit = _as_text(raw["unit"])
    for i in np.flatnonzero((unit == "").to_numpy()):
        problems.error(
            places[i], "the unit is empty: every row needs a unit code", kind="empty_unit"
        )
    if typed_cells:
        numeric_units = raw["unit"].map(
            lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)
        )
        if numeric_units.any():
            problems.warning(
                places[int(np.flatnonzero(numeric_units.to_numpy())[0])],
                "unit codes are stored as numbers, so leading zeros (0301) are "
                "lost; store the unit column as text",
                kind="numeric_unit",
            )
    del raw["unit"]  # each raw column is freed once typed: a large table is held once
    period_num, period_bad = _as_number(raw["period"], decimal_comma=False)
    finite = np.isfinite(period_num.to_numpy())
    not_whole = ~period_bad & period_num.notna() & (~finite | (period_num % 1 != 0))
    wrong = np.flatnonzero((period_bad | not_whole | period_num.isna()).to_numpy())
    for i, shown in zip(wrong, _cell_texts(raw["period"], wrong), strict=True):
        problems.error(
            places[i],
            f"period {shown!r} is not a whole number; a period is a year such as 2021",
            kind="period",
        )
    whole = ~period_bad & ~not_whole & period_num.notna()
    outside = whole & ((period_num < PERIOD_RANGE[0]) | (period_num > PERIOD_RANGE[1]))
    for i in np.flatnonzero(outside.to_numpy()):
        problems.error(
            places[i],
            f"period {period_num.iloc[i]:g} is not a year: periods are whole numbers from "
            f"{PERIOD_RANGE[0]} to {PERIOD_RANGE[1]}, such as 2021",
            kind="period",
        )
    period_num = period_num.where(whole & ~outside)
    del raw["period"]
    indicator = _as_text(raw["indicator"])
    for i in np.flatnonzero((indicator == "").to_numpy()):
        problems.error(
            places[i],
            "the indicator is empty: every row needs an indicator id",
            kind="empty_indicator",
        )
    del raw["indicator"]
    value, bad = _as_number(raw["value"], decimal_comma)
    wrong = np.flatnonzero(bad.to_numpy())
    for i, shown in zip(wrong, _cell_texts(raw["value"], wrong), strict=True):
        problems.error(
            places[i],
            f"value {shown!r} is not a number (leave the cell empty for a missing value)",
            kind="not_a_number",
        )
    for i in np.flatnonzero(np.isinf(value.to_numpy())):
        problems.error(
            places[i],
            "value is infinite (inf); use a finite number or leave the cell empty",
            kind="infinite",
        )
    magnitude = np.abs(value.to_numpy())
    for i in np.flatnonzero(np.isfinite(magnitude) & (magnitude > MAX_ABS_VALUE)):
        problems.error(
            places[i],
            f"value {value.iloc[i]:g} is beyond ±{MAX_ABS_VALUE:g}, more than any indicator "
            "measures; check the cell, or rescale the indicator (e.g. to thousands)",
            kind="too_large",
        )
    _check_period_span(period_num, places, problems)
    frame = pd.DataFrame(
        {
            "unit": unit.astype(str),
            "period": period_num.fillna(-1).round().astype("int64"),
            "indicator": indicator.astype(str),
            "value": value.astype("float64"),
        }
    )
    for c in OPTIONAL_COLUMNS:
        if c in raw:
            frame[c] = _as_text(raw[c]).astype(str)
    return frame


def _check_period_span(periods: pd.Series, places: Places, problems: ProblemList) -> None:
    """A period far from the others is a typo (21 for 2021), not a century of data."""
    known = periods.dropna()
    if known.empty or known.max() - known.min() <= MAX_PERIOD_SPAN:
        return
    median = float(known.median())
    i = int((known - median).abs().idxmax())
    problems.error(
        places[i],
        f"period {int(periods[i])} lies {abs(int(periods[i]) - round(median))} periods from "
        f"the others (median {round(median)}); periods span at most {MAX_PERIOD_SPAN}. "
        "Check for a typo such as 21 for 2021",
        kind="period_span",
    )


def _check_duplicates(frame: pd.DataFrame, places: Places, problems: ProblemList) -> None:
    key = ["unit", "period", "indicator"]
    dup = frame.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return
    first: dict[tuple, str] = {}
    for i in np.flatnonzero(dup):
        row = frame.iloc[i]
        k = (row["unit"], int(row["period"]), row["indicator"])
        if k not in first:
            first[k] = places[i]
            continue
        problems.error(
            places[i],
            f"duplicate row for unit {k[0]}, period {k[1]}, indicator "
            f"{k[2]} (also at {first[k]}); keep one value per unit, period and "
            "indicator",
            kind="duplicate_row",
        )


def read_data(path: str | Path) -> tuple[IndicatorData | None, ProblemList]:
    """Read an indicator table, returning it (or ``None``) with every problem found.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.parquet`` file, tidy or wide.

    Returns
    -------
    data : IndicatorData or None
        ``None`` when an error prevents building the table.
    problems : ProblemList
        Every problem found.
    """
    file = str(path)
    path = Path(path)
    problems = ProblemList(file)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        problems.error(
            "",
            f"unsupported file type {path.suffix or '(none)'!r}: use .csv, .xlsx or .parquet",
            kind="io",
        )
        return None, problems
    data = read_bytes(path, problems)
    if data is None:
        return None, problems
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".csv":
        table = _read_csv(data, problems)
    elif suffix == ".xlsx":
        table = _read_xlsx(data, problems)
    else:
        table = _read_parquet(data, problems)
    del data  # the bytes are parsed: free them before the cells are typed
    if table is None:
        return None, problems
    layout = _check_columns(table, problems)
    if layout is None:
        return None, problems
    raw, places = _to_tidy(table, layout)
    typed_cells, decimal_comma = table.typed_cells, table.decimal_comma
    del table
    frame = _type_cells(raw, places, typed_cells, decimal_comma, problems)
    del raw
    if not problems.has_errors:
        _check_duplicates(frame, places, problems)
    if len(frame) == 0:
        problems.error("", "the table has a header but no rows of data", kind="empty")
    release_memory()  # give back what parsing took
    if problems.has_errors:
        return None, problems
    return IndicatorData(frame, file, layout, digest, places), problems


def load_data(path: str | Path) -> IndicatorData:
    """Read an indicator table (tidy or wide; CSV, Excel or Parquet).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    IndicatorData
        The tidy table.

    Raises
    ------
    bms_eval.problems.InputError
        With every problem found, each naming the file and the line or row.
    """
    data, problems = read_data(path)
    problems.raise_if_errors()
    assert data is not None
    return data
