"""Fixed-effects least squares with unit-clustered standard errors.

Pure numerical functions on arrays: no formulas, no names from user files turned
into code. Unit effects are removed by demeaning within units; period effects
(two-way) are then partialled out of the unit-demeaned columns by their
projection on the unit-demeaned period dummies (:func:`project_periods`, exact
on unbalanced panels, without building the dummies), which by the
Frisch–Waugh–Lovell theorem gives exactly the two-way fixed-effects estimate.

The clustered covariance follows linearmodels' ``PanelOLS.fit(cov_type="clustered",
cluster_entity=True)`` defaults, so the two agree to rounding:
``V = s · A (Σ_g W_g'e_g e_g'W_g) A`` with ``A = (W'W)⁻¹`` and
``s = n / (n − k)`` for unit effects (nested in the clusters, so not counted) and
``s = n / (n − G − k)`` for two-way effects, where ``k`` counts the regressors
including the period effects (the rank of the unit-demeaned dummies) and ``G``
the units. Inference then uses Student's
t with ``G − 1`` degrees of freedom, the usual convention for clustered errors.

With a single unit there is nothing to cluster over: heteroskedasticity-robust
(HC1) errors with ``n − k − 1`` degrees of freedom are used instead, and period
effects cannot be told apart from the data (one observation a period), so they
are left out. Both are stated in the fit's ``notes``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

#: A regressor whose part orthogonal to the columns before it has a norm below
#: this share of its own norm counts as collinear and is dropped (the check works
#: on the Gram matrix, whose rounding error is about 1e-8 in these terms).
COLLINEARITY_TOLERANCE = 1e-7
#: Residuals whose norm is below this share of the effect's within-unit variation
#: mean the causes reproduce the effect exactly (the effect is a copy or a sum of
#: them, e.g. Y = X): the estimates are then rounding noise, not evidence.
EXACT_FIT_TOLERANCE = 1e-6
#: A collinear partner is named when its weight in the dropped column exceeds this
#: share of that column's norm.
PARTNER_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Design:
    """Complete cases of one regression.

    Attributes
    ----------
    y : numpy.ndarray
        Shape ``(n,)``, the dependent variable.
    X : numpy.ndarray
        Shape ``(n, k)``, the regressors.
    names : tuple of str
        Column names of ``X`` (labels only; never evaluated).
    units, periods : numpy.ndarray
        Shape ``(n,)``, integer codes of each row's unit and period.
    """

    y: np.ndarray
    X: np.ndarray
    names: tuple[str, ...]
    units: np.ndarray
    periods: np.ndarray

    @property
    def n_obs(self) -> int:
        """Number of complete observations."""
        return int(self.y.shape[0])

    @property
    def n_units(self) -> int:
        """Number of distinct units among them."""
        return int(np.count_nonzero(np.bincount(self.units))) if self.units.size else 0


def design_from_grids(y: np.ndarray, columns: list[np.ndarray], names: list[str]) -> Design:
    """Stack units × periods grids into the complete cases of a regression.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(units, periods)``.
    columns : list of numpy.ndarray
        Regressor grids of the same shape (already lagged).
    names : list of str
        One label per regressor.
    """
    n_periods = y.shape[1]
    grids = [y, *columns]
    keep = np.isfinite(y)
    for grid in columns:
        keep &= np.isfinite(grid)
    rows = np.flatnonzero(keep)
    # filled column by column: far quicker than stacking the grids and then selecting
    data = np.empty((rows.size, len(grids)))
    for j, grid in enumerate(grids):
        data[:, j] = grid.ravel()[rows]
    unit_codes, period_codes = np.divmod(rows, n_periods)
    return Design(data[:, 0], data[:, 1:], tuple(names), unit_codes, period_codes)


def dense_codes(codes: np.ndarray) -> np.ndarray:
    """Non-negative integer codes renumbered 0, 1, … in order — ``np.unique``'s inverse,
    by counting instead of sorting."""
    if codes.size == 0:
        return codes.astype(np.intp)
    present = np.bincount(codes) > 0
    return (np.cumsum(present) - 1)[codes]


def block_starts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each block of equal codes (rows sorted by code) and each block's
    length — what :func:`group_sums` and :func:`demean` take."""
    if codes.size == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    first = np.empty(codes.size, dtype=bool)
    first[0] = True
    np.not_equal(codes[1:], codes[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return starts, np.diff(starts, append=codes.size)


def group_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Column sums of ``values`` over consecutive row blocks beginning at ``starts``.

    Rows must be sorted by group; ``starts`` holds each group's first row.
    """
    return np.add.reduceat(values, starts, axis=0)


def demean(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Subtract group means (rows sorted by group; see :func:`group_sums`)."""
    if counts.size and counts[0] * counts.size == values.shape[0] and counts.min() == counts[0]:
        # groups of equal size (a balanced panel): means of a reshaped view, no gathers
        size = int(counts[0])
        weights = np.full(size, 1.0 / size)
        if values.ndim == 1:
            blocks = values.reshape(counts.size, size)
            return (blocks - (blocks @ weights)[:, None]).ravel()
        # means as products (a tenth of the time of numpy's mean over the middle axis)
        blocks = values.reshape(counts.size, size, values.shape[1])
        return (blocks - (weights @ blocks)[:, None, :]).reshape(values.shape)
    means = group_sums(values, starts) / (counts if values.ndim == 1 else counts[:, None])
    return values - np.repeat(means, counts, axis=0)


def group_means(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Mean of ``values`` per group code ``0 … G − 1`` (rows in any order; a group
    without rows gets NaN)."""
    counts = np.bincount(codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(codes, weights=values, minlength=counts.size) / counts


def demean_by(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values`` less their group's mean (rows in any order): the within-unit
    deviations when ``codes`` are units."""
    return values - group_means(values, codes)[codes]


def codes_key(codes: np.ndarray) -> bytes:
    """Integer codes as bytes of int64, a hashable cache key."""
    return np.ascontiguousarray(codes, dtype=np.int64).tobytes()


def project_periods(units: np.ndarray, periods: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Unit-demeaned ``values`` (rows sorted by unit) less their projection on the
    unit-demeaned period dummies — the two-way within transformation, also for
    unbalanced panels, in O(rows · columns) plus a periods × periods solve.

    With ``D`` the unit-demeaned dummies and ``v`` unit-demeaned, ``D′v`` is the
    per-period sum of ``v`` and ``D′D = diag(n_p) − Σ_i m_i m_i′ / T_i`` (``m_i`` the
    periods unit ``i`` has).
    """
    layout = period_layout(codes_key(units), codes_key(periods))
    period, unit, mask, t_i = layout.period, layout.unit, layout.mask, layout.t_i
    p = mask.shape[1]
    if layout.balanced:
        # every unit has every period, in order: the projection is the period means'
        # deviation (the unit-demeaned columns average zero over each unit)
        g, k = t_i.size, values.shape[1]
        means = np.full(g, 1.0 / g) @ values.reshape(g, p * k)
        return (values.reshape(g, p, k) - means.reshape(p, k)).reshape(values.shape)
    k = values.shape[1]
    sums = np.bincount(
        (period[:, None] * k + np.arange(k)).ravel(), values.ravel(), minlength=p * k
    ).reshape(p, k)
    coef = np.zeros((p, k))
    coef[1:] = layout.solver @ sums[1:]
    unit_mean = (mask @ coef) / t_i[:, None]  # per unit: mean of its periods' effects
    return values - coef[period] + unit_mean[unit]


@dataclass(frozen=True)
class PeriodLayout:
    """What :func:`project_periods` needs of one sample's units and periods.

    Attributes
    ----------
    period, unit : numpy.ndarray
        Dense period and unit codes, shape ``(rows,)``.
    mask : numpy.ndarray
        Units × periods, 1 where a unit has the period.
    t_i : numpy.ndarray
        Each unit's number of periods, shape ``(units,)``.
    solver : numpy.ndarray
        Pseudo-inverse of the unit-demeaned period dummies' Gram matrix, the first
        period dropped: shape ``(periods − 1, periods − 1)``.
    rank : int
        That Gram matrix's rank: the period effects estimated.
    balanced : bool
        Every unit has every period, rows in unit-then-period order.
    """

    period: np.ndarray
    unit: np.ndarray
    mask: np.ndarray
    t_i: np.ndarray
    solver: np.ndarray
    rank: int
    balanced: bool


@functools.lru_cache(maxsize=1024)
def period_layout(units: bytes, periods: bytes) -> PeriodLayout:
    """The :class:`PeriodLayout` of a sample (cached: the equations of one effect
    indicator usually share their sample). Takes the code arrays as bytes."""
    period = dense_codes(np.frombuffer(periods, dtype=np.int64))
    unit = dense_codes(np.frombuffer(units, dtype=np.int64))
    p, g = int(period.max()) + 1, int(unit.max()) + 1
    mask = np.zeros((g, p))
    mask[unit, period] = 1.0
    t_i = mask.sum(axis=1)
    gram = np.diag(mask.sum(axis=0)) - (mask / t_i[:, None]).T @ mask
    # the dummies sum to one, so after unit demeaning one is redundant: drop the first;
    # one eigendecomposition gives the pseudo-inverse and the rank (numpy's pinv and
    # matrix_rank cut-offs for a symmetric matrix)
    values, vectors = np.linalg.eigh(gram[1:, 1:])
    top = float(np.abs(values).max()) if values.size else 0.0
    kept = np.abs(values) > 1e-15 * top
    solver = (vectors[:, kept] / values[kept]) @ vectors[:, kept].T
    rank = int(np.count_nonzero(np.abs(values) > top * max(p - 1, 1) * np.finfo(float).eps))
    for array in (period, unit, mask, t_i, solver):
        array.setflags(write=False)
    balanced = bool(mask.all()) and bool(np.array_equal(period, np.tile(np.arange(p), g)))
    return PeriodLayout(period, unit, mask, t_i, solver, rank, balanced)


class NotEstimable(Exception):
    """The model cannot be estimated from these data: what and why, as a key and numbers.

    The sentence that says so is written from them by :mod:`bms_eval.narrative.reasons`
    (catalog key ``problem.<kind>``), in the report's language: estimation writes none.

    Parameters
    ----------
    kind : str
        ``too_few_obs``, ``too_few_periods``, ``no_overlap``, ``no_variation``,
        ``no_variation_effect``, ``exact_fit``, ``collinear``, ``not_finite``, ``no_df``
        or ``direction_not_solved``.
    **values
        Numbers (and names) the sentence mentions.
    """

    def __init__(self, kind: str, **values: int | str):
        super().__init__(kind, values)
        self.kind, self.values = kind, values

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return f"{self.kind} ({shown})" if shown else self.kind

    def __reduce__(self):
        # rebuilt whole when it travels between processes (parallel link tests)
        return (type(self), (self.kind,), {"values": self.values})


def independent_columns(gram: np.ndarray, raw_norms: np.ndarray) -> np.ndarray:
    """Boolean mask of columns kept after dropping collinear ones, left to right.

    Works on the Gram matrix ``W'W``: the Cholesky factor's diagonal is, for each
    column, the norm of its part orthogonal to the columns before it. A column is
    dropped when that norm is below :data:`COLLINEARITY_TOLERANCE` times
    ``raw_norms`` (its norm before the fixed effects were removed), so a cause
    that is constant within units, and only demeans to rounding noise, is dropped.
    """
    k = gram.shape[0]
    floor = (COLLINEARITY_TOLERANCE * np.maximum(raw_norms, np.sqrt(np.diag(gram)))) ** 2
    try:
        chol = np.linalg.cholesky(gram)
        if np.all(np.diag(chol) ** 2 > floor):
            return np.ones(k, dtype=bool)
    except np.linalg.LinAlgError:
        pass
    keep = np.zeros(k, dtype=bool)
    for j in range(k):
        kept = np.flatnonzero(keep)
        resid = gram[j, j]
        if kept.size:
            g = gram[kept, j]
            resid -= g @ np.linalg.solve(gram[np.ix_(kept, kept)], g)
        keep[j] = resid > floor[j] and floor[j] > 0
    return keep


def magnitude(values: np.ndarray) -> float:
    """The largest absolute value (1 for an all-zero or empty column)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    return top if top > 0 and np.isfinite(top) else 1.0
