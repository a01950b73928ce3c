"""Small inference helpers: t-based intervals, power, the between regression, BH.

Each is a pure function of numbers and arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr, stdtrit

from bms_eval.estimation.fixed_effects import dense_codes, group_means, magnitude

#: Power at which the minimum detectable effect is stated.
POWER = 0.80


def t_sf(t: float, df: float) -> float:
    """Upper tail of Student's t (``scipy.stats.t.sf``, through the light ``scipy.special``)."""
    return float(stdtr(df, -t))


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t (``scipy.stats.t.ppf``)."""
    return float(stdtrit(df, q))


def t_inference(estimate: float, se: float, df: int, alpha: float) -> tuple[float, float, float]:
    """Two-sided p-value of H0: β = 0 and the (1 − alpha) interval, from t(df).

    Returns
    -------
    p_value, ci_low, ci_high : float
    """
    if not (se > 0 and df > 0):
        return math.nan, math.nan, math.nan
    t = estimate / se
    p = 2 * t_sf(abs(t), df)
    q = t_ppf(1 - alpha / 2, df)
    return p, estimate - q * se, estimate + q * se


def minimum_detectable_effect(se: float, df: int, alpha: float, power: float = POWER) -> float:
    """Smallest true effect a two-sided test at ``alpha`` detects with ``power``.

    ``(t_{1−α/2} + t_{power}) · se`` with ``df`` degrees of freedom (the normal
    approximation of Bloom 1995, with t quantiles for few clusters).
    """
    if not (se > 0 and df > 0):
        return math.nan
    return (t_ppf(1 - alpha / 2, df) + t_ppf(power, df)) * se


@dataclass(frozen=True)
class BetweenFit:
    """Regression of unit means of the effect on unit means of the cause."""

    estimate: float
    std_error: float
    p_value: float
    n_units: int


def between_regression(y: np.ndarray, x: np.ndarray, units: np.ndarray) -> BetweenFit:
    """OLS with intercept of unit means of ``y`` on unit means of ``x``.

    Classical standard errors and t(G − 2), as linearmodels' ``BetweenOLS`` with
    ``cov_type="unadjusted"``. NaN when fewer than 3 units or no spread in the unit
    means of ``x`` or of ``y``.
    """
    codes = dense_codes(units)
    g = int(codes.max(initial=-1)) + 1
    if g < 3:
        return BetweenFit(math.nan, math.nan, math.nan, g)
    # in units of each variable's largest magnitude, so 1e±300 neither over- nor underflows
    sy, sx = magnitude(y), magnitude(x)
    my, mx = group_means(y / sy, codes), group_means(x / sx, codes)
    dx = mx - mx.mean()
    sxx = float(dx @ dx)
    if sxx <= 1e-12 * max(1.0, float(mx @ mx)):
        return BetweenFit(math.nan, math.nan, math.nan, g)
    dy = my - my.mean()
    if float(dy @ dy) <= 1e-24 * max(1e-300, float(my @ my)):
        return BetweenFit(math.nan, math.nan, math.nan, g)  # the effect's unit means are equal
    slope = float(dx @ dy) / sxx
    resid = my - my.mean() - slope * dx
    se = math.sqrt(float(resid @ resid) / (g - 2) / sxx)
    p = 2 * t_sf(abs(slope / se), g - 2) if se > 0 else 0.0
    return BetweenFit(slope * sy / sx, se * sy / sx, p, g)


def between_leave_one_out(
    y: np.ndarray, x: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How the between-units slope (:func:`between_regression`) moves when each unit
    is left out, from the sums of the unit means (exact).

    Returns
    -------
    units, shifts : numpy.ndarray
        The distinct unit codes (sorted) and, per unit, the slope without it less the
        slope with all (NaN where fewer than three units or no spread would remain).
    """
    codes = dense_codes(units)
    g = int(codes.max(initial=-1)) + 1
    labels = np.zeros(g, dtype=units.dtype)
    labels[codes] = units
    if g < 4:
        return labels, np.full(g, np.nan)
    sy, sx = magnitude(y), magnitude(x)
    my, mx = group_means(y / sy, codes), group_means(x / sx, codes)
    mx, my = mx - mx.mean(), my - my.mean()  # centred: the sums below stay small

    def slope(n: float, sx_: np.ndarray, sy_: np.ndarray, sxx: np.ndarray, sxy: np.ndarray):
        with np.errstate(invalid="ignore", divide="ignore"):
            return (sxy - sx_ * sy_ / n) / (sxx - sx_**2 / n)

    full = slope(g, mx.sum(), my.sum(), mx @ mx, mx @ my)
    without = slope(g - 1, mx.sum() - mx, my.sum() - my, mx @ mx - mx**2, mx @ my - mx * my)
    return labels, (without - full) * sy / sx


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; NaN stays NaN and is not counted among
    the tests.

    ``p_(i) · m / i``, made monotone from the largest down and capped at 1 — what
    statsmodels' ``multipletests(method="fdr_bh")`` returns (the tests check it
    against that). Written out here because importing ``statsmodels.stats.multitest``
    loads all of ``scipy.stats``, about half a second: a quarter of the whole
    ``bms-eval links`` command on a KOSTRA-sized scorecard.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size:
        order = np.argsort(p[ok], kind="stable")
        ranked = p[ok][order] * ok.size / np.arange(1, ok.size + 1)
        adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
        out[ok[order]] = adjusted
    return out
