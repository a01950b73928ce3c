"""``bms-eval import ssb``: JSON-stat 2.0 statbank extracts to tidy data (docs/inputs.md)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from bms_eval.foundation.problems import ProblemList
from bms_eval.inputs import load_data
from bms_eval.inputs.ssb import apply_code_changes, read_code_changes, read_jsonstat
from tests.conftest import digest


def jsonstat(regions, years, contents, values, status=None, extra=None):
    """A dataset shaped as the statbank API returns it (dimension order as given)."""
    dims = {"Region": regions, **(extra or {}), "ContentsCode": contents, "Tid": years}
    ids = list(dims)
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "Test table",
        "source": "SSB",
        "id": ids,
        "size": [len(v) for v in dims.values()],
        "dimension": {
            n: {
                "label": n,
                "category": {
                    "index": {c: i for i, c in enumerate(codes)},
                    "label": {c: f"name {c}" for c in codes},
                },
            }
            for n, codes in dims.items()
        },
        "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "value": values,
    }
    if status is not None:
        doc["status"] = status
    return doc


def write(tmp_path, doc, name="table.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_geo_time_metric_become_unit_period_indicator(tmp_path):
    # 2 regions × 2 contents × 3 years, row-major in the order of "id"
    values = list(range(12))
    values[4] = 0  # a zero that SSB marks as "..": missing, not zero
    doc = jsonstat(
        ["0301", "1103"], ["2021", "2022", "2023"], ["KOSA", "KOSB"], values, status={"4": ".."}
    )
    frame, problems = read_jsonstat(write(tmp_path, doc))
    assert frame is not None and not problems.has_errors
    assert set(frame["unit"]) == {"0301", "1103"}, "municipality codes keep their zero"
    assert frame["period"].dtype == np.int64
    row = frame[
        (frame["unit"] == "0301") & (frame["indicator"] == "KOSB") & (frame["period"] == 2022)
    ].iloc[0]
    assert np.isnan(row["value"]), "status '..' is missing, not zero"
    got = frame.set_index(["unit", "indicator", "period"])["value"]
    assert got[("1103", "KOSA", 2021)] == 6 and got[("1103", "KOSB", 2023)] == 11
    assert frame.loc[frame["unit"] == "0301", "unit_name"].iloc[0] == "name 0301"


def test_sparse_values_and_nulls(tmp_path):
    doc = jsonstat(["0301"], ["2021", "2022"], ["K"], {"0": 1.5})
    frame, _ = read_jsonstat(write(tmp_path, doc))
    assert frame["value"].tolist()[0] == 1.5 and np.isnan(frame["value"].tolist()[1])


def test_extra_dimension_needs_a_selection(tmp_path):
    doc = jsonstat(["0301"], ["2021"], ["K"], [1.0, 2.0], extra={"Kjonn": ["1", "2"]})
    path = write(tmp_path, doc)
    frame, problems = read_jsonstat(path)
    assert frame is None
    (err,) = [p for p in problems if p.severity == "error"]
    assert err.where == "dimension.Kjonn" and "--select Kjonn=CODE" in err.message
    frame, problems = read_jsonstat(path, {"Kjonn": "2"})
    assert frame["value"].tolist() == [2.0]
    frame, problems = read_jsonstat(path, {"Kjonn": "9"})
    assert frame is None and "no such code" in str(next(iter(problems)))


def test_non_year_periods_and_broken_files_are_located(tmp_path):
    quarterly = jsonstat(["0301"], ["2021K1"], ["K"], [1.0])
    _, problems = read_jsonstat(write(tmp_path, quarterly))
    assert "periods must be years" in str(next(iter(problems)))
    bad = tmp_path / "bad.json"
    bad.write_text('{"dimension": ', encoding="utf-8")
    _, problems = read_jsonstat(bad)
    assert next(iter(problems)).where.startswith("line 1")
    wrong_size = jsonstat(["0301"], ["2021"], ["K"], [1.0, 2.0])
    _, problems = read_jsonstat(write(tmp_path, wrong_size, "w.json"))
    assert "has 2 cells but the dimension sizes give 1" in str(next(iter(problems)))


CHANGES = """oldCode,oldName,newCode,newName,changeOccurred
0706,Sandefjord,3804,Sandefjord,2020-01-01
3804,Sandefjord,3907,Sandefjord,2024-01-01
0704,Tønsberg,3803,Tønsberg,2020-01-01
0722,Nøtterøy,3803,Færder,2020-01-01
0723,Tjøme,3803,Færder,2020-01-01
"""


def test_renumbering_is_followed_and_mergers_are_reported(tmp_path):
    rows = [
        ("0706", 2019, "K", 1.0),
        ("3804", 2021, "K", 2.0),
        ("3907", 2024, "K", 3.0),
        ("0722", 2019, "K", 4.0),
        ("0723", 2019, "K", 5.0),
        ("3803", 2021, "K", 6.0),
    ]
    frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    path = tmp_path / "changes.csv"
    path.write_text(CHANGES, encoding="utf-8")
    changes, problems = read_code_changes(path)
    assert changes is not None and not problems.has_errors
    found = ProblemList("table.json")
    out = apply_code_changes(frame, changes, found)
    sandefjord = out[out["unit"] == "3907"]
    assert sandefjord["period"].tolist() == [2019, 2021, 2024], "one history across 2020, 2024"
    assert {"0722", "0723", "3803"} <= set(out["unit"]), "a merger is not combined"
    reported = " ".join(p.message for p in found)
    assert "merger in 2020" in reported and not found.has_errors


def test_code_changes_as_ssb_json(tmp_path):
    doc = {"codeChanges": [{"oldCode": "0706", "newCode": "3804", "changeOccurred": "2020-01-01"}]}
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    changes, _ = read_code_changes(path)
    assert changes[0].old == "0706" and changes[0].year == 2020


def test_cli_import_ssb(cli, tmp_path):
    doc = jsonstat(
        ["0301", "1103"], ["2021", "2022"], ["KOSA"], [1.0, None, 3.0, 4.0], status={"1": ":"}
    )
    path = write(tmp_path, doc)
    before = digest(path)
    result = cli("import", "ssb", path)
    assert result.code == 0, result.err
    frame = pd.read_csv(io.StringIO(result.out), dtype={"unit": str})
    assert set(frame["unit"]) == {"0301", "1103"} and frame["value"].isna().sum() == 1
    out = tmp_path / "tidy.csv"
    assert cli("import", "ssb", path, "--out", out).code == 0
    assert len(load_data(out).frame) == 4 and digest(path) == before
    assert cli("import", "ssb").code == 2
    assert cli("import", "ssb", path, "--select", "nonsense").code == 2
    broken = write(tmp_path, jsonstat(["0301"], ["2021K1"], ["K"], [1.0]), "q.json")
    result = cli("import", "ssb", broken, "--out", tmp_path / "never.csv")
    assert result.code == 1 and "periods must be years" in result.err
    assert not (tmp_path / "never.csv").exists()


def _malformed(doc: dict, change: str) -> dict:
    """One hostile or broken JSON-stat shape, made from a valid document."""
    dims = doc["dimension"]
    if change == "negative_key":
        doc["value"] = {"-1": 5.0}
    elif change == "text_key":
        doc["value"] = {"x": 5.0}
    elif change == "key_out_of_range":
        doc["value"] = {"99": 5.0}
    elif change == "duplicate_codes":
        dims["Region"]["category"]["index"] = ["0301", "0301"]
        doc["size"][0] = 2
    elif change == "gapped_positions":
        dims["Region"]["category"]["index"] = {"0301": 0, "1103": 5}
    elif change == "id_not_a_list":
        doc["id"] = "Region"
    elif change == "size_not_a_list":
        doc["size"] = "6"
    elif change == "status_too_long":
        doc["status"] = [".."] * 50
    elif change == "status_key_negative":
        doc["status"] = {"-2": ".."}
    elif change == "huge":  # 259 KB that asked for terabytes
        codes = [str(i).zfill(4) for i in range(3000)]
        dims["Region"]["category"]["index"] = codes
        dims["Tid"]["category"]["index"] = [str(1000 + i) for i in range(4000)]
        doc["size"] = [3000, 1, 4000]
    return doc


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ("negative_key", "value['-1']"),
        ("text_key", "value['x']"),
        ("key_out_of_range", "value['99']"),
        ("duplicate_codes", "dimension.Region.category.index"),
        ("gapped_positions", "dimension.Region.category.index"),
        ("id_not_a_list", "id"),
        ("size_not_a_list", "size"),
        ("status_too_long", "status"),
        ("status_key_negative", "status['-2']"),
        ("huge", "dimension"),
    ],
)
def test_malformed_jsonstat_is_a_located_error(tmp_path, cli, change, where):
    doc = _malformed(jsonstat(["0301", "1103"], ["2021", "2022", "2023"], ["K"], [1.0] * 6), change)
    path = write(tmp_path, doc)
    frame, problems = read_jsonstat(path)
    errors = [p for p in problems if p.severity == "error"]
    assert frame is None and errors, change
    assert errors[0].where == where, [str(p) for p in errors]
    result = cli("import", "ssb", path)
    assert result.code == 1 and "bug" not in result.err


def test_select_on_a_kept_dimension_is_refused(tmp_path):
    doc = jsonstat(["0301", "1103"], ["2021"], ["K"], [1.0, 2.0])
    frame, problems = read_jsonstat(write(tmp_path, doc), {"Region": "0301"})
    assert frame is None
    assert any(p.where == "--select Region" and "units" in p.message for p in problems)
