"""``bms-eval run --discover``: discovered.csv, results.json's ``discovery``, the map in
use in the report and its notebook, the drawn arrows untouched, verify replays it; the
assessment reads what discovery confirms."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bms_eval.assessment.discovered import (
    discovered_questions,
    unconsidered_consequences,
    unconsidered_means,
)
from bms_eval.assessment.roles import roles
from bms_eval.estimation.discovery import DISCOVERY_COLUMNS
from bms_eval.narrative.texts import Texts
from bms_eval.pipeline.run import RunSettings, run_pipeline
from bms_eval.pipeline.verify import verify
from bms_eval.simulation.undrawn import scorecard_text, undrawn_panel
from tests.test_results_schema import validate


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One simulated history (150 units × 12 years, one undrawn true arrow) run with
    and without ``--discover``."""
    folder = tmp_path_factory.mktemp("discover")
    _, data, truth = undrawn_panel(units=150, periods=12, seed=3)
    card_path, data_path = folder / "card.yaml", folder / "data.csv"
    card_path.write_text(scorecard_text(8), encoding="utf-8")
    data.to_csv(data_path, index=False)
    run_pipeline(card_path, data_path, folder / "with", settings=RunSettings(discover=True))
    run_pipeline(card_path, data_path, folder / "without")
    return folder, truth


def test_discovered_csv_and_results_json_agree(runs):
    folder, truth = runs
    table = pd.read_csv(folder / "with" / "discovered.csv")
    assert list(table.columns) == list(DISCOVERY_COLUMNS)
    confirmed = table[table["confirmed"]]
    assert (truth[0], truth[1], truth[2]) in set(
        zip(confirmed["from"], confirmed["to"], confirmed["lag"], strict=True)
    )
    assert set(table["holdout"]) == {"units"}
    results = json.loads((folder / "with" / "results.json").read_text(encoding="utf-8"))
    block = results["discovery"]
    assert block["holdout"]["by"] == "units" and block["tested"] == len(table)
    assert len(block["holdout"]["discover"]) + len(block["holdout"]["confirm"]) == 150
    assert [r["from"] for r in block["arrows"]] == list(table["from"])
    found = block["map_in_use"]["found_not_drawn"]
    assert [(r["from"], r["to"], r["lag"]) for r in found] == list(
        zip(confirmed["from"], confirmed["to"], confirmed["lag"], strict=True)
    )
    validate(folder / "with" / "results.json")  # the schema holds the discovery block too
    # its learning questions join the assessment's
    links = {q["link"] for q in results["assessment"]["learning"] if q.get("discovered")}
    assert f"{truth[0]}>{truth[1]}>{truth[2]}" in links


def test_drawn_arrows_identical_with_and_without_discovery(runs):
    folder, _ = runs
    for name in ("links.csv", "status.csv"):
        assert (folder / "with" / name).read_bytes() == (folder / "without" / name).read_bytes()
    assert not (folder / "without" / "discovered.csv").exists()
    without = json.loads((folder / "without" / "results.json").read_text(encoding="utf-8"))
    assert "discovery" not in without


def test_report_and_notebook_show_the_map_in_use(runs):
    folder, _ = runs
    report = (folder / "with" / "report.html").read_text(encoding="utf-8")
    assert '<section id="discovery">' in report
    assert Texts("en")["disc_found_title"] in report
    assert report.count("data:image/png") == (
        (folder / "without" / "report.html").read_text(encoding="utf-8").count("data:image/png") + 1
    )
    assert (folder / "with" / "notebooks" / "06_discovery.ipynb").is_file()
    assert not (folder / "without" / "notebooks" / "06_discovery.ipynb").exists()
    manifest = json.loads((folder / "with" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["discover"] is True


def test_verify_replays_the_discovery(runs):
    folder, _ = runs
    found = verify(folder / "with")
    assert found.ok, found.notes


def test_confirmed_arrows_are_unconsidered_means_and_consequences():
    card, _, _ = undrawn_panel(indicators=6, units=40, periods=6, seed=1)
    card_roles = roles(card)
    # drawn K01 → K02, K03 → K04, K05 → K06: the targets are the ends, the sources means
    confirmed = pd.DataFrame(
        {
            "from": ["K03", "K02"],
            "to": ["K02", "K03"],
            "lag": [1, 1],
            "holdout_verdict": ["supported", "reciprocal"],
            "holdout_cautions": ["", "few_units"],
        }
    )
    assert unconsidered_means(card_roles, confirmed) == ["K03 → K02"]
    assert unconsidered_consequences(card_roles, confirmed) == ["K03 → K02"]
    assert unconsidered_means(card_roles, None) == []
    questions = discovered_questions(card, confirmed, Texts("nn"))
    assert len(questions) == 8 and all(q["discovered"] for q in questions)
    assert questions[4]["cautions"] == ["few_units"]
    assert "K03" in questions[0]["question"]
