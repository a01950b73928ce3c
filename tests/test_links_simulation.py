"""Simulation study: the link tests against panels whose truth is known.

Seeded, so every run is the same. The studies marked ``slow`` (hundreds of panels)
run in ``make study``; ``make test`` runs each on fewer panels, with bounds that
still fail a method whose size or coverage is wrong.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
from pathlib import Path

import numpy as np
import pytest

from bms_eval import estimate_links
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.truth import simulate

CARD = """\
scorecard: {{name: simulation}}
perspectives: [{{id: p}}]
indicators:
  - {{id: X, name: "cause X", perspective: p}}
  - {{id: Y, name: "effect Y", perspective: p}}
links:
  - {{from: X, to: Y, lag: 1, sign: "{sign}"}}
analysis: {{bootstrap_draws: 999, effects: {effects}, alpha: 0.05, min_effect: 0.2}}
"""
EXACT = {"X": {"decimals": None}, "Y": {"decimals": None}}


def card(sign: str = "+", effects: str = "twoway"):
    c, problems = parse_scorecard(CARD.format(sign=sign, effects=effects), "simulation.yaml")
    assert c is not None, [str(p) for p in problems]
    return c


def run(
    truth,
    units,
    periods=10,
    seed=0,
    sign="+",
    indicators=None,
    effects="twoway",
    influence=True,
):
    c = card(sign, effects)
    panel = simulate(
        c, truth, units=units, periods=periods, seed=seed, indicators=indicators or EXACT
    )
    return estimate_links(c, panel, influence=influence).to_frame().iloc[0]


def _run(kwargs: dict):
    return run(**kwargs)


def runs(calls: list[dict]) -> list:
    """Independent :func:`run` calls, on two processes where the system can fork
    (the size and coverage studies take a minute on one core)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return [run(**c) for c in calls]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        return list(pool.map(_run, calls, chunksize=20))


# Measured with 2 000 panels of 8 units × 10 years (iid and persistent data alike):
# the restricted wild cluster bootstrap rejects a true null about 4.6–5 % of the
# time with unit effects, but 6–7 % with two-way effects, where the period means
# tie the 8 clusters together (wildboottest gives the same rates). Two-way
# intervals therefore cover about 93 % rather than 95 %; the bounds below allow
# that and no more.
COVERAGE_UNIT = (0.93, 0.97)
COVERAGE_TWOWAY = (0.92, 0.97)


def _no_effect(panels: int, effects: str) -> tuple[float, float]:
    """On ``panels`` seeded panels of 8 units with no true effect: the share found
    'supported' and the share of intervals that cover the truth (0), every one from
    the wild cluster bootstrap. (The size of the tests: their influence columns are
    not what is measured.)"""
    rows = runs(
        [
            {"truth": [], "units": 8, "seed": s, "effects": effects, "influence": False}
            for s in range(panels)
        ]
    )
    assert all(r["inference"] == "wild_bootstrap" for r in rows)
    supported = float(np.mean([r["verdict"] == "supported" for r in rows]))
    return supported, float(np.mean([r["ci_low"] <= 0.0 <= r["ci_high"] for r in rows]))


def _true_effect(panels: int, beta: float = 0.5) -> tuple[float, float]:
    """On ``panels`` seeded panels of 8 units with a true effect ``beta``: the share of
    intervals that cover it and the share found 'supported'."""
    truth = [{"from": "X", "to": "Y", "lag": 1, "within": beta}]
    rows = runs(
        [
            {"truth": truth, "units": 8, "seed": 10_000 + s, "influence": False}
            for s in range(panels)
        ]
    )
    covered = float(np.mean([r["ci_low"] <= beta <= r["ci_high"] for r in rows]))
    return covered, float(np.mean([r["verdict"] == "supported" for r in rows]))


@pytest.mark.slow
@pytest.mark.parametrize("effects,bounds", [("twoway", COVERAGE_TWOWAY), ("unit", COVERAGE_UNIT)])
def test_eight_units_no_effect_size_and_coverage(effects, bounds):
    """8 units, no true effect: 'supported' at most 8 % of the time; 95 % intervals
    cover the truth (wild cluster bootstrap). 500 seeded panels; the rates above were
    measured on 2 000."""
    supported, covered = _no_effect(500, effects)
    assert supported <= 0.08
    assert bounds[0] <= covered <= bounds[1]


#: Bounds for the quick versions below (120 and 80 panels): about three binomial
#: standard errors around the rates measured on 2 000 panels, so intervals that cover
#: less than about 87 % of the time, or a size above 10 %, fail them.
QUICK_COVERAGE = (0.87, 0.995)
QUICK_SUPPORTED = 0.10


def test_eight_units_no_effect_size_and_coverage_quick():
    """The size and coverage study above on 120 panels, two-way effects."""
    supported, covered = _no_effect(120, "twoway")
    assert supported <= QUICK_SUPPORTED
    assert QUICK_COVERAGE[0] <= covered <= QUICK_COVERAGE[1]


def test_eight_units_true_effect_coverage_quick():
    """The coverage of a true effect on 80 panels."""
    covered, supported = _true_effect(80)
    assert QUICK_COVERAGE[0] <= covered <= QUICK_COVERAGE[1]
    # about 0.54 before the robustness designs; a design the data call for that cannot
    # confirm the finding with 8 units costs about a tenth of it
    assert supported > 0.4, "power is not nil"


