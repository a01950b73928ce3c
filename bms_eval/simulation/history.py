"""The data-generating model the planner fits to an organisation's own history.

For every indicator the scorecard's links use (on the links' scale: logarithms
for ``transform: log``), :func:`fit_history` decomposes the observed grid
(units × periods, gaps allowed) as ::

    x[i,t] = mean + a[i] + g[t] + r[i,t]

by alternating means over the observed cells (the two-way decomposition), and
reads from it:

- ``sd_between`` — the spread of the units' own levels ``a[i]``, less the part
  of it that is only the unit means' sampling noise of ``r``;
- ``sd_period`` — the spread of the shocks ``g[t]`` common to all units;
- ``persistence`` — the first-order autocorrelation ``ρ`` of ``r`` within units,
  corrected for the downward bias of demeaned panels (Nickell 1981:
  ``E[ρ̂] ≈ ρ − (1 + ρ)/(T − 1)``, solved for ``ρ``) and kept in ``[0, 0.95]``;
- ``sd_within`` — the stationary spread of ``r`` (its residual spread, scaled up
  for the share of an AR(1) process's variance that unit means absorb);
- the **cross-correlations**: of the yearly innovations ``r[i,t] − ρ·r[i,t−1]``
  between indicators (pairwise over the cells both have), and of the units'
  levels ``a[i]``. The innovations of two indicators joined by an arrow (either
  way) are set uncorrelated: in the simulation the arrow, with its planted
  effect, is what joins them. Both matrices are made positive semi-definite by
  cutting negative eigenvalues;
- the **missing pattern**: which unit-periods each indicator has, and the share
  missing in its latest (up to three) periods, the rate at which later years
  are missing;
- the **measurement**: the decimals values are reported with and the scale's
  bounds, which the simulated values are rounded to and cut at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bms_eval.estimation.panel import Panel
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard

#: Largest persistence the planner simulates (beyond it a few years say nothing).
MAX_PERSISTENCE = 0.95
#: Fewest cells two indicators must share for their innovations' correlation.
MIN_SHARED_CELLS = 10
#: Fewest units two indicators must share for their levels' correlation.
MIN_SHARED_UNITS = 5
#: Periods at the end of the history whose missing share later years take on.
RECENT_PERIODS = 3
#: Most decimals a simulated value is rounded to.
MAX_DECIMALS = 6


@dataclass(frozen=True)
class IndicatorHistory:
    """One indicator's part of the data-generating model (on the links' scale).

    Attributes
    ----------
    mean, sd_between, sd_period, sd_within, persistence : float
        See the module's description.
    recent_missing : float
        Share of unit-periods missing in the latest periods.
    decimals : int or None
        Decimals of the reported values (None for values on a log scale).
    bounds : tuple of float
        The scale's bounds on the links' scale (infinite where there is none).
    """

    mean: float
    sd_between: float
    sd_period: float
    sd_within: float
    persistence: float
    recent_missing: float
    decimals: int | None
    bounds: tuple[float, float]
    observed_sd: float = math.nan

    @property
    def within_sd(self) -> float:
        """Its spread within units over the history as observed — the SD the link
        tests standardize by (``std_estimate``, ``mde_std``: the values less their unit's
        mean), and so the scale of ``--effect``; the model's stationary spread
        (``sd_within`` and ``sd_period`` together) where it was not observed. The
        stationary spread is larger for a persistent indicator (its unit means absorb
        part of a short history's variation): planting an effect on that scale made the
        planner's "0.2 SD" another effect than the tests' 0.2 SD."""
        if math.isfinite(self.observed_sd) and self.observed_sd > 0:
            return self.observed_sd
        return math.sqrt(self.sd_within**2 + self.sd_period**2)


#: The model of an indicator that has no value in the history (and gets none).
UNMEASURED = IndicatorHistory(
    mean=0.0,
    sd_between=0.0,
    sd_period=0.0,
    sd_within=1.0,
    persistence=0.0,
    recent_missing=1.0,
    decimals=None,
    bounds=(-math.inf, math.inf),
)


@dataclass(frozen=True)
class History:
    """The fitted data-generating model of a scorecard's indicators.

    Attributes
    ----------
    ids : tuple of str
        The indicators, in scorecard order.
    units : tuple of str
        The history's units.
    periods : numpy.ndarray
        The history's periods (consecutive integers).
    indicators : dict of str to IndicatorHistory
    innovation_corr, level_corr : numpy.ndarray
        Correlations between the indicators' yearly innovations and between their
        units' levels (``ids`` order; positive semi-definite).
    observed : dict of str to numpy.ndarray
        Per indicator, the units × periods mask of the cells the history has.
    """

    ids: tuple[str, ...]
    units: tuple[str, ...]
    periods: np.ndarray
    indicators: dict[str, IndicatorHistory]
    innovation_corr: np.ndarray = field(repr=False)
    level_corr: np.ndarray = field(repr=False)
    observed: dict[str, np.ndarray] = field(repr=False)

    @property
    def n_units(self) -> int:
        """Units in the history."""
        return len(self.units)

    @property
    def n_years(self) -> int:
        """Periods in the history, first to last."""
        return len(self.periods)

    def as_frame(self) -> pd.DataFrame:
        """The fitted components, one row per indicator (for tables and notebooks)."""
        rows = []
        for k in self.ids:
            h = self.indicators[k]
            rows.append(
                {
                    "indicator": k,
                    "mean": h.mean,
                    "sd_between": h.sd_between,
                    "sd_period": h.sd_period,
                    "sd_within": h.sd_within,
                    "persistence": h.persistence,
                    "observed_share": float(self.observed[k].mean()),
                    "recent_missing": h.recent_missing,
                }
            )
        return pd.DataFrame(rows)


def _two_way(grid: np.ndarray, sweeps: int = 50) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean, unit effects and period effects of the observed cells (alternating means)."""
    seen = np.isfinite(grid)
    mean = float(np.nanmean(grid))
    a = np.zeros(grid.shape[0])
    g = np.zeros(grid.shape[1])
    rows, cols = seen.sum(axis=1), seen.sum(axis=0)
    centred = np.where(seen, grid - mean, 0.0)
    for _ in range(sweeps):
        a_new = np.where(
            rows > 0, (centred - g[None, :] * seen).sum(axis=1) / np.maximum(rows, 1), 0
        )
        g_new = np.where(
            cols > 0, (centred - a_new[:, None] * seen).sum(axis=0) / np.maximum(cols, 1), 0
        )
        done = np.allclose(a_new, a, atol=1e-12) and np.allclose(g_new, g, atol=1e-12)
        a, g = a_new, g_new
        if done:
            break
    shift = float(g[cols > 0].mean()) if (cols > 0).any() else 0.0  # the periods' effects
    return mean + shift, a, g - shift  # average zero over the observed periods


def mean_share(rho: float, periods: float) -> float:
    """Share of a stationary AR(1) process's variance in the mean of ``periods`` values:
    ``(1/T)·(1 + 2·Σ_k (1 − k/T)·ρ^k)``."""
    t = max(1, round(periods))
    k = np.arange(1, t)
    return float((1 + 2 * np.sum((1 - k / t) * rho**k)) / t)


def _persistence(r: np.ndarray, periods: float) -> float:
    now, before = r[:, 1:], r[:, :-1]
    both = np.isfinite(now) & np.isfinite(before)
    if both.sum() < MIN_SHARED_CELLS:
        return 0.0
    denominator = float(np.sum(before[both] ** 2))
    if denominator <= 0:
        return 0.0
    raw = float(np.sum(now[both] * before[both])) / denominator
    if periods > 3:  # Nickell: E[ρ̂] ≈ ρ − (1 + ρ)/(T − 1)
        raw = ((periods - 1) * raw + 1) / (periods - 2)
    return float(min(max(raw, 0.0), MAX_PERSISTENCE))


def _decimals(values: np.ndarray) -> int:
    """Fewest decimals (up to :data:`MAX_DECIMALS`) that reproduce every value."""
    finite = values[np.isfinite(values)]
    for d in range(MAX_DECIMALS + 1):
        if np.allclose(
            np.round(finite, d), finite, rtol=0, atol=1e-9 * max(1.0, np.abs(finite).max(initial=1))
        ):
            return d
    return MAX_DECIMALS


def _psd_correlation(matrix: np.ndarray) -> np.ndarray:
    """The nearest correlation matrix with no negative eigenvalue (cut and rescaled)."""
    sym = (matrix + matrix.T) / 2
    values, vectors = np.linalg.eigh(sym)
    fixed = (vectors * np.clip(values, 1e-8, None)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    out = fixed / np.outer(scale, scale)
    np.fill_diagonal(out, 1.0)
    return out


def _pairwise_corr(series: list[np.ndarray], least: int) -> np.ndarray:
    """Correlations of equally shaped arrays over the finite cells each pair shares
    (0 where they share fewer than ``least``)."""
    k = len(series)
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            both = np.isfinite(series[i]) & np.isfinite(series[j])
            if both.sum() < least:
                continue
            x, y = series[i][both], series[j][both]
            x, y = x - x.mean(), y - y.mean()
            denominator = math.sqrt(float(x @ x) * float(y @ y))
            if denominator > 0:
                out[i, j] = out[j, i] = float(x @ y) / denominator
    return out


def _indicator_history(
    grid: np.ndarray, scale: tuple[float, float] | None, logged: bool
) -> tuple[IndicatorHistory, np.ndarray, np.ndarray]:
    """One measured indicator's model from its grid (units × periods, on the tests'
    scale): its :class:`IndicatorHistory`, its unit effects and its residuals."""
    seen = np.isfinite(grid)
    mean, a, g = _two_way(grid)
    r = grid - mean - a[:, None] - g[None, :]
    per_unit = seen.sum(axis=1)
    periods = float(per_unit[per_unit > 0].mean())
    rho = _persistence(r, periods)
    n_cells, n_units = int(seen.sum()), int((per_unit > 0).sum())
    n_periods = int(seen.any(axis=0).sum())
    df = max(n_cells - n_units - n_periods + 1, 1)
    residual_var = float(np.nansum(r**2)) / df
    share = mean_share(rho, periods)
    sd_within = math.sqrt(residual_var / max(1 - share, 0.05))
    unit_levels = a[per_unit > 0]
    between_var = float(np.var(unit_levels, ddof=1)) if unit_levels.size > 1 else 0.0
    sd_between = math.sqrt(max(between_var - sd_within**2 * share, 0.0))
    active = g[seen.any(axis=0)]
    sd_period = float(np.std(active, ddof=1)) if active.size > 1 else 0.0
    recent = seen[:, seen.any(axis=0)][:, -RECENT_PERIODS:]
    recent = recent[per_unit > 0]
    lo, hi = (-math.inf, math.inf) if scale is None else (float(scale[0]), float(scale[1]))
    if logged:
        lo = math.log(lo) if lo > 0 else -math.inf
        hi = math.log(hi) if hi > 0 else math.inf
    found = IndicatorHistory(
        mean=mean,
        sd_between=sd_between,
        sd_period=sd_period,
        sd_within=sd_within,
        persistence=rho,
        recent_missing=float(1 - recent.mean()) if recent.size else 0.0,
        # (a grid not logged holds the values as reported)
        decimals=None if logged else _decimals(grid),
        bounds=(lo, hi),
        observed_sd=unit_demeaned_sd(grid),
    )
    return found, a, r


def unit_demeaned_sd(grid: np.ndarray) -> float:
    """The root mean square of the observed values less their unit's mean (units with
    one value count no variation): the within-unit SD the link tests standardize by
    (NaN where no unit has two values)."""
    seen = np.isfinite(grid)
    per_unit = seen.sum(axis=1)
    several = per_unit > 1
    if not several.any():
        return math.nan
    values = grid[several]
    deviations = values - np.nanmean(values, axis=1, keepdims=True)
    return float(np.sqrt(np.nanmean(deviations**2)))


def fit_history(scorecard: Scorecard, data: IndicatorData | pd.DataFrame) -> History:
    """Fit the planner's data-generating model to the scorecard's history.

    Parameters
    ----------
    scorecard : Scorecard
        Its links name the indicators; ``transform: log`` puts one on the log scale.
    data : IndicatorData or pandas.DataFrame
        The history, tidy (``unit, period, indicator, value``), checked against
        the scorecard.

    Returns
    -------
    History

    An indicator without any value gets :data:`UNMEASURED`: it stays without
    values in every design, so no arrow to or from it can be found.
    """
    panel = Panel.for_links(scorecard, data)
    ids = scorecard.linked_ids
    logged = set(scorecard.logged_ids)
    indicators: dict[str, IndicatorHistory] = {}
    innovations, levels, observed = [], [], {}
    for k in ids:
        if not panel.has(k):  # never measured: simulated as never measured either
            observed[k] = np.zeros(panel.shape, dtype=bool)
            indicators[k] = UNMEASURED
            innovations.append(np.full(panel.shape, np.nan))
            levels.append(np.full(panel.shape[0], np.nan))
            continue
        grid = panel.values[k]
        observed[k] = np.isfinite(grid)
        indicators[k], a, r = _indicator_history(grid, scorecard.indicator(k).scale, k in logged)
        rho, per_unit = indicators[k].persistence, observed[k].sum(axis=1)
        lagged = np.full_like(r, np.nan)
        lagged[:, 1:] = r[:, 1:] - rho * r[:, :-1]
        innovations.append(lagged)
        levels.append(np.where(per_unit > 0, a, np.nan))
    innovation_corr = _pairwise_corr(innovations, MIN_SHARED_CELLS)
    position = {k: i for i, k in enumerate(ids)}
    for link in scorecard.links:
        i, j = position[link.source], position[link.target]
        if i != j:
            innovation_corr[i, j] = innovation_corr[j, i] = 0.0
    return History(
        ids=ids,
        units=panel.units,
        periods=panel.periods,
        indicators=indicators,
        innovation_corr=_psd_correlation(innovation_corr),
        level_corr=_psd_correlation(_pairwise_corr(levels, MIN_SHARED_UNITS)),
        observed=observed,
    )
