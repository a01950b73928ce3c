"""The planner agrees with the tests on public panels (tests/data/public/SOURCES.md):
the current design's power is found with every arrow's effect planted into the
observed panel, an independent count through the public path agrees within Monte
Carlo error, and the plant is the tests' own effect size. (benchmarks/plan_study.py
prints the same check with more draws, beside the model's power.)"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import bms_eval
from bms_eval.estimation.links import link_tests
from bms_eval.estimation.panel import Panel
from bms_eval.inputs.validation import load_inputs
from bms_eval.planning.backends import run_batches
from bms_eval.planning.plasmode import planted_panel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from plan_study import PUBLIC, PUBLIC_CARDS, planted_count

DRAWS = 30
#: Largest difference of two independent shares of DRAWS draws, in combined
#: Monte Carlo standard errors (three: a false alarm about once in 370 per arrow).
MC_Z = 3.0
#: How close the planted panel's standardized estimate is to the effect planted.
PLANT_ATOL = 0.03


@pytest.mark.parametrize("name", list(PUBLIC_CARDS))
def test_the_plan_agrees_with_an_independent_count_of_effects_planted_into_the_data(name):
    card, data = PUBLIC / PUBLIC_CARDS[name], PUBLIC / f"{name}.csv"
    found = bms_eval.plan(card, data, effect=0.2, draws=DRAWS, years=[], seed=5, workers=1)
    brute = planted_count(name, DRAWS, seed=17)
    current = found.current
    for (source, target), b in brute.items():
        p = float(current[(current["from"] == source) & (current["to"] == target)]["power"].iloc[0])
        se = math.sqrt(max((p * (1 - p) + b * (1 - b)) / DRAWS, 1 / DRAWS**2))
        assert abs(p - b) <= MC_Z * se, (source, target, p, b)
    assert "model_power" in current


def test_the_planted_effect_is_the_tests_effect():
    """Planted into airfare, every arrow's standardized estimate is the effect planted
    (a strong real effect taken out leaves its effect less variation: the plant is set
    on the panel as planted, not on the observed SDs)."""
    inputs = load_inputs(PUBLIC / "airfare.yaml", PUBLIC / "airfare.csv")
    card = inputs.scorecard
    table = link_tests(card, inputs.data, influence=False).frame
    planted = planted_panel(Panel.for_links(card, inputs.data), card, table, 0.2)
    from bms_eval.estimation.links import panel_verdicts

    again = panel_verdicts(planted, card)
    for row in again.to_dict("records"):
        expected = 0.2 if row["sign"] == "+" else -0.2
        assert row["std_estimate"] == pytest.approx(expected, abs=PLANT_ATOL), row["from"]


def test_progress_is_reported_as_draws_finish_together():
    """Forked workers run rounds of two batches each: one report per round, the draws
    counted those done by the time given (a report per batch made the time left jump)."""
    from bms_eval.planning.draws import DrawBatch
    from bms_eval.simulation.generate import StudyDesign, planted_arrows
    from bms_eval.simulation.history import fit_history

    inputs = load_inputs(PUBLIC / "jtrain.xlsx", PUBLIC / "jtrain.csv")
    card = inputs.scorecard.fewest_draws()
    history = fit_history(card, inputs.data)
    arrows = tuple(planted_arrows(history, card, 0.2))
    design = StudyDesign(history.n_units, history.n_years)
    batches = [DrawBatch(history, card, arrows, design, 1, a, a + 2) for a in range(0, 16, 2)]
    seen: list[tuple[int, int]] = []
    run_batches(batches, workers=2, progress=lambda done, total, s: seen.append((done, total)))
    from bms_eval.planning.backends import _may_fork

    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 16
    # forked: two rounds of four batches; else (threads running) each batch as it ends
    assert len(seen) == (2 if _may_fork() else 8)


def test_plan_takes_files_as_analyse_does(tmp_path):
    found = bms_eval.plan(
        str(PUBLIC / "jtrain.xlsx"), PUBLIC / "jtrain.csv", draws=20, years=[], workers=1
    )
    assert set(found.current["from"]) == {"grant", "hrsemp", "scrap"}
    with pytest.raises(TypeError, match="data file"):
        bms_eval.plan(PUBLIC / "jtrain.xlsx")
    words = found.by_arrow("en")
    assert set(words["more units for 80%"]) == {"not tried"}
    assert np.all(found.current["power"].between(0, 1))
