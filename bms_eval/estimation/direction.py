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
:func:`solve_model`).

**Inference accounts for the correction.** The estimator is an M-estimator
with one moment vector per unit, so outside a small panel
(:mod:`~bms_eval.estimation.policy`) its clustered variance is the sandwich
``G/(G − 1) · J⁻¹ (Σ_i m_i m_i′) J⁻ᵀ`` with the Jacobian ``J`` of the corrected
equations. With fewer units the variance is the cluster jackknife (CV3: each unit
left out in turn and the whole corrected model solved again; MacKinnon, Nielsen & Webb 2023), which
keeps the size with 8 units where the linearised sandwich and wild score
bootstraps of it rejected true nulls about twice as often as their level.
p-values from Student's t on ``G − 1`` degrees of freedom. The size and power
over persistence, units, years and truth are printed by
``benchmarks/direction_study.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import fdtrc

from bms_eval.estimation.direction_equations import Equation, build_equation, not_solved
from bms_eval.estimation.direction_jackknife import jackknife_estimates
from bms_eval.estimation.direction_solver import (
    PairModel,
    solve_model,
    unit_influence,
)
from bms_eval.estimation.inference import t_inference
from bms_eval.estimation.panel import Panel, Term
from bms_eval.estimation.policy import small_panel
from bms_eval.estimation.unit_designs import DesignKind


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
    #: jackknife in a small panel (:mod:`~bms_eval.estimation.policy`), else the first-order
    #: change ``J⁻¹ m_i`` (the influence the sandwich is made of)
    units: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int), repr=False)
    forward_shift: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    reverse_shift: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    #: the shocks' variances of the forward and the reverse equation (bias-corrected:
    #: each is its equation's residual sum of squares over its fixed-T degrees of
    #: freedom) and those degrees of freedom
    shock_variances: tuple[float, float] = (math.nan, math.nan)
    shock_df: tuple[float, float] = (math.nan, math.nan)
    #: an arrow tested at several lags: the sum of the forward equation's coefficients
    #: of the cause at those lags (its cumulative effect beyond ``Y``'s past), with
    #: inference from the same per-unit shifts as every coefficient; None when not asked
    summed: DirectionFit | None = None
    summed_shift: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


# --------------------------------------------------------------------------- equations


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


def _solved(
    fwd: Equation, rev: Equation, panel: Panel, active: np.ndarray
) -> tuple[PairModel, np.ndarray, np.ndarray, str, np.ndarray]:
    """The pair's model and its solution: the parameters, their variance, how it was
    found (``jackknife`` in a small panel, else ``cluster``) and each active unit's
    shift of the parameters."""
    g = int(active.size)
    try:
        model = PairModel(fwd, rev, len(panel.units), panel.shape[1])
        solution = solve_model(model)
        if small_panel(g):
            spread = jackknife_estimates(model, solution, active)
            return model, solution.par, (g - 1) / g * (spread**2).sum(axis=0), "jackknife", spread
        influence = unit_influence(model, solution)[active]
        variance = g / (g - 1) * (influence**2).sum(axis=0)
        return model, solution.par, variance, "cluster", -influence
    except np.linalg.LinAlgError as exc:
        raise not_solved() from exc


