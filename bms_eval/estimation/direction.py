"""Direction (cross-lagged, Granger-type) tests, corrected for the Nickell bias.

Indicators are persistent, so a static regression of ``Y(t)`` on ``X(t − lag)``
cannot tell which way an arrow points. The direction tests condition on each
indicator's own past, as a cross-lagged pair with unit (and period) effects::

    forward   Y(t) = ρ_Y·Y(t − 1) + β·X(t − lag) + β′·X(t − lag − 1)
                     + (Y's other causes, controls) + a_i + e(t)
    reverse   X(t) = ρ_X·X(t − 1) + δ·Y(t − lag′) + δ′·Y(t − lag′ − 1) + (controls) + b_i + u(t)

with ``lag′ = lag``, or 1 when ``lag`` is 0. ``β`` is the forward effect, ``δ``
the reverse one. The other indicator one period further back (``β′``, ``δ′``)
makes each equation exact both when an indicator's own past drives it and when
only its unexplained part is persistent (then ``Y(t) − ρY(t − 1) = β·(X(t − lag)
− ρX(t − lag − 1)) + e``, the "common factor" form).

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
Jochmans 2015), whose remainder made the forward test reject true nulls several
times too often at ρ 0.9 in this project's development measurements. With period effects the
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
bootstraps of it rejected true nulls about twice as often as their level.
p-values from Student's t on ``G − 1`` degrees of freedom. The size and power
over persistence, units, years and truth are printed by
``benchmarks/direction_study.py``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from bms_eval.estimation.fixed_effects import (
    EXACT_FIT_TOLERANCE,
    Design,
    NotEstimable,
    block_starts,
    codes_key,
    demean,
    design_from_grids,
    fit_within,
    independent_columns,
    project_periods,
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


def _not_solved() -> NotEstimable:
    return NotEstimable(
        "direction_not_solved",
        "the bias-corrected direction model has no stable solution for these data",
    )


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
    #: p-value of the cause one period further back in the forward equation (for a
    #: same-year arrow: does X a year earlier predict Y beyond Y's past and X's
    #: same-year value — the lag-1 forward test, from the same model)
    forward_next_p_value: float = math.nan
    #: per unit of ``units`` (codes of the panel): how the forward and the reverse
    #: estimate move when that unit is left out (data units) — exact from the
    #: jackknife below :data:`JACKKNIFE_BELOW_UNITS` units, else the first-order
    #: change ``J⁻¹ m_i`` (the influence the sandwich is made of)
    units: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int), repr=False)
    forward_shift: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    reverse_shift: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


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
    gram: np.ndarray  # W′W
    xy: np.ndarray  # W′y
    # with period effects: y and W before they were partialled out (else None)
    unit_y: np.ndarray | None = None
    unit_W: np.ndarray | None = None


def _without(eq: _Equation, unit: int) -> _Equation:
    """The equation with one unit's rows left out (period effects estimated again)."""
    keep = eq.units != unit
    counts = eq.pair_counts.copy()
    counts[unit] = 0.0
    df_units = eq.df_units.copy()
    df_units[unit] = 0.0
    y, W = eq.y[keep], eq.W[keep]
    if eq.unit_y is not None and eq.unit_W is not None:
        both = np.column_stack([eq.unit_y[keep], eq.unit_W[keep]])
        both = project_periods(eq.units[keep], eq.periods[keep], both)
        y, W = both[:, 0], both[:, 1:]
    return replace(
        eq,
        y=y,
        W=W,
        gram=W.T @ W,
        xy=W.T @ y,
        units=eq.units[keep],
        periods=eq.periods[keep],
        pair_counts=counts,
        df_units=df_units,
        unit_y=None,
        unit_W=None,
    )


