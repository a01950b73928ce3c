"""The jackknife's leave-one-unit-out models found all at once from each unit's
cross-products (:mod:`bms_eval.estimation.jackknife_models`) against the same models
built one by one from their samples (``without_unit``: the unit's rows deleted, the
whole transformation done again)."""

from __future__ import annotations

import numpy as np
import pytest

from bms_eval.estimation.direction_jackknife import PairStack, _left_out
from bms_eval.estimation.direction_solver import PairModel
from bms_eval.estimation.jackknife_models import leave_one_out_arrays
from bms_eval.simulation.truth import simulate_pair
from tests.test_direction import pair_equations

#: The two ways differ in summation order only: a relative difference of a few
#: hundred ulps of the largest entry (measured ≤ 1e-12).
SAME_RTOL = 1e-9


def _gapped(df, seed: int):
    """``df`` with 6 % of its cells gone, two units entering late and one year missing
    for a third."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(df)) >= 0.06
    first = df["period"].min()
    keep &= ~((df["unit"] == df["unit"].unique()[1]) & (df["period"] < first + 2))
    keep &= ~((df["unit"] == df["unit"].unique()[4]) & (df["period"] < first + 3))
    keep &= ~((df["unit"] == df["unit"].unique()[6]) & (df["period"] == first + 5))
    return df[keep].reset_index(drop=True)


@pytest.mark.parametrize("twoway", [False, True])
@pytest.mark.parametrize("kind", ["within", "trend", "cce"])
@pytest.mark.parametrize("gaps", [False, True])
def test_every_model_at_once_equals_each_model_built_from_its_sample(twoway, kind, gaps):
    df = simulate_pair(units=12, periods=11, persistence_y=0.6, forward=0.3, seed=7)
    if gaps:
        df = _gapped(df, 3)
    panel, fwd, rev = pair_equations(df, twoway, kind)
    model = PairModel(fwd, rev, *panel.shape)
    active = np.flatnonzero(np.bincount(np.r_[fwd.units, rev.units]))
    arrays = leave_one_out_arrays(
        fwd, rev, panel.shape, active, (model.both_weights, model.df_base)
    )
    assert arrays is not None
    built = PairStack.of([_left_out(model, int(unit)) for unit in active])
    for name in PairStack.STACKED:
        expected = getattr(built, name)
        got = arrays[name]
        assert got.shape == expected.shape, name
        np.testing.assert_allclose(
            got, expected, rtol=SAME_RTOL, atol=SAME_RTOL * np.abs(expected).max(), err_msg=name
        )


def test_a_long_panel_is_left_to_the_models_built_one_by_one(monkeypatch):
    """Beyond the grid the per-unit projections may take, no arrays (each model is then
    built from its sample)."""
    from bms_eval.estimation import jackknife_models

    df = simulate_pair(units=6, periods=12, persistence_y=0.5, forward=0.3, seed=1)
    panel, fwd, rev = pair_equations(df)
    model = PairModel(fwd, rev, *panel.shape)
    weights = (model.both_weights, model.df_base)
    units = np.arange(6)
    assert leave_one_out_arrays(fwd, rev, panel.shape, units, weights) is not None
    monkeypatch.setattr(jackknife_models, "MAX_GRID_CELLS", 6 * 12 * 12 - 1)
    assert leave_one_out_arrays(fwd, rev, panel.shape, units, weights) is None


@pytest.mark.parametrize("seed", [1, 3])
def test_the_solution_followed_from_the_full_model_is_newtons_where_newton_reaches_it(
    seed, monkeypatch
):
    """:func:`continued_stack` follows each leave-one-out model's solution from the full
    model's as the unit's weight goes from 1 to 0: where Newton's method from the full
    solution converges, the same solution; elsewhere an exact solution of the model,
    the same with twice the steps (the path, not the step size, decides it)."""
    from bms_eval.estimation import direction_jackknife
    from bms_eval.estimation.direction_jackknife import continued_stack, newton_stack
    from bms_eval.estimation.direction_solver import solve_model

    df = simulate_pair(units=12, periods=8, persistence_y=0.9, forward=0.2, seed=seed)
    panel, fwd, rev = pair_equations(df)
    model = PairModel(fwd, rev, *panel.shape)
    full = solve_model(model)
    assert full.exact
    parts = [_left_out(model, unit) for unit in range(12)]
    stack = PairStack.of(parts)
    newton = newton_stack(stack, full.par)
    followed = continued_stack(model, stack, full)
    by_newton = np.all(np.isfinite(newton), axis=1)
    found = np.all(np.isfinite(followed), axis=1)
    assert found[by_newton].all()
    np.testing.assert_allclose(followed[by_newton], newton[by_newton], rtol=1e-8, atol=1e-10)
    for part, par in zip(np.array(parts, dtype=object)[found], followed[found], strict=True):
        imbalance = (part.update(par[None])[0] - par)[part.key]
        assert np.max(np.abs(imbalance)) <= 1e-8 * max(1.0, float(np.max(np.abs(par))))
    monkeypatch.setattr(direction_jackknife, "CONTINUATION_STEPS", 16)
    finer = continued_stack(model, stack, full)
    np.testing.assert_allclose(finer[found], followed[found], rtol=1e-7, atol=1e-9)
    if seed == 3:  # a model Newton's method does not reach from the full solution
        assert (found & ~by_newton).any()
