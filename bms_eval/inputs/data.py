"""Read indicator data (docs/inputs.md): tidy or wide, CSV, Excel or Parquet.

:func:`load_data` returns :class:`IndicatorData`, whose ``frame`` is always tidy:
``unit`` (text, so municipality ``0301`` keeps its zero), ``period`` (integer),
``indicator`` (text), ``value`` (float, NaN where missing), plus the optional
``unit_name``, ``source`` and ``note`` when present. Every problem is recorded
with the file line (CSV), sheet row (Excel) or row (Parquet) where it stands.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from bms_eval.foundation.memory import release_memory
from bms_eval.foundation.problems import ProblemList
from bms_eval.inputs.data_cells import as_number, as_text, cell_texts
from bms_eval.inputs.data_files import (
    Places,
    RawTable,
    read_csv_table,
    read_parquet_table,
    read_xlsx_table,
)
from bms_eval.inputs.text_files import read_bytes

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

    def outliers(self, logged: Iterable[str] = ()) -> pd.DataFrame:
        """The values far from their unit's own path
        (:func:`bms_eval.inputs.outliers.find_outliers`, ``logged`` indicators on the log
        scale): screened once per set of logged indicators, for the data-quality
        warnings and the measurement audit alike."""
        from bms_eval.inputs.outliers import find_outliers

        key = frozenset(logged)
        found = self.__dict__.setdefault("_outliers", {})  # not a field: a memo
        if key not in found:
            found[key] = find_outliers(self.frame, logged=key)
        return found[key]

    def without_rows(self) -> IndicatorData:
        """The same file's description (name, layout, hash) with none of its rows: what
        a process needs that only shows results computed from the rows elsewhere."""
        return replace(
            self, frame=self.frame.iloc[:0].copy(), places=Places(np.zeros(0), self.places.template)
        )


def _check_columns(table: RawTable, problems: ProblemList) -> str | None:
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
    # an ``indicator`` column makes a tidy table; a ``value`` column alone is a wide
    # table's indicator of that name (Grunfeld's firm value)
    if "indicator" in cols:
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


def _to_tidy(table: RawTable, layout: str) -> tuple[pd.DataFrame, Places]:
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


def _typed_units(
    raw: pd.DataFrame, places: Places, typed_cells: bool, problems: ProblemList
) -> pd.Series:
    """The unit codes as text; an empty one is an error, codes stored as numbers (which
    lose their leading zeros) a warning."""
    unit = as_text(raw["unit"])
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
    return unit


def _typed_periods(cells: pd.Series, places: Places, problems: ProblemList) -> pd.Series:
    """The periods as numbers, missing where a cell is not a whole number in
    :data:`PERIOD_RANGE` (each such cell an error)."""
    period_num, period_bad = as_number(cells, decimal_comma=False)
    finite = np.isfinite(period_num.to_numpy())
    not_whole = ~period_bad & period_num.notna() & (~finite | (period_num % 1 != 0))
    wrong = np.flatnonzero((period_bad | not_whole | period_num.isna()).to_numpy())
    for i, shown in zip(wrong, cell_texts(cells, wrong), strict=True):
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
    return period_num.where(whole & ~outside)


def _typed_values(
    cells: pd.Series, places: Places, decimal_comma: bool, problems: ProblemList
) -> pd.Series:
    """The values as numbers; a cell that is not a number, is infinite or is beyond
    :data:`MAX_ABS_VALUE` is an error."""
    value, bad = as_number(cells, decimal_comma)
    wrong = np.flatnonzero(bad.to_numpy())
    for i, shown in zip(wrong, cell_texts(cells, wrong), strict=True):
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
    return value


def _type_cells(
    raw: pd.DataFrame,
    places: Places,
    typed_cells: bool,
    decimal_comma: bool,
    problems: ProblemList,
) -> pd.DataFrame:
    """Type the raw cells (consuming ``raw``: each column is dropped once typed) and
    record every bad cell at its place."""
    unit = _typed_units(raw, places, typed_cells, problems)
    del raw["unit"]  # each raw column is freed once typed: a large table is held once
    period_num = _typed_periods(raw["period"], places, problems)
    del raw["period"]
    indicator = as_text(raw["indicator"])
    for i in np.flatnonzero((indicator == "").to_numpy()):
        problems.error(
            places[i],
            "the indicator is empty: every row needs an indicator id",
            kind="empty_indicator",
        )
    del raw["indicator"]
    value = _typed_values(raw["value"], places, decimal_comma, problems)
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
            frame[c] = as_text(raw[c]).astype(str)
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
        table = read_csv_table(data, problems)
    elif suffix == ".xlsx":
        table = read_xlsx_table(data, problems)
    else:
        table = read_parquet_table(data, problems)
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
    bms_eval.foundation.problems.InputError
        With every problem found, each naming the file and the line or row.
    """
    data, problems = read_data(path)
    problems.raise_if_errors()
    assert data is not None
    return data
