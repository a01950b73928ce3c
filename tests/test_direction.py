"""The bias-corrected direction tests (bms_eval.estimation.direction).

References: linearmodels' PanelOLS for the uncorrected within part, Nickell's
(1981) closed-form bias for the pure autoregression, and simulated
cross-lagged panels whose true effects are known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from bms_eval.estimation.direction import cross_lagged, pair_terms
from bms_eval.estimation.direction_equations import (
    MIN_DIRECTION_PERIODS,
    Dynamics,
    build_equation,
    without_unit,
)
from bms_eval.estimation.direction_jackknife import PairStack
from bms_eval.estimation.direction_solver import PairModel
from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.panel import Panel
from bms_eval.simulation.truth import simulate_pair

#: Agreement with linearmodels on the same regression (floating point only).
REFERENCE_RTOL = 1e-8


def _wide(df: pd.DataFrame, lags: int = 2) -> pd.DataFrame:
    w = df.pivot_table(index=["unit", "period"], columns="indicator", values="value")
    w = w.reset_index().sort_values(["unit", "period"])
    for name in ("X", "Y"):
        for lag in range(1, lags + 1):
            w[f"{name}{lag}"] = w.groupby("unit")[name].shift(lag)
    return w.dropna().set_index(["unit", "period"])


def pair_equations(df: pd.DataFrame, twoway: bool = True, kind: str = "within"):
    """The panel of a simulated pair and the forward (``X → Y``) and reverse equations
    of its direction test at lag 1."""
    panel = Panel.from_data(df)
    scale = {k: panel.spread(k) for k in ("X", "Y")}
    pair = {"Y": 0, "X": 1}
    fwd = build_equation(panel, scale, "Y", pair_terms("Y", "X", 1, []), pair, twoway, kind)
    rev = build_equation(panel, scale, "X", pair_terms("X", "Y", 1, []), pair, twoway, kind)
    return panel, fwd, rev


@pytest.mark.parametrize("twoway", [False, True], ids=["unit", "twoway"])
def test_uncorrected_part_equals_linearmodels(twoway):
    df = simulate_pair(units=40, periods=9, persistence_y=0.7, forward=0.2, seed=3)
    pair = cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], twoway)
    w = _wide(df)
    # each equation: own lag, the other indicator at the lag and one period before
    forward = PanelOLS(w["Y"], w[["Y1", "X1", "X2"]], entity_effects=True, time_effects=twoway)
    reverse = PanelOLS(w["X"], w[["X1", "Y1", "Y2"]], entity_effects=True, time_effects=twoway)
    forward, reverse = forward.fit(), reverse.fit()
    rel = REFERENCE_RTOL
    assert pair.forward.estimate_within == pytest.approx(forward.params["X1"], rel=rel)
    assert pair.forward.persistence_within == pytest.approx(forward.params["Y1"], rel=rel)
    assert pair.reverse.estimate_within == pytest.approx(reverse.params["Y1"], rel=rel)
    assert pair.reverse.persistence_within == pytest.approx(reverse.params["X1"], rel=rel)
    assert pair.forward.n_obs == forward.nobs


def _nickell_plim(rho: float, t: int) -> float:
    """Nickell (1981, eq. 18): probability limit of the within estimate of an AR(1)
    with unit effects and ``t`` periods in the regression (stationary start)."""
    h = 1 - (1 - rho**t) / (t * (1 - rho))
    bias = -(1 + rho) / (t - 1) * h / (1 - 2 * rho / ((1 - rho) * (t - 1)) * h)
    return rho + bias


def test_corrects_the_nickell_bias_of_an_autoregression():
    rho, periods = 0.6, 8  # six periods with the lags the equations hold
    df = simulate_pair(units=20000, periods=periods, persistence_y=rho, seed=1)
    pair = cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], False)
    # the simulation shows the bias the correction is for ...
    assert pair.forward.persistence_within == pytest.approx(
        _nickell_plim(rho, periods - 2), abs=0.01
    )
    assert pair.forward.persistence_within < rho - 0.2
    # ... and the corrected estimate removes it (Monte Carlo SE about 0.004)
    assert pair.forward.persistence == pytest.approx(rho, abs=0.02)


def test_impulse_responses_follow_the_recursion():
    # Y(t) = 0.5 Y(t−1) + 0.3 X(t) + 0.2 X(t−2) + e ; X(t) = 0.7 X(t−1) − 0.4 Y(t−1) + u
    # and, in the same call, with the coefficients scaled by 0.9 (several vectors at once)
    dynamics = Dynamics([(1, 0), (0, 1), (2, 1)], [(1, 1), (1, 0)])
    base_y, base_x = np.array([0.5, 0.3, 0.2]), np.array([0.7, -0.4])
    horizon = 9  # not a power of two: the doubling stops part-way
    psi = dynamics.responses(np.stack([base_y, 0.9 * base_y]), np.stack([base_x, 0.9 * base_x]), 9)
    assert psi.shape == (2, horizon + 1, 2, 2)
    for row, f in enumerate((1.0, 0.9)):
        for shock in (0, 1):
            y, x = np.zeros(horizon + 1), np.zeros(horizon + 1)
            for k in range(horizon + 1):
                x[k] = (k == 0) * (shock == 1)
                x[k] += f * (0.7 * x[k - 1] - 0.4 * y[k - 1]) if k else 0
                y[k] = (k == 0) * (shock == 0) + f * 0.3 * x[k]
                y[k] += f * 0.5 * y[k - 1] if k >= 1 else 0
                y[k] += f * 0.2 * x[k - 2] if k >= 2 else 0
            np.testing.assert_allclose(psi[row, :, 0, shock], y, atol=1e-14)
            np.testing.assert_allclose(psi[row, :, 1, shock], x, atol=1e-14)


def _many(count: int, **kwargs) -> np.ndarray:
    rows = []
    for seed in range(count):
        df = simulate_pair(seed=seed, **kwargs)
        pair = cross_lagged(Panel.from_data(df), "Y", "X", kwargs.get("lag", 1), [], [], True)
        f, r = pair.forward, pair.reverse
        rows.append((f.estimate, f.estimate_within, f.p_value, r.estimate, r.p_value))
    return np.array(rows)


def test_reverse_truth_is_not_taken_for_a_forward_effect():
    """Only Y → X, both persistent (0.9), few years: the uncorrected within estimate
    of the forward effect is far from zero; the corrected one is not, and its test
    rejects about as often as its level."""
    got = _many(30, units=300, periods=7, persistence_y=0.9, persistence_x=0.9, reverse=0.3)
    assert got[:, 1].mean() < -0.04  # what the within estimator would report
    assert abs(got[:, 0].mean()) < 0.025
    assert (got[:, 2] < 0.05).sum() <= 4  # 5 % of 30 is 1.5; 4 has p < 0.02 under 5 %
    assert (got[:, 4] < 0.05).sum() >= 27  # the reverse effect is found
    assert got[:, 3].mean() == pytest.approx(0.3, abs=0.03)


def test_forward_truth_is_found_with_its_size():
    got = _many(20, units=100, periods=10, persistence_y=0.5, persistence_x=0.5, forward=0.2)
    assert got[:, 0].mean() == pytest.approx(0.2, abs=0.02)
    assert (got[:, 2] < 0.05).all()
    assert (got[:, 4] < 0.05).sum() <= 3


@pytest.mark.parametrize("lag", [0, 2])
def test_other_lags(lag):
    got = _many(16, units=800, periods=8, persistence_y=0.8, forward=0.2, lag=lag)
    assert got[:, 0].mean() == pytest.approx(0.2, abs=0.02)


def _rejections_with_eight_units(panels: int) -> int:
    """Rejections at 5 % of the forward and the reverse test on panels of 8 units with
    no effect (persistent indicators), every one tested with the cluster jackknife."""
    rejections = 0
    for seed in range(panels):
        df = simulate_pair(units=8, periods=8, persistence_y=0.8, persistence_x=0.8, seed=seed)
        pair = cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], True)
        assert pair.forward.inference == "jackknife"
        rejections += (pair.forward.p_value < 0.05) + (pair.reverse.p_value < 0.05)
    return rejections


def test_few_units_use_the_cluster_jackknife_and_keep_their_size_quick():
    """The size study below on 20 panels (make test): 40 tests at 5 %, 6 or more
    rejections has p = 0.014."""
    assert _rejections_with_eight_units(20) <= 5


@pytest.mark.slow
def test_few_units_use_the_cluster_jackknife_and_keep_their_size():
    assert _rejections_with_eight_units(40) <= 9  # 80 tests at 5 %: 9 or more has p < 0.04


def test_gaps_and_unbalanced_panels_stay_unbiased():
    estimates, persistence, within = [], [], []
    for seed in range(4):
        df = simulate_pair(units=3000, periods=9, persistence_y=0.8, forward=0.2, seed=seed)
        rng = np.random.default_rng(seed)
        df = df[rng.random(len(df)) > 0.15]  # 15 % of values missing at random
        pair = cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], True)
        estimates.append(pair.forward.estimate)
        persistence.append(pair.forward.persistence)
        within.append(pair.forward.persistence_within)
    # Monte Carlo SE of each mean about 0.008
    assert np.mean(estimates) == pytest.approx(0.2, abs=0.025)
    assert np.mean(persistence) == pytest.approx(0.8, abs=0.025)
    assert np.mean(within) < 0.7


def test_another_cause_of_the_effect_is_held_fixed():
    estimates = []
    for seed in range(4):
        df = simulate_pair(units=1000, periods=9, persistence_y=0.6, forward=0.2, seed=seed)
        rng = np.random.default_rng(seed)
        z = df[df["indicator"] == "X"].copy()
        z["indicator"] = "Z"
        z["value"] = rng.normal(size=len(z))
        y = df["indicator"] == "Y"
        key = df.loc[y, ["unit", "period"]].merge(z, on=["unit", "period"], how="left")
        df.loc[y, "value"] += 0.5 * key["value"].to_numpy()
        panel = Panel.from_data(pd.concat([df, z]))
        estimates.append(cross_lagged(panel, "Y", "X", 1, [("Z", 0)], [], True).forward.estimate)
    assert np.mean(estimates) == pytest.approx(0.2, abs=0.02)


def test_too_few_periods_are_not_estimable():
    # lag 1: the equations reach two years back, so MIN_DIRECTION_PERIODS + 2 years
    df = simulate_pair(units=50, periods=MIN_DIRECTION_PERIODS + 1, seed=0)
    with pytest.raises(NotEstimable) as caught:
        cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], True)
    assert caught.value.kind == "too_few_periods"
    df = simulate_pair(units=50, periods=MIN_DIRECTION_PERIODS + 2, seed=0)
    cross_lagged(Panel.from_data(df), "Y", "X", 1, [], [], True)


@pytest.mark.parametrize("twoway", [False, True], ids=["unit", "twoway"])
def test_partial_relation_has_the_models_slope(twoway):
    """Frisch–Waugh–Lovell: the slope of the added-variable scatter is the within
    estimate of the deciding model (here the forward equation, against PanelOLS)."""
    from bms_eval.estimation.partial import deciding_relation
    from bms_eval.inputs.scorecard import parse_scorecard

    text = (
        "scorecard: {name: t}\nperspectives: [{id: p}]\nindicators:\n"
        "  - {id: X, name: X, perspective: p}\n  - {id: Y, name: Y, perspective: p}\n"
        "links:\n  - {from: X, to: Y, lag: 1}\n"
        f"analysis: {{effects: {'twoway' if twoway else 'unit'}}}\n"
    )
    card, problems = parse_scorecard(text, "t.yaml")
    assert card is not None, problems
    df = simulate_pair(units=40, periods=9, persistence_y=0.7, forward=0.2, seed=3)
    panel = Panel.from_data(df)
    w = _wide(df)
    for direction, columns in ((True, ["Y1", "X1", "X2"]), (False, ["X1"])):
        got = deciding_relation(card, panel, "X", "Y", 1, direction=direction)
        assert got is not None and got.direction == direction
        data = w if direction else _wide(df, lags=1)
        ref = PanelOLS(data["Y"], data[columns], entity_effects=True, time_effects=twoway).fit()
        slope = float(got.x @ got.y / (got.x @ got.x))
        assert slope == pytest.approx(ref.params["X1"], rel=REFERENCE_RTOL)


def test_the_jackknife_stack_computes_what_each_model_does():
    """The stacked algebra the jackknife's Newton steps use (:class:`PairStack`) and its
    one-model twin (:meth:`_PairModel.update`, the full model's and a fallback's solve)
    give the same corrected estimates and variances, model by model."""
    df = simulate_pair(units=12, periods=9, persistence_y=0.6, forward=0.3, seed=5)
    panel, fwd, rev = pair_equations(df)
    models = [
        PairModel(without_unit(fwd, unit), without_unit(rev, unit), *panel.shape)
        for unit in (0, 4, 11)
    ]
    start = PairModel(fwd, rev, *panel.shape).start()
    pars = start + np.random.default_rng(0).normal(0, 0.05, (3, start.size))
    pars[:, -3:] = np.abs(pars[:, -3:])  # variances stay positive
    stacked = PairStack.of(models).update(np.repeat(pars[None], len(models), axis=0))
    for i, model in enumerate(models):
        np.testing.assert_allclose(stacked[i], model.update(pars), rtol=1e-12, atol=1e-14)
    # and one row of the stack is one model's (the take keeps each model's arrays)
    np.testing.assert_allclose(
        PairStack.of(models).take(np.array([2])).update(pars[None])[0],
        models[2].update(pars),
        rtol=1e-12,
        atol=1e-14,
    )


#: How far the batched search's point may lie from scipy's (the two stop within 1e-9 of
#: the least squared imbalance, whose flat direction near a tangent moves the point by
#: up to about its square root).
LSQ_PAR_RTOL, LSQ_PAR_ATOL = 1e-4, 1e-5
#: How much larger its least squared imbalance may be than scipy's (measured: up to 2e-6).
LSQ_COST_RTOL = 1e-5


@pytest.mark.parametrize("persistence, periods, seed", [(0.99, 7, 1), (1.0, 10, 0), (0.97, 10, 2)])
def test_the_batched_least_squares_finds_what_scipy_finds_model_by_model(
    persistence, periods, seed
):
    """The jackknife's leave-one-unit-out models of a pair whose full model has no
    exact solution are searched all at once (:func:`least_squares_stack`); each ends
    where scipy's bounded least squares (``solve_model``) ends for that model alone,
    within the tolerances of the two searches."""
    from bms_eval.estimation.direction_jackknife import least_squares_stack
    from bms_eval.estimation.direction_solver import solve_model

    df = simulate_pair(units=15, periods=periods, persistence_y=persistence, forward=0.2, seed=seed)
    panel, fwd, rev = pair_equations(df)
    full = solve_model(PairModel(fwd, rev, *panel.shape))
    assert not full.exact  # the case the batched search is for
    models = [
        PairModel(without_unit(fwd, unit), without_unit(rev, unit), *panel.shape)
        for unit in range(15)
    ]
    found = least_squares_stack(PairStack.of(models), full.par)
    settled = np.all(np.isfinite(found), axis=1)
    assert settled.mean() >= 0.8  # the rest are solved alone, as before
    for model, par in zip(np.array(models, dtype=object)[settled], found[settled], strict=True):
        alone = solve_model(model, full.par, exact_expected=False).par
        # the same point, up to the flatness of the imbalance near a tangent (both
        # searches stop at a relative change of 1e-9 in the squared imbalance) …
        np.testing.assert_allclose(par, alone, rtol=LSQ_PAR_RTOL, atol=LSQ_PAR_ATOL)

        # … and as close to solving the equations, within LSQ_COST_RTOL
        def imbalance(p, model=model):
            return float(np.sum((model.update(p[None])[0] - p)[model.key] ** 2))

        assert imbalance(par) <= imbalance(alone) * (1 + LSQ_COST_RTOL) + 1e-20
