"""The discovery screen's batched regressions against one regression each, fitted by
linearmodels and statsmodels on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels.panel import PanelOLS

from bms_eval.estimation.masked_within import candidate_columns

#: Estimates and standard errors: the same arithmetic in another order.
RTOL = 1e-8


def _grids(seed: int, units: int = 23, periods: int = 9, gaps: float = 0.12):
    rng = np.random.default_rng(seed)
    shape = (units, periods)
    unit_level = rng.normal(size=(units, 1))
    period_level = rng.normal(size=(1, periods))
    base = [rng.normal(size=shape) + unit_level for _ in range(2)]
    candidates = rng.normal(size=(4, *shape)) + 0.5 * unit_level + period_level
    y = 0.4 * base[0] - 0.3 * candidates[1] + unit_level + period_level + rng.normal(size=shape)
    for grid in (y, *base, *candidates):
        grid[rng.random(shape) < gaps] = np.nan
    candidates[3, 0, :] = np.nan  # a unit without the candidate at all
    return y, base, candidates


def _long(y, base, candidate):
    units, periods = y.shape
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(units), periods),
            "period": np.tile(np.arange(periods), units),
            "y": y.ravel(),
            **{f"b{i}": b.ravel() for i, b in enumerate(base)},
            "x": candidate.ravel(),
        }
    ).dropna()
    # a unit with one row has no within variation: fixest and this module drop it
    return frame[frame.groupby("unit")["y"].transform("size") >= 2]


@pytest.mark.parametrize("seed", [1, 2])
def test_twoway_matches_linearmodels_each_candidate(seed):
    y, base, candidates = _grids(seed)
    fits = candidate_columns(y, base, candidates, twoway=True)
    for j in range(candidates.shape[0]):
        frame = _long(y, base, candidates[j]).set_index(["unit", "period"])
        exog = frame[["b0", "b1", "x"]]
        model = PanelOLS(frame["y"], exog, entity_effects=True, time_effects=True)
        ref = model.fit(cov_type="clustered", cluster_entity=True)
        assert fits.estimate[j] == pytest.approx(ref.params["x"], rel=RTOL)
        assert fits.n_obs[j] == ref.nobs
        # the small-sample factors differ by convention (linearmodels counts the unit
        # effects too: n / (n − k − units − absorbed)): compare the raw sandwiches
        n, k = ref.nobs, 3
        absorbed = frame.index.get_level_values("period").nunique() - 1
        units = frame.index.get_level_values("unit").nunique()
        raw_ref = ref.std_errors["x"] ** 2 * (n - k - units - absorbed) / n
        raw_own = fits.std_error[j] ** 2 * (n - absorbed - k) / n
        assert raw_own == pytest.approx(raw_ref, rel=1e-6)


def test_one_way_matches_statsmodels_dummies():
    y, base, candidates = _grids(3)
    fits = candidate_columns(y, base, candidates, twoway=False)
    for j in range(candidates.shape[0]):
        frame = _long(y, base, candidates[j])
        dummies = pd.get_dummies(frame["unit"], prefix="u", dtype=float)
        exog = pd.concat([frame[["b0", "b1", "x"]], dummies], axis=1)
        ref = sm.OLS(frame["y"], exog).fit(
            cov_type="cluster", cov_kwds={"groups": frame["unit"], "use_correction": False}
        )
        assert fits.estimate[j] == pytest.approx(ref.params["x"], rel=RTOL)
        n, k = len(frame), 3
        raw_own = fits.std_error[j] ** 2 * (n - k) / n
        # statsmodels without its correction: the raw sandwich
        assert raw_own == pytest.approx(ref.bse["x"] ** 2, rel=1e-6)


def test_candidate_without_variation_is_not_estimated():
    y, base, candidates = _grids(4, gaps=0.0)
    candidates[2] = 5.0  # constant: absorbed by the unit effects
    fits = candidate_columns(y, base, candidates, twoway=True)
    assert np.isnan(fits.estimate[2]) and np.isnan(fits.p_value[2])
    assert np.isfinite(fits.estimate[[0, 1, 3]]).all()


def test_finds_the_planted_column_and_standardizes_it():
    y, base, candidates = _grids(5, units=200, periods=10, gaps=0.05)
    fits = candidate_columns(y, base, candidates, twoway=True)
    assert fits.p_value[1] < 1e-6
    assert fits.estimate[1] == pytest.approx(-0.3, abs=0.05)
    assert np.all(fits.p_value[[0, 2, 3]] > 1e-3)
    assert fits.std_estimate[1] < 0


def test_a_sample_that_fits_exactly_is_not_estimated():
    """Few rows of few units: with unit and period effects nothing is left to the
    residuals (linearmodels refuses such a model); a standard error of 1e-10 and a
    p-value of 1e-56 would be noise taken for a finding."""
    y, base, candidates = _grids(6, units=8, periods=5, gaps=0.45)
    fits = candidate_columns(y, base, candidates, twoway=True)
    for j in range(candidates.shape[0]):
        frame = _long(y, base, candidates[j])
        units, periods = frame["unit"].nunique(), frame["period"].nunique()
        left = len(frame) - units - (periods - 1) - 3
        assert np.isfinite(fits.p_value[j]) == (left >= 2 and len(frame) >= 6), j
    assert np.isnan(fits.p_value).any()
