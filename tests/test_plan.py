"""The planner (``bms-eval plan``): its model of the history, its simulated panels,
its power against a brute-force count, and its reproducibility across backends.

Seeded and small; ``benchmarks/plan_study.py`` prints the larger study.
"""

from __future__ import annotations

import dataclasses
import math
import threading

import numpy as np
import pandas as pd
import pytest

from bms_eval import estimate_links
from bms_eval.estimation.links import panel_verdicts
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.planning.backends import _may_fork
from bms_eval.planning.crosscheck import independent_truth
from bms_eval.planning.options import PlanOptionError, PlanOptions
from bms_eval.planning.power import (
    PLAN_COLUMNS,
    detectable_effect,
    plan,
    plan_history,
    wilson,
)
from bms_eval.simulation.generate import StudyDesign, design_masks, planted_arrows, simulate_design
from bms_eval.simulation.history import History, fit_history, mean_share
from bms_eval.simulation.truth import simulate

CARD = """\
scorecard: {name: plan test}
perspectives: [{id: p}]
indicators:
  - {id: X, name: "cause X", perspective: p}
  - {id: Y, name: "effect Y", perspective: p}
  - {id: Z, name: "other Z", perspective: p}
links:
  - {from: X, to: Y, lag: 1, sign: "+"}
  - {from: Z, to: Y, lag: 0, sign: "-"}
analysis: {effects: twoway, alpha: 0.05, min_effect: 0.2}
"""
PROCESS = {"sd_between": 2.0, "sd_within": 1.0, "sd_period": 0.3, "decimals": None, "mean": 10.0}
TRUE_PERSISTENCE = {"X": 0.5, "Y": 0.2, "Z": 0.0}

#: Tolerances of the history's fit on a 200 × 12 panel (sampling error, with room).
PERSISTENCE_TOL = 0.08
SD_RTOL = 0.12


def card():
    c, problems = parse_scorecard(CARD, "plan.yaml")
    assert c is not None, [str(p) for p in problems]
    return c


def history_panel(units: int, periods: int, seed: int = 1) -> pd.DataFrame:
    """A history with no effects: three independent indicators of known structure."""
    return simulate(
        card(),
        units=units,
        periods=periods,
        seed=seed,
        indicators={k: {**PROCESS, "persistence": r} for k, r in TRUE_PERSISTENCE.items()},
    )


def test_the_history_model_recovers_a_known_structure():
    h = fit_history(card(), history_panel(200, 12))
    for k, rho in TRUE_PERSISTENCE.items():
        got = h.indicators[k]
        assert got.persistence == pytest.approx(rho, abs=PERSISTENCE_TOL), k
        stationary = PROCESS["sd_within"] / math.sqrt(1 - rho**2)  # simulate's is the shock's
        assert got.sd_within == pytest.approx(stationary, rel=SD_RTOL), k
        assert got.sd_between == pytest.approx(PROCESS["sd_between"], rel=SD_RTOL), k
        assert got.mean == pytest.approx(PROCESS["mean"], abs=0.5), k
        assert got.decimals is None or got.decimals >= 6
    # independent in truth: the fitted correlations are small
    off = h.innovation_corr[~np.eye(3, dtype=bool)]
    assert np.all(np.abs(off) < 0.1)


def test_a_unit_mean_holds_the_share_of_an_ar1_variance():
    # white noise: 1/T; a random walk's limit: everything
    assert mean_share(0.0, 10) == pytest.approx(0.1)
    assert mean_share(0.99, 10) > 0.9
    draws = np.random.default_rng(0).standard_normal((20000, 30))
    series = np.zeros_like(draws)
    series[:, 0] = draws[:, 0] / math.sqrt(1 - 0.6**2)
    for t in range(1, 30):
        series[:, t] = 0.6 * series[:, t - 1] + draws[:, t]
    window = series[:, 20:]  # stationary, 10 periods
    share = window.mean(axis=1).var() / window.var()
    assert mean_share(0.6, 10) == pytest.approx(share, rel=0.05)


def _with_correlation(h: History, rho: float) -> History:
    corr = np.eye(len(h.ids))
    corr[0, 2] = corr[2, 0] = rho  # X and Z: not joined by an arrow
    return dataclasses.replace(h, innovation_corr=corr, level_corr=np.eye(len(h.ids)))


