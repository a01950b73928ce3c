"""``results.xlsx``: the sheets a spreadsheet reader opens, each checked against
``results.json``; formatting; the same bytes for the same run; user text never a
formula."""

from __future__ import annotations

import json
import time

import pytest
from openpyxl import load_workbook

from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.texts import Texts
from bms_eval.report.colours import VERDICT_COLOURS
from bms_eval.report.results_workbook import workbook_bytes
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA

#: Numbers go through JSON and the workbook's XML as text: exact to a double's digits.
RTOL = 1e-12


@pytest.fixture(scope="module")
def run(example_run):
    results = json.loads((example_run / "results.json").read_text(encoding="utf-8"))
    book = load_workbook(example_run / "results.xlsx")
    return results, book


def _rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_sheets_in_the_reports_language_with_frozen_headers(run):
    _, book = run
    t = Texts("nb")  # the example's language
    names = ("arrows", "links", "status", "assessment", "quality")
    assert book.sheetnames == [t[f"xlsx_sheet_{n}"] for n in names]
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert all(c.font.bold for c in sheet[1])


def test_arrows_one_row_each_as_results_json_has_them(run):
    results, book = run
    t = Texts("nb")
    rows = _rows(book.worksheets[0])
    arrows = results["summary"]["by_arrow"]
    assert len(rows) == len(arrows)
    first, row = arrows[0], rows[0]
    assert f"{row['from']}>{row['to']}" == first["link"]
    assert row[t["disc_col_verdict"]] == t.verdict(first["verdict"])
    deciding = next(
        r
        for r in results["links"]
        if f"{r['from']}>{r['to']}" == first["link"] and r["lag"] == first["lag"]
    )
    assert row[t["xlsx_estimate"]] == pytest.approx(deciding["estimate"], rel=RTOL)
    assert row[t["xlsx_reason"]] == deciding["reason"]
    verdict_cell = book.worksheets[0].cell(row=2, column=6)
    assert verdict_cell.fill.fgColor.rgb.endswith(VERDICT_COLOURS[first["verdict"]][1:].upper())


def test_every_other_sheet_holds_results_json_values(run):
    results, book = run
    links = _rows(book.worksheets[1])
    assert len(links) == len(results["links"])
    assert links[-1]["p_adjusted"] == pytest.approx(results["links"][-1]["p_adjusted"], rel=RTOL)
    assert book.worksheets[1]["A2"].value == results["links"][0]["from"]
    status = _rows(book.worksheets[2])
    assert status[0]["latest_value"] == pytest.approx(results["status"][0]["latest_value"])
    assessment = _rows(book.worksheets[3])
    evidence = [p["evidence"] for p in results["assessment"]["preconditions"]]
    assert evidence[0] in [r[Texts("nb")["col_evidence"]] for r in assessment]
    quality = _rows(book.worksheets[4])
    assert quality[0]["observed"] == results["data_quality"]["coverage"][0]["observed"]


def test_numbers_are_formatted(run):
    _, book = run
    sheet = book.worksheets[1]
    header = [c.value for c in sheet[1]]
    p_cell = sheet.cell(row=2, column=header.index("p_adjusted") + 1)
    estimate_cell = sheet.cell(row=2, column=header.index("estimate") + 1)
    assert p_cell.number_format == "0.0000" and estimate_cell.number_format == "0.000"


def test_the_same_run_gives_the_same_bytes_and_names_stay_text(run, tmp_path):
    results, _ = run
    card = load_inputs(EXAMPLE_CARD, EXAMPLE_DATA).scorecard
    first = workbook_bytes(card, results, "2026-12-03T12:00:00+01:00")
    time.sleep(1.1)  # past a second: the zip's and openpyxl's own clocks would show it
    assert workbook_bytes(card, results, "2026-12-03T12:00:00+01:00") == first
    hostile = json.loads(json.dumps(results))
    hostile["links"][0]["reason"] = '=HYPERLINK("http://example.invalid","x")'
    path = tmp_path / "h.xlsx"
    path.write_bytes(workbook_bytes(card, hostile, "2026-12-03T12:00:00"))
    sheet = load_workbook(path).worksheets[1]  # every link-lag, its reason among them
    cell = next(
        c for row in sheet.iter_rows() for c in row if c.value == hostile["links"][0]["reason"]
    )
    assert cell.data_type == "s"


def test_a_status_too_long_for_a_sheet_keeps_the_indicators_rows(run, monkeypatch):
    from bms_eval.report import results_workbook

    results, _ = run
    card = load_inputs(EXAMPLE_CARD, EXAMPLE_DATA).scorecard
    monkeypatch.setattr(results_workbook, "MAX_STATUS_ROWS", 50)
    import io

    book = load_workbook(io.BytesIO(workbook_bytes(card, results, "2026-12-03T12:00:00")))
    rows = _rows(book.worksheets[2])
    indicators = [r for r in results["status"] if r["level"] == "indicator"]
    assert len(rows) == len(indicators) + 1
    units = len(results["status"]) - len(indicators)
    assert rows[-1]["indicator"] == Texts("nb").format("xlsx_status_cut", n=units)