def _direction_fit(
    eq: Equation,
    par: np.ndarray,
    variance: np.ndarray,
    offset: int,
    to_data: float,
    g: int,
    inference: str,
) -> DirectionFit:
    """One equation's test from the solved model: its coefficients start at ``offset``
    in ``par`` and ``variance`` (own lag, then the other indicator); ``to_data`` turns
    the scaled estimate into the data's units."""
    estimate = float(par[offset + 1])
    se = math.sqrt(float(variance[offset + 1]))
    p = t_inference(estimate, se, g - 1, 0.05)[0]
    return DirectionFit(
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


def cross_lagged(
    panel: Panel,
    target: str,
    cause: str,
    lag: int,
    others: list[Term],
    controls: list[Term],
    twoway: bool,
    kind: DesignKind = "within",
    summed: tuple[int, ...] = (),
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
    kind : {"within", "trend", "cce"}
        The design: the main one, or a robustness design
        (:mod:`bms_eval.estimation.unit_designs`).
    summed : tuple of int
        Lags of the cause in the forward equation whose coefficients are summed into
        :attr:`DirectionPair.summed` (an arrow's cumulative effect; empty for none).

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
    fwd = build_equation(panel, scale, target, f_terms, pair, twoway, kind)
    rev = build_equation(panel, scale, cause, r_terms, pair, twoway, kind)
    active = np.flatnonzero(np.bincount(np.r_[fwd.units, rev.units]))
    g = int(active.size)
    model, par, variance, inference, shifts = _solved(fwd, rev, panel, active)
    if not np.all(np.isfinite(variance[[1, model.k_f + 1]])):
        raise not_solved()
    fits = [
        _direction_fit(eq, par, variance, offset, to_data, g, inference)
        for eq, offset, to_data in (
            (fwd, 0, scale[target] / scale[cause]),
            (rev, model.k_f, scale[cause] / scale[target]),
        )
    ]
    n_coef = model.k_f + model.k_r
    total, total_shift = _summed_fit(
        fwd, par, shifts, summed, scale[target] / scale[cause], g, inference
    )
    return DirectionPair(
        fits[0],
        fits[1],
        shock_variances=(float(par[n_coef]), float(par[n_coef + 2])),
        shock_df=(model.df_f, model.df_r),
        forward_next_p_value=_next_p_value(fwd, par, variance, lag, g),
        units=active,
        forward_shift=shifts[:, 1] * scale[target] / scale[cause],
        reverse_shift=shifts[:, model.k_f + 1] * scale[cause] / scale[target],
        summed=total,
        summed_shift=total_shift if total_shift is not None else np.zeros(0),
    )


def _next_p_value(eq: Equation, par: np.ndarray, variance: np.ndarray, lag: int, g: int) -> float:
    """The p-value of the cause one period further back in the forward equation."""
    after = next((c for c, v, lg in eq.dynamic if v == 1 and lg == lag + 1), None)
    if after is None or not variance[after] > 0:
        return math.nan
    return t_inference(float(par[after]), math.sqrt(float(variance[after])), g - 1, 0.05)[0]


def _summed_fit(
    eq: Equation,
    par: np.ndarray,
    shifts: np.ndarray,
    lags: tuple[int, ...],
    to_data: float,
    g: int,
    inference: str,
) -> tuple[DirectionFit | None, np.ndarray | None]:
    """An arrow's cumulative effect beyond the effect's own past: the sum of the forward
    equation's coefficients of the cause at the arrow's ``lags`` (the equation of its
    longest lag holds them all), and each unit's shift of it; its variance is made from
    those shifts as every coefficient's is (the cluster jackknife's ``(G − 1)/G·Σ d_i²``
    in a small panel, else the sandwich ``G/(G − 1)·Σ d_i²`` of the influences).

    Where the effect's own past drives it, this is the sum of the arrow's impacts.
    Where only its unexplained part is persistent (``ρ``), each later lag's coefficient
    is net of ``ρ`` times the lag before it, and the sum falls short of the cumulative
    effect by ``ρ`` times all but the last; its sign and its test of no effect at any
    lag hold in both. (The long-run sum with the lag further back, divided by ``1 − ρ``,
    is unbiased in both but found a planted cumulative effect of 0.4 SD in 20 % of
    panels of 100 units × 12 years where this sum found it in 65 %:
    ``benchmarks/cumulative_study.py``.)"""
    columns = [c for c, v, lg in eq.dynamic if v == 1 and lg in lags]
    if not lags or len(columns) != len(set(lags)):  # none asked, or one not held
        return None, None
    estimate = float(par[columns].sum())
    shift = shifts[:, columns].sum(axis=1)
    g_factor = (g - 1) / g if inference == "jackknife" else g / (g - 1)
    se = math.sqrt(g_factor * float((shift**2).sum()))
    p = t_inference(estimate, se, g - 1, 0.05)[0]
    fit = DirectionFit(
        estimate=estimate * to_data,
        std_error=se * to_data,
        p_value=p,
        std_estimate=estimate * eq.sd_ratio,
        estimate_within=math.nan,
        persistence=float(par[0]),
        persistence_within=eq.raw_own,
        n_obs=int(eq.y.size),
        n_units=int(np.count_nonzero(np.bincount(eq.units))),
        n_periods=int(np.count_nonzero(np.bincount(eq.periods))),
        inference=inference,
    )
    return fit, shift * to_data


def needed_p_value(main: DirectionPair, design: DirectionPair) -> float:
    """Whether a robustness design's unit-specific terms are needed: per equation, the
    F test of the main design's shock variance against the design's, both
    bias-corrected (so a persistent indicator's own past does not pass for a trend, as
    it does in the uncorrected fits' F test); the smaller p of the two equations,
    doubled (Bonferroni), at most 1."""
    out = []
    for side in (0, 1):
        s0, d0 = main.shock_variances[side], main.shock_df[side]
        s1, d1 = design.shock_variances[side], design.shock_df[side]
        extra = d0 - d1
        if not (extra > 0 and d1 > 0 and s1 > 0 and math.isfinite(s0)):
            continue
        stat = max(s0 * d0 - s1 * d1, 0.0) / extra / s1
        out.append(float(fdtrc(extra, d1, stat)))
    return min(1.0, 2 * min(out)) if out else math.nan