@pytest.mark.slow
def test_eight_units_true_effect_coverage():
    covered, supported = _true_effect(400)
    assert COVERAGE_TWOWAY[0] <= covered <= COVERAGE_TWOWAY[1]
    assert supported > 0.4, "power is not nil"


CASES = {
    "reciprocal": dict(
        truth=[{"from": "X", "to": "Y", "lag": 1, "within": 0.5, "reverse": 0.6}], units=60
    ),
    "supported": dict(truth=[{"from": "X", "to": "Y", "lag": 1, "within": 0.5}], units=60),
    "contradicted": dict(truth=[{"from": "X", "to": "Y", "lag": 1, "within": -0.5}], units=60),
    "reverse": dict(truth=[{"from": "X", "to": "Y", "lag": 1, "reverse": 0.6}], units=60),
    "between_only": dict(truth=[{"from": "X", "to": "Y", "lag": 1, "between": 1.5}], units=60),
    "no_effect": dict(truth=[], units=300),
    "inconclusive": dict(truth=[], units=6, periods=5),
    "insufficient_data": dict(
        truth=[], units=30, indicators={"X": {"sd_within": 0.0, "sd_period": 0.0, "decimals": None}}
    ),
}


@pytest.mark.parametrize("verdict", sorted(CASES))
def test_a_case_built_for_each_verdict_gets_it(verdict):
    """Each case gets its verdict in at least 8 of 10 panels: a test at 5 % may err by
    chance in one panel (about 5 % of the time), not as a rule."""
    rows = [run(**CASES[verdict], seed=seed) for seed in range(10)]
    got = [row["verdict"] for row in rows]
    assert got.count(verdict) >= 8, (got, rows[0]["reason"])
    assert all(row["reason"] for row in rows)


def test_negative_sign_expected_and_found_is_supported():
    rows = [
        run([{"from": "X", "to": "Y", "lag": 1, "within": -0.5}], units=60, sign="-", seed=seed)
        for seed in range(10)
    ]
    got = [row["verdict"] for row in rows]
    assert got.count("supported") >= 8, got
    assert "as the scorecard assumes" in rows[got.index("supported")]["reason"]


def test_bootstrap_is_said_in_the_reason_and_cluster_se_above_50_units():
    few = run([], units=12, seed=1)
    many = run([], units=60, seed=1)
    assert (
        few["inference"] == "wild_bootstrap" and "wild cluster bootstrap" in few["reason"].lower()
    )
    assert many["inference"] == "cluster" and "bootstrap" not in many["reason"]


def test_single_unit_runs_and_says_what_it_dropped():
    row = run([{"from": "X", "to": "Y", "lag": 1, "within": 0.5}], units=1, periods=12)
    assert row["n_units"] == 1 and row["inference"] == "robust"
    assert "period effects left out" in row["notes"]
    assert row["verdict"] in {"supported", "inconclusive", "reverse", "no_effect"}
    short = run([], units=1, periods=5)
    assert short["verdict"] == "insufficient_data" and "at least 6" in short["reason"]


def _direction_cell(spec: tuple) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from direction_study import cell

    return cell(spec)


def test_direction_study_quick():
    """The study's hardest cell on 12 panels: truth only Y → X, persistent indicators.
    The static test called such arrows 'supported' every time; the direction test at
    most 2 of 12 (and finds the reverse arrow in most)."""
    reverse_truth = _direction_cell((100, 10, 0.9, "reverse", 12))
    assert reverse_truth["supp"] <= 2 / 12
    assert reverse_truth["found"] >= 0.5


@pytest.mark.slow
def test_direction_study_subset():
    """Two of the direction study's hard cells (benchmarks/direction_study.py), seeded
    and smaller. Truth only Y → X with persistent indicators: the static test called
    such arrows 'supported' every time; now at most 3 of 30 panels (5 % plus Monte
    Carlo error). No effect, 30 units: the reverse test rejects at most 4 of 20
    (p < 0.02 if its size were 5 %)."""
    reverse_truth = _direction_cell((100, 10, 0.9, "reverse", 30))
    assert reverse_truth["supp"] <= 3 / 30
    assert reverse_truth["found"] >= 0.5  # and the reverse arrow is mostly found
    no_effect = _direction_cell((30, 10, 0.8, "none", 20))
    assert no_effect["rev"] <= 4 / 20
    assert no_effect["supp"] <= 2 / 20


def test_too_few_years_fall_back_to_the_static_test_and_say_so():
    row = run([{"from": "X", "to": "Y", "lag": 1, "within": 0.5}], units=60, periods=6)
    assert row["direction_method"] == "not_checked"
    assert np.isnan(row["forward_p_value"]) and np.isnan(row["reverse_p_value"])
    assert row["verdict"] == "supported"  # the static test decides
    assert "The direction was not checked (only 4 years have both" in row["reason"]


def test_a_same_year_arrow_says_what_yearly_data_cannot_order():
    text = CARD.format(sign="+", effects="twoway").replace("lag: 1", "lag: 0")
    c, _ = parse_scorecard(text, "same_year.yaml")
    panel = simulate(
        c, [{"from": "X", "to": "Y", "lag": 0, "within": 0.5}], units=60, seed=1, indicators=EXACT
    )
    row = estimate_links(c, panel).to_frame().iloc[0]
    assert row["direction_method"] == "bias_corrected_fe"
    assert np.isfinite(row["lag1_forward_p_value"]) and np.isfinite(row["lag1_reverse_p_value"])
    assert "Yearly data cannot order effects within a year" in row["reason"]
    assert "a year apart, cause X predicted effect Y with p" in row["reason"]
