"""The bundled examples are exactly what their documented truth generates."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from bms_eval.inputs import load_data, load_scorecard
from tests.conftest import ROOT


def _make_examples():
    spec = importlib.util.spec_from_file_location(
        "make_examples", ROOT / "data" / "make_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["example", "heimdal"])
def test_committed_data_is_regenerated_exactly(name):
    panel, truth = _make_examples().build(name)
    committed = load_data(ROOT / "data" / name / "indicators.csv").frame
    pd.testing.assert_frame_equal(committed, panel)
    pd.testing.assert_frame_equal(
        pd.read_csv(ROOT / "data" / name / "truth.csv"), truth.astype({"lag": "int64"})
    )


@pytest.mark.parametrize("name", ["example", "heimdal"])
def test_truth_is_documented_in_the_readme(name):
    readme = (ROOT / "data" / name / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    truth = pd.read_csv(ROOT / "data" / name / "truth.csv")
    for source, target in zip(truth["from"], truth["to"], strict=True):
        assert f"{source} → {target}" in readme


def test_example_has_the_promised_shape():
    card = load_scorecard(ROOT / "data" / "example" / "example.yaml")
    data = load_data(ROOT / "data" / "example" / "indicators.csv")
    assert 25 <= len(data.units) <= 35 and len(data.periods) == 10
    assert {p.id for p in card.perspectives} == {
        "economy",
        "processes",
        "employees",
        "users",
        "learning",
    }
    truth = _make_examples().EXAMPLE_TRUTH
    linked = {(lk.source, lk.target) for lk in card.links}
    kinds = {
        "within": [t for t in truth if t.get("within") and (t["from"], t["to"]) in linked],
        "between_only": [t for t in truth if t.get("between") and not t.get("within")],
        "reverse": [t for t in truth if t.get("reverse")],
    }
    assert all(kinds.values()), kinds
    in_truth = {(t["from"], t["to"]) for t in truth}
    assert linked - in_truth, "at least one assumed link is absent from the truth"
