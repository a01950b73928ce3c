"""The wild cluster restricted bootstrap against the wildboottest package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from wildboottest.wildboottest import wildboottest

from bms_eval.estimation.fixed_effects import Design
from bms_eval.estimation.wild_bootstrap import (
    WEBB_POINTS,
    _Inverter,
    webb_weights,
    wild_cluster_bootstrap,
)
from bms_eval.estimation.within_fit import fit_within

# Two independent bootstraps of 19 999 draws each: the Monte Carlo standard error
# of a p-value near 0.05–0.3 is below 0.0035 on each side; 0.015 is about 3 SEs
# of the difference.
P_ATOL = 0.015
DRAWS = 19_999


def _panel(seed: int, g: int = 12, t: int = 8, beta: float = 0.15):
    rng = np.random.default_rng(seed)
    units = np.repeat(np.arange(g), t)
    periods = np.tile(np.arange(t), g)
    a = rng.normal(size=g)[units]
    x = rng.normal(size=g * t) + 0.5 * a
    z = rng.normal(size=g * t)
    y = beta * x + 0.3 * z + a + rng.normal(size=g * t) * (1 + 0.5 * np.abs(a))
    return y, x, z, units, periods


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("twoway", [False, True])
def test_p_value_matches_wildboottest(seed, twoway):
    y, x, z, units, periods = _panel(seed)
    fit = fit_within(Design(y, np.column_stack([x, z]), ("x", "z"), units, periods), twoway)
    design = fit.bootstrap_design
    W, yw, positions = design.W, design.y, design.positions
    ours = wild_cluster_bootstrap(
        W,
        yw,
        fit.clusters,
        positions[0],
        fit.scale,
        0.05,
        DRAWS,
        np.random.default_rng(seed),
    )
    dummies = [pd.get_dummies(pd.Series(units), prefix="u", drop_first=True)]
    if twoway:
        dummies.append(pd.get_dummies(pd.Series(periods), prefix="t", drop_first=True))
    X = sm.add_constant(pd.concat([pd.DataFrame({"x": x, "z": z}), *dummies], axis=1).astype(float))
    ref = wildboottest(
        sm.OLS(y, X),
        param="x",
        cluster=units,
        B=DRAWS,
        weights_type="webb",
        impose_null=True,
        seed=seed,
        show=False,
    )
    assert ours.p_value == pytest.approx(float(ref["p-value"].iloc[0]), abs=P_ATOL)


def test_interval_is_the_inverted_test():
    y, x, z, units, periods = _panel(4)
    fit = fit_within(Design(y, np.column_stack([x, z]), ("x", "z"), units, periods), True)
    design = fit.bootstrap_design
    W, yw, positions = design.W, design.y, design.positions
    weights, _ = webb_weights(12, 9999, np.random.default_rng(0))
    inv = _Inverter(W, yw, fit.clusters, positions[0], fit.scale, weights)
    res = wild_cluster_bootstrap(
        W,
        yw,
        fit.clusters,
        positions[0],
        fit.scale,
        0.05,
        9999,
        np.random.default_rng(0),
    )
    to_data = fit.coef_scale[0]  # W and y are the fit's scaled columns
    assert res.ci_low * to_data < fit.params[0] < res.ci_high * to_data
    for bound, direction in ((res.ci_low, -1), (res.ci_high, 1)):
        step = 0.01 * fit.std_errors[0] / to_data
        assert inv.p_value(bound - direction * step) >= 0.05  # just inside: not rejected
        assert inv.p_value(bound + direction * step) < 0.05  # just outside: rejected
    # the unrestricted t statistic is the clustered one
    assert inv.se * to_data == pytest.approx(fit.std_errors[0], rel=1e-10)


def test_few_clusters_enumerate_every_weight_vector():
    weights, enumerated = webb_weights(3, 999, np.random.default_rng(0))
    assert enumerated and weights.shape == (3, 216)
    assert set(np.round(weights.ravel(), 12)) == set(np.round(WEBB_POINTS, 12))
    weights, enumerated = webb_weights(8, 999, np.random.default_rng(0))
    assert not enumerated and weights.shape == (8, 999)


def test_same_seed_same_result():
    y, x, z, units, periods = _panel(5)
    fit = fit_within(Design(y, np.column_stack([x, z]), ("x", "z"), units, periods), True)
    design = fit.bootstrap_design
    W, yw = design.W, design.y
    a, b = (
        wild_cluster_bootstrap(
            W, yw, fit.clusters, 0, fit.scale, 0.05, 999, np.random.default_rng(9)
        )
        for _ in range(2)
    )
    assert a == b


def test_a_degenerate_fit_ends(monkeypatch):
    """Residuals at rounding level (Y a copy of X) once made the interval search loop for
    ever; it must end, whatever it returns."""
    import signal

    def too_slow(*_):
        raise TimeoutError("the bootstrap interval search did not end")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(30)
    try:
        rng = np.random.default_rng(3)
        clusters = np.repeat(np.arange(12), 6)
        w = rng.normal(size=(72, 1))
        for y in (w[:, 0] * 1.0, w[:, 0] + 1e-17 * rng.normal(size=72), np.zeros(72)):
            res = wild_cluster_bootstrap(
                w, y, clusters, 0, 1.0, 0.05, 999, np.random.default_rng(0)
            )
            assert res.draws == 999
    finally:
        signal.alarm(0)


@pytest.mark.parametrize("twoway", [False, True])
def test_the_fits_factorisation_gives_the_same_bootstrap(twoway):
    """Reusing the fit's (W'W)⁻¹, β and residuals (the restricted residuals derived
    from them) gives what the bootstrap computes on its own."""
    y, x, z, units, periods = _panel(6)
    fit = fit_within(Design(y, np.column_stack([x, z]), ("x", "z"), units, periods), twoway)
    design = fit.bootstrap_design
    for col in design.positions:
        args = (design.W, design.y, fit.clusters, col, fit.scale, 0.05, 1999)
        alone = wild_cluster_bootstrap(*args, np.random.default_rng(3))
        reused = wild_cluster_bootstrap(*args, np.random.default_rng(3), fitted=design.fitted)
        assert reused.p_value == pytest.approx(alone.p_value, abs=1e-12)
        assert reused.ci_low == pytest.approx(alone.ci_low, rel=1e-8)
        assert reused.ci_high == pytest.approx(alone.ci_high, rel=1e-8)