def test_simulated_panels_keep_the_fitted_structure_and_the_planted_effect():
    c = card()
    h = _with_correlation(fit_history(c, history_panel(200, 12)), 0.5)
    design = StudyDesign(300, 15)
    arrows = planted_arrows(h, c, 0.4)
    panel = simulate_design(h, arrows, design, design_masks(h, design, 3), np.random.default_rng(3))
    refit = fit_history(c, _tidy(panel))
    # the cross-correlation of the innovations and each indicator's persistence return
    assert refit.innovation_corr[0, 2] == pytest.approx(0.5, abs=0.06)
    assert refit.indicators["X"].persistence == pytest.approx(
        h.indicators["X"].persistence, abs=PERSISTENCE_TOL
    )
    # the planted effect, in within-unit SDs, is what a within regression finds
    x, y = _within(panel.values["X"])[:, :-1], _within(panel.values["Y"])[:, 1:]
    z = _within(panel.values["Z"])[:, 1:]
    design_matrix = np.column_stack([x.ravel(), z.ravel()])
    beta = np.linalg.lstsq(design_matrix, y.ravel(), rcond=None)[0]
    assert beta[0] * x.std() / y.std() == pytest.approx(0.4, abs=0.04)
    assert beta[1] * z.std() / y.std() == pytest.approx(-0.4, abs=0.04)  # sign "-"


def _within(grid: np.ndarray) -> np.ndarray:
    out = grid - grid.mean(axis=1, keepdims=True)
    return out - out.mean(axis=0, keepdims=True)


