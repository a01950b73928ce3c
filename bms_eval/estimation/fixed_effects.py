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
from dataclasses import dataclass, field

import numpy as np

from bms_eval.estimation.policy import small_panel

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
    period, unit, mask, t_i, solver = layout[:5]
    p = mask.shape[1]
    if layout[6]:
        # every unit has every period, in order: the projection is the period means'
        # deviation (the unit-demeaned columns average zero over each unit)
        g, k = t_i.size, values.shape[1]
        means = np.full(g, 1.0 / g) @ values.reshape(g, p * k)
        return (values.reshape(g, p, k) - means.reshape(p, k)).reshape(values.shape)
    sums = np.column_stack(
        [np.bincount(period, values[:, j], minlength=p) for j in range(values.shape[1])]
    )
    coef = np.zeros((p, values.shape[1]))
    coef[1:] = solver @ sums[1:]
    unit_mean = (mask @ coef) / t_i[:, None]  # per unit: mean of its periods' effects
    return values - coef[period] + unit_mean[unit]


@functools.lru_cache(maxsize=1024)
def period_layout(
    units: bytes, periods: bytes
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool]:
    """What :func:`project_periods` needs of a sample (cached: the equations of one
    effect indicator usually share their sample). Takes the code arrays as bytes.

    Returns the dense period and unit codes, the units × periods mask, each unit's
    number of periods, the pseudo-inverse of the demeaned dummies' Gram matrix
    (first period dropped), its rank, and whether the sample is balanced with
    rows in unit-then-period order."""
    period = dense_codes(np.frombuffer(periods, dtype=np.int64))
    unit = dense_codes(np.frombuffer(units, dtype=np.int64))
    p, g = int(period.max()) + 1, int(unit.max()) + 1
    mask = np.zeros((g, p))
    mask[unit, period] = 1.0
    t_i = mask.sum(axis=1)
    gram = np.diag(mask.sum(axis=0)) - (mask / t_i[:, None]).T @ mask
    # the dummies sum to one, so after unit demeaning one is redundant: drop the first
    solver = np.linalg.pinv(gram[1:, 1:], hermitian=True)
    rank = int(np.linalg.matrix_rank(gram[1:, 1:], hermitian=True)) if p > 1 else 0
    for array in (period, unit, mask, t_i, solver):
        array.setflags(write=False)
    balanced = bool(mask.all()) and bool(np.array_equal(period, np.tile(np.arange(p), g)))
    return period, unit, mask, t_i, solver, rank, balanced


