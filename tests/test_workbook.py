"""Scorecards in Excel (inputs.workbook, template): the template round-trips, a filled
workbook gives what its YAML twin gives, problems are located by sheet, row and
column, and ``column:`` maps an indicator to a differently named data column."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from bms_eval import estimate_links
from bms_eval.inputs import load_scorecard
from bms_eval.inputs.scorecard import check_scorecard
from bms_eval.inputs.template import scorecard_document, write_template
from bms_eval.inputs.validation import check_inputs, load_inputs
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA


def _plain(card):
    """The model without where it was read from."""
    strip = {"line": 0}
    return dataclasses.replace(
        card,
        source="",
        sha256="",
        perspectives=tuple(dataclasses.replace(p, **strip) for p in card.perspectives),
        goals=tuple(dataclasses.replace(g, **strip) for g in card.goals),
        success_factors=tuple(dataclasses.replace(f, **strip) for f in card.success_factors),
        indicators=tuple(dataclasses.replace(i, place="", **strip) for i in card.indicators),
        links=tuple(dataclasses.replace(lk, **strip) for lk in card.links),
    )


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    card = load_scorecard(EXAMPLE_CARD)
    write_template(folder / "scorecard.xlsx", card)
    write_template(folder / "scorecard.yaml", card)
    return card, folder / "scorecard.xlsx", folder / "scorecard.yaml"


def test_the_template_and_its_yaml_twin_are_the_example(templates):
    card, xlsx, yml = templates
    from_excel, from_yaml = load_scorecard(xlsx), load_scorecard(yml)
    assert _plain(from_excel) == _plain(from_yaml) == _plain(card)
    book = load_workbook(xlsx)
    assert book.sheetnames == [
        "scorecard",
        "perspectives",
        "goals",
        "success_factors",
        "indicators",
        "links",
        "analysis",
    ]
    links = book["links"]
    assert str(links["A1"].value).startswith("#")  # the instruction row
    assert [c.value for c in links[2]] == ["from", "to", "lag", "sign", "side_effect", "rationale"]
    lists = {str(v.sqref): v.formula1 for v in book["indicators"].data_validations.dataValidation}
    assert lists["F3:F1000"] == '"up,down"'  # direction
    assert lists["C3:C1000"] == "perspectives!$A$3:$A$200"
    assert any(v.formula1 == '"+,-"' for v in links.data_validations.dataValidation)
    assert load_scorecard(xlsx).indicator("B1.1").place == "sheet 'indicators' row 8"


def _fill(xlsx, yml, tmp_path):
    """The same changes made in the workbook (as a planner would, cells as text) and
    in its YAML twin: a new arrow at two lags, an ambition moved, a column renamed."""
    book = load_workbook(xlsx)
    links = book["links"]
    links.append(["M1.2", "B3.2", "0, 1", "-", None, "Sykefravær gir dårligere service."])
    inds = book["indicators"]
    header = [c.value for c in inds[2]]
    for row in inds.iter_rows(min_row=3):
        if row[0].value == "B1.1":
            row[header.index("ambition_target")].value = "5.2"  # typed as text
            row[header.index("column")].value = "quality"
    filled_xlsx = tmp_path / "filled.xlsx"
    book.save(filled_xlsx)
    document = yaml.safe_load(yml.read_text(encoding="utf-8"))
    document["links"].append(
        {
            "from": "M1.2",
            "to": "B3.2",
            "lag": [0, 1],
            "sign": "-",
            "rationale": "Sykefravær gir dårligere service.",
        }
    )
    for ind in document["indicators"]:
        if ind["id"] == "B1.1":
            ind["ambition"]["target"] = 5.2
            ind["column"] = "quality"
    filled_yaml = tmp_path / "filled.yaml"
    filled_yaml.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return filled_xlsx, filled_yaml


def test_a_filled_workbook_gives_what_its_yaml_twin_gives(templates, tmp_path, example_links):
    _, xlsx, yml = templates
    filled_xlsx, filled_yaml = _fill(xlsx, yml, tmp_path)
    data = pd.read_csv(EXAMPLE_DATA)
    data["indicator"] = data["indicator"].replace({"B1.1": "quality"})
    data_file = tmp_path / "renamed.csv"
    data.to_csv(data_file, index=False)
    a, b = load_inputs(filled_xlsx, data_file), load_inputs(filled_yaml, data_file)
    assert _plain(a.scorecard) == _plain(b.scorecard)
    assert a.scorecard.indicator("B1.1").ambition.target == 5.2
    assert a.scorecard.links[-1].lags == (0, 1)
    # the renamed column is read as B1.1: the results equal the original data's
    original = example_links
    got_a = estimate_links(a.scorecard, a.data).to_frame()
    got_b = estimate_links(b.scorecard, b.data).to_frame()
    pd.testing.assert_frame_equal(got_a, got_b)
    # (the new arrow joins B3.2's model, so only the other targets' rows are as before)
    before = original.to_frame()
    shared, kept = got_a[got_a["to"] != "B3.2"], before[before["to"] != "B3.2"]
    assert list(shared["estimate"]) == pytest.approx(list(kept["estimate"]), rel=1e-12)


def _workbook(tmp_path, rows: dict[str, list[list]]):
    """A workbook from rows per sheet (the first row of each: the header)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, sheet_rows in rows.items():
        ws = book.create_sheet(name)
        for row in sheet_rows:
            ws.append(row)
    path = tmp_path / "card.xlsx"
    book.save(path)
    return path


