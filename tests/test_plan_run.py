"""``bms-eval plan`` and ``bms-eval run --plan`` as a user meets them: the files, the
report's section, the assessment's sentences, the folder rules, the errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import markupsafe
import nbformat
import pandas as pd
import pytest

from bms_eval.pipeline.notebooks import PLAN_NOTEBOOK
from bms_eval.planning import PLAN_COLUMNS
from tests.conftest import digest, folder_bytes
from tests.test_output_safety import BMS_EVAL
from tests.test_plan import CARD, history_panel
from tests.test_results_schema import validate

#: A quick plan: enough draws to see the structure, not to decide.
QUICK = ("--draws", "20", "--years", "9")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A scorecard of three indicators and ten units' seven years of history."""
    folder = tmp_path_factory.mktemp("small")
    card, data = folder / "small.yaml", folder / "small.csv"
    card.write_text(CARD.replace("{name: plan test}", "{name: plan test, language: nb}"), "utf-8")
    history_panel(10, 7, seed=2).to_csv(data, index=False)
    return card, data


@pytest.fixture(scope="module")
def planned_run(small, tmp_path_factory):
    from bms_eval.cli.main import main

    out = tmp_path_factory.mktemp("plan") / "small"
    options = ["--plan", "--plan-draws", "20", "--plan-years", "9"]
    code = main(["run", *map(str, small), "--out", str(out), *options])
    assert code == 0
    return out


def test_plan_writes_its_folder_and_leaves_the_inputs(cli, tmp_path, small):
    before = digest(small[0]), digest(small[1])
    out = tmp_path / "plan"
    result = cli("plan", *small, *QUICK, "--out", out)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.csv", "plan.png"]
    table = pd.read_csv(out / "plan.csv")
    assert list(table.columns) == list(PLAN_COLUMNS)
    assert set(table["design"]) == {"current", "years"}
    assert set(table["years"]) == {7, 9} and set(table["units"]) == {10}
    assert table["power"].between(0, 1).all()
    assert (table["power_low"] <= table["power"]).all()
    assert (table["power"] <= table["power_high"]).all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) == {"plan.csv", "plan.png"}
    assert manifest["parameters"]["plan"]["draws"] == 20
    assert "power now" in result.err and "draws" in result.err  # the summary and progress
    assert (digest(small[0]), digest(small[1])) == before
    # the same command again replaces its own output (quietly), and gives the same plan
    again = cli("plan", *small, "--draws", "20", "--years", "8", "--out", out, "--quiet")
    assert again.code == 0 and again.err == ""
    rerun = pd.read_csv(out / "plan.csv")
    today = ["from", "to", "lag", "power", "power_low", "power_high", "mde_80"]
    pd.testing.assert_frame_equal(
        rerun.loc[rerun["years"] == 7, today], table.loc[table["years"] == 7, today]
    )


def test_plan_refuses_a_folder_of_the_users_and_bad_options(cli, tmp_path, small):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    kept = folder_bytes(mine)
    refused = cli("plan", *small, *QUICK, "--out", mine)
    assert refused.code == 2 and "not empty" in refused.err
    assert folder_bytes(mine) == kept
    for bad in (["--effect", "0"], ["--effect", "x"], ["--draws", "0"], ["--years", "-3"]):
        result = cli("plan", *small, *bad)
        assert result.code == 2, bad
        assert "Traceback" not in result.err
    too_few = cli("plan", *small, "--draws", "5")
    assert too_few.code == 2 and "between 20 and" in too_few.err
    wrong = cli("plan", *small, "--draws", "20", "--scheduler", "nonsense")
    assert wrong.code == 2 and "tcp://host:8786" in wrong.err


def test_run_with_a_plan_writes_it_everywhere(planned_run):
    out = planned_run
    assert (out / "plan.csv").is_file()
    assert (out / "notebooks" / f"{PLAN_NOTEBOOK}.ipynb").is_file()
    nb = nbformat.read(out / "notebooks" / f"{PLAN_NOTEBOOK}.ipynb", as_version=4)
    shown = "".join(
        o.get("text", "") + json.dumps(o.get("data", {}))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "image/png" in shown and "etterslep" in shown  # the table and the figure
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    validate(out / "results.json")  # the schema holds the plan block too
    plan = results["plan"]
    assert plan["draws"] == 20 and {r["years"] for r in plan["rows"]} == {7, 9}
    power = results["assessment"]["power"]
    inconclusive = {
        f"{a['link']}>{a['lag']}"
        for a in results["summary"]["by_arrow"]
        if a["verdict"] == "inconclusive"
    }
    assert {u["link"] for u in power["underpowered"]} <= inconclusive
    for u in power["underpowered"]:
        assert u["power"] < 0.8 and "SD" in u["text"]
    measured = next(
        p for p in results["assessment"]["preconditions"] if p["id"] == "measured_results"
    )
    if power["untestable"]:
        assert "0,2 SD" in measured["evidence"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="plan">' in html and "Hva disse dataene kan vise" in html
    assert power["underpowered"] and power["untestable"]  # 10 units × 7 years: too few
    for u in power["underpowered"]:  # in the plan section and beside the arrow's verdict
        assert html.count(str(markupsafe.escape(u["text"]))) == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["plan"]["years"] == [9]


def test_verify_reruns_the_recorded_plan(cli, planned_run):
    result = cli("verify", planned_run)
    assert result.code == 0, result.out + result.err


@pytest.mark.slow
def test_an_interrupted_plan_stops_its_workers_and_writes_nothing(small, tmp_path):
    """Ctrl-C reaches the command and its workers (one process group): the workers
    leave it to the command, which stops them and exits 130 with no folder made."""
    out = tmp_path / "plan"
    proc = subprocess.Popen(
        [str(BMS_EVAL), "plan", *map(str, small), "--draws", "2000", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the first progress line: the workers are busy
    assert "draws" in line, line
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "earlier outputs" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    end = time.monotonic() + 10  # a stopped worker may wait a moment to be reaped
    while time.monotonic() < end:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):  # no worker is left
        os.killpg(proc.pid, 0)
