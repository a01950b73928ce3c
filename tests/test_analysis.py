"""``bms_eval.analyse``: one analysis, each part computed once, results that show themselves."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

import bms_eval
from bms_eval import LinkResults, estimate_links
from bms_eval.analysis.results import notebook_analysis, write_part
from bms_eval.assessment import Assessment
from bms_eval.assessment.status import StatusResults, scorecard_status
from bms_eval.inputs.validation import QualityReport, load_inputs
from bms_eval.outputs.paths import UsageError
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA


@pytest.fixture(scope="module")
def analysis(example_analysis):
    return example_analysis


def test_top_level_entry_points():
    for name in ("analyse", "Analysis", "estimate_links", "LinkResults", "simulate", "example"):
        assert callable(getattr(bms_eval, name)), name
    with pytest.raises(AttributeError):
        bms_eval.no_such_thing  # noqa: B018


def test_parts_are_the_step_functions_results(analysis, example_links):
    inputs = load_inputs(EXAMPLE_CARD, EXAMPLE_DATA)
    assert isinstance(analysis.links, LinkResults)
    assert analysis.links == example_links  # estimate_links on the same inputs
    assert isinstance(analysis.status, StatusResults)
    pd.testing.assert_frame_equal(
        analysis.status.to_frame(), scorecard_status(inputs.scorecard, inputs.data)
    )
    assert isinstance(analysis.quality, QualityReport)
    assert isinstance(analysis.assessment, Assessment)
    assert set(analysis.assessment.to_dict()) >= {
        "preconditions",
        "result_levels",
        "chain",
        "measurement",
        "learning",
    }


def test_each_part_is_computed_once(monkeypatch):
    calls = []
    import bms_eval.narrative.link_results as links_module

    real = links_module.estimate_links

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(links_module, "estimate_links", counted)
    fresh = bms_eval.analyse(EXAMPLE_CARD, EXAMPLE_DATA)
    fresh.links, fresh.assessment, fresh.compute()
    assert len(calls) == 1
    assert fresh.assessment is fresh.assessment


def test_results_objects_compare_and_hash(analysis):
    again = bms_eval.analyse(EXAMPLE_CARD, EXAMPLE_DATA)
    assert again.links == analysis.links and hash(again.links) == hash(analysis.links)
    assert again.status == analysis.status and again.quality == analysis.quality
    assert again.assessment == analysis.assessment
    assert analysis.links != "something else"


def test_link_results_access_and_intervals(analysis):
    table = analysis.links.to_frame()
    first = table.iloc[0]
    arrow = analysis.links[first["from"], first["to"]]
    assert (arrow["from"] == first["from"]).all() and len(arrow) >= 1
    one = analysis.links[first["from"], first["to"], int(first["lag"])]
    assert one["estimate"] == first["estimate"]
    with pytest.raises(KeyError, match="no test of"):
        analysis.links["nope", "nada"]
    ci = analysis.links.conf_int()
    assert list(ci.columns) == ["lower", "upper"]
    assert ci.iloc[0]["lower"] == first["ci_low"] and ci.iloc[0]["upper"] == first["ci_high"]
    std = analysis.links.conf_int(standardized=True)
    assert std.iloc[0]["lower"] == first["std_ci_low"]


def test_results_display_the_same_table(analysis):
    for part in (analysis.quality, analysis.status, analysis.links, analysis.assessment):
        text, html = repr(part), part._repr_html_()
        assert text and html.startswith(("<div", "<p"))
    status = analysis.status
    assert set(status.indicators["indicator"]) == set(status.units["indicator"])
    assert (status.to_frame()["level"] == "indicator").sum() == len(status.indicators)


def test_assessment_is_read_only(analysis):
    block = analysis.assessment.to_dict()
    block["headline"].append("changed")
    assert "changed" not in analysis.assessment.headline()
    chain = analysis.assessment.chain_table()
    assert len(chain) == len(block["chain"]["indirect_effects"]) + len(block["chain"]["breaks"])


def test_write_makes_the_outputs_and_refuses_a_users_folder(analysis, tmp_path):
    out = analysis.write(tmp_path / "report")
    for name in ("report.html", "links.csv", "status.csv", "results.json", "manifest.json"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["assessment"] == json.loads(json.dumps(analysis.assessment.to_dict()))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(UsageError):
        analysis.write(mine)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_notebook_analysis_reads_the_runs_parts(analysis, tmp_path):
    parts = tmp_path / ".parts"
    bare = bms_eval.Analysis(analysis.inputs)
    write_part(parts, "analysis.pickle", pickle.dumps(bare))
    write_part(parts, "links.pickle", pickle.dumps(analysis.links))
    shown = notebook_analysis("", "", str(tmp_path))
    assert shown.run_parts == parts
    assert shown.links == analysis.links
    write_part(parts, "failed.txt", b"the analysis failed: boom")
    with pytest.raises(bms_eval.analysis.results.AnalysisFailed, match="boom"):
        shown.status  # noqa: B018


def test_prose_is_written_at_the_edges_in_any_language(analysis):
    """Verdicts and numbers are computed once; reasons and assessment prose are
    written from them in the language asked for."""
    nb = analysis.links.to_frame()
    en = analysis.links.to_frame("en")
    assert list(nb["verdict"]) == list(en["verdict"])
    pd.testing.assert_frame_equal(nb.drop(columns="reason"), en.drop(columns="reason"))
    assert analysis.scorecard.language == "nb"
    assert nb["reason"].str.contains("innen en enhet|enheter|justert", regex=True).any()
    assert en["reason"].str.contains("within a unit|adjusted", regex=True).any()
    assert "Verdicts per arrow" in analysis.links.summary("en")
    english = analysis.assessment.to_dict("en")
    norwegian = analysis.assessment.to_dict()
    assert english["chain"] == norwegian["chain"]
    assert english["measurement"] == norwegian["measurement"]
    assert english["headline"] != norwegian["headline"]
    assert [p["status"] for p in english["preconditions"]] == [
        p["status"] for p in norwegian["preconditions"]
    ]
    again = pickle.loads(pickle.dumps(analysis.assessment))
    assert again == analysis.assessment and again.to_dict("nn")["headline"]


def test_link_tests_are_the_same_with_any_number_of_workers(example_inputs, example_links):
    """Every random draw is seeded by the link it serves: one process or several,
    the same table."""
    inputs = example_inputs
    one = example_links  # the example's 8 link-lags are tested in one process
    two = estimate_links(inputs.scorecard, inputs.data, workers=2)
    assert one == two
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())


def test_the_analysis_shows_what_it_holds(analysis):
    html = analysis._repr_html_()
    assert "<code>.links</code> (computed)" in html and "figure_tags" in html
    assert "computed: quality, status, links, diagnostics, assessment" in repr(analysis)