GOOD = {
    "scorecard": [["key", "value"], ["name", "Test"], ["language", "en"]],
    "perspectives": [["id", "name"], ["users", "Users"], ["staff", "Employees"]],
    "indicators": [
        ["id", "name", "perspective", "scale_min", "scale_max", "ambition_target"],
        ["S1", "Staff satisfaction", "staff", 1, 5, None],
        ["U1", "User satisfaction", "users", 1, 6, 5],
    ],
    "links": [["from", "to", "lag", "sign"], ["S1", "U1", 1, "+"]],
}


def _problems(tmp_path, changes: dict[str, list[list]]) -> list[str]:
    path = _workbook(tmp_path, {**GOOD, **changes})
    _, problems = check_scorecard(path)
    return [str(p) for p in problems]


def test_a_good_workbook_has_no_problems(tmp_path):
    path = _workbook(tmp_path, GOOD)
    card, problems = check_scorecard(path)
    assert card is not None and list(problems) == []
    assert card.indicator("U1").scale == (1.0, 6.0) and card.links[0].lags == (1,)


@pytest.mark.parametrize(
    "changes,expected",
    [
        (
            {"links": [["from", "to", "lag", "sign"], ["S1", "U1", "x", "+"]]},
            "sheet 'links' row 2, column 'lag': error: lag must be",
        ),
        (
            {
                "links": [
                    ["# arrows"],
                    ["from", "to", "lag", "sign"],
                    ["S1", "U1", 1, "+"],
                    [None],
                    ["# a comment row"],
                    ["S1", "U1", 0, "+"],
                ]
            },
            "sheet 'links' row 6: error: duplicate link S1 → U1 (first at sheet 'links' row 3)",
        ),
        (
            {
                "indicators": [
                    ["id", "name", "perspective", "scale_min"],
                    ["S1", "Staff", "staff", 1],
                    ["U1", "Users", "user", None],
                ]
            },
            "sheet 'indicators' row 3, column 'perspective': error: unknown perspective 'user'",
        ),
        (
            {
                "indicators": [
                    ["id", "name", "perspective", "scale_max"],
                    ["S1", "Staff", "staff", "high"],
                    ["U1", "Users", "users", None],
                ]
            },
            "sheet 'indicators' row 2, column 'scale_max': error: a scale bound must be a number",
        ),
        (
            {
                "indicators": [
                    ["id", "name", "perspective", "ambition_target"],
                    ["S1", "Staff", "staff", "4,5"],
                    ["U1", "Users", "users", None],
                ]
            },
            "column 'ambition_target': error: target must be a number, not '4,5' (use a decimal",
        ),
        (
            {"scorecard": [["key", "value"], ["name", "Test"], ["langauge", "en"]]},
            "sheet 'scorecard' row 3, column 'key': warning: unknown key 'langauge'",
        ),
        (
            {"notes": [["anything"]]},
            "sheet 'notes': warning: unknown sheet 'notes' is ignored",
        ),
        (
            {"links": [["from", "to", "lag", "lag"], ["S1", "U1", 1, 2]]},
            "sheet 'links' row 1, column 'lag': error: the column 'lag' appears twice",
        ),
    ],
)
def test_problems_are_located_by_sheet_row_and_column(tmp_path, changes, expected):
    found = _problems(tmp_path, changes)
    assert any(expected in p for p in found), found


