"""The panel diagnostics of the data quality (docs/verdicts.md, "Diagnostics"): Pesaran's
CD against the textbook formula pair by pair, the own-trend test against scipy's
regression, and both against panels whose shape is known."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from bms_eval.estimation.panel import Panel
from bms_eval.estimation.panel_diagnostics import (
    one_way_residuals,
    pesaran_cd,
    trend_share,
)
from bms_eval.simulation.confounders import confounded_pair

#: Agreement of two exact computations.
EXACT = 1e-10


def _brute_cd(grid: np.ndarray) -> float:
    """CD = √(2/(N(N−1))) Σ_{i<j} √T_ij ρ_ij, ρ over the common periods, pair by pair."""
    n = grid.shape[0]
    total, pairs = 0.0, 0
    for i in range(n):
        for j in range(i + 1, n):
            both = np.isfinite(grid[i]) & np.isfinite(grid[j])
            if both.sum() < 3:
                continue
            a, b = grid[i, both], grid[j, both]
            total += math.sqrt(both.sum()) * (a @ b) / math.sqrt((a @ a) * (b @ b))
            pairs += 1
    return total / math.sqrt(pairs)


def test_cd_equals_the_formula_pair_by_pair_on_a_gapped_grid():
    rng = np.random.default_rng(1)
    grid = rng.normal(size=(14, 9)) + rng.normal(size=9)
    grid[rng.random(grid.shape) < 0.15] = np.nan
    grid -= np.nanmean(grid, axis=1, keepdims=True)  # residuals of a model with unit effects
    stat, p, units = pesaran_cd(grid)
    assert abs(stat - _brute_cd(grid)) < EXACT
    assert units == 14 and abs(p - 2 * stats.norm.sf(abs(stat))) < EXACT


def _panel(shape: str, seed: int) -> Panel:
    return Panel.from_data(confounded_pair(shape, 0.0, 60, 10, seed), ["X", "Y"])  # type: ignore[arg-type]


def test_cd_finds_shared_shocks_and_not_independent_units():
    shared = [
        pesaran_cd(one_way_residuals(_panel("factor", s), "Y", [("X", 1)]))[0] for s in range(5)
    ]
    plain = [
        pesaran_cd(one_way_residuals(_panel("plain", s), "Y", [("X", 1)]))[1] for s in range(5)
    ]
    assert min(shared) > 5
    assert sum(p < 0.05 for p in plain) <= 1


def test_the_own_trend_test_is_a_per_unit_regression_on_the_year():
    """Without persistence (alternating deviations: the pooled autocorrelation is
    negative, so no inflation), each unit's test is scipy's regression on the year."""
    rng = np.random.default_rng(2)
    noise = rng.normal(size=(6, 8)) * np.where(np.arange(8) % 2, 1.0, -1.0)
    grid = noise + 0.4 * np.arange(8) * rng.normal(size=(6, 1))
    grid[0, 3] = np.nan
    share, units = trend_share(grid)
    dev = grid - np.nanmean(grid, axis=0)
    expected = []
    for row in dev:
        ok = np.isfinite(row)
        expected.append(stats.linregress(np.arange(8)[ok], row[ok]).pvalue < 0.05)
    assert units == 6 and share == sum(expected) / 6


def test_own_trends_are_found_where_units_have_them():
    trended = [trend_share(_panel("trend", s).values["X"])[0] for s in range(3)]
    plain = [trend_share(_panel("plain", s).values["X"])[0] for s in range(3)]
    assert min(trended) > 0.3
    assert max(plain) < 0.2
