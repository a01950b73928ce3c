"""The two equations of a direction test, as data: the within-transformed sample of
each (:class:`Equation`), built from the panel (:func:`build_equation`), and the
counts of within-unit pairs of periods the bias correction needs
(docs/verdicts.md; the method: :mod:`bms_eval.estimation.direction`)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from bms_eval.estimation.fixed_effects import (
    EXACT_FIT_TOLERANCE,
    Design,
    NotEstimable,
    block_starts,
    codes_key,
    demean,
    design_from_grids,
    independent_columns,
    project_periods,
)
from bms_eval.estimation.panel import Panel, Term
from bms_eval.estimation.unit_designs import (
    DesignKind,
    UnitProjection,
    unit_projection,
    unit_regressors,
)
from bms_eval.estimation.within_fit import fit_within

#: Fewest distinct periods in which the effect, its own past and the cause are
#: observed together: below it the direction is not checked. Each unit then
#: contributes at least a few within-unit changes to both equations.
MIN_DIRECTION_PERIODS = 5


def not_solved() -> NotEstimable:
    return NotEstimable("direction_not_solved")


@dataclass(frozen=True)
class Equation:
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
    # a robustness design's per-unit projection (None: the within transformation)
    projection: UnitProjection | None = None

    def residual_makers(self, n_units: int, n_periods: int) -> np.ndarray:
        """Each unit's residual maker on the grid (units × periods × periods)."""
        if self.projection is not None:
            return self.projection.M
        mask = np.zeros((n_units, n_periods))
        mask[self.units, self.periods] = 1.0
        t_i = np.maximum(mask.sum(axis=1), 1.0)
        return mask[:, :, None] * np.eye(n_periods)[None] - (
            mask[:, :, None] * mask[:, None, :] / t_i[:, None, None]
        )


def without_unit(eq: Equation, unit: int) -> Equation:
    """The equation with one unit's rows left out (period effects estimated again)."""
    keep = eq.units != unit
    counts = eq.pair_counts.copy()
    counts[unit] = 0.0
    df_units = eq.df_units.copy()
    df_units[unit] = 0.0
    y, W = eq.y[keep], eq.W[keep]
    projection = eq.projection.without(unit) if eq.projection is not None else None
    if eq.unit_y is not None and eq.unit_W is not None:
        both = np.column_stack([eq.unit_y[keep], eq.unit_W[keep]])
        if projection is not None:
            both = projection.without_periods(eq.units[keep], eq.periods[keep], both)
        else:
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
        projection=projection,
    )


