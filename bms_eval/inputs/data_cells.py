"""Cells of an indicator data file as values: text kept as text (``0301`` keeps its
zero), numbers read with a decimal point or comma, missing-value symbols as missing
(docs/inputs.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Rows parsed as numbers in one step (see ``arrow_numbers``).
NUMBER_BLOCK = 1_000_000

#: Cell texts read as a missing value besides the empty cell: the usual "not
#: available" spellings and Statistics Norway's status symbols.
MISSING_TOKENS = frozenset(
    {"", "NA", "N/A", "NaN", "nan", "null", "NULL", ".", "..", "...", ":", "-"}
)


def as_text(series: pd.Series) -> pd.Series:
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


def cell_texts(series: pd.Series, rows: np.ndarray) -> list[str]:
    """The stripped texts of the cells at ``rows``, for messages (one step for all)."""
    if rows.size == 0:
        return []
    return as_text(pd.Series(series.iloc[rows].to_numpy(dtype=object), dtype=object)).tolist()


def parse_text_numbers(text: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
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


def arrow_numbers(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
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
            got, wrong = as_number(cells, decimal_comma)
            parsed, wrong_block = got.to_numpy(dtype=float), wrong.to_numpy(dtype=bool)
            bad[start : start + len(block)] = wrong_block
        values[start : start + len(block)] = parsed
    return pd.Series(values, index=series.index), pd.Series(bad, index=series.index)


def as_number(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Parse cells as floats.

    Returns
    -------
    values : Series of float
        NaN for missing and for unparseable cells.
    bad : Series of bool
        True where a cell holds something that is neither a number nor missing.
    """
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return arrow_numbers(series, decimal_comma)
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float"):
        return series.astype(float), pd.Series(False, index=series.index)
    if kind in ("string", "empty"):  # parse each distinct text once
        codes, uniques = pd.factorize(series)
        values, bad = parse_text_numbers(as_text(pd.Series(uniques, dtype=object)), decimal_comma)
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
    parsed, text_bad = parse_text_numbers(as_text(series[~numeric]), decimal_comma)
    out[~numeric] = parsed
    bad[~numeric] = text_bad
    bools = series.map(lambda v: isinstance(v, bool | np.bool_))
    bad |= bools
    out[bools] = np.nan
    return out, bad
