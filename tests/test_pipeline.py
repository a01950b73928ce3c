"""``bms-eval run``: notebooks executed with papermill, outputs, the offline report."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest

from bms_eval.assessment.status import TREND_PERIODS, scorecard_status
from bms_eval.estimation.arrows import arrow_counts
from bms_eval.foundation.resources import notebook_dir
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.texts import Texts
from bms_eval.pipeline import run as run_module
from bms_eval.pipeline.notebooks import RESET, notebooks, parameters_for
from bms_eval.pipeline.run import RunFailed, RunSettings, run_pipeline
from bms_eval.planning.options import DEFAULT_DRAWS, DEFAULT_EFFECT
from bms_eval.report.notebook import FIGURE_KEY
from tests.conftest import (
    EXAMPLE_CARD,
    EXAMPLE_DATA,
    HEIMDAL_CARD,
    HEIMDAL_DATA,
    MINI_CARD,
    earlier_output,
    folder_bytes,
)

OUTPUTS = (
    "report.html",
    "links.csv",
    "status.csv",
    "results.json",
    "results.xlsx",
    "manifest.json",
)
# results.json carries the numbers through Parquet and JSON: exact up to the last bit
# of a float's decimal representation.
JSON_RTOL = 1e-12


def test_notebooks_are_found_by_glob_in_order():
    names = [p.name for p in notebooks()]
    assert names == sorted(names) and len(names) >= 3
    assert all(re.match(r"\d\d_[a-z_]+\.ipynb$", n) for n in names)


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_parameters_match_what_run_passes(notebook):
    declared = papermill.inspect_notebook(str(notebook))
    passed = parameters_for(notebook, EXAMPLE_CARD, EXAMPLE_DATA, Path("out"))
    assert set(declared) == set(passed)
    for name, value in passed.items():
        assert declared[name]["inferred_type_name"] == type(value).__name__, name
        assert declared[name]["help"], f"{name} needs a trailing comment"


def test_the_kernel_reset_runs_as_python():
    """What runs in the kernel before each notebook (after IPython's ``%reset``) is
    valid: it names modules that exist."""
    magic, code = RESET.split("\n", 1)
    assert magic == "%reset -f"
    exec(compile(code, "RESET", "exec"), {})


def test_the_notebooks_defaults_are_the_packages():
    """A notebook's parameters cell holds literals (papermill injects after it): each
    default that the package names elsewhere is the package's own."""
    named = {
        "trend_periods": TREND_PERIODS,
        "effect": DEFAULT_EFFECT,
        "draws": DEFAULT_DRAWS,
    }
    seen = set()
    for notebook in notebooks():
        for name, declared in papermill.inspect_notebook(str(notebook)).items():
            if name in named:
                assert declared["default"] == repr(named[name]), (notebook.name, name)
                seen.add(name)
    assert seen == set(named)


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.stem)
def test_notebooks_are_thin_and_committed_without_outputs(notebook):
    nb = nbformat.read(notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert re.match(r"^\w+: (str|int|float|bool) = .+  # .+$", line), line
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert "def " not in cell.source and "class " not in cell.source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_run_writes_every_output(example_run):
    for name in OUTPUTS:
        assert (example_run / name).is_file(), name
    executed = sorted(p.name for p in (example_run / "notebooks").glob("*.ipynb"))
    assert executed == [p.name for p in notebooks(plan=False, discover=False)]
    assert not (example_run / ".parts").exists()
    for path in (example_run / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_results_json_equals_the_package_api(example_run, example_inputs, example_links):
    results = json.loads((example_run / "results.json").read_text(encoding="utf-8"))
    api = example_links.to_frame()
    got = pd.DataFrame(results["links"])
    assert list(got["verdict"]) == list(api["verdict"])
    for col in (
        "estimate",
        "std_error",
        "p_value",
        "p_adjusted",
        "ci_low",
        "ci_high",
        "std_estimate",
        "between_p_value",
    ):
        np.testing.assert_allclose(
            got[col].astype(float), api[col].astype(float), rtol=JSON_RTOL, equal_nan=True
        )
    status = scorecard_status(example_inputs.scorecard, example_inputs.data)
    got_status = pd.DataFrame(results["status"])
    np.testing.assert_allclose(
        got_status["latest_value"].astype(float),
        status["latest_value"].astype(float),
        rtol=JSON_RTOL,
    )
    assert list(got_status["status"]) == list(status["status"])
    summary = results["summary"]
    assert summary["verdicts_by_link_lag"]["supported"] == int(
        (api["verdict"] == "supported").sum()
    )
    arrows = api.groupby(["from", "to"], sort=False)
    assert summary["arrows"] == arrows.ngroups == sum(summary["verdicts"].values())
    assert summary["roll_up"] == "cumulative_over_lags"
    assert [a["link"] for a in summary["by_arrow"]] == [f"{a}>{b}" for a, b in arrows.groups]
    csv = pd.read_csv(example_run / "links.csv")
    np.testing.assert_allclose(csv["estimate"], api["estimate"], rtol=JSON_RTOL)


def test_manifest_records_inputs_and_versions(example_run):
    manifest = json.loads((example_run / "manifest.json").read_text(encoding="utf-8"))
    for key, path in (("scorecard", EXAMPLE_CARD), ("data", EXAMPLE_DATA)):
        assert manifest["inputs"][key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["packages"]["pandas"] and manifest["python"]
    assert manifest["started"] <= manifest["finished"]
    shown = [p.name for p in notebooks(plan=False, discover=False)]
    assert [n["notebook"] for n in manifest["notebooks"]] == shown


def test_report_is_offline_and_has_the_figures(example_run):
    html = (example_run / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    images = re.findall(r'src="data:image/png;base64,', html)
    links = pd.read_csv(example_run / "links.csv")
    assert len(images) >= 4 + len(links)  # trends, map, coefficients, coverage, each link
    for section in ("summary", "assessment", "status", "map", "evidence", "quality", "method"):
        assert f'id="{section}"' in html


def test_notebooks_show_exactly_the_reports_figures(example_run):
    """One analysis: the pictures the executed notebooks show are the report's, byte for byte."""
    shown = {}
    for path in sorted((example_run / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                tag = output.get("metadata", {}).get(FIGURE_KEY)
                if tag:
                    shown[tag] = output["data"]["image/png"].replace("\n", "")
    html = (example_run / "report.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    links = pd.read_csv(example_run / "links.csv")
    assert len(shown) == 4 + len(links)
    assert set(shown.values()) == set(embedded)


def test_heimdal_runs_too(tmp_path):
    run_pipeline(HEIMDAL_CARD, HEIMDAL_DATA, tmp_path / "heimdal")
    results = json.loads((tmp_path / "heimdal" / "results.json").read_text(encoding="utf-8"))
    verdicts = {(r["from"], r["to"]): r["verdict"] for r in results["links"]}
    assert verdicts[("R1.1", "R2.1")] == "supported"


def _hostile_inputs(tmp_path: Path) -> tuple[Path, Path]:
    card = tmp_path / "hostile.yaml"
    # names as a hostile or careless user writes them: markup, and dollar signs that
    # matplotlib would read as (broken) mathtext
    hostile = (
        MINI_CARD.replace('"User satisfaction"', '"<script>alert(1)</script>"')
        .replace('name: "Mini"', 'name: "Mini <img src=x onerror=alert(2)>"')
        .replace('"Staff satisfaction"', "'Cost ($) per $\\frac{x$ user'")
    )
    assert "$\\frac{x$" in hostile
    card.write_text(hostile, encoding="utf-8")
    rng = np.random.default_rng(0)
    rows = [
        (u, y, ind, round(float(rng.normal(3, 0.4)), 2))
        for u in [f"{i:04d}" for i in range(12)]
        for y in range(2015, 2023)
        for ind in ("M1", "B1", "B2")
    ]
    data = tmp_path / "hostile.csv"
    pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"]).to_csv(data, index=False)
    return card, data


def test_names_are_escaped_agg_keeps_figures_and_success_replaces_the_old_output(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    card, data = _hostile_inputs(tmp_path)
    out = earlier_output(tmp_path / "out")
    run_pipeline(card, data, out)
    assert not (out / "old-notes.csv").exists() and (out / "report.html").exists()
    assert not list(tmp_path.glob(".out.*"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    # trends, map, coefficients and the link's own (a complete panel: no coverage map)
    assert html.count("data:image/png;base64,") >= 4


def _notebook(path: Path, *cells: str) -> Path:
    """A pipeline notebook at ``path``: the parameters cell, then ``cells``."""
    path.parent.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'scorecard_path: str = ""  # x\ndata_path: str = ""  # x\noutput_dir: str = ""  # x'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_failing_cell_keeps_partial_notebook_and_old_output(tmp_path, monkeypatch):
    card, data = _hostile_inputs(tmp_path)
    out = earlier_output(tmp_path / "out")
    before = folder_bytes(out)
    broken = _notebook(
        tmp_path / "nbs" / "01_broken.ipynb", "x = 1", "raise ValueError('planted failure')"
    )
    monkeypatch.setattr(run_module, "notebooks", lambda **_: [broken])
    with pytest.raises(RunFailed) as info:
        run_pipeline(card, data, out)
    message = str(info.value)
    assert "01_broken.ipynb" in message and "cell 4" in message and "planted failure" in message
    assert folder_bytes(out) == before
    kept = info.value.kept / "notebooks" / "01_broken.ipynb"
    assert kept.exists()
    executed = nbformat.read(kept, as_version=4)
    assert executed.cells[2].execution_count is not None  # the cell before the failure ran


def test_cli_run_usage_and_bad_input(cli, tmp_path, mini):
    card, data = mini
    assert cli("run", card).code == 2
    data.write_text("unit,period,indicator,value\n0301,2020,M1,abc\n", encoding="utf-8")
    out = tmp_path / "never"
    result = cli("run", card, data, "--out", out)
    assert result.code == 1 and "line 2" in result.err and "not a number" in result.err
    assert not out.exists()


def test_notebook_folder_in_a_clone_is_the_repository_one():
    folder = notebook_dir()
    assert folder.name == "notebooks" and (folder.parent / "pyproject.toml").exists()


def test_results_json_carries_the_assessment_under_spec_keys(example_run):
    results = json.loads((example_run / "results.json").read_text(encoding="utf-8"))
    a = results["assessment"]
    assert set(a) >= {"preconditions", "result_levels", "chain", "measurement", "learning"}
    assert set(a["measurement"]) == {i["id"] for i in results["scorecard"]["indicators"]}
    html = (example_run / "report.html").read_text(encoding="utf-8")
    assert a["headline"][0] in html  # the headline comes first, in the scorecard's language
    assert html.index(a["headline"][0]) < html.index('id="status"')


def test_every_notebook_analyses_the_snapshot_the_command_read(tmp_path):
    """A data file changed while a run goes on must not mix into it: the notebooks
    analyse what the command read and hashed, and the manifest says so."""
    card, data = _hostile_inputs(tmp_path)
    inputs = load_inputs(card, data)
    read = hashlib.sha256(data.read_bytes()).hexdigest()
    # the file changes after the command has read it (as a sync client might do)
    pd.read_csv(data, dtype={"unit": str}).head(30).to_csv(data, index=False)
    out = tmp_path / "out"
    run_pipeline(card, data, out, inputs=inputs)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["data"]["sha256"] == read
    assert results["data_quality"]["n_rows"] == len(inputs.data.frame) == 12 * 8 * 3
    assert {r["n_units"] for r in results["links"]} == {12}
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    ("cell", "timeout", "expected"),
    [
        # a kernel killed mid-cell, as the system does when memory runs out, once left
        # the run waiting for a reply for ever
        ("import os\nos.kill(os.getpid(), 9)", None, ("kernel stopped", "memory")),
        (
            "import time\ntime.sleep(60)",
            2,
            ("01_cell.ipynb failed: a cell ran longer than the 2 s allowed",),
        ),
    ],
    ids=["kernel-dies", "timeout"],
)
def test_a_cell_that_cannot_finish_ends_the_run_and_keeps_the_old_output(
    tmp_path, monkeypatch, cell, timeout, expected
):
    card, data = _hostile_inputs(tmp_path)
    out = earlier_output(tmp_path / "out")
    before = folder_bytes(out)
    notebook = _notebook(tmp_path / "nbs" / "01_cell.ipynb", cell)
    monkeypatch.setattr(run_module, "notebooks", lambda **_: [notebook])
    with pytest.raises(RunFailed) as info:
        run_pipeline(card, data, out, settings=RunSettings(timeout=timeout))
    for fragment in expected:
        assert fragment in str(info.value)
    assert folder_bytes(out) == before


def test_a_timeout_below_one_second_is_wrong_usage(cli, mini):
    assert cli("run", *mini, "--timeout", "0").code == 2


def test_status_records_behave_as_a_list_and_stream_to_json(tmp_path):
    from bms_eval.outputs.json_files import FrameRecords, to_json, write_json

    frame = pd.DataFrame({"unit": ["a", "b", "c"], "value": [0.5, np.nan, 2.0]})
    rows = FrameRecords(frame)
    expected = [
        {"unit": "a", "value": 0.5},
        {"unit": "b", "value": None},
        {"unit": "c", "value": 2.0},
    ]
    assert list(rows) == expected and len(rows) == 3 and rows
    assert rows[0] == expected[0] and rows[-1] == expected[-1] and rows[1:] == expected[1:]
    write_json(tmp_path / "r.json", {"status": rows})
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == {"status": expected}
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == to_json({"status": expected})


def test_run_language_option_writes_the_report_in_it(cli, tmp_path, mini):
    card, data = mini
    card.write_text(
        MINI_CARD.replace('  name: "Mini"\n', '  name: "Mini"\n  language: nb\n'), "utf-8"
    )
    out = tmp_path / "english"
    result = cli("run", card, data, "--language", "en", "--out", out)
    assert result.code == 0, result.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html and "Summary" in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["language"] == "en"
    # the scorecard as read: its hash is that of the file, whatever the language
    digest = hashlib.sha256(card.read_bytes()).hexdigest()
    assert manifest["inputs"]["scorecard"]["sha256"] == digest


def test_a_run_without_fork_computes_first_and_writes_the_same(tmp_path, monkeypatch, example_run):
    """Where processes cannot be forked (Windows) the analysis is computed in the
    command's own process before the notebooks: the same outputs."""
    import bms_eval.estimation.links as links_module
    import bms_eval.pipeline.producer as producer_module

    monkeypatch.setattr(producer_module, "can_fork", lambda: False)
    monkeypatch.setattr(links_module, "can_fork", lambda: False)
    out = tmp_path / "no_fork"
    run_pipeline(EXAMPLE_CARD, EXAMPLE_DATA, out)
    assert (out / "links.csv").read_bytes() == (example_run / "links.csv").read_bytes()
    assert (out / "status.csv").read_bytes() == (example_run / "status.csv").read_bytes()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == (example_run / "report.html").read_text(
        encoding="utf-8"
    ).count("data:image/png;base64,")


def test_the_command_line_the_report_and_results_json_count_alike(example_run):
    """The example's run: results.json's per-arrow counts, the report's badges and the
    links command's summary line are the same numbers."""
    results = json.loads((example_run / "results.json").read_text(encoding="utf-8"))
    summary = results["summary"]
    counts = {v: n for v, n in summary["verdicts"].items() if n}
    recount = arrow_counts(pd.DataFrame(results["links"]))
    assert counts == {v: n for v, n in recount.items() if n}
    assert sum(counts.values()) == summary["arrows"] < summary["link_lags"]
    html = (example_run / "report.html").read_text(encoding="utf-8")
    t = Texts("nb")
    for verdict, n in counts.items():
        assert f"<b>{n}</b>{t.verdict(verdict)}" in html
    assert t["roll_up_rule"] in html