def test_text_cells_read_as_numbers_but_ids_keep_their_text(tmp_path):
    path = _workbook(
        tmp_path,
        {
            **GOOD,
            "indicators": [
                ["id", "name", "perspective", "scale_min", "scale_max", "ambition_target"],
                ["0301", "Oslo share", "staff", "0", "100", "42.5"],
                ["U1", "User satisfaction", "users", 1, 6, 5],
            ],
            "links": [
                ["from", "to", "lag", "sign", "side_effect"],
                ["0301", "U1", "0, 1", "-", "TRUE"],
            ],
        },
    )
    card, problems = check_scorecard(path)
    assert card is not None, [str(p) for p in problems]
    ind = card.indicator("0301")
    assert ind.scale == (0.0, 100.0) and ind.ambition.target == 42.5
    assert card.links[0].lags == (0, 1) and card.links[0].side_effect is True


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("card.xls", b"anything", "save the scorecard as an Excel workbook (.xlsx)"),
        ("card.xlsx", b"not a zip file", "this is not an Excel workbook (.xlsx)"),
    ],
)
def test_files_that_are_not_workbooks_are_located_errors(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    card, problems = check_scorecard(path)
    assert card is None and any(expected in str(p) for p in problems)


def test_column_names_the_data_and_must_not_be_shared(tmp_path):
    text = EXAMPLE_CARD.read_text(encoding="utf-8").replace(
        "  - id: B2.1\n", "  - id: B2.1\n    column: B1.1\n", 1
    )
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    card, problems = check_scorecard(path)
    assert card is None
    assert any(
        "reads the data's 'B1.1', which indicator 'B1.1' reads too" in str(p) for p in problems
    )


def test_the_template_command_never_replaces_a_file(cli, tmp_path):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"the user's own workbook")
    result = cli("template", target)
    assert result.code == 2 and "is not replaced" in result.err
    assert target.read_bytes() == b"the user's own workbook"
    assert cli("template", tmp_path / "card.txt").code == 2
    made = cli("template", tmp_path / "new.yaml")
    assert made.code == 0
    assert scorecard_document(load_scorecard(tmp_path / "new.yaml")) == scorecard_document(
        load_scorecard(EXAMPLE_CARD)
    )
    _, _, problems = check_inputs(tmp_path / "new.yaml", EXAMPLE_DATA)
    assert not [p for p in problems if p.severity == "error"]


def test_a_formula_never_calculated_and_an_empty_workbook_say_what_to_do(tmp_path):
    """A workbook written by a program holds formulas without saved results: each is
    named at its cell; an empty workbook's problems speak of sheets, not YAML."""
    rows = {
        **GOOD,
        "indicators": [
            ["id", "name", "perspective", "scale_min", "scale_max"],
            ["S1", "Staff", "staff", "=0+1", 5],
            ["U1", "Users", "users", 1, 6],
        ],
    }
    found = [str(p) for p in check_scorecard(_workbook(tmp_path, rows))[1]]
    assert any(
        "sheet 'indicators' row 2, column D: error: the formula '=0+1' has no saved result" in p
        for p in found
    ), found
    empty = _workbook(tmp_path, {"notes": [["x"]]})
    found = [str(p) for p in check_scorecard(empty)[1]]
    assert any("a sheet 'indicators', one per row" in p for p in found)
    assert not any("- id:" in p or "{name:" in p for p in found)
