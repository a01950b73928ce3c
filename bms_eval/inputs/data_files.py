"""Reading an indicator data file's bytes into a table of text cells (docs/inputs.md):
CSV (``,`` or ``;`` with decimal comma; a fast reader, and an exact one that locates
every malformed line), Excel and Parquet, each cell kept where the file has it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bms_eval.foundation.problems import ProblemList, one_line
from bms_eval.inputs.archives import holds_formulas, unpacked_size
from bms_eval.inputs.text_files import decode, is_utf16
from bms_eval.inputs.workbook import unsaved_formulas

#: Most rows (lines, Parquet rows, Excel's unpacked bytes) and columns a data file
#: may have: checked before it is parsed, so a small file that unpacks or declares
#: far more cannot fill the memory (7 M rows take about 1.2 GB).
MAX_ROWS = 30_000_000
MAX_COLUMNS = 100_000
MAX_XLSX_UNPACKED = 1024**3


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
class RawTable:
    """Raw cells of a file before typing: columns as object arrays."""

    columns: list[str]
    cells: dict[str, pd.Series]
    places: Places
    decimal_comma: bool = False
    typed_cells: bool = False  # Excel/Parquet: cells may already be numbers


def sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=lambda k: counts[k])
    return sep if counts[sep] else ","


def block_size(data: bytes, width: int) -> int:
    """Bytes Arrow parses per block: blocks run in parallel, but every block makes
    one piece of every column, so a wide table (thousands of indicator columns) is
    read in few large blocks, a long one in about a dozen."""
    pieces = 2 if width > 1000 else 12
    return int(min(max(len(data) // pieces + 1, 1 << 20), (1 << 31) - 1))


def csv_fast(
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
            read_options=pacsv.ReadOptions(column_names=names, block_size=block_size(data, width)),
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


def csv_exact(
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


def too_large(problems: ProblemList, rows: int, columns: int, what: str) -> bool:
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


def read_csv_table(data: bytes, problems: ProblemList) -> RawTable | None:
    if is_utf16(data):
        decode(data, problems)  # says so
        return None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.error(
            "",
            "the file is empty: expected a header line unit,period,indicator,value",
            kind="empty",
        )
        return None
    first_line = next((ln for ln in data[:65536].splitlines() if ln.strip()), b"")
    sep = sniff_separator(first_line.decode("utf-8", errors="replace"))
    header_end = data.find(b"\n")
    width = (data if header_end < 0 else data[:header_end]).count(sep.encode()) + 1
    newlines = data.count(b"\n")
    if too_large(problems, newlines, width, "file"):
        return None
    parsed = csv_fast(data, sep, width, newlines)
    if parsed is None:  # the exact reader, on the decoded text
        text = decode(data, problems, allow_cp1252=True)
        if text is None:
            return None
        parsed = csv_exact(text, sep, problems)
    if parsed is None:
        return None
    header, body, lines = parsed
    cols = [str(h).strip().lstrip("\ufeff") for h in header]
    cells = {c: body[name] for c, name in zip(cols, body.columns, strict=True)}
    return RawTable(cols, cells, Places(lines, "line {}"), decimal_comma=(sep == ";"))


def table_from_frame(df: pd.DataFrame, places: Places) -> RawTable:
    cols = [str(c).strip() for c in df.columns]
    cells = {c: df.iloc[:, j].reset_index(drop=True) for j, c in enumerate(cols)}
    return RawTable(cols, cells, places, decimal_comma=True, typed_cells=True)


def read_xlsx_table(data: bytes, problems: ProblemList) -> RawTable | None:
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
        problems.error("", f"cannot read the Excel workbook: {one_line(exc)}", kind="io")
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
    if holds_formulas(data) and unsaved_formulas(data, name, problems):
        return None
    df = sheets[name]
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed:") and df[c].isna().all()]
    df = df.drop(columns=unnamed).dropna(how="all")
    # dropna(how="all") keeps the original index: sheet row = index + 2 (row 1 is the header)
    return table_from_frame(df, Places(np.asarray(df.index) + 2, f"sheet {name!r} row {{}}"))


def read_parquet_table(data: bytes, problems: ProblemList) -> RawTable | None:
    import pyarrow.parquet as pq  # only for Parquet files

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:  # pyarrow raises many types for damaged files
        problems.error("", f"cannot read the Parquet file: {exc}", kind="io")
        return None
    if too_large(problems, meta.num_rows, meta.num_columns, "Parquet file"):
        return None
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many types for damaged files
        problems.error("", f"cannot read the Parquet file: {exc}", kind="io")
        return None
    return table_from_frame(df.reset_index(drop=True), Places(np.arange(1, len(df) + 1), "row {}"))