def _within(
    design: Design, twoway: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Unit-demeaned ``y`` and ``X`` with period effects partialled out when two-way;
    ``y`` and ``X`` before that projection; and whether period effects were removed."""
    starts, counts = block_starts(design.units)
    both = demean(np.column_stack([design.y, design.X]), starts, counts)
    if not twoway or np.count_nonzero(np.bincount(design.periods)) < 2:
        return both[:, 0], both[:, 1:], both[:, 0], both[:, 1:], False
    out = project_periods(design.units, design.periods, both)
    return out[:, 0], out[:, 1:], both[:, 0], both[:, 1:], True


@functools.lru_cache(maxsize=16)
def _pairs_by_distance(n_periods: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For periods ``0 … n_periods − 1``: the flat indices ``t·P + s`` of all pairs with
    ``t > s``, ordered by ``d = t − s``, where each distance starts, and the distances."""
    t, s = np.tril_indices(n_periods, k=-1)
    order = np.argsort(t - s, kind="stable")
    flat = (t * n_periods + s)[order]
    dist = (t - s)[order]
    starts = np.flatnonzero(np.r_[True, dist[1:] != dist[:-1]]) if dist.size else dist
    return flat, starts, dist[starts] if dist.size else dist


def _pair_counts(design: Design, n_units: int, n_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit ``i`` and distance ``d ≥ 1``: the pairs ``t, s`` of its sample with
    ``t − s = d``, divided by ``T_i``; and ``T_i`` (read-only; cached by sample)."""
    return _pair_counts_of(codes_key(design.units), codes_key(design.periods), n_units, n_periods)


@functools.lru_cache(maxsize=8)
def _pair_counts_of(
    units: bytes, periods: bytes, n_units: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((n_units, n_periods))
    mask[np.frombuffer(units, dtype=np.int64), np.frombuffer(periods, dtype=np.int64)] = 1.0
    t_i = mask.sum(axis=1)
    counts = np.zeros((n_units, n_periods))
    if n_periods > 1:
        flat, starts, dist = _pairs_by_distance(n_periods)
        both = (mask[:, :, None] * mask[:, None, :]).reshape(n_units, -1)[:, flat]
        counts[:, dist] = np.add.reduceat(both, starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        counts = np.where(t_i[:, None] > 0, counts / t_i[:, None], 0.0)
    counts.setflags(write=False)
    t_i.setflags(write=False)
    return counts, t_i


def _equation(
    panel: Panel,
    scale: dict[str, float],
    target: str,
    terms: list[Term],
    pair: dict[str, int],
    twoway: bool,
) -> _Equation:
    """Build and check one equation, every indicator divided by its ``scale``; ``pair``
    maps the pair's ids to 0 (``Y``) and 1 (``X``)."""
    y = panel.shifted(target, 0) / scale[target]
    columns = [panel.shifted(ind, lag) / scale[ind] for ind, lag in terms]
    design = design_from_grids(y, columns, [str(i) for i in range(len(terms))])
    if design.n_obs == 0:
        raise NotEstimable(
            "no_overlap", "no year has values for the effect and all its causes together"
        )
    n_periods = int(np.count_nonzero(np.bincount(design.periods)))
    if n_periods < MIN_DIRECTION_PERIODS:
        raise NotEstimable(
            "too_few_periods",
            f"only {n_periods} periods have the indicator, its own past and the other "
            f"indicator together (the direction test needs {MIN_DIRECTION_PERIODS})",
            n=n_periods,
            min=MIN_DIRECTION_PERIODS,
        )
    if design.n_units < 2:
        raise NotEstimable(
            "no_df", "one unit leaves nothing to cluster over", n=design.n_obs, units=1
        )
    yw, W, y_unit, W_unit, two_way = _within(design, twoway)
    gram = W.T @ W
    raw_norms = np.sqrt(np.einsum("ij,ij->j", design.X, design.X))
    clean = (
        float(np.linalg.norm(yw)) > EXACT_FIT_TOLERANCE * float(np.linalg.norm(design.y))
        and independent_columns(gram, raw_norms).all()
    )
    xy = W.T @ yw
    if clean:
        raw = np.linalg.solve(gram, xy)
        clean = float(np.linalg.norm(yw - W @ raw)) > EXACT_FIT_TOLERANCE * float(
            np.linalg.norm(yw)
        )
    if not clean:  # let the full within fit find and say what is wrong, and drop columns
        fit = fit_within(design, twoway)
        if fit.names[:2] != ("0", "1"):
            raise NotEstimable(
                "no_variation",
                "the cause has no within-unit variation left once the fixed effects are removed",
            )
        keep = [int(name) for name in fit.names]
        design = Design(design.y, design.X[:, keep], fit.names, design.units, design.periods)
        terms = [terms[k] for k in keep]
        yw, W, y_unit, W_unit, two_way = _within(design, twoway)
        gram, xy = W.T @ W, W.T @ yw
        raw = np.linalg.solve(gram, xy)
    dynamic = tuple((c, pair[ind], lag) for c, (ind, lag) in enumerate(terms) if ind in pair)
    counts, t_i = _pair_counts(design, len(panel.units), panel.shape[1])
    n, g = design.n_obs, int(np.count_nonzero(t_i))
    dummies = (n_periods - 1) if twoway else 0
    share = (n - g - dummies) / (n - g) if n > g else 0.0
    y_norm = float(np.linalg.norm(y_unit))
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
        raw=float(raw[1]),
        raw_own=float(raw[0]),
        bias_factor=1.0 - 1.0 / g if twoway else 1.0,
        gram=gram,
        xy=xy,
        unit_y=y_unit if two_way else None,
        unit_W=W_unit if two_way else None,
    )


# --------------------------------------------------------------------------- the bias


class _Dynamics:
    """The pair's dynamics as a function of its coefficients: impulse responses, for
    many coefficient vectors at once (Newton's steps and the Jacobian's
    differences).

    ``terms_y`` / ``terms_x`` list ``(lag, variable)`` of the ``Y`` / ``X``
    equation's pair terms, variable 0 for ``Y`` and 1 for ``X``. ``X`` has no
    same-period term (its lags are ≥ 1); ``Y`` may use ``X(t)`` (lag 0), which is
    substituted out (the reduced form), and the pair is iterated in companion form.
    """

    def __init__(self, terms_y: list[tuple[int, int]], terms_x: list[tuple[int, int]]):
        self.depth = max([lag for lag, _ in terms_y + terms_x] + [1])
        # where each coefficient goes in the first rows of the companion matrix
        self.y_at = np.array([2 * (lag - 1) + v if lag >= 1 else -1 for lag, v in terms_y])
        self.x_at = np.array([2 * (lag - 1) + v for lag, v in terms_x])
        self.same_year = np.array([lag == 0 and v == 1 for lag, v in terms_y])

    def responses(self, coef_y: np.ndarray, coef_x: np.ndarray, horizon: int) -> np.ndarray:
        """Impulse responses ``Ψ_k`` (k = 0 … horizon) of ``(Y, X)`` to unit shocks ``(e, u)``.

        ``coef_y`` / ``coef_x`` have shape ``(m, terms)``: ``m`` coefficient vectors.
        Returns shape ``(m, horizon + 1, 2, 2)``: [vector, k, variable, shock].
        The powers of the companion matrix are formed by doubling, so the responses
        of horizons ``K … 2K − 1`` come from those of ``0 … K − 1`` in one product.
        """
        m, width = coef_y.shape[0], 2 * self.depth
        phi = np.zeros((m, 2, width))  # rows Y, X; columns (Y, X) at lags 1 … depth
        lagged = self.y_at >= 0
        phi[:, 0, self.y_at[lagged]] = coef_y[:, lagged]
        phi[:, 1, self.x_at] = coef_x
        same_year = coef_y[:, self.same_year].sum(axis=1)
        phi[:, 0] += same_year[:, None] * phi[:, 1]
        power = np.zeros((m, width, width))
        power[:, :2] = phi
        power[:, 2:, :-2] = np.eye(width - 2)
        states = np.zeros((m, horizon + 1, width, 2))
        states[:, 0, 0, 0] = 1.0  # impact of e (column 0) and u (column 1)
        states[:, 0, 0, 1] = same_year
        states[:, 0, 1, 1] = 1.0
        known = 1
        while known <= horizon:
            new = min(known, horizon + 1 - known)
            states[:, known : known + new] = power[:, None] @ states[:, :new]
            known += new
            if known <= horizon:
                power = power @ power
        return states[:, :, :2, :]


def _bias_moments(eq: _Equation, counts: np.ndarray, cov_with_shock: np.ndarray) -> np.ndarray:
    """``−E[W̃_i′ẽ_i]`` per row of ``counts`` (units, or their sum) and column.

    ``counts`` are the equation's pair counts (units × distances) or their column
    sums (1 × distances); ``cov_with_shock`` has shape ``(m, horizon + 1, 2)``: for
    each of ``m`` parameter vectors, the covariance of ``Y`` and ``X`` at horizon
    ``k`` with the equation's shock. Returns shape ``(m, rows, columns)``.
    """
    p = counts.shape[1]
    out = np.zeros((cov_with_shock.shape[0], counts.shape[0], eq.W.shape[1]))
    for col, var, lag in eq.dynamic:
        # distances d ≥ max(lag, 1) pair with horizon k = d − lag
        first = max(lag, 1)
        if first < p:
            out[:, :, col] = cov_with_shock[:, first - lag : p - lag, var] @ counts[:, first:p].T
    return out * eq.bias_factor


def _blocks(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each unit's block (rows sorted by unit) and the units."""
    starts, _ = block_starts(units)
    return starts, units[starts]


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
        self.gram_f, self.xy_f = fwd.gram, fwd.xy
        self.gram_r, self.xy_r = rev.gram, rev.xy
        # the corrected coefficients are linear in the bias: solved by these inverses
        self.inv_f, self.inv_r = np.linalg.inv(self.gram_f), np.linalg.inv(self.gram_r)
        self.dynamics = _Dynamics(
            [(lag, var) for _, var, lag in fwd.dynamic], [(lag, var) for _, var, lag in rev.dynamic]
        )
        self.dyn_f = np.array([c for c, _, _ in fwd.dynamic], dtype=int)
        self.dyn_r = np.array([self.k_f + c for c, _, _ in rev.dynamic], dtype=int)
        # rows are sorted by unit: per-unit sums by reduceat
        self.f_starts, self.f_ids = _blocks(fwd.units)
        self.r_starts, self.r_ids = _blocks(rev.units)
        n_coef = self.k_f + self.k_r
        # the parameters the bias depends on: the pair's coefficients and the variances
        self.key = np.array(
            [c for c, _, _ in fwd.dynamic]
            + [self.k_f + c for c, _, _ in rev.dynamic]
            + [n_coef, n_coef + 1, n_coef + 2]
        )
        # rows where both equations have a residual (for the shocks' covariance)
        key_f = fwd.units * n_periods + fwd.periods
        key_r = rev.units * n_periods + rev.periods
        where_r = np.full(n_units * n_periods, -1)
        where_r[key_r] = np.arange(key_r.size)
        self.at_f = np.flatnonzero(where_r[key_f] >= 0)  # keys are sorted, so is this
        self.at_r = where_r[key_f[self.at_f]]
        both = key_f[self.at_f]
        self.both_units = both // n_periods
        self.b_starts, self.b_ids = _blocks(self.both_units)
        # what the residual (co)variances need, as cross-products: O(k²) per evaluation
        self.yy_f, self.yy_r = float(fwd.y @ fwd.y), float(rev.y @ rev.y)
        # the rows of each equation that the other has too (usually most of them)
        a, b = fwd.y[self.at_f], rev.y[self.at_r]
        self.A, self.B = fwd.W[self.at_f], rev.W[self.at_r]
        self.ab, self.Ab, self.aB = float(a @ b), self.A.T @ b, self.B.T @ a
        self.AB = self.A.T @ self.B
        # the bias summed over units needs only the column sums of the pair counts
        self.counts_f = fwd.pair_counts.sum(axis=0, keepdims=True)
        self.counts_r = rev.pair_counts.sum(axis=0, keepdims=True)
        t_f = np.bincount(fwd.units, minlength=n_units).astype(float)
        t_r = np.bincount(rev.units, minlength=n_units).astype(float)
        n_b = np.bincount(self.both_units, minlength=n_units).astype(float)
        # E[Σ_t ẽ(t)ũ(t)] = σ_eu · (n_b − n_b/T_r − n_b/T_f + n_b²/(T_f T_r)) per unit
        with np.errstate(invalid="ignore", divide="ignore"):
            d = n_b - n_b / t_r - n_b / t_f + n_b**2 / (t_f * t_r)
        share = fwd.df_units.sum() / max(np.maximum(t_f - 1, 0).sum(), 1e-300)
        self.df_both = np.nan_to_num(d) * share
        self.df_f = max(float(fwd.df_units.sum()), 1e-300)
        self.df_r = max(float(rev.df_units.sum()), 1e-300)
        self.df_b = max(float(self.df_both.sum()), 1e-300)

    def split(self, par: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``θ_f, θ_r, (σ_ee, σ_eu, σ_uu)``."""
        return par[: self.k_f], par[self.k_f : self.k_f + self.k_r], par[self.k_f + self.k_r :]

    def bias(self, pars: np.ndarray, summed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``−E[W̃′ẽ]`` of the forward and of the reverse equation per unit (or,
        ``summed``, over all units), for each row of ``pars`` (shape ``(m, parameters)``).

        Returns arrays of shape ``(m, units or 1, columns)``.
        """
        n_coef = self.k_f + self.k_r
        psi = self.dynamics.responses(pars[:, self.dyn_f], pars[:, self.dyn_r], self.p)
        s = pars[:, n_coef:]
        sigma = np.stack([s[:, [0, 1]], s[:, [1, 2]]], axis=1)  # (m, 2, 2): Σ of (e, u)
        cov = psi @ sigma[:, None]  # [m, k, variable, shock]
        counts_f = self.counts_f if summed else self.fwd.pair_counts
        counts_r = self.counts_r if summed else self.rev.pair_counts
        return (
            _bias_moments(self.fwd, counts_f, cov[..., 0]),
            _bias_moments(self.rev, counts_r, cov[..., 1]),
        )

    def unit_moments(self, par: np.ndarray) -> np.ndarray:
        """The corrected estimating equations, one row per panel unit."""
        th_f, th_r, s = self.split(par)
        e = self.fwd.y - self.fwd.W @ th_f
        u = self.rev.y - self.rev.W @ th_r
        b_f, b_r = (b[0] for b in self.bias(par[None]))
        out = np.zeros((self.g, self.k_f + self.k_r + 3))
        out[self.f_ids, : self.k_f] = np.add.reduceat(self.fwd.W * e[:, None], self.f_starts)
        out[self.r_ids, self.k_f : self.k_f + self.k_r] = np.add.reduceat(
            self.rev.W * u[:, None], self.r_starts
        )
        out[:, : self.k_f] += b_f
        out[:, self.k_f : self.k_f + self.k_r] += b_r
        n_coef = self.k_f + self.k_r
        out[self.f_ids, n_coef] = np.add.reduceat(e * e, self.f_starts)
        out[:, n_coef] -= s[0] * self.fwd.df_units
        if self.b_ids.size:
            out[self.b_ids, n_coef + 1] = np.add.reduceat(
                e[self.at_f] * u[self.at_r], self.b_starts
            )
        out[:, n_coef + 1] -= s[1] * self.df_both
        out[self.r_ids, n_coef + 2] = np.add.reduceat(u * u, self.r_starts)
        out[:, n_coef + 2] -= s[2] * self.rev.df_units
        return out

    def jacobian(self, par: np.ndarray) -> np.ndarray:
        """``∂ Σ_i m_i / ∂ par``: the linear parts exactly, the bias by forward
        differences in the parameters it depends on."""
        k = par.size
        n_coef = self.k_f + self.k_r
        th_f, th_r, _ = self.split(par)
        e = self.fwd.y - self.fwd.W @ th_f
        u = self.rev.y - self.rev.W @ th_r
        jac = np.zeros((k, k))
        jac[: self.k_f, : self.k_f] = -self.gram_f
        jac[self.k_f : n_coef, self.k_f : n_coef] = -self.gram_r
        jac[n_coef, : self.k_f] = -2 * (self.fwd.W.T @ e)
        jac[n_coef + 1, : self.k_f] = -(self.A.T @ u[self.at_r])
        jac[n_coef + 1, self.k_f : n_coef] = -(self.B.T @ e[self.at_f])
        jac[n_coef + 2, self.k_f : n_coef] = -2 * (self.rev.W.T @ u)
        jac[n_coef, n_coef] = -self.df_f
        jac[n_coef + 1, n_coef + 1] = -self.df_b
        jac[n_coef + 2, n_coef + 2] = -self.df_r
        # forward differences, all in one evaluation: the bias is a smooth polynomial
        steps = 1e-7 * np.maximum(1.0, np.abs(par[self.key]))
        pars = np.repeat(par[None], self.key.size + 1, axis=0)
        pars[np.arange(1, self.key.size + 1), self.key] += steps
        b_f, b_r = self.bias(pars, summed=True)
        both = np.concatenate([b_f[:, 0], b_r[:, 0]], axis=1)
        jac[:n_coef, self.key] += ((both[1:] - both[0]) / steps[:, None]).T
        return jac

    def update(self, pars: np.ndarray) -> np.ndarray:
        """For each row of ``pars`` (shape ``(m, parameters)``): the coefficients and
        variances that solve the equations given that row's bias (the one-model twin
        of :meth:`_PairStack.update`, kept apart: the full model's and a fallback's
        solve stay bit for bit as they were, where near a unit root the stack's
        summation order would move the root finders' stopping points)."""
        b_f, b_r = self.bias(pars, summed=True)
        th_f = (self.xy_f + b_f[:, 0]) @ self.inv_f.T
        th_r = (self.xy_r + b_r[:, 0]) @ self.inv_r.T
        return self._with_variances(th_f, th_r)

    def start(self) -> np.ndarray:
        """The uncorrected within estimates and their shock variances."""
        return self._with_variances((self.inv_f @ self.xy_f)[None], (self.inv_r @ self.xy_r)[None])[
            0
        ]

    def _with_variances(self, th_f: np.ndarray, th_r: np.ndarray) -> np.ndarray:
        """Rows of coefficients (shape ``(m, k)`` per equation) followed by the
        ``σ_ee, σ_eu, σ_uu`` of their residuals, from cross-products (O(k²) each)."""
        ee = self.yy_f - 2 * th_f @ self.xy_f + np.einsum("mi,ij,mj->m", th_f, self.gram_f, th_f)
        uu = self.yy_r - 2 * th_r @ self.xy_r + np.einsum("mi,ij,mj->m", th_r, self.gram_r, th_r)
        eu = (
            self.ab
            - th_f @ self.Ab
            - th_r @ self.aB
            + np.einsum("mi,ij,mj->m", th_f, self.AB, th_r)
        )
        return np.column_stack([th_f, th_r, ee / self.df_f, eu / self.df_b, uu / self.df_r])


@dataclass(frozen=True)
class _Solution:
    par: np.ndarray
    exact: bool  # the corrected equations are solved (not only come closest)


#: Largest remaining imbalance of the corrected equations, relative to the parameters,
#: at which Newton's method stops.
NEWTON_TOLERANCE = 1e-10
#: It gives way to the root finder when an imbalance is more than this share of the one
#: before (no quick convergence), or after this many steps.
NEWTON_RATE = 0.5
NEWTON_STEPS = 12


def _newton(
    lift: Callable[[np.ndarray], np.ndarray],
    key: np.ndarray,
    first: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray | None:
    """The parameters at the solution of ``lift(z)[key] = z``, by Newton's method
    from ``first``.

    ``lift`` maps rows of the bias-relevant parameters ``z`` to all the corrected
    estimates they imply. The bias is of order 1/T, so ``lift`` is close to
    constant and Newton's method converges in three or four steps; each step
    evaluates ``lift`` at ``z`` and at ``z`` moved along each parameter (forward
    differences for the Jacobian) in one call. Where the imbalance does not shrink
    quickly (very persistent indicators, few periods) or ``z`` leaves the
    admissible region, ``None``: the root finder takes over.
    """
    z, previous = first, math.inf
    rows = np.arange(1, z.size + 1)
    for _ in range(NEWTON_STEPS):
        steps = 1e-7 * np.maximum(1.0, np.abs(z))
        points = np.repeat(z[None], z.size + 1, axis=0)
        points[rows, rows - 1] += steps
        full = lift(points)
        images = full[:, key]
        if not np.all(np.isfinite(images)):
            return None
        imbalance = images[0] - z
        size = float(np.max(np.abs(imbalance) / np.maximum(1.0, np.abs(z))))
        if size <= NEWTON_TOLERANCE:
            return full[0] if np.all(z >= low) and np.all(z <= high) else None
        if size > NEWTON_RATE * previous:
            return None
        previous = size
        slope = ((images[1:] - images[0]) / steps[:, None]).T - np.eye(z.size)
        try:
            z = z - np.linalg.solve(slope, imbalance)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(z)):
            return None
    return None


def _start(
    model: _PairModel, start: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the search starts (inside the admissible region), the positions of the
    parameters it runs over, and their bounds."""
    full = model.start() if start is None else start.copy()
    key = model.key
    n_coef = model.k_f + model.k_r
    low = np.full(full.size, -np.inf)
    high = np.full(full.size, np.inf)
    for j in (0, model.k_f):  # the own lags
        low[j], high[j] = -MAX_PERSISTENCE, MAX_PERSISTENCE
        full[j] = min(max(full[j], -MAX_PERSISTENCE + 1e-9), MAX_PERSISTENCE - 1e-9)
    for j in (n_coef, n_coef + 2):  # the shock variances
        low[j] = 1e-12
        full[j] = max(full[j], 1e-9)
    # only the pair's coefficients and the variances enter the bias: the rest follow
    # from them linearly, so the search runs over those few
    return full, key, low[key], high[key]


def _solve(model: _PairModel, start: np.ndarray | None = None) -> _Solution:
    """The parameters that solve (or, near a unit root, come closest to solving) the
    corrected equations, searched from the uncorrected estimates.

    With few periods and very persistent indicators the corrected equation of an
    own lag can have no exact solution, or two (Bun & Carree 2005): the search
    starts at the within estimate, so it finds the solution nearest to it, and
    where none exists it stops at the point closest to one. The search is
    Newton's method where that converges quickly (:func:`_newton`), else
    MINPACK's hybrid method, else a bounded least-squares search.
    """
    full, key, low, high = _start(model, start)
    first = full[key]

    def lift_many(zs: np.ndarray) -> np.ndarray:
        pars = np.repeat(full[None], zs.shape[0], axis=0)
        pars[:, key] = zs
        return model.update(pars)

    def lift(z: np.ndarray) -> np.ndarray:
        return lift_many(z[None])[0]

    def imbalance(z: np.ndarray) -> np.ndarray:
        return lift(z)[key] - z

    with np.errstate(all="ignore"):
        solved = _newton(lift_many, key, first, low, high)
    if solved is not None:
        return _Solution(solved, True)
    # imported here: most solves end above, and scipy.optimize takes a tenth of a second
    from scipy.optimize import least_squares, root

    with np.errstate(all="ignore"):
        quick = root(imbalance, first, method="hybr", options={"xtol": 1e-7})
    inside = np.all(quick.x >= low) and np.all(quick.x <= high)
    if quick.success and inside and np.all(np.isfinite(quick.x)):
        return _Solution(lift(quick.x), True)

    def slope(z: np.ndarray) -> np.ndarray:
        """The imbalance's Jacobian by forward differences, all in one batched call
        (the steps of scipy's ``2-point`` scheme, turned back inside the bounds)."""
        steps = np.sqrt(np.finfo(float).eps) * np.where(z >= 0, 1.0, -1.0) * np.maximum(1.0, abs(z))
        outside = (z + steps > high) | (z + steps < low)
        steps = np.where(outside, -steps, steps)
        steps = (z + steps) - z
        points = np.repeat(z[None], z.size + 1, axis=0)
        points[np.arange(1, z.size + 1), np.arange(z.size)] += steps
        images = lift_many(points)[:, key] - points
        return ((images[1:] - images[0]) / steps[:, None]).T

    with np.errstate(all="ignore"):
        found = least_squares(
            imbalance, first, jac=slope, bounds=(low, high), xtol=1e-9, ftol=1e-9, gtol=1e-9
        )
    par = lift(found.x)
    if not np.all(np.isfinite(par)):
        raise _not_solved()
    size = max(1.0, float(np.max(np.abs(found.x))))
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
    jac = model.jacobian(par)
    out = np.zeros_like(moments)
    out[:, free] = -np.linalg.solve(jac[np.ix_(free, free)], moments[:, free].T).T
    return out


class _PairStack:
    """Several :class:`_PairModel` of one pair (the leave-one-unit-out models of a
    jackknife) stacked, so that Newton's method runs on all of them at once: one
    batched evaluation per step instead of one per model. Their equations have
    the same terms, so the dynamics and the bias' structure are shared; what
    differs (cross-products, inverses, pair counts, degrees of freedom) is stacked
    along the first axis."""

    #: The stacked arrays (first axis: the models).
    STACKED = (
        "xy_f", "xy_r", "inv_f", "inv_r", "gram_f", "gram_r", "counts_f", "counts_r",
        "yy_f", "yy_r", "ab", "Ab", "aB", "AB", "df_f", "df_b", "df_r",
    )  # fmt: skip

    def __init__(self, parts: list[_PairModel]):
        first = parts[0]
        self.first = first
        self.k_f, self.k_r = first.k_f, first.k_r
        self.dynamics, self.dyn_f, self.dyn_r = first.dynamics, first.dyn_f, first.dyn_r
        self.p = first.p
        for name in self.STACKED:
            stacked = np.stack([np.asarray(getattr(m, name), dtype=float) for m in parts])
            # the pair counts summed over units: (models, distances)
            setattr(self, name, stacked[:, 0] if name.startswith("counts") else stacked)

    def take(self, rows: np.ndarray) -> _PairStack:
        """The stack of the models at ``rows``."""
        out = copy.copy(self)
        for name in self.STACKED:
            setattr(out, name, getattr(self, name)[rows])
        return out

    def _bias(self, eq: _Equation, counts: np.ndarray, cov: np.ndarray) -> np.ndarray:
        """:func:`_bias_moments` summed over units, per model: ``cov`` has shape
        ``(models, m, horizon + 1, 2)``, the result ``(models, m, columns)``."""
        p = counts.shape[1]
        out = np.zeros((*cov.shape[:2], eq.W.shape[1]))
        for col, var, lag in eq.dynamic:
            first = max(lag, 1)
            if first < p:
                out[:, :, col] = np.einsum(
                    "gmh,gh->gm", cov[:, :, first - lag : p - lag, var], counts[:, first:p]
                )
        return out * eq.bias_factor

    def update(self, pars: np.ndarray) -> np.ndarray:
        """:meth:`_PairModel.update` of every model: ``pars`` has shape
        ``(models, m, parameters)``."""
        g, m, width = pars.shape
        flat = pars.reshape(g * m, width)
        n_coef = self.k_f + self.k_r
        psi = self.dynamics.responses(flat[:, self.dyn_f], flat[:, self.dyn_r], self.p)
        sv = flat[:, n_coef:]
        sigma = np.stack([sv[:, [0, 1]], sv[:, [1, 2]]], axis=1)
        cov = (psi @ sigma[:, None]).reshape(g, m, *psi.shape[1:])
        b_f = self._bias(self.first.fwd, self.counts_f, cov[..., 0])
        b_r = self._bias(self.first.rev, self.counts_r, cov[..., 1])
        th_f = np.einsum("gmj,gij->gmi", self.xy_f[:, None, :] + b_f, self.inv_f)
        th_r = np.einsum("gmj,gij->gmi", self.xy_r[:, None, :] + b_r, self.inv_r)
        return self.with_variances(th_f, th_r)

    def with_variances(self, th_f: np.ndarray, th_r: np.ndarray) -> np.ndarray:
        """Coefficients (shape ``(models, m, k)`` per equation) followed by the
        ``σ_ee, σ_eu, σ_uu`` of their residuals, from cross-products (O(k²) each)."""
        ee = (
            self.yy_f[:, None]
            - 2 * np.einsum("gmi,gi->gm", th_f, self.xy_f)
            + np.einsum("gmi,gij,gmj->gm", th_f, self.gram_f, th_f)
        )
        uu = (
            self.yy_r[:, None]
            - 2 * np.einsum("gmi,gi->gm", th_r, self.xy_r)
            + np.einsum("gmi,gij,gmj->gm", th_r, self.gram_r, th_r)
        )
        eu = (
            self.ab[:, None]
            - np.einsum("gmi,gi->gm", th_f, self.Ab)
            - np.einsum("gmi,gi->gm", th_r, self.aB)
            + np.einsum("gmi,gij,gmj->gm", th_f, self.AB, th_r)
        )
        return np.concatenate(
            [
                th_f,
                th_r,
                (ee / self.df_f[:, None])[..., None],
                (eu / self.df_b[:, None])[..., None],
                (uu / self.df_r[:, None])[..., None],
            ],
            axis=2,
        )


def _newton_stack(stack: _PairStack, start: np.ndarray) -> np.ndarray:
    """Every stacked model's solution by Newton's method from ``start`` (each model's
    steps exactly as :func:`_newton` takes them); a row of NaN where a model's
    iteration does not converge quickly or leaves the admissible region (that model
    is then solved alone, by :func:`_solve`)."""
    full, key, low, high = _start(stack.first, start)
    g, width = len(stack.xy_f), key.size
    z = np.repeat(full[key][None], g, axis=0)
    previous = np.full(g, math.inf)
    out = np.full((g, full.size), np.nan)
    todo = np.arange(g)
    rows = np.arange(1, width + 1)
    for _ in range(NEWTON_STEPS):
        if not todo.size:
            break
        zt = z[todo]
        steps = 1e-7 * np.maximum(1.0, np.abs(zt))
        points = np.repeat(zt[:, None], width + 1, axis=1)
        points[:, rows, rows - 1] += steps
        pars = np.repeat(full[None, None], todo.size, axis=0).repeat(width + 1, axis=1)
        pars[..., key] = points
        whole = stack.take(todo).update(pars)
        images = whole[..., key]
        finite = np.all(np.isfinite(images), axis=(1, 2))
        imbalance = images[:, 0] - zt
        size = np.max(np.abs(imbalance) / np.maximum(1.0, np.abs(zt)), axis=1)
        inside = np.all((zt >= low) & (zt <= high), axis=1)
        done = finite & (size <= NEWTON_TOLERANCE)
        out[todo[done & inside]] = whole[done & inside, 0]
        going = finite & ~done & (size <= NEWTON_RATE * previous[todo])
        slope = ((images[:, 1:] - images[:, :1]) / steps[:, :, None]).transpose(0, 2, 1) - np.eye(
            width
        )
        moved = np.full_like(zt, np.nan)
        if going.any():
            try:
                moved[going] = (
                    zt[going] - np.linalg.solve(slope[going], imbalance[going][..., None])[..., 0]
                )
            except np.linalg.LinAlgError:
                going[:] = False
        going &= np.all(np.isfinite(moved), axis=1)
        previous[todo] = size
        z[todo[going]] = moved[going]
        todo = todo[going]
    return out


def _jackknife(model: _PairModel, solution: _Solution, active: np.ndarray) -> np.ndarray:
    """Per unit left out: the estimates without it, less the estimates with all.

    Each leave-one-unit-out model is solved again from the full solution, period
    effects included, so the spread captures what the linear approximation
    misses near a unit root. Newton's method runs on all of them at once
    (:class:`_PairStack`); a model it does not solve quickly is solved alone.
    """
    out = np.full((active.size, solution.par.size), np.nan)
    parts: list[_PairModel | None] = []
    for unit in active:
        try:
            parts.append(
                _PairModel(
                    _without(model.fwd, int(unit)), _without(model.rev, int(unit)), model.g, model.p
                )
            )
        except np.linalg.LinAlgError:
            parts.append(None)
    built = [i for i, part in enumerate(parts) if part is not None]
    if built:
        with np.errstate(all="ignore"):
            found = _newton_stack(_PairStack([parts[i] for i in built]), solution.par)
        for i, par in zip(built, found, strict=True):
            if np.all(np.isfinite(par)):
                out[i] = par - solution.par
                continue
            with contextlib.suppress(NotEstimable, np.linalg.LinAlgError):
                out[i] = _solve(parts[i], solution.par).par - solution.par
    if not np.all(np.isfinite(out)):
        raise _not_solved()
    return out


def pair_terms(effect: str, cause: str, lag: int, others: list[Term]) -> list[Term]:
    """The terms of one direction equation of ``effect``: its own lag, ``cause`` at
    ``lag`` (the tested term) and one period further back, then ``others`` (terms of
    ``effect`` itself and repeats left out).

    The cause one period further back makes the equation exact both when an
    indicator's own past drives it and when only its unexplained part is
    persistent (the "common factor" case, ``Y(t) − ρY(t − 1) = β·(X(t − lag) −
    ρX(t − lag − 1)) + e``).
    """
    first = [(effect, 1), (cause, lag), (cause, lag + 1)]
    return first + [t for t in others if t not in first and t[0] != effect]


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
    scale = {
        ind: panel.spread(ind)
        for ind in {target, cause, *(i for i, _ in others), *(i for i, _ in controls)}
    }
    pair = {target: 0, cause: 1}
    f_terms = pair_terms(target, cause, lag, others)
    r_controls = [t for t in controls if t[0] != target]  # Y enters only at its lags
    r_terms = pair_terms(cause, target, lag if lag >= 1 else 1, r_controls)
    fwd = _equation(panel, scale, target, f_terms, pair, twoway)
    rev = _equation(panel, scale, cause, r_terms, pair, twoway)
    active = np.flatnonzero(np.bincount(np.r_[fwd.units, rev.units]))
    g = int(active.size)
    try:
        model = _PairModel(fwd, rev, len(panel.units), panel.shape[1])
        solution = _solve(model)
        if g < JACKKNIFE_BELOW_UNITS:
            spread = _jackknife(model, solution, active)
            variance = (g - 1) / g * (spread**2).sum(axis=0)
            inference = "jackknife"
            shifts = spread
        else:
            influence = _influence(model, solution)[active]
            variance = g / (g - 1) * (influence**2).sum(axis=0)
            inference = "cluster"
            shifts = -influence
    except np.linalg.LinAlgError as exc:
        raise _not_solved() from exc
    par = solution.par
    if not np.all(np.isfinite(variance[[1, model.k_f + 1]])):
        raise _not_solved()
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
                n_units=int(np.count_nonzero(np.bincount(eq.units))),
                n_periods=int(np.count_nonzero(np.bincount(eq.periods))),
                inference=inference,
            )
        )
    after = next((c for c, v, lg in fwd.dynamic if v == 1 and lg == lag + 1), None)
    next_p = math.nan
    if after is not None and variance[after] > 0:
        next_p = t_inference(float(par[after]), math.sqrt(float(variance[after])), g - 1, 0.05)[0]
    return DirectionPair(
        fits[0],
        fits[1],
        forward_next_p_value=next_p,
        units=active,
        forward_shift=shifts[:, 1] * scale[target] / scale[cause],
        reverse_shift=shifts[:, model.k_f + 1] * scale[cause] / scale[target],
    )
