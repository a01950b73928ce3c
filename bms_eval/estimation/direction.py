"""Direction (cross-lagged, Granger-type) tests, corrected for the Nickell bias.

Indicators are persistent, so a static regression of ``Y(t)`` on ``X(t − lag)``
cannot tell which way an arrow points. The direction tests condition on each
indicator's own past, as a cross-lagged pair with unit (and period) effects::

    forward   Y(t) = ρ_Y·Y(t − 1) + β·X(t − lag)  + (Y's other causes, controls) + a_i + e(t)
    reverse   X(t) = ρ_X·X(t − 1) + δ·Y(t − lag′) + (controls)                   + b_i + u(t)

with ``lag′ = lag``, or 1 when ``lag`` is 0. ``β`` is the forward effect, ``δ``
the reverse one.

**The bias.** The within (fixed-effects) estimator of such a model is biased by
order ``1/T`` (Nickell 1981): the unit mean removed from ``Y(t − 1)`` holds the
shocks ``e(s)`` of the same unit's later years. The bias also reaches ``β``
whenever ``X`` is correlated with ``Y``'s past, which is exactly the case when
the truth runs the other way (``δ ≠ 0``); uncorrected, a persistent effect
makes the forward test reject far too often.

**The correction** is the fixed-``T`` bias-corrected within estimator of Bun &
Carree (2005), extended to the predetermined pair. For a regressor
``v(t − ℓ)`` of unit ``i``, observed in the periods ``S_i`` (``T_i`` of them),
the within transformation gives exactly::

    E[Σ_t ṽ(t − ℓ) ẽ(t)] = −(1/T_i) Σ_{t,s ∈ S_i, s < t} E[v(t − ℓ) e(s)]
                         = −(1/T_i) Σ_{t,s ∈ S_i, s < t} R_v(t − ℓ − s)

where ``R_v(k)`` is the covariance of ``v(s + k)`` with the shock ``e(s)``: the
pair's impulse responses at horizon ``k`` times the shocks' covariance. It
needs no assumption on the initial conditions or on stationarity, handles gaps
and unbalanced panels (the pairs ``t, s`` are counted per unit), and vanishes
for regressors that do not respond to the shocks (other causes and controls
are treated so). The estimator solves the corrected normal equations of both
equations together with the three shock (co)variances::

    Σ_i W̃_i′(ỹ_i − W̃_i θ) − E_i[W̃_i′ẽ_i](θ, Σ) = 0 ,   Σ_i ẽ_i′ẽ_i − (T_i − 1)·σ² = 0, …

It is consistent for a fixed number of periods as units grow: the bias is
removed, not only its ``1/T`` term as by the half-panel jackknife (Dhaene &
Jochmans 2015), whose remainder made the forward test reject in 22 % of panels
at ρ 0.9 and 15 years in this project's measurements. With period effects the
bias is ``1 − 1/G`` times the one-way bias (exact for balanced panels). Near a
unit root with few periods the corrected equation of an own lag can have no
exact solution; the estimate is then the point closest to one (see
:func:`_solve`).

**Inference accounts for the correction.** The estimator is an M-estimator
with one moment vector per unit, so with :data:`JACKKNIFE_BELOW_UNITS` units or
more its clustered variance is the sandwich ``G/(G − 1) · J⁻¹ (Σ_i m_i m_i′)
J⁻ᵀ`` with the Jacobian ``J`` of the corrected equations. With fewer units the
variance is the cluster jackknife (CV3: each unit left out in turn and the
whole corrected model solved again; MacKinnon, Nielsen & Webb 2023), which
keeps the size with 8 units where the linearised sandwich and wild score
bootstraps of it rejected 11–14 % of true nulls. p-values from Student's t on
``G − 1`` degrees of freedom. The size and power over persistence, units,
years and truth are printed by ``benchmarks/direction_study.py``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares, root

from bms_eval.estimation.fixed_effects import (
    Design,
    NotEstimable,
    demean,
    design_from_grids,
    fit_within,
    magnitude,
)
from bms_eval.estimation.inference import t_inference
from bms_eval.estimation.panel import Panel

#: Fewest distinct periods in which the effect, its own past and the cause are
#: observed together: below it the direction is not checked. Each unit then
#: contributes at least a few within-unit changes to both equations.
MIN_DIRECTION_PERIODS = 5
#: Below this many units, the standard errors come from the cluster jackknife.
JACKKNIFE_BELOW_UNITS = 50
#: Largest own persistence accepted for the solution (beyond it the model
#: explodes and the correction has no meaning).
MAX_PERSISTENCE = 1.5
#: Largest remaining imbalance of the corrected equations (relative) that counts as solved.
SOLVED_TOLERANCE = 1e-8

Term = tuple[str, int]


@dataclass(frozen=True)
class DirectionFit:
    """One direction test: the corrected coefficient of a cross-lagged term.

    Attributes
    ----------
    estimate, std_error, p_value : float
        The bias-corrected estimate (in the data's units: effect per unit of the
        cause) and its inference.
    std_estimate : float
        The estimate in within-unit standard deviations of cause and effect.
    estimate_within : float
        The uncorrected within estimate (biased by order 1/T).
    persistence, persistence_within : float
        The effect's own-lag coefficient, corrected and uncorrected.
    n_obs, n_units, n_periods : int
        The sample of this equation.
    inference : {"cluster", "jackknife"}
        How the standard error was found.
    """

    estimate: float
    std_error: float
    p_value: float
    std_estimate: float
    estimate_within: float
    persistence: float
    persistence_within: float
    n_obs: int
    n_units: int
    n_periods: int
    inference: str


@dataclass(frozen=True)
class DirectionPair:
    """The forward and the reverse test of one link and lag."""

    forward: DirectionFit
    reverse: DirectionFit
    method: str = "bias_corrected_fe"


# --------------------------------------------------------------------------- equations


@dataclass(frozen=True)
class _Equation:
    """One equation in standardised units, within-transformed."""

    y: np.ndarray  # within-transformed dependent variable, rows sorted by unit
    W: np.ndarray  # within-transformed regressors
    units: np.ndarray  # unit code of each row (codes of the whole panel)
    periods: np.ndarray
    dynamic: tuple[tuple[int, int, int], ...]  # (column, 0 for Y | 1 for X, lag) of pair terms
    pair_counts: np.ndarray  # (units of the panel, periods): C[i, d] = #{t−s=d}/T_i
    df_units: np.ndarray  # per panel unit: the residual's expected share, T_i − 1 (scaled)
    sd_ratio: float  # within SD of the tested column / within SD of y
    raw: float  # uncorrected within estimate of the tested column
    raw_own: float  # uncorrected within estimate of the own lag (column 0)
    bias_factor: float  # 1 − 1/G with period effects (their projection's share), else 1
    # with period effects: y, W before the dummies were partialled out, and the dummies
    unit_y: np.ndarray | None = None
    unit_W: np.ndarray | None = None
    dummies: np.ndarray | None = None


def _without(eq: _Equation, unit: int) -> _Equation:
    """The equation with one unit's rows left out (period effects estimated again)."""
    keep = eq.units != unit
    counts = eq.pair_counts.copy()
    counts[unit] = 0.0
    df_units = eq.df_units.copy()
    df_units[unit] = 0.0
    y, W = eq.y[keep], eq.W[keep]
    if eq.dummies is not None and eq.unit_y is not None and eq.unit_W is not None:
        y, W = _project_out(eq.dummies[keep], eq.unit_y[keep], eq.unit_W[keep])
    return replace(
        eq,
        y=y,
        W=W,
        units=eq.units[keep],
        periods=eq.periods[keep],
        pair_counts=counts,
        df_units=df_units,
        unit_y=None,
        unit_W=None,
        dummies=None,
    )


