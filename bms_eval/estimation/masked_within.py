"""Many fixed-effects regressions that differ by one column, each on its own sample.

The discovery screen (:mod:`bms_eval.estimation.discovery`) asks, for one effect
indicator ``Y`` and one lag, whether each of many candidate causes ``X_j(t − lag)``
adds to ``Y``'s model. Each candidate has its own gaps, so each regression has its own
sample: the rows where ``Y``, the model's columns and that candidate all have values.
:func:`candidate_columns` fits all of them at once on the units × periods grid, with
one mask per candidate:

- unit effects: each unit's mean over its rows in the candidate's sample is taken out;
- period effects (``twoway``): the unit-demeaned period dummies are projected out by
  one periods × periods system per candidate (``G β = b`` with
  ``G = Σ_i (diag m_i − m_i m_i′ / n_i)``; its pseudo-inverse takes the null space
  of the constant), batched over the candidates;
- the model's other columns are partialled out (Frisch–Waugh–Lovell): the
  candidate's coefficient is that of the full regression.

Inference is by standard errors clustered by unit with the small-sample factor of
:func:`bms_eval.estimation.within_fit.fit_within` (``n / (n − absorbed − k)``, ``t``
with ``units − 1`` degrees of freedom), so a candidate's estimate, standard error and
p-value equal those of its own fixed-effects regression (tested against linearmodels
and statsmodels in ``tests/test_masked_within.py``). A candidate whose sample leaves
fewer than ``MIN_RESIDUAL_DF`` residual degrees of freedom (unit and period effects
counted), or has fewer than ``MIN_OBSERVATIONS`` rows, is not estimated, as the link
tests' own models are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bms_eval.estimation.inference import t_sf
from bms_eval.estimation.unit_designs import PERIOD_RANK_RTOL
from bms_eval.estimation.verdicts import MIN_OBSERVATIONS, MIN_RESIDUAL_DF

#: A candidate whose sum of squares within units (and periods) is below this share of
#: its raw sum of squares has no variation of its own: it is not estimated.
VARIATION_RTOL = 1e-10


@dataclass(frozen=True)
class CandidateFits:
    """One regression per candidate column (arrays along the candidates).

    Attributes
    ----------
    estimate, std_error, p_value : numpy.ndarray
        The candidate's coefficient, its clustered standard error and the two-sided
        p-value (t with ``units − 1`` degrees of freedom); NaN where the candidate
        has no variation of its own in its sample.
    std_estimate : numpy.ndarray
        The estimate in standard deviations of the within-unit variation of the
        candidate and of ``y`` in the candidate's sample.
    n_obs, n_units : numpy.ndarray
        Rows and units of each candidate's sample.
    """

    estimate: np.ndarray
    std_error: np.ndarray
    p_value: np.ndarray
    std_estimate: np.ndarray
    n_obs: np.ndarray
    n_units: np.ndarray


class _Samples:
    """Each candidate's sample (``m``: candidates × units × periods, 1 in the sample),
    with what its unit and period effects need, computed once."""

    def __init__(self, mask: np.ndarray, twoway: bool):
        self.m = m = mask.astype(float)
        n = m.sum(axis=2)  # (J, U)
        self.per_unit = np.where(n > 0, 1.0 / np.maximum(n, 1.0), 0.0)
        self.weighted = m * self.per_unit[..., None]  # m_it / n_i
        self.inverse = None
        self.period_rank = np.zeros(m.shape[0], dtype=int)
        if twoway:  # G = Σ_i (diag m_i − m_i m_i′ / n_i), one per candidate
            periods = m.shape[2]
            gram = np.zeros((m.shape[0], periods, periods))
            idx = np.arange(periods)
            gram[:, idx, idx] = m.sum(axis=1)
            gram -= self.weighted.transpose(0, 2, 1) @ m
            self.inverse = np.linalg.pinv(gram, rcond=PERIOD_RANK_RTOL, hermitian=True)
            #: per candidate, the period effects its sample can tell apart
            self.period_rank = np.linalg.matrix_rank(gram, rtol=PERIOD_RANK_RTOL, hermitian=True)

    def within(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``values`` (candidates at ``rows`` × units × periods × columns) with unit (and
        period) effects taken out on each candidate's sample; zero outside it."""
        m = self.m[rows][..., None]
        v = values * m
        means = v.sum(axis=2) * self.per_unit[rows][..., None]  # (J, U, c)
        d = (v - means[:, :, None]) * m
        if self.inverse is None:
            return d
        effects = self.inverse[rows] @ d.sum(axis=1)  # Σ_i m_it d_it: zero off the sample
        own_mean = self.weighted[rows] @ effects  # (J, U, c): Σ_t m_it β_t / n_i
        return d - m * (effects[:, None] - own_mean[:, :, None])


