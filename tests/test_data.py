"""The data loader: every accepted format, and every class of bad input located."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bms_eval.foundation.problems import InputError
from bms_eval.inputs import load_data, read_data
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.inputs.validation import check_inputs, cross_check
from tests.conftest import MINI_CARD, MINI_DATA


def write(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors(path) -> list:
    _, problems = read_data(path)
    return [p for p in problems if p.severity == "error"]


def reference_frame() -> pd.DataFrame:
    return load_data_text(MINI_DATA)


def load_data_text(text: str) -> pd.DataFrame:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        return load_data(write(Path(d), text)).frame


def test_tidy_csv_types(tmp_path):
    data = load_data(write(tmp_path, MINI_DATA))
    frame = data.frame
    assert list(frame.columns) == ["unit", "period", "indicator", "value"]
    assert set(frame["unit"]) == {"0301", "1103"}, "unit codes keep their leading zero"
    assert frame["period"].dtype == np.int64
    assert frame["value"].dtype == np.float64
    assert frame["value"].isna().sum() == 1, "an empty cell is a missing value"
    assert data.layout == "tidy" and len(data.sha256) == 64
    assert data.units == ["0301", "1103"] and data.periods == [2020, 2021]


def test_semicolon_and_decimal_comma_match_comma_file(tmp_path):
    norwegian = MINI_DATA.replace(",", ";")
    norwegian = "\n".join(
        ";".join(c.replace(".", ",") if i == 3 else c for i, c in enumerate(ln.split(";")))
        for ln in norwegian.splitlines()
    )
    assert "4,6" in norwegian
    frame = load_data(write(tmp_path, norwegian, encoding="utf-8-sig")).frame
    pd.testing.assert_frame_equal(frame, reference_frame())


def test_thousands_space_and_minus_sign_in_decimal_comma_file(tmp_path):
    text = "unit;period;indicator;value\n0301;2020;X;1\u00a0234,5\n0301;2021;X;−2,5\n"
    frame = load_data(write(tmp_path, text)).frame
    assert frame["value"].tolist() == [1234.5, -2.5]


def test_windows_1252_export_is_read_with_a_warning(tmp_path):
    text = "unit;period;indicator;value\nBærum;2020;X;1,5\n"
    data, problems = read_data(write(tmp_path, text, encoding="cp1252"))
    assert data is not None and data.frame["unit"].iloc[0] == "Bærum"
    assert any(p.kind == "encoding" and p.severity == "warning" for p in problems)


def test_wide_table_is_converted(tmp_path):
    wide = (
        reference_frame()
        .pivot(index=["unit", "period"], columns="indicator", values="value")
        .reset_index()
    )
    text = wide.to_csv(index=False)
    data = load_data(write(tmp_path, text))
    assert data.layout == "wide"
    got = data.frame.sort_values(["unit", "period", "indicator"]).reset_index(drop=True)
    want = reference_frame().sort_values(["unit", "period", "indicator"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_xlsx_and_parquet_match_csv(tmp_path):
    ref = reference_frame()
    xlsx = tmp_path / "data.xlsx"
    ref.to_excel(xlsx, index=False)
    parquet = tmp_path / "data.parquet"
    ref.to_parquet(parquet, index=False)
    for path in (xlsx, parquet):
        pd.testing.assert_frame_equal(load_data(path).frame, ref)


def test_numeric_units_in_excel_warn_about_lost_zeros(tmp_path):
    ref = reference_frame()
    ref["unit"] = ref["unit"].astype(int)
    path = tmp_path / "data.xlsx"
    ref.to_excel(path, index=False)
    data, problems = read_data(path)
    assert data is not None and "301" in set(data.frame["unit"])
    assert any(p.kind == "numeric_unit" for p in problems)


def test_optional_columns_are_kept(tmp_path):
    text = "unit,period,indicator,value,unit_name,source\n0301,2020,X,1,Oslo,KOSTRA\n"
    frame = load_data(write(tmp_path, text)).frame
    assert frame.loc[0, "unit_name"] == "Oslo" and frame.loc[0, "source"] == "KOSTRA"


BAD_DATA = {
    "missing_column": ("unit,period,indicator\n0301,2020,X\n", "missing column(s) value", ""),
    "wrong_columns": (
        "kommune,aar,verdi\n0301,2020,1\n",
        "Expected a tidy table (unit, period, indicator, value)",
        "",
    ),
    "capitalised_columns": (
        "Unit,Period,Indicator,Value\n0301,2020,X,1\n",
        "rename 'Unit' → 'unit'",
        "",
    ),
    "not_a_number": (
        "unit,period,indicator,value\n0301,2020,X,1\n0301,2021,X,abc\n",
        "value 'abc' is not a number",
        "line 3",
    ),
    "inf": ("unit,period,indicator,value\n0301,2020,X,inf\n", "value is infinite", "line 2"),
    "period_not_integer": (
        "unit,period,indicator,value\n0301,2020.5,X,1\n",
        "period '2020.5' is not a whole number",
        "line 2",
    ),
    "period_text": (
        "unit,period,indicator,value\n0301,tjue,X,1\n",
        "period 'tjue' is not a whole number",
        "line 2",
    ),
    "duplicate_row": (
        "unit,period,indicator,value\n0301,2020,X,1\n0302,2020,X,1\n0301,2020,X,2\n",
        "duplicate row for unit 0301, period 2020, indicator X (also at line 2)",
        "line 4",
    ),
    "period_typo": (
        "unit,period,indicator,value\n0301,2020,X,1\n0301,21,X,2\n0301,2022,X,3\n",
        "period 21 lies 1999 periods from the others",
        "line 3",
    ),
    "empty_unit": ("unit,period,indicator,value\n,2020,X,1\n", "the unit is empty", "line 2"),
    "ragged_line": (
        "unit,period,indicator,value\n0301,2020,X,4,5\n",
        "this line has 5 fields but the header has 4",
        "line 2",
    ),
    "unsupported_type": (None, "unsupported file type '.txt'", ""),
    "empty_file": ("", "the file is empty", ""),
    "header_only": ("unit,period,indicator,value\n", "header but no rows", ""),
    "duplicate_header": (
        "unit,period,indicator,value,value\n0301,2020,X,1,2\n",
        "the column 'value' appears more than once",
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_data_is_located(tmp_path, case):
    text, message, where = BAD_DATA[case]
    path = write(tmp_path, "x", name="data.txt") if text is None else write(tmp_path, text)
    found = errors(path)
    assert any(message in e.message for e in found), [str(e) for e in found]
    hit = next(e for e in found if message in e.message)
    assert hit.file == str(path) and hit.where.startswith(where), str(hit)


def test_bad_value_in_wide_table_names_row_and_column(tmp_path):
    path = write(tmp_path, "unit,period,B1,M1\n0301,2020,4.5,x\n")
    (hit,) = errors(path)
    assert hit.where == "line 2, column M1"


def test_bad_value_in_excel_names_sheet_row(tmp_path):
    frame = pd.DataFrame(
        {
            "unit": ["0301", "0301"],
            "period": [2020, 2021],
            "indicator": ["X", "X"],
            "value": [1.0, "n/a?"],
        }
    )
    path = tmp_path / "data.xlsx"
    frame.to_excel(path, index=False, sheet_name="data")
    (hit,) = errors(path)
    assert hit.where == "sheet 'data' row 3" and "'n/a?' is not a number" in hit.message


def test_missing_file(tmp_path):
    (hit,) = errors(tmp_path / "nope.csv")
    assert "file not found" in hit.message


def test_load_data_raises_with_every_problem(tmp_path):
    path = write(tmp_path, "unit,period,indicator,value\n0301,2020,X,a\n0301,2021,X,b\n")
    with pytest.raises(InputError) as info:
        load_data(path)
    assert [e.where for e in info.value.errors] == ["line 2", "line 3"]


def mini_card():
    card, _ = parse_scorecard(MINI_CARD, "mini.yaml")
    assert card is not None
    return card


def test_value_outside_scale_is_an_error(tmp_path):
    data = load_data(write(tmp_path, MINI_DATA.replace("0301,2021,B1,4.8", "0301,2021,B1,7")))
    found = cross_check(mini_card(), data)
    (hit,) = [p for p in found if p.severity == "error"]
    assert (
        hit.where == "line 6"
        and "value 7 of indicator 'B1' lies outside its scale [1, 6]" in hit.message
    )


def test_log_transform_needs_values_above_zero_each_named(tmp_path):
    text = MINI_DATA.replace("0301,2020,M1,3.9", "0301,2020,M1,0").replace(
        "1103,2021,M1,3.4", "1103,2021,M1,-1.5"
    )
    data = load_data(write(tmp_path, text))

    def card(extra: str):
        text = MINI_CARD.replace("    scale: [1, 5]\n", extra, 1)
        parsed, problems = parse_scorecard(text, "card.yaml")
        assert parsed is not None, problems
        return parsed

    found = [p for p in cross_check(card("    transform: log\n"), data) if p.severity == "error"]
    assert [p.where for p in found] == ["line 2", "line 11"]
    assert "value 0 of indicator 'M1' is not above 0" in found[0].message
    assert "value -1.5 of indicator 'M1'" in found[1].message
    assert "transform: log, line 9" in found[0].message
    # tested in levels, the same values are fine
    assert not [p for p in cross_check(card(""), data) if p.severity == "error"]


def test_linked_indicator_without_data_is_an_error(tmp_path):
    text = "\n".join(ln for ln in MINI_DATA.splitlines() if ",B1," not in ln) + "\n"
    data = load_data(write(tmp_path, text))
    found = [p for p in cross_check(mini_card(), data) if p.severity == "error"]
    assert len(found) == 1
    assert found[0].file == "mini.yaml" and found[0].where == "line 25, link M1>B1"
    assert "'B1' has no values" in found[0].message


def test_unknown_indicator_in_data_is_a_warning(tmp_path):
    data = load_data(write(tmp_path, MINI_DATA + "0301,2020,Q9,1\n"))
    found = cross_check(mini_card(), data)
    (hit,) = found
    assert hit.severity == "warning" and "'Q9' is not in the scorecard" in hit.message
    assert hit.where == "line 14"


def test_check_inputs_collects_problems_of_both_files(tmp_path, mini):
    card, data = mini
    card.write_text(MINI_CARD.replace("lag: 1", "lag: -1"), encoding="utf-8")
    data.write_text(MINI_DATA.replace("4.6", "x"), encoding="utf-8")
    _, _, problems = check_inputs(card, data)
    assert {p.file for p in problems if p.severity == "error"} == {str(card), str(data)}


def test_quoted_fields_and_blank_lines_keep_exact_line_numbers(tmp_path):
    text = 'unit,period,indicator,value,note\n0301,2020,X,1,"two\nlines"\n\n0301,2021,X,oops,\n'
    (hit,) = errors(write(tmp_path, text))
    assert hit.where == "line 5" and "'oops' is not a number" in hit.message
    plain = "unit,period,indicator,value\n0301,2020,X,1\n\n0301,2021,X,oops\n"
    (hit,) = errors(write(tmp_path, plain, name="plain.csv"))
    assert hit.where == "line 4"


def test_fast_and_exact_csv_readers_agree(tmp_path):
    fast = load_data(write(tmp_path, MINI_DATA)).frame
    quoted = MINI_DATA.replace("0301,2020,M1,3.9", '"0301",2020,M1,"3.9"')
    exact = load_data(write(tmp_path, quoted, name="quoted.csv")).frame
    pd.testing.assert_frame_equal(fast, exact)


@pytest.mark.parametrize(
    ("period", "fragment"),
    [
        ("inf", "is not a whole number"),
        ("nan", "is not a whole number"),
        ("1e300", "is not a year"),
        ("-2021", "is not a year"),
    ],
)
def test_periods_that_are_not_years_are_located(tmp_path, period, fragment):
    path = write(tmp_path, f"unit,period,indicator,value\n0301,{period},M1,3\n0301,2020,B1,4\n")
    found = errors(path)
    assert found and found[0].where == "line 2" and fragment in found[0].message


def test_a_parquet_period_of_dates_is_located(tmp_path):
    frame = pd.DataFrame(
        {
            "unit": ["0301", "0301"],
            "period": pd.to_datetime(["2020-01-01", "2021-01-01"]),
            "indicator": ["M1", "M1"],
            "value": [1.0, 2.0],
        }
    )
    path = tmp_path / "dates.parquet"
    frame.to_parquet(path)
    found = errors(path)
    assert [p.where for p in found] == ["row 1", "row 2"]
    assert "2020-01-01" in found[0].message and "whole number" in found[0].message


def test_values_beyond_any_measure_are_refused(tmp_path):
    path = write(tmp_path, "unit,period,indicator,value\n0301,2020,M1,1e200\n0301,2021,M1,-1e101\n")
    found = errors(path)
    assert [p.where for p in found] == ["line 2", "line 3"]
    assert "rescale" in found[0].message


def test_only_regular_files_are_read(tmp_path):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        found = errors(path)  # would hang on the pipe, or fill the memory from /dev/zero
        assert len(found) == 1 and "not a regular file" in found[0].message


def test_an_excel_file_that_unpacks_to_gigabytes_is_refused_unread(tmp_path, monkeypatch):
    import io
    import zipfile

    from bms_eval.inputs import data_files as data_module

    monkeypatch.setattr(data_module, "MAX_XLSX_UNPACKED", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 2_000_000)  # a few KB packed
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 50_000
    found = errors(path)
    assert len(found) == 1 and "unpacks to" in found[0].message
    path.write_bytes(b"not a zip at all")
    assert "not an Excel workbook" in errors(path)[0].message


def test_rows_and_columns_beyond_the_limits_are_refused_before_parsing(tmp_path, monkeypatch):
    from bms_eval.inputs import data_files as data_module

    load_data_text(MINI_DATA).to_parquet(tmp_path / "long.parquet")
    monkeypatch.setattr(data_module, "MAX_ROWS", 5)
    long = write(tmp_path, MINI_DATA)  # 13 rows
    assert "at most 5 rows" in errors(long)[0].message
    assert "at most 5 rows" in errors(tmp_path / "long.parquet")[0].message
    monkeypatch.setattr(data_module, "MAX_ROWS", 1000)
    monkeypatch.setattr(data_module, "MAX_COLUMNS", 3)
    assert "3 columns" in errors(long)[0].message


def test_a_grid_too_large_for_memory_is_refused_with_the_links(tmp_path, monkeypatch):
    from bms_eval.inputs import validation

    monkeypatch.setattr(validation, "MAX_GRID_CELLS", 3)
    card_path = tmp_path / "card.yaml"
    card_path.write_text(MINI_CARD, encoding="utf-8")
    _, _, problems = check_inputs(card_path, write(tmp_path, MINI_DATA))
    big = [p for p in problems if p.kind == "too_large"]
    assert (
        big and big[0].where == "links" and "2 indicators × 2 units × 2 periods" in big[0].message
    )


def test_one_grid_for_coverage_and_the_audit_when_a_year_is_missing(tmp_path):
    """A year no unit reports is in the unit × period grid, as missing, for the
    coverage table and for the measurement audit alike."""
    from bms_eval.assessment.measurement import measurement_audit
    from bms_eval.inputs.validation import coverage, load_inputs

    rows = ["unit,period,indicator,value"]
    for unit in ("A", "B", "C"):
        for period in (2019, 2020, 2022, 2023):  # 2021 missing everywhere
            rows += [f"{unit},{period},M1,{period - 2000}", f"{unit},{period},B1,1"]
    data = tmp_path / "gap.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    card = tmp_path / "card.yaml"
    card.write_text(
        "scorecard: {name: gap}\nperspectives: [{id: p}]\nindicators:\n"
        "  - {id: M1, perspective: p}\n  - {id: B1, perspective: p}\n",
        encoding="utf-8",
    )
    inputs = load_inputs(card, data)
    assert inputs.data.grid_shape == (3, 5)
    table = coverage(inputs.scorecard, inputs.data).set_index("indicator")
    assert table.loc["M1", "coverage"] == pytest.approx(12 / 15)
    audit = measurement_audit(inputs.scorecard, inputs.data.frame)
    assert audit["M1"].missing_share == pytest.approx(1 - 12 / 15)