def _tidy(panel) -> pd.DataFrame:
    rows = []
    for k, grid in panel.values.items():
        units, periods = np.meshgrid(np.arange(grid.shape[0]), panel.periods, indexing="ij")
        rows.append(
            pd.DataFrame(
                {
                    "unit": np.asarray(panel.units)[units.ravel()],
                    "period": periods.ravel(),
                    "indicator": k,
                    "value": grid.ravel(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_missing_cells_keep_the_history_pattern_and_rate():
    data = history_panel(20, 8)
    gaps = (data["indicator"] == "X") & (data["unit"].isin(["U01", "U02"]))
    data.loc[gaps, "value"] = np.nan  # two units never report X
    h = fit_history(card(), data)
    masks = design_masks(h, StudyDesign(40, 12), 0)
    x = masks["X"]
    assert x.shape == (40, 12)
    assert not x[:2, :8].any() and x[2:20, :8].all()  # the history's own cells
    # added units copy a history unit's pattern: about 2 in 20 never report X
    assert 0 <= (~x[20:, :8].any(axis=1)).sum() <= 8
    # the latest periods missed X for 2 units of 20: later years at that rate
    assert x[:, 8:].mean() == pytest.approx(0.9, abs=0.1)


def test_each_draw_is_tested_as_estimate_links_tests_its_panel():
    """The planner's analysis of a simulated panel is the public one: the panel as tidy
    data through ``estimate_links`` gives the same verdicts and estimates, draw by draw
    (the quick twin of the brute-force count below)."""
    c = card()
    h = fit_history(c, history_panel(12, 8, seed=5))
    arrows = planted_arrows(h, c, 0.35)
    design = StudyDesign(12, 8)
    masks = design_masks(h, design, 11)
    quick = dataclasses.replace(c, analysis=dataclasses.replace(c.analysis, bootstrap_draws=999))
    for draw in range(3):
        panel = simulate_design(h, arrows, design, masks, np.random.default_rng([11, 12, 8, draw]))
        planner = panel_verdicts(panel, quick)
        tidy = pd.DataFrame(
            [
                {"unit": unit, "period": int(period), "indicator": k, "value": grid[i, j]}
                for k, grid in panel.values.items()
                for i, unit in enumerate(panel.units)
                for j, period in enumerate(panel.periods)
            ]
        )
        public = estimate_links(quick, tidy, influence=False, workers=1).to_frame()
        assert list(planner["verdict"]) == list(public["verdict"])
        for column in ("estimate", "std_estimate", "forward_std_estimate", "p_adjusted"):
            np.testing.assert_allclose(
                planner[column].astype(float), public[column].astype(float), rtol=1e-12
            )


@pytest.mark.slow
def test_power_agrees_with_a_brute_force_count_of_links():
    """The planner's power against an independent path: the same truth generated by
    ``simulate()``, tested by ``estimate_links`` through tidy data, counted here."""
    c = card()
    effect, draws = 0.35, 100
    h, processes, truth = independent_truth(fit_history(c, history_panel(12, 8, seed=5)), c, effect)
    options = PlanOptions(effect=effect, years=(), draws=draws, workers=2, seed=11)
    planned = plan_history(c, h, options)
    power = planned.current.set_index(["from", "to"])["power"]
    quick = dataclasses.replace(c, analysis=dataclasses.replace(c.analysis, bootstrap_draws=999))
    found = {("X", "Y"): 0, ("Z", "Y"): 0}
    for seed in range(draws):
        data = simulate(c, truth, units=12, periods=8, seed=1000 + seed, indicators=processes)
        table = estimate_links(quick, data, influence=False, workers=1).to_frame()
        for r in table.to_dict("records"):
            found[(r["from"], r["to"])] += r["verdict"] in ("supported", "reciprocal")
    for key, hits in found.items():
        brute = hits / draws
        se = math.sqrt(max(brute * (1 - brute), 0.05) * 2 / draws)
        assert power[key] == pytest.approx(brute, abs=3 * se), key
    assert 0.1 < power[("X", "Y")] < 0.95  # a test that could show a difference


@pytest.fixture(scope="module")
def small_history():
    return history_panel(10, 7, seed=2)


@pytest.fixture(scope="module")
def tiny_history():
    return history_panel(8, 6, seed=2)


def test_power_rises_with_years_quick(small_history):
    """A twice-as-long history finds a larger effect more often (20 draws per design:
    make test's version of the test below)."""
    c = card()
    found = plan(c, small_history, effect=0.45, years=[14], draws=20, seed=4)
    for (source, target), rows in found.table.groupby(["from", "to"]):
        by_years = rows.sort_values("years")["power"].to_numpy()
        assert by_years[-1] > by_years[0], (source, target, by_years)


@pytest.mark.slow
def test_power_rises_with_years_and_units(small_history):
    c = card()
    found = plan(c, small_history, effect=0.3, years=[10], units=[20], draws=30, seed=4)
    table = found.table
    for (source, target), rows in table.groupby(["from", "to"]):
        by_years = rows[rows["design"] != "units"].sort_values("years")["power"].to_numpy()
        se = math.sqrt(0.25 * 2 / 30)
        assert np.all(np.diff(by_years) > -2 * se), (source, target, by_years)
        assert by_years[-1] > by_years[0], (source, target)
        more_units = rows.loc[rows["design"] == "units", "power"].iloc[0]
        assert more_units > by_years[0], (source, target)
    assert list(table.columns) == list(PLAN_COLUMNS)
    # further years: the fewest added years among the designs that reach 80 %
    for r in found.current.to_dict("records"):
        reached = table[
            (table["from"] == r["from"])
            & (table["to"] == r["to"])
            & (table["design"] != "units")
            & (table["power"] >= 0.8)
        ]
        expected = reached["years"].min() - 7 if len(reached) else None
        got = r["further_years_needed"]
        assert (pd.isna(got) and expected is None) or got == expected


def test_the_same_seed_gives_the_same_plan_on_any_backend(tiny_history):
    c = card()
    kwargs = {"effect": 0.3, "years": [], "draws": 20, "seed": 8}
    one = plan(c, tiny_history, workers=1, **kwargs).table
    two = plan(c, tiny_history, workers=2, **kwargs).table
    pd.testing.assert_frame_equal(one, two)
    # a process with another thread does not fork its workers (loky starts them)
    waiting = threading.Event()
    other_thread = threading.Thread(target=waiting.wait)
    other_thread.start()
    try:
        assert not _may_fork()
        by_loky = plan(c, tiny_history, workers=2, **kwargs).table
    finally:
        waiting.set()
        other_thread.join()
    pd.testing.assert_frame_equal(one, by_loky)
    distributed = pytest.importorskip("distributed")
    # the scheduler by its address, as --scheduler gives it
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        on_dask = plan(c, tiny_history, scheduler=cluster.scheduler_address, **kwargs).table
    pd.testing.assert_frame_equal(one, on_dask)
    # (and the seed matters: the equalities above could fail)
    other = plan(c, tiny_history, workers=2, **{**kwargs, "seed": 9}).table
    assert not other["power"].equals(one["power"])


def test_plan_options_out_of_range_are_refused(small_history):
    c = card()
    for bad in (
        {"effect": 0.0},
        {"effect": math.nan},
        {"draws": 5},
        {"years": [2]},
        {"years": [1_000_000]},
        {"units": [100_000_000]},
        {"units": [99_999], "years": [100]},  # 9 999 900 cells: too many
        {"seed": -1},
        {"draws": 10**9},
    ):
        with pytest.raises(PlanOptionError):
            plan(c, small_history, **{"draws": 20, **bad})


def test_wilson_interval_and_detectable_effect():
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)
    # exactly 0 and 1 at the ends (printed, not 3.5e-18)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(0, 100)[0] == 0.0 and wilson(100, 100)[1] == 1.0
    spread = np.random.default_rng(0).normal(0.2, 0.1, 400)
    # at 80 % power the effect itself; below it a larger one; above it a smaller one
    assert detectable_effect(0.2, 0.8, spread, 400) == pytest.approx(0.2, abs=1e-12)
    assert detectable_effect(0.2, 0.3, spread, 400) > 0.2 + 0.05
    assert detectable_effect(0.2, 0.95, spread, 400) < 0.2
    assert math.isnan(detectable_effect(0.2, 0.5, np.full(5, np.nan), 5))


def test_an_indicator_never_measured_leaves_its_arrows_untestable(small_history):
    from bms_eval.assessment.power import untestable

    without_z = small_history[small_history["indicator"] != "Z"]
    found = plan(card(), without_z, years=[10], draws=20, workers=1, seed=3)
    z = found.table[found.table["from"] == "Z"]
    assert (z["power"] == 0).all() and z["further_years_needed"].isna().all()
    assert "Z>Y>0" in untestable(found)
    assert found.history.indicators["Z"].recent_missing == 1.0