@dataclass(frozen=True)
class WithinFit:
    """A fixed-effects fit: estimates of the named regressors and what inference needs.

    Attributes
    ----------
    names : tuple of str
        Regressors estimated (dropped ones excluded), in design order.
    params, std_errors : numpy.ndarray
        Shape ``(len(names),)``.
    n_obs, n_units, n_periods : int
        Observations, units and periods in the sample.
    df : int
        Degrees of freedom of the t distribution for inference.
    inference : {"cluster", "robust"}
        Unit-clustered, or HC1 for a single unit.
    period_effects : bool
        Whether period effects were included.
    dropped : tuple of str
        Regressors dropped for lack of within-unit variation or collinearity.
    sd_ratio : numpy.ndarray
        Per regressor, SD of its within-unit variation over that of ``y``
        (multiply an estimate by it for a standardized effect).
    notes : tuple of str
        What was changed from the requested model, as names of texts
        (``one_unit_periods``, ``one_unit_hc1``: ``note.fit_<name>``).
    collinear : dict of str to tuple of str
        Regressors dropped because, within units, they are an exact linear
        function of other regressors (each with its own variation), with the
        regressors they are a function of.
    coef_scale : numpy.ndarray
        Per regressor, the factor from the scaled fit's units (``W``, ``y``) to
        the data's units; multiply a bootstrap interval of ``W``'s column by it.
    """

    names: tuple[str, ...]
    params: np.ndarray
    std_errors: np.ndarray
    n_obs: int
    n_units: int
    n_periods: int
    df: int
    inference: str
    period_effects: bool
    dropped: tuple[str, ...] = ()
    sd_ratio: np.ndarray = field(default_factory=lambda: np.array([]))
    notes: tuple[str, ...] = ()
    collinear: dict[str, tuple[str, ...]] = field(default_factory=dict)
    coef_scale: np.ndarray = field(default_factory=lambda: np.array([]))
    # what the wild bootstrap needs (see bootstrap_design), in the fit's scaled units
    clusters: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)
    scale: float = field(default=1.0, repr=False)
    unit_y: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    unit_x: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    period_codes: np.ndarray | None = field(default=None, repr=False)
    fitted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    # the within-transformed regressors (scaled) and the inverse of their Gram matrix,
    # the residuals, the within-transformed effect's norm, the effect's scale and the
    # number of period effects: what testing one more regressor needs (added_regressor)
    within: tuple[np.ndarray, np.ndarray, np.ndarray, float, float, int] | None = field(
        default=None, repr=False
    )

    def leave_one_out(self, column: int) -> np.ndarray | None:
        """Per cluster (unit, in the fit's dense order): how the estimate of regressor
        ``column`` (a position among ``names``) moves when that unit is left out,
        in the data's units.

        In a small panel (:mod:`~bms_eval.estimation.policy`), ``β₍₋g₎ = β − (W′W −
        W_g′W_g)⁻¹ W_g′e_g`` on the within-transformed design (MacKinnon, Nielsen &
        Webb 2023, the leave-one-cluster-out estimates of Stata's ``summclust``):
        exact with unit effects, which leave with their unit; with period effects
        those are held at their full-sample values (first order in the unit's share
        of each period). With more units, the first-order change ``−(W′W)⁻¹ W_g′e_g``
        (each unit's share of the sandwich). None for a single unit.
        """
        if self.within is None or self.n_units < 2:
            return None
        W, A, resid, _, _, _ = self.within
        starts, _ = block_starts(self.clusters)
        scores = group_sums(W * resid[:, None], starts)  # W_g′e_g
        if not small_panel(self.n_units):
            return -(scores @ A[:, column]) * float(self.coef_scale[column])
        own = group_sums(W[:, :, None] * W[:, None, :], starts)  # W_g′W_g
        rest = (W.T @ W)[None] - own
        try:
            shift = np.linalg.solve(rest, scores[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a unit without which the design is singular
            shift = np.stack(
                [np.linalg.lstsq(r, b, rcond=None)[0] for r, b in zip(rest, scores, strict=True)]
            )
        return -shift[:, column] * float(self.coef_scale[column])

    def added_regressor(
        self, column: np.ndarray, min_residual_df: int = 2
    ) -> tuple[float, float] | None:
        """Estimate and clustered standard error of one more regressor, as if it had been
        fitted with the others (``fit_within`` of the design with ``column`` added).

        By the Frisch–Waugh–Lovell theorem the added regressor's coefficient is the
        slope on its part orthogonal to the fixed effects and the other regressors,
        and its clustered variance is that slope's sandwich with the full model's
        residuals — so one fit serves every regressor added to the same sample in
        turn (the placebo leads of one effect's causes).

        Parameters
        ----------
        column : numpy.ndarray
            The regressor on this fit's sample, rows in the fit's order (sorted by unit).
        min_residual_df : int
            Fewest residual degrees of freedom accepted.

        Returns
        -------
        (estimate, std_error) in the data's units, or None where the full fit must
        decide (a single unit, a regressor without variation of its own or an
        exact fit): then fit the whole model.
        """
        if self.within is None or self.inference != "cluster":
            return None
        W, A, resid, y_left, y_scale, n_dummies = self.within
        x_scale = magnitude(column)
        x = column / x_scale
        starts, counts = block_starts(self.clusters)
        x_within = demean(x, starts, counts)
        if self.period_codes is not None:
            x_within = project_periods(self.clusters, self.period_codes, x_within[:, None])[:, 0]
        rest = x_within - W @ (A @ (W.T @ x_within))  # its part the others do not explain
        rr = float(rest @ rest)
        # dropped by fit_within's rule (independent_columns) when placed last
        floor = COLLINEARITY_TOLERANCE * max(np.sqrt(x @ x), np.sqrt(x_within @ x_within))
        n = self.n_obs
        k = W.shape[1] + 1 + n_dummies
        if rr <= floor**2 or n - k - self.n_units < min_residual_df:
            return None
        slope = float(rest @ resid) / rr
        full_resid = resid - rest * slope
        if float(np.linalg.norm(full_resid)) <= EXACT_FIT_TOLERANCE * y_left:
            return None
        scores = group_sums(rest * full_resid, starts)
        # the small-sample factor n / (n − absorbed − k) with one regressor more
        scale = n / (n / self.scale - 1)
        se = float(np.sqrt(scale * float(scores @ scores))) / rr
        to_data = y_scale / x_scale
        return slope * to_data, se * to_data

    @functools.cached_property
    def bootstrap_design(
        self,
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``W``, ``y``, the column of each estimated regressor in ``W``, and ``(W'W)⁻¹``,
        β and the residuals: the model the wild cluster bootstrap resamples.

        Unit effects are nested in the unit clusters and stay partialled out. Period
        effects are not: the bootstrap's residuals are reweighted by cluster, so the
        re-estimated model must hold the period dummies as regressors (the
        Frisch–Waugh–Lovell shortcut of the fit would change the bootstrap
        distribution). Without period effects the fit's own factorisation is reused.
        """
        x = self.unit_x
        if self.period_codes is None:
            assert self.fitted is not None
            return x, self.unit_y, tuple(range(x.shape[1])), self.fitted
        starts, counts = block_starts(self.clusters)
        periods = self.period_codes
        dummies = np.zeros((periods.size, int(periods.max())))
        rows = np.flatnonzero(periods > 0)
        dummies[rows, periods[rows] - 1] = 1.0
        W = np.column_stack([demean(dummies, starts, counts), x])
        raw = np.sqrt(np.concatenate([dummies.sum(axis=0), np.ones(x.shape[1])]))
        keep = independent_columns(W.T @ W, raw)
        keep[dummies.shape[1] :] = True  # the regressors are independent (the fit kept them)
        W = W[:, keep]
        A = np.linalg.inv(W.T @ W)
        beta = A @ (W.T @ self.unit_y)
        resid = self.unit_y - W @ beta
        first = int(keep[: dummies.shape[1]].sum())
        return W, self.unit_y, tuple(range(first, W.shape[1])), (A, beta, resid)

    def index(self, name: str) -> int | None:
        """Position of a regressor in ``names``, or ``None`` if it was dropped."""
        return self.names.index(name) if name in self.names else None


class NotEstimable(Exception):
    """The model cannot be estimated from these data.

    Parameters
    ----------
    kind : str
        ``too_few_obs``, ``no_overlap``, ``no_variation``, ``no_variation_effect``,
        ``exact_fit``, ``collinear``, ``not_finite`` or ``no_df``: the key of the
        reason's text in :mod:`bms_eval.narrative.texts` (``problem.<kind>``).
    message : str
        The reason in English.
    **values
        Numbers the reason's text mentions.
    """

    def __init__(self, kind: str, message: str, **values: int | str):
        super().__init__(message)
        self.kind, self.values = kind, values

    def __reduce__(self):
        # rebuilt whole when it travels between processes (parallel link tests)
        return (type(self), (self.kind, str(self)), {"values": self.values})


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


def _collinear_partners(
    W: np.ndarray,
    gram: np.ndarray,
    keep: np.ndarray,
    raw_norms: np.ndarray,
    names: tuple[str, ...],
) -> dict[str, tuple[str, ...]]:
    """For each regressor dropped although it varies within units on its own: the kept
    regressors it is an exact linear function of (``W`` has the fixed effects, unit
    and period, partialled out already)."""
    out: dict[str, tuple[str, ...]] = {}
    kept = np.flatnonzero(keep)
    for j in np.flatnonzero(~keep):
        own = float(np.linalg.norm(W[:, j]))
        if own <= COLLINEARITY_TOLERANCE * max(raw_norms[j], 1e-300) or kept.size == 0:
            continue  # no variation of its own: not a matter of the others
        coef = np.linalg.lstsq(gram[np.ix_(kept, kept)], gram[kept, j], rcond=None)[0]
        weight = np.abs(coef) * np.sqrt(np.diag(gram)[kept])
        partners = [
            names[c] for c, w in zip(kept, weight, strict=True) if w > PARTNER_TOLERANCE * own
        ]
        if partners:
            out[names[j]] = tuple(partners)
    return out


def fit_within(design: Design, twoway: bool, min_residual_df: int = 2) -> WithinFit:
    """Estimate ``y`` on ``X`` with unit (and optionally period) fixed effects.

    Parameters
    ----------
    design : Design
        Complete cases.
    twoway : bool
        Add period effects.
    min_residual_df : int
        Fewest residual degrees of freedom accepted.

    Returns
    -------
    WithinFit

    Raises
    ------
    NotEstimable
        With too few observations or no regressor left to estimate.
    """
    notes: list[str] = []
    if np.any(design.units[1:] < design.units[:-1]):
        order = np.argsort(design.units, kind="stable")
        design = Design(
            design.y[order],
            design.X[order],
            design.names,
            design.units[order],
            design.periods[order],
        )
    units = dense_codes(design.units)
    periods = dense_codes(design.periods)
    n = design.n_obs
    if n == 0:
        raise NotEstimable(
            "no_overlap", "no year has values for the effect and all its causes together"
        )
    starts, counts = block_starts(units)
    n_units, n_periods = starts.size, int(periods.max()) + 1
    if twoway and n_units == 1:
        twoway = False
        notes.append("one_unit_periods")
    # each column scaled to a largest magnitude of 1: values of 1e±300 neither
    # overflow nor underflow in the squares, and the estimates are rescaled at the end
    y_scale = magnitude(design.y)
    x_scale = np.array([magnitude(design.X[:, j]) for j in range(design.X.shape[1])])
    raw = np.empty((n, 1 + design.X.shape[1]))  # y and X side by side, demeaned together
    raw[:, 0] = design.y / y_scale
    raw[:, 1:] = design.X / x_scale
    y_raw, x_raw = raw[:, 0], raw[:, 1:]
    unit_both = demean(raw, starts, counts)
    y_unit, x_unit = unit_both[:, 0], unit_both[:, 1:]
    # period effects partialled out of the unit-demeaned columns (Frisch–Waugh–Lovell:
    # the coefficients, residuals and clustered errors are those of the regression
    # with period dummies, without building them)
    n_dummies = 0
    if twoway and n_periods > 1:
        both = project_periods(units, periods, unit_both)
        y, W = both[:, 0], both[:, 1:]
        n_dummies = period_layout(codes_key(units), codes_key(periods))[5]
    else:
        y, W = y_unit, x_unit
    raw_sq = np.einsum("ij,ij->j", x_raw, x_raw)
    gram = W.T @ W
    y_left = float(np.linalg.norm(y))
    if y_left <= COLLINEARITY_TOLERANCE * max(float(np.linalg.norm(y_raw)), 1e-300):
        raise NotEstimable(
            "no_variation_effect",
            "the effect has no within-unit variation left once the fixed effects are removed",
        )
    keep = independent_columns(gram, np.sqrt(raw_sq))
    dropped = tuple(nm for nm, k in zip(design.names, keep, strict=True) if not k)
    names = tuple(nm for nm, k in zip(design.names, keep, strict=True) if k)
    collinear = _collinear_partners(W, gram, keep, np.sqrt(raw_sq), design.names)
    if not names:
        raise NotEstimable(
            "no_variation",
            "the cause has no within-unit variation left once the fixed effects are removed",
        )
    if not keep.all():
        W, gram = W[:, keep], gram[np.ix_(keep, keep)]
    k = W.shape[1] + n_dummies  # the period effects count as estimated coefficients
    positions = tuple(range(W.shape[1]))
    absorbed = n_units if (twoway or n_units == 1) else 0
    residual_df = n - k - n_units
    if residual_df < min_residual_df:
        raise NotEstimable(
            "no_df",
            f"{n} observations in {n_units} unit(s) leave too few degrees of freedom for the model",
            n=n,
            units=n_units,
        )
    A = np.linalg.inv(gram)
    beta = A @ (W.T @ y)
    resid = y - W @ beta
    if float(np.linalg.norm(resid)) <= EXACT_FIT_TOLERANCE * y_left:
        raise NotEstimable(
            "exact_fit",
            "the causes reproduce the effect exactly within units (the effect is a copy or a "
            "sum of them), so there is nothing left to test",
        )
    if n_units >= 2:
        scores = group_sums(W * resid[:, None], starts)
        scale = n / (n - absorbed - k)
        cov = scale * A @ (scores.T @ scores) @ A
        df, inference = n_units - 1, "cluster"
    else:
        scale = n / (n - k - 1)
        cov = scale * A @ ((W * resid[:, None] ** 2).T @ W) @ A
        df, inference = n - k - 1, "robust"
        notes.append("one_unit_hc1")
    idx = list(positions)
    x_within = x_unit[:, keep]
    y_norm = np.linalg.norm(y_unit)
    coef_scale = y_scale / x_scale[keep]
    sd_ratio = (
        np.linalg.norm(x_within, axis=0) / y_norm if y_norm > 0 else np.full(len(names), np.nan)
    ) / coef_scale
    return WithinFit(
        names=names,
        params=beta[idx] * coef_scale,
        std_errors=np.sqrt(np.diag(cov)[idx]) * coef_scale,
        n_obs=n,
        n_units=n_units,
        n_periods=n_periods,
        df=df,
        inference=inference,
        period_effects=twoway and n_periods > 1,
        dropped=dropped,
        sd_ratio=sd_ratio,
        notes=tuple(notes),
        collinear=collinear,
        coef_scale=coef_scale,
        clusters=units,
        scale=scale,
        unit_y=y_unit,
        unit_x=x_unit[:, keep],
        period_codes=periods if n_dummies else None,
        fitted=None if n_dummies else (A, beta, resid),
        within=(W, A, resid, y_left, y_scale, n_dummies),
    )


def added_variable(design: Design, twoway: bool, column: int) -> tuple[np.ndarray, np.ndarray]:
    """The added-variable (partial regression) relation of one regressor.

    By the Frisch–Waugh–Lovell theorem the least-squares slope of the returned
    ``y`` on ``x`` is the regressor's within estimate: both are what is left of
    the dependent variable and of ``X[:, column]`` once the unit (and period)
    effects and the other regressors are partialled out.

    Returns
    -------
    x, y : numpy.ndarray
        Shape ``(n,)``, in the data's units.
    """
    order = np.argsort(design.units, kind="stable")
    units = design.units[order]
    starts, counts = block_starts(units)
    both = demean(np.column_stack([design.y, design.X])[order], starts, counts)
    if twoway and np.count_nonzero(np.bincount(design.periods)) > 1:
        both = project_periods(units, design.periods[order], both)
    others = np.delete(both[:, 1:], column, axis=1)
    target = both[:, [0, 1 + column]]
    if others.shape[1]:
        target = target - others @ np.linalg.lstsq(others, target, rcond=None)[0]
    back = np.empty_like(order)
    back[order] = np.arange(order.size)
    return target[back, 1], target[back, 0]