def _within(
    design: Design, twoway: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Unit-demeaned ``y`` and ``X`` with period dummies partialled out when two-way;
    ``X`` before that projection; and the unit-demeaned dummies (``None`` one-way)."""
    starts = np.flatnonzero(np.r_[True, design.units[1:] != design.units[:-1]])
    counts = np.diff(np.r_[starts, design.n_obs])
    y = demean(design.y, starts, counts)
    X = demean(design.X, starts, counts)
    periods = np.unique(design.periods, return_inverse=True)[1]
    if not twoway or periods.max() == 0:
        return y, X, X, None
    dummies = np.zeros((design.n_obs, int(periods.max())))
    rows = np.flatnonzero(periods > 0)
    dummies[rows, periods[rows] - 1] = 1.0
    D = demean(dummies, starts, counts)
    y_p, X_p = _project_out(D, y, X)
    return y_p, X_p, X, D


def _project_out(D: np.ndarray, y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``X`` less their least-squares projection on ``D``."""
    both = np.column_stack([y, X])
    resid = both - D @ np.linalg.lstsq(D, both, rcond=None)[0]
    return resid[:, 0], resid[:, 1:]


def _pair_counts(design: Design, n_units: int, n_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit ``i`` and distance ``d ≥ 1``: the pairs ``t, s`` of its sample with
    ``t − s = d``, divided by ``T_i``; and ``T_i``."""
    mask = np.zeros((n_units, n_periods), dtype=bool)
    mask[design.units, design.periods] = True
    t_i = mask.sum(axis=1).astype(float)
    counts = np.zeros((n_units, n_periods))
    m = mask.astype(float)
    for d in range(1, n_periods):
        counts[:, d] = (m[:, d:] * m[:, :-d]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        counts = np.where(t_i[:, None] > 0, counts / t_i[:, None], 0.0)
    return counts, t_i


def _equation(
    panel: Panel,
    grids: dict[str, np.ndarray],
    target: str,
    terms: list[Term],
    pair: dict[str, int],
    twoway: bool,
) -> _Equation:
    """Build and check one equation; ``pair`` maps the pair's ids to 0 (``Y``) and 1 (``X``)."""
    y = grids[target]
    columns = [_shift(grids[ind], lag) for ind, lag in terms]
    design = design_from_grids(y, columns, [str(i) for i in range(len(terms))])
    if design.n_obs == 0:
        raise NotEstimable(
            "no_overlap", "no year has values for the effect and all its causes together"
        )
    n_periods = int(np.unique(design.periods).size)
    if n_periods < MIN_DIRECTION_PERIODS:
        raise NotEstimable(
            "too_few_periods",
            f"only {n_periods} periods have the indicator, its own past and the other "
            f"indicator together (the direction test needs {MIN_DIRECTION_PERIODS})",
            n=n_periods,
            min=MIN_DIRECTION_PERIODS,
        )
    fit = fit_within(design, twoway)  # raises for degenerate designs
    if fit.names[:2] != ("0", "1"):
        raise NotEstimable(
            "no_variation",
            "the cause has no within-unit variation left once the fixed effects are removed",
        )
    keep = [int(name) for name in fit.names]
    design = Design(design.y, design.X[:, keep], fit.names, design.units, design.periods)
    terms = [terms[k] for k in keep]
    yw, W, W_unit, D = _within(design, twoway)
    dynamic = tuple((c, pair[ind], lag) for c, (ind, lag) in enumerate(terms) if ind in pair)
    counts, t_i = _pair_counts(design, len(panel.units), panel.shape[1])
    n, g = design.n_obs, np.unique(design.units).size
    dummies = (n_periods - 1) if twoway else 0
    share = (n - g - dummies) / (n - g) if n > g else 0.0
    y_norm = float(np.linalg.norm(demean_units(design)))
    ratio = float(np.linalg.norm(W_unit[:, 1]) / y_norm) if y_norm > 0 else math.nan
    return _Equation(
        y=yw,
        W=W,
        units=design.units,
        periods=design.periods,
        dynamic=dynamic,
        pair_counts=counts,
        df_units=np.maximum(t_i - 1, 0) * share,
        sd_ratio=ratio,
        raw=float(fit.params[1]),
        raw_own=float(fit.params[0]),
        bias_factor=1.0 - 1.0 / g if twoway else 1.0,
        unit_y=demean_units(design) if D is not None else None,
        unit_W=W_unit if D is not None else None,
        dummies=D,
    )


def demean_units(design: Design) -> np.ndarray:
    """The dependent variable demeaned by unit (rows sorted by unit)."""
    starts = np.flatnonzero(np.r_[True, design.units[1:] != design.units[:-1]])
    return demean(design.y, starts, np.diff(np.r_[starts, design.n_obs]))


def _shift(grid: np.ndarray, lag: int) -> np.ndarray:
    out = np.full(grid.shape, np.nan)
    if lag == 0:
        return grid.copy()
    if lag < grid.shape[1]:
        out[:, lag:] = grid[:, :-lag]
    return out


# --------------------------------------------------------------------------- the bias


@functools.lru_cache(maxsize=64)
def _responses(
    terms_y: tuple[tuple[int, int, float], ...],
    terms_x: tuple[tuple[int, int, float], ...],
    horizon: int,
) -> np.ndarray:
    """Impulse responses ``Ψ_k`` (k = 0 … horizon) of ``(Y, X)`` to unit shocks ``(e, u)``.

    ``terms_y`` / ``terms_x`` list ``(lag, variable, coefficient)`` of the
    ``Y`` / ``X`` equation, variable 0 for ``Y`` and 1 for ``X``. ``X`` has no
    same-period term (its lags are ≥ 1), so it is computed first; ``Y`` may use
    ``X(t)`` (lag 0). Returns shape ``(horizon + 1, 2, 2)``: [k, variable, shock],
    read-only (cached: the solver's numerical derivatives in the variances and the
    other terms reuse it).
    """
    psi = np.zeros((horizon + 1, 2, 2))
    paths = [[[0.0, 0.0] for _ in range(horizon + 1)] for _ in (0, 1)]  # [shock][k][var]
    for shock, path in enumerate(paths):
        for k in range(horizon + 1):
            now = path[k]
            now[1] = (1.0 if (k == 0 and shock == 1) else 0.0) + sum(
                c * path[k - lag][v] for lag, v, c in terms_x if lag <= k
            )
            now[0] = (1.0 if (k == 0 and shock == 0) else 0.0) + sum(
                c * path[k - lag][v] for lag, v, c in terms_y if lag <= k
            )
        psi[:, :, shock] = path
    psi.setflags(write=False)
    return psi


def _bias_moments(eq: _Equation, cov_with_shock: np.ndarray) -> np.ndarray:
    """Per unit (rows: panel units) and column: ``−E[W̃_i′ẽ_i]`` given ``R_v(k)``.

    ``cov_with_shock`` has shape ``(horizon + 1, 2)``: the covariance of ``Y``
    and ``X`` at horizon ``k`` with the equation's shock.
    """
    g, p = eq.pair_counts.shape
    out = np.zeros((g, eq.W.shape[1]))
    for col, var, lag in eq.dynamic:
        # distances d ≥ max(lag, 1) pair with horizon k = d − lag
        first = max(lag, 1)
        if first < p:
            out[:, col] = eq.pair_counts[:, first:p] @ cov_with_shock[first - lag : p - lag, var]
    return out * eq.bias_factor


class _PairModel:
    """The two equations and their corrected estimating equations.

    The parameters, in order: the forward equation's coefficients (own lag
    first, then the cause), the reverse equation's (own lag first, then the
    effect), and the shocks' variances and covariance ``σ_ee, σ_eu, σ_uu``.
    """

    def __init__(self, fwd: _Equation, rev: _Equation, n_units: int, n_periods: int):
        self.fwd, self.rev = fwd, rev
        self.g, self.p = n_units, n_periods
        self.k_f, self.k_r = fwd.W.shape[1], rev.W.shape[1]
        self.gram_f, self.xy_f = fwd.W.T @ fwd.W, fwd.W.T @ fwd.y
        self.gram_r, self.xy_r = rev.W.T @ rev.W, rev.W.T @ rev.y
        # rows where both equations have a residual (for the shocks' covariance)
        key_f = fwd.units * n_periods + fwd.periods
        key_r = rev.units * n_periods + rev.periods
        both, self.at_f, self.at_r = np.intersect1d(key_f, key_r, return_indices=True)
        self.both_units = both // n_periods
        t_f = np.bincount(fwd.units, minlength=n_units).astype(float)
        t_r = np.bincount(rev.units, minlength=n_units).astype(float)
        n_b = np.bincount(self.both_units, minlength=n_units).astype(float)
        # E[Σ_t ẽ(t)ũ(t)] = σ_eu · (n_b − n_b/T_r − n_b/T_f + n_b²/(T_f T_r)) per unit
        with np.errstate(invalid="ignore", divide="ignore"):
            d = n_b - n_b / t_r - n_b / t_f + n_b**2 / (t_f * t_r)
        share = fwd.df_units.sum() / max(np.maximum(t_f - 1, 0).sum(), 1e-300)
        self.df_both = np.nan_to_num(d) * share

    def split(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``θ_f, θ_r, (σ_ee, σ_eu, σ_uu)``."""
        return par[: self.k_f], par[self.k_f : self.k_f + self.k_r], par[self.k_f + self.k_r :]

    def bias(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per unit: ``−E[W̃′ẽ]`` of the forward and of the reverse equation."""
        th_f, th_r, s = self.split(par)
        terms_y = tuple((lag, var, float(th_f[c])) for c, var, lag in self.fwd.dynamic)
        terms_x = tuple((lag, var, float(th_r[c])) for c, var, lag in self.rev.dynamic)
        psi = _responses(terms_y, terms_x, self.p)
        cov = psi @ np.array([[s[0], s[1]], [s[1], s[2]]])  # [k, variable, shock]
        return _bias_moments(self.fwd, cov[:, :, 0]), _bias_moments(self.rev, cov[:, :, 1])

    def unit_moments(self, par: np.ndarray) -> np.ndarray:
        """The corrected estimating equations, one row per panel unit."""
        th_f, th_r, s = self.split(par)
        e = self.fwd.y - self.fwd.W @ th_f
        u = self.rev.y - self.rev.W @ th_r
        b_f, b_r = self.bias(par)
        m_f = np.zeros((self.g, self.k_f))
        np.add.at(m_f, self.fwd.units, self.fwd.W * e[:, None])
        m_r = np.zeros((self.g, self.k_r))
        np.add.at(m_r, self.rev.units, self.rev.W * u[:, None])
        ee = np.bincount(self.fwd.units, e * e, self.g) - s[0] * self.fwd.df_units
        uu = np.bincount(self.rev.units, u * u, self.g) - s[2] * self.rev.df_units
        eu = np.bincount(self.both_units, e[self.at_f] * u[self.at_r], self.g)
        return np.column_stack([m_f + b_f, m_r + b_r, ee, eu - s[1] * self.df_both, uu])

    def update(self, par: np.ndarray) -> np.ndarray:
        """The coefficients and variances that solve the equations given ``par``'s bias."""
        b_f, b_r = self.bias(par)
        th_f = np.linalg.solve(self.gram_f, self.xy_f + b_f.sum(axis=0))
        th_r = np.linalg.solve(self.gram_r, self.xy_r + b_r.sum(axis=0))
        return np.concatenate([th_f, th_r, self._variances(th_f, th_r)])

    def start(self) -> np.ndarray:
        """The uncorrected within estimates and their shock variances."""
        th_f = np.linalg.solve(self.gram_f, self.xy_f)
        th_r = np.linalg.solve(self.gram_r, self.xy_r)
        return np.concatenate([th_f, th_r, self._variances(th_f, th_r)])

    def _variances(self, th_f: np.ndarray, th_r: np.ndarray) -> list[float]:
        e = self.fwd.y - self.fwd.W @ th_f
        u = self.rev.y - self.rev.W @ th_r
        return [
            float(e @ e) / max(self.fwd.df_units.sum(), 1e-300),
            float(e[self.at_f] @ u[self.at_r]) / max(self.df_both.sum(), 1e-300),
            float(u @ u) / max(self.rev.df_units.sum(), 1e-300),
        ]


@dataclass(frozen=True)
class _Solution:
    par: np.ndarray
    exact: bool  # the corrected equations are solved (not only come closest)


def _solve(model: _PairModel, start: np.ndarray | None = None) -> _Solution:
    """The parameters that solve (or, near a unit root, come closest to solving) the
    corrected equations, searched from the uncorrected estimates.

    With few periods and very persistent indicators the corrected equation of an
    own lag can have no exact solution, or two (Bun & Carree 2005): the search
    starts at the within estimate, so it finds the solution nearest to it, and
    where none exists it stops at the point closest to one.
    """
    first = model.start() if start is None else start.copy()
    n_coef = model.k_f + model.k_r
    low = np.full(first.size, -np.inf)
    high = np.full(first.size, np.inf)
    for j in (0, model.k_f):  # the own lags
        low[j], high[j] = -MAX_PERSISTENCE, MAX_PERSISTENCE
        first[j] = min(max(first[j], -MAX_PERSISTENCE + 1e-9), MAX_PERSISTENCE - 1e-9)
    for j in (n_coef, n_coef + 2):  # the shock variances
        low[j] = 1e-12
        first[j] = max(first[j], 1e-9)
    with np.errstate(all="ignore"):
        quick = root(lambda par: model.update(par) - par, first, method="hybr")
    inside = np.all(quick.x >= low) and np.all(quick.x <= high)
    if quick.success and inside and np.all(np.isfinite(quick.x)):
        return _Solution(quick.x, True)
    with np.errstate(all="ignore"):
        found = least_squares(
            lambda par: model.update(par) - par,
            first,
            bounds=(low, high),
            xtol=1e-9,
            ftol=1e-9,
            gtol=1e-9,
        )
    par = found.x
    if not np.all(np.isfinite(par)):
        raise NotEstimable(
            "direction_not_solved",
            "the bias-corrected direction model has no stable solution for these data",
        )
    size = max(1.0, float(np.max(np.abs(par))))
    return _Solution(par, bool(np.max(np.abs(found.fun)) <= SOLVED_TOLERANCE * size))


def _influence(model: _PairModel, solution: _Solution) -> np.ndarray:
    """Per panel unit: ``−J⁻¹ m_i``, its first-order effect on the estimates.

    Where the corrected equations have no exact solution the own lags sit where
    the data come closest to one (a tangent): their equations are flat there and
    say nothing about the precision of the rest, so they are held fixed (zero
    columns).
    """
    par = solution.par
    moments = model.unit_moments(par)
    free = np.ones(par.size, dtype=bool)
    if not solution.exact:
        free[[0, model.k_f]] = False
    jac = np.zeros((par.size, par.size))
    for j in np.flatnonzero(free):
        h = 1e-6 * max(1.0, abs(par[j]))
        up, down = par.copy(), par.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (model.unit_moments(up) - model.unit_moments(down)).sum(axis=0) / (2 * h)
    out = np.zeros_like(moments)
    out[:, free] = -np.linalg.solve(jac[np.ix_(free, free)], moments[:, free].T).T
    return out


def _jackknife(model: _PairModel, solution: _Solution, active: np.ndarray) -> np.ndarray:
    """Per unit left out: the estimates without it, less the estimates with all.

    Each leave-one-unit-out model is solved again from the full solution, period
    effects included, so the spread captures what the linear approximation
    misses near a unit root.
    """
    out = np.zeros((active.size, solution.par.size))
    for row, unit in enumerate(active):
        part = _PairModel(
            _without(model.fwd, int(unit)), _without(model.rev, int(unit)), model.g, model.p
        )
        try:
            out[row] = _solve(part).par - solution.par
        except (NotEstimable, np.linalg.LinAlgError):
            out[row] = np.nan
    if not np.all(np.isfinite(out)):
        raise NotEstimable(
            "direction_not_solved",
            "the bias-corrected direction model has no stable solution for these data",
        )
    return out


def cross_lagged(
    panel: Panel,
    target: str,
    cause: str,
    lag: int,
    others: list[Term],
    controls: list[Term],
    twoway: bool,
) -> DirectionPair:
    """The forward and reverse direction tests of the arrow ``cause → target`` at ``lag``.

    Parameters
    ----------
    panel : Panel
        The data.
    target, cause : str
        Indicator ids of ``Y`` and ``X``.
    lag : int
        The arrow's lag; the reverse test uses ``lag``, or 1 when it is 0.
    others : list of (str, int)
        Further terms of ``Y``'s equation (its other causes, other lags of the
        cause, controls); terms of ``X`` are treated as part of the pair.
    controls : list of (str, int)
        Terms of the reverse equation besides ``X``'s own lag and ``Y``.
    twoway : bool
        Period effects besides unit effects.

    Raises
    ------
    NotEstimable
        Too few periods, units or variation, or no stable solution.
    """
    scale = {}
    grids = {}
    for ind in sorted({target, cause, *(i for i, _ in others), *(i for i, _ in controls)}):
        grid = panel.values[ind] if panel.has(ind) else np.full(panel.shape, np.nan)
        finite = grid[np.isfinite(grid)]
        top = magnitude(finite)  # first to a largest value of 1: no square under- or overflows
        sd = float(np.std(finite / top)) * top if finite.size > 1 else 0.0
        scale[ind] = sd if sd > 0 and math.isfinite(sd) else top
        grids[ind] = grid / scale[ind]
    pair = {target: 0, cause: 1}
    lag_back = lag if lag >= 1 else 1
    # each equation also holds the other indicator one period further back: then it
    # is exact both when an indicator's own past drives it and when only its
    # unexplained part is persistent (the "common factor" case, where Y(t) − ρY(t−1)
    # = β·(X(t − lag) − ρX(t − lag − 1)) + e)
    f_terms = [(target, 1), (cause, lag), (cause, lag + 1)]
    f_terms += [t for t in others if t not in f_terms and t[0] != target]
    r_terms = [(cause, 1), (target, lag_back), (target, lag_back + 1)]
    r_terms += [t for t in controls if t not in r_terms and t[0] not in pair]
    fwd = _equation(panel, grids, target, f_terms, pair, twoway)
    rev = _equation(panel, grids, cause, r_terms, pair, twoway)
    if min(np.unique(fwd.units).size, np.unique(rev.units).size) < 2:
        raise NotEstimable(
            "no_df", "one unit leaves nothing to cluster over", n=fwd.y.size, units=1
        )
    active = np.unique(np.r_[fwd.units, rev.units])
    g = int(active.size)
    try:
        model = _PairModel(fwd, rev, len(panel.units), panel.shape[1])
        solution = _solve(model)
        if g < JACKKNIFE_BELOW_UNITS:
            spread = _jackknife(model, solution, active)
            variance = (g - 1) / g * (spread**2).sum(axis=0)
            inference = "jackknife"
        else:
            influence = _influence(model, solution)[active]
            variance = g / (g - 1) * (influence**2).sum(axis=0)
            inference = "cluster"
    except np.linalg.LinAlgError as exc:
        raise NotEstimable(
            "direction_not_solved",
            "the bias-corrected direction model has no stable solution for these data",
        ) from exc
    par = solution.par
    if not np.all(np.isfinite(variance[[1, model.k_f + 1]])):
        raise NotEstimable(
            "direction_not_solved",
            "the bias-corrected direction model has no stable solution for these data",
        )
    fits = []
    for eq, offset, to_data in (
        (fwd, 0, scale[target] / scale[cause]),
        (rev, model.k_f, scale[cause] / scale[target]),
    ):
        estimate = float(par[offset + 1])
        se = math.sqrt(float(variance[offset + 1]))
        p = t_inference(estimate, se, g - 1, 0.05)[0]
        fits.append(
            DirectionFit(
                estimate=estimate * to_data,
                std_error=se * to_data,
                p_value=p,
                std_estimate=estimate * eq.sd_ratio,
                estimate_within=eq.raw * to_data,
                persistence=float(par[offset]),
                persistence_within=eq.raw_own,
                n_obs=int(eq.y.size),
                n_units=int(np.unique(eq.units).size),
                n_periods=int(np.unique(eq.periods).size),
                inference=inference,
            )
        )
    return DirectionPair(fits[0], fits[1])