def within_projection(
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


def count_pairs(design: Design, n_units: int, n_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit ``i`` and distance ``d ≥ 1``: the pairs ``t, s`` of its sample with
    ``t − s = d``, divided by ``T_i``; and ``T_i`` (read-only; cached by sample)."""
    return count_pairs_of(codes_key(design.units), codes_key(design.periods), n_units, n_periods)


@functools.lru_cache(maxsize=8)
def count_pairs_of(
    units: bytes, periods: bytes, n_units: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((n_units, n_periods))
    mask[np.frombuffer(units, dtype=np.int64), np.frombuffer(periods, dtype=np.int64)] = 1.0
    t_i = mask.sum(axis=1)
    counts = np.zeros((n_units, n_periods))
    for d in range(1, n_periods):  # the periods t of each unit's sample with t − d in it too
        counts[:, d] = np.einsum("gt,gt->g", mask[:, d:], mask[:, :-d])
    with np.errstate(invalid="ignore", divide="ignore"):
        counts = np.where(t_i[:, None] > 0, counts / t_i[:, None], 0.0)
    counts.setflags(write=False)
    t_i.setflags(write=False)
    return counts, t_i


def build_equation(
    panel: Panel,
    scale: dict[str, float],
    target: str,
    terms: list[Term],
    pair: dict[str, int],
    twoway: bool,
    kind: DesignKind = "within",
) -> Equation:
    """Build and check one equation, every indicator divided by its ``scale``; ``pair``
    maps the pair's ids to 0 (``Y``) and 1 (``X``); ``kind`` is the design
    (:mod:`bms_eval.estimation.unit_designs`)."""
    y = panel.shifted(target, 0) / scale[target]
    columns = [panel.shifted(ind, lag) / scale[ind] for ind, lag in terms]
    design = design_from_grids(y, columns, [str(i) for i in range(len(terms))])
    if design.n_obs == 0:
        raise NotEstimable("no_overlap")
    n_periods = int(np.count_nonzero(np.bincount(design.periods)))
    if n_periods < MIN_DIRECTION_PERIODS:
        raise NotEstimable(
            "too_few_periods",
            n=n_periods,
            min=MIN_DIRECTION_PERIODS,
        )
    if design.n_units < 2:
        raise NotEstimable("no_df", n=design.n_obs, units=1)
    if kind != "within":
        return _design_equation(panel, design, terms, pair, twoway, kind)
    yw, W, y_unit, W_unit, two_way = within_projection(design, twoway)
    gram, xy = W.T @ W, W.T @ yw
    raw = _clean_solution(design, yw, W, gram, xy)
    if raw is None:  # let the full within fit find and say what is wrong, and drop columns
        fit = fit_within(design, twoway)
        if fit.names[:2] != ("0", "1"):
            raise NotEstimable("no_variation")
        keep = [int(name) for name in fit.names]
        design = Design(design.y, design.X[:, keep], fit.names, design.units, design.periods)
        terms = [terms[k] for k in keep]
        yw, W, y_unit, W_unit, two_way = within_projection(design, twoway)
        gram, xy = W.T @ W, W.T @ yw
        raw = np.linalg.solve(gram, xy)
    dynamic = tuple((c, pair[ind], lag) for c, (ind, lag) in enumerate(terms) if ind in pair)
    counts, t_i = count_pairs(design, len(panel.units), panel.shape[1])
    n, g = design.n_obs, int(np.count_nonzero(t_i))
    dummies = (n_periods - 1) if twoway else 0
    share = (n - g - dummies) / (n - g) if n > g else 0.0
    y_norm = float(np.linalg.norm(y_unit))
    ratio = float(np.linalg.norm(W_unit[:, 1]) / y_norm) if y_norm > 0 else math.nan
    return Equation(
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


def _clean_solution(
    design: Design, yw: np.ndarray, W: np.ndarray, gram: np.ndarray, xy: np.ndarray
) -> np.ndarray | None:
    """The uncorrected least-squares solution of a transformed equation, or None where
    it would be rounding noise: the effect absorbed, columns that move together, or
    the regressors reproducing the effect exactly."""
    raw_norms = np.sqrt(np.einsum("ij,ij->j", design.X, design.X))
    if not (
        float(np.linalg.norm(yw)) > EXACT_FIT_TOLERANCE * float(np.linalg.norm(design.y))
        and independent_columns(gram, raw_norms).all()
    ):
        return None
    raw = np.linalg.solve(gram, xy)
    if float(np.linalg.norm(yw - W @ raw)) <= EXACT_FIT_TOLERANCE * float(np.linalg.norm(yw)):
        return None
    return raw


def _design_equation(
    panel: Panel,
    design: Design,
    terms: list[Term],
    pair: dict[str, int],
    twoway: bool,
    kind: DesignKind,
) -> Equation:
    """One equation under a robustness design: each unit's rows projected off its own
    regressors (then off the period effects, for ``trend`` with two-way effects)."""
    shape = (len(panel.units), panel.shape[1])
    # the pair's variables, the most needed first: the effect, the cause at the
    # tested lag, the effect's own lag, the cause one period further back
    pair_columns = sorted(
        (c for c, (ind, _) in enumerate(terms) if ind in pair), key=lambda c: (c != 1, c)
    )
    Z = unit_regressors(
        kind,
        design.units,
        design.periods,
        np.column_stack([design.y, design.X[:, pair_columns]]),
        shape,
    )
    projection = unit_projection(Z, Z[:, :, 0])
    keep = projection.mask[design.units, design.periods] > 0
    units, periods = design.units[keep], design.periods[keep]
    values = np.column_stack([design.y, design.X])[keep]
    unit_values = projection.residuals(units, periods, values)
    n_periods = int(np.count_nonzero(np.bincount(periods)))
    period_effects = twoway and n_periods >= 2
    out = projection.without_periods(units, periods, unit_values) if period_effects else unit_values
    yw, W = out[:, 0], out[:, 1:]
    gram, xy = W.T @ W, W.T @ yw
    raw = _clean_solution(design, yw, W, gram, xy)
    if raw is None:
        raise NotEstimable("no_variation")
    g = int(np.count_nonzero(np.bincount(units)))
    n, absorbed = int(units.size), float(projection.rank.sum())
    dummies = (n_periods - 1) if period_effects else 0
    share = (n - absorbed - dummies) / (n - absorbed) if n > absorbed else 0.0
    starts, counts = block_starts(units)
    within = demean(np.column_stack([values[:, 0], values[:, 2]]), starts, counts)
    y_norm = float(np.linalg.norm(within[:, 0]))
    return Equation(
        y=yw,
        W=W,
        units=units,
        periods=periods,
        dynamic=tuple((c, pair[ind], lag) for c, (ind, lag) in enumerate(terms) if ind in pair),
        pair_counts=projection.pair_weights(),
        df_units=projection.degrees_of_freedom() * share,
        sd_ratio=float(np.linalg.norm(within[:, 1]) / y_norm) if y_norm > 0 else math.nan,
        raw=float(raw[1]),
        raw_own=float(raw[0]),
        bias_factor=1.0 - 1.0 / g if period_effects else 1.0,
        gram=gram,
        xy=xy,
        unit_y=unit_values[:, 0] if period_effects else None,
        unit_W=unit_values[:, 1:] if period_effects else None,
        projection=projection,
    )


def both_degrees_of_freedom(
    fwd: Equation, rev: Equation, n_units: int, n_periods: int
) -> np.ndarray:
    """Per unit: ``E[Σ_t ẽ(t)ũ(t)] / σ_eu`` over the periods both equations have,
    ``Σ_{t,s} M_f[t, s]·M_r[t, s]`` (before the period effects' share)."""
    both = np.zeros((n_units, n_periods))
    both[fwd.units, fwd.periods] = 1.0
    seen = np.zeros_like(both)
    seen[rev.units, rev.periods] = 1.0
    both *= seen
    product = fwd.residual_makers(n_units, n_periods) * rev.residual_makers(n_units, n_periods)
    return (product * both[:, :, None] * both[:, None, :]).sum(axis=(1, 2))


# --------------------------------------------------------------------------- the bias


class Dynamics:
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


def bias_moments(eq: Equation, counts: np.ndarray, cov_with_shock: np.ndarray) -> np.ndarray:
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


def unit_blocks(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each unit's block (rows sorted by unit) and the units."""
    starts, _ = block_starts(units)
    return starts, units[starts]
