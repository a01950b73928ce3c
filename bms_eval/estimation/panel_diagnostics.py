"""What the panel's shape means for the verdicts (docs/verdicts.md, "Diagnostics"):
shocks shared across units, and indicators that trend on their own in each unit.

- **Cross-sectional dependence** (Pesaran 2004, 2015): for each effect indicator, the
  residuals of its model with unit effects only (its causes at their lags), and
  ``CD = √(2/(N(N − 1))) Σ_{i<j} √T_ij ρ_ij`` over the pairs of units with at least
  :data:`MIN_COMMON_PERIODS` years in common; under independence ``CD`` is standard
  normal. The residuals of the two-way model are not used: taking out the period
  effects makes the average correlation negative by construction, and the test
  meaningless (Juodis & Reese 2022). A large ``CD`` says the units share yearly shocks;
  the period effects take out their common part, and the design with common
  correlated effects checks whether units feel them unequally.
- **Own trends**: for each linked indicator, per unit with at least
  :data:`MIN_TREND_PERIODS` years, the slope of its deviation from the year's mean
  over units on the year; the share of units whose slope differs from zero at 5 %
  (the slope's variance allowing for the indicators' persistence; some per cent by
  chance, about 15 % for a trendless indicator as persistent as 0.5 over ten years).
  A large share says units grow
  or shrink at their own pace, which the design with unit trends takes out.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, stdtr

from bms_eval.estimation.fixed_effects import block_starts, demean, design_from_grids
from bms_eval.estimation.panel import Panel, Term
from bms_eval.estimation.target_tests import model_terms
from bms_eval.inputs.model import Scorecard

#: Fewest years two units must share for their correlation to count in ``CD``.
MIN_COMMON_PERIODS = 3
#: Fewest years a unit needs for its own trend to be tested.
MIN_TREND_PERIODS = 4
#: Most units whose pairs ``CD`` uses (a seeded sample beyond: the pairs grow as N²).
MAX_CD_UNITS = 2000


def pesaran_cd(residuals: np.ndarray, seed: int = 0) -> tuple[float, float, int]:
    """Pesaran's CD statistic of a units × periods grid of residuals (NaN where none),
    its two-sided p-value and the units used."""
    keep = np.flatnonzero(np.isfinite(residuals).sum(axis=1) >= MIN_COMMON_PERIODS)
    if keep.size > MAX_CD_UNITS:
        keep = np.sort(np.random.default_rng(seed).choice(keep, MAX_CD_UNITS, replace=False))
    if keep.size < 2:
        return math.nan, math.nan, int(keep.size)
    grid = residuals[keep]
    mask = np.isfinite(grid).astype(float)
    e = np.where(mask > 0, grid, 0.0)
    common = mask @ mask.T
    cross = e @ e.T
    power = (e * e) @ mask.T  # Σ over the periods unit j has of e_it²
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cross / np.sqrt(power * power.T)
    upper = np.triu(common >= MIN_COMMON_PERIODS, k=1) & np.isfinite(rho)
    pairs = int(upper.sum())
    if pairs == 0:
        return math.nan, math.nan, int(keep.size)
    stat = float(np.sum(np.sqrt(common[upper]) * rho[upper]) / math.sqrt(pairs))
    return stat, float(2 * (1 - ndtr(abs(stat)))), int(keep.size)


def one_way_residuals(panel: Panel, target: str, terms: list[Term]) -> np.ndarray:
    """The residuals of ``target``'s model with unit effects only, on the grid."""
    y = panel.shifted(target, 0)
    columns = [panel.shifted(ind, lag) for ind, lag in terms]
    design = design_from_grids(y, columns, [str(i) for i in range(len(terms))])
    out = np.full(panel.shape, np.nan)
    if design.n_obs == 0:
        return out
    starts, counts = block_starts(design.units)
    both = demean(np.column_stack([design.y, design.X]), starts, counts)
    coef = np.linalg.lstsq(both[:, 1:], both[:, 0], rcond=None)[0] if terms else np.zeros(0)
    out[design.units, design.periods] = both[:, 0] - both[:, 1:] @ coef
    return out


def _persistence_inflation(resid: np.ndarray, mask: np.ndarray, used: np.ndarray) -> float:
    """``(1 + ρ)/(1 − ρ)``: how much first-order autocorrelation ``ρ`` of the detrended
    deviations inflates a trend slope's variance. ``ρ`` is pooled over the units and
    adjusted for its downward bias in short series (about ``(2 + 4ρ)/T`` after a
    regression on a constant and a trend), within ``[0, 0.9]``: a persistent indicator
    would otherwise pass for one that trends."""
    both = mask[:, 1:] & mask[:, :-1] & used[:, None]
    lagged = (resid[:, 1:] * resid[:, :-1])[both].sum()
    power = (resid[:, :-1] ** 2)[both].sum()
    if power <= 0:
        return 1.0
    periods = float(mask[used].sum(axis=1).mean())
    rho = float(lagged / power)
    rho = min(max(rho + (2 + 4 * rho) / periods, 0.0), 0.9)
    return (1 + rho) / (1 - rho)


def trend_share(grid: np.ndarray, alpha: float = 0.05) -> tuple[float, int]:
    """The share of units (with at least :data:`MIN_TREND_PERIODS` years) whose
    deviation from the year's mean trends at level ``alpha``, and how many units."""
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(grid).sum(axis=0)
        year_mean = np.where(counts > 0, np.nansum(grid, axis=0) / np.maximum(counts, 1), np.nan)
    dev = grid - year_mean
    mask = np.isfinite(dev)
    n = mask.sum(axis=1)
    used = n >= MIN_TREND_PERIODS
    if not used.any():
        return math.nan, 0
    t = np.where(mask, np.arange(grid.shape[1], dtype=float), 0.0)
    v = np.where(mask, dev, 0.0)
    nn = np.maximum(n, 1)
    t_c = np.where(mask, t - (t.sum(axis=1) / nn)[:, None], 0.0)
    v_c = np.where(mask, v - (v.sum(axis=1) / nn)[:, None], 0.0)
    stt = (t_c * t_c).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (t_c * v_c).sum(axis=1) / stt
        resid = np.where(mask, v_c - slope[:, None] * t_c, 0.0)
        s2 = (resid**2).sum(axis=1) / (n - 2)
        tstat = slope / np.sqrt(s2 / stt * _persistence_inflation(resid, mask, used))
    p = 2 * stdtr(np.maximum(n - 2, 1), -np.abs(tstat))
    significant = used & np.isfinite(p) & (p < alpha)
    return float(significant.sum() / used.sum()), int(used.sum())


def panel_diagnostics(panel: Panel, card: Scorecard) -> dict:
    """The diagnostics of ``results.json``'s ``data_quality.panel_diagnostics``: per
    effect indicator, Pesaran's CD of its one-way residuals; per linked indicator, the
    share of units that trend on their own."""
    effects = []
    for target in dict.fromkeys(link.target for link in card.links):
        terms, controls = model_terms(card, target)
        stat, p, units = pesaran_cd(one_way_residuals(panel, target, terms + controls))
        effects.append({"indicator": target, "cd": stat, "p_value": p, "units": units})
    trends = []
    for ind in card.linked_ids:
        if ind in panel.values and ind not in card.reform_ids:
            share, units = trend_share(panel.values[ind])
            trends.append({"indicator": ind, "share": share, "units": units})
    return {"cross_section_dependence": effects, "own_trends": trends}