def _unit_sums(m: np.ndarray, shared: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per candidate and unit, the sums over the unit's rows in the candidate's sample of
    the shared columns and of the candidate: shape ``(J, U, c + 1)``."""
    # one (J × T) @ (T × c) product per unit
    s_shared = (m.transpose(1, 0, 2) @ shared).transpose(1, 0, 2)
    return np.concatenate([s_shared, (m * x).sum(axis=2)[..., None]], axis=2)


def _grams(samples: _Samples, shared: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's cross-products of ``[shared…, candidate]`` with unit effects
    taken out (``one_way``, the scale of a standardized effect) and with unit and period
    effects taken out (``within``): from sums over the grid, never from a grid per
    candidate and column."""
    m = samples.m
    n_cand, n_units, n_periods = m.shape
    c = shared.shape[-1]
    flat = m.reshape(n_cand, -1)
    outer = (shared[..., :, None] * shared[..., None, :]).reshape(n_units * n_periods, c * c)
    gram = np.empty((n_cand, c + 1, c + 1))
    gram[:, :c, :c] = (flat @ outer).reshape(n_cand, c, c)
    mx = m * x
    gram[:, c, :c] = gram[:, :c, c] = mx.reshape(n_cand, -1) @ shared.reshape(-1, c)
    gram[:, c, c] = (mx * x).sum(axis=(1, 2))
    sums = _unit_sums(m, shared, x)
    one_way = gram - (sums * samples.per_unit[..., None]).transpose(0, 2, 1) @ sums
    if samples.inverse is None:
        return one_way, one_way
    # Σ_i m_it v_it per period, less Σ_i m_it s_i / n_i: the period sums of the
    # unit-demeaned columns
    right = np.concatenate(
        [
            (m.transpose(2, 0, 1) @ shared.transpose(1, 0, 2)).transpose(1, 0, 2),
            mx.sum(axis=1)[..., None],
        ],
        axis=2,
    )
    right -= samples.weighted.transpose(0, 2, 1) @ sums
    return one_way, one_way - right.transpose(0, 2, 1) @ samples.inverse @ right


def _unit_scores(
    samples: _Samples,
    shared: np.ndarray,
    x: np.ndarray,
    sel: np.ndarray,
    theta: np.ndarray,
    lever: np.ndarray,
) -> np.ndarray:
    """Per selected candidate and unit, the candidate's clustered score: the within
    residual times the within lever (the candidate's row of ``(Z′Z)⁻¹ Z′``), summed over
    the unit's rows. Both are raw combinations of the columns made within afterwards: the
    within transformation is linear."""
    b = shared.shape[-1] - 1  # the base's columns
    raw = np.empty((sel.size, *shared.shape[:2], 2))
    raw[..., 0] = shared[None, ..., 0] - np.einsum("utc,jc->jut", shared[..., 1:], theta[:, :b])
    raw[..., 0] -= x[sel] * theta[:, -1, None, None]
    raw[..., 1] = np.einsum("utc,jc->jut", shared[..., 1:], lever[:, :b])
    raw[..., 1] += x[sel] * lever[:, -1, None, None]
    within = samples.within(raw, sel)
    return (within[..., 0] * within[..., 1]).sum(axis=2)  # (J, U)


def candidate_columns(
    y: np.ndarray,
    base: list[np.ndarray],
    candidates: np.ndarray,
    twoway: bool,
) -> CandidateFits:
    """Regress ``y`` on ``base`` and each candidate in turn, with unit (and period)
    effects, each on the rows where all its columns have values.

    Parameters
    ----------
    y : numpy.ndarray
        The effect on the grid (units × periods), NaN where missing.
    base : list of numpy.ndarray
        The model's other columns on the grid (the effect's own lag, its drawn
        causes, the controls).
    candidates : numpy.ndarray
        Shape ``(J, units, periods)``: one candidate column per regression.
    twoway : bool
        Period effects as well as unit effects.

    Returns
    -------
    CandidateFits
    """
    n_cand = candidates.shape[0]
    common = np.isfinite(y)
    for col in base:
        common &= np.isfinite(col)
    mask = common[None] & np.isfinite(candidates)
    # each unit's rows in the sample: units with one row only carry no within variation
    mask &= (mask.sum(axis=2) >= 2)[..., None]
    samples = _Samples(mask, twoway)
    shared = np.where(common[..., None], np.stack([y, *base], axis=-1), 0.0)
    x = np.where(mask, candidates, 0.0)
    one_way, gram = _grams(samples, shared, x)
    k = len(base) + 1  # regressors: the base and the candidate
    n_obs = mask.sum(axis=(1, 2))
    n_units = (mask.sum(axis=2) > 0).sum(axis=1)
    absorbed = samples.period_rank if twoway else np.zeros(n_cand, dtype=int)
    df_resid = n_obs - absorbed - k
    # what the regression leaves to its residuals, the unit effects counted too: a sample
    # that fits exactly (a few rows of few units) tells nothing
    left = n_obs - n_units - absorbed - k
    zz, zy = gram[:, 1:, 1:], gram[:, 1:, 0]
    scale_z = np.sqrt(np.maximum(np.diagonal(zz, axis1=1, axis2=2), 0.0))
    unit = np.where(scale_z > 0, scale_z, 1.0)
    normed = zz / (unit[:, :, None] * unit[:, None, :])
    # a candidate without variation of its own (absorbed by the effects or the base),
    # or too few rows: not estimated
    raw_xx = (x * x).sum(axis=(1, 2))
    ok = (n_units >= 2) & (left >= MIN_RESIDUAL_DF) & (n_obs >= MIN_OBSERVATIONS)
    ok &= zz[:, -1, -1] > VARIATION_RTOL * raw_xx
    ok &= np.linalg.cond(normed) < 1e10
    out = {name: np.full(n_cand, np.nan) for name in ("est", "se", "p", "std")}
    if ok.any():
        sel = np.flatnonzero(ok)
        inverse = np.linalg.inv(normed[sel]) / (unit[sel, :, None] * unit[sel, None, :])
        theta = (inverse @ zy[sel][..., None])[..., 0]
        lever = inverse[:, -1]  # the candidate's row of (Z′Z)⁻¹
        scores = _unit_scores(samples, shared, x, sel, theta, lever)
        se = np.sqrt(n_obs[sel] / df_resid[sel] * (scores**2).sum(axis=1))
        out["est"][sel], out["se"][sel] = theta[:, -1], se
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(theta[:, -1]) / se
        out["p"][sel] = [
            2 * t_sf(float(v), int(g) - 1) if np.isfinite(v) else np.nan
            for v, g in zip(t, n_units[sel], strict=True)
        ]
        sd_x, sd_y = (np.sqrt(np.maximum(one_way[sel, i, i], 0.0)) for i in (-1, 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            out["std"][sel] = np.where(sd_y > 0, theta[:, -1] * sd_x / sd_y, np.nan)
    return CandidateFits(out["est"], out["se"], out["p"], out["std"], n_obs, n_units)
