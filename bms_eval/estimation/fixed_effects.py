"""Fixed-effects least squares with unit-clustered standard errors.

Pure numerical functions on arrays: no formulas, no names from user files turned
into code. Unit effects are removed by demeaning within units; period effects
(two-way) enter as period dummies demeaned within units, which by the
Frisch–Waugh–Lovell theorem gives exactly the two-way fixed-effects estimate on
unbalanced panels too.

The clustered covariance follows linearmodels' ``PanelOLS.fit(cov_type="clustered",
cluster_entity=True)`` defaults, so the two agree to rounding:
``V = s · A (Σ_g W_g'e_g e_g'W_g) A`` with ``A = (W'W)⁻¹`` and
``s = n / (n − k)`` for unit effects (nested in the clusters, so not counted) and
``s = n / (n − G − k)`` for two-way effects, where ``k`` counts the regressors
including the period dummies and ``G`` the units. Inference then uses Student's
t with ``G − 1`` degrees of freedom, the usual convention for clustered errors.

With a single unit there is nothing to cluster over: heteroskedasticity-robust
(HC1) errors with ``n − k − 1`` degrees of freedom are used instead, and period
effects cannot be told apart from the data (one observation a period), so they
are left out. Both are stated in the fit's ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: A regressor whose part orthogonal to the columns before it has a norm below
#: this share of its own norm counts as collinear and is dropped.
COLLINEARITY_TOLERANCE = 1e-9


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
        return int(np.unique(self.units).size)


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
    n_units, n_periods = y.shape
    stack = (
        np.column_stack([y.ravel(), *(c.ravel() for c in columns)]) if columns else y.reshape(-1, 1)
    )
    keep = np.isfinite(stack).all(axis=1)
    unit_codes = np.repeat(np.arange(n_units), n_periods)[keep]
    period_codes = np.tile(np.arange(n_periods), n_units)[keep]
    data = stack[keep]
    return Design(data[:, 0], data[:, 1:], tuple(names), unit_codes, period_codes)


def demean(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Subtract group means from each column of ``values`` (shape ``(n,)`` or ``(n, k)``)."""
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    if values.ndim == 1:
        means = np.bincount(groups, weights=values, minlength=n_groups) / counts
        return values - means[groups]
    sums = np.zeros((n_groups, values.shape[1]))
    np.add.at(sums, groups, values)
    return values - (sums / counts[:, None])[groups]


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
        What was changed from the requested model, in words.
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
    # what the wild bootstrap needs (demeaned design incl. dummies, in column order)
    W: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    y: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    clusters: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)
    positions: tuple[int, ...] = field(default=(), repr=False)
    scale: float = field(default=1.0, repr=False)

    def index(self, name: str) -> int | None:
        """Position of a regressor in ``names``, or ``None`` if it was dropped."""
        return self.names.index(name) if name in self.names else None


class NotEstimable(Exception):
    """The model cannot be estimated from these data; the message says why."""


def independent_columns(W: np.ndarray, protect: int = 0) -> np.ndarray:
    """Boolean mask of columns kept after dropping collinear ones, left to right.

    A column is dropped when its part orthogonal to the kept columns before it is
    below :data:`COLLINEARITY_TOLERANCE` of its norm (or the column is zero).
    """
    n, k = W.shape
    keep = np.zeros(k, dtype=bool)
    basis = np.empty((n, 0))
    for j in range(k):
        col = W[:, j]
        norm = np.linalg.norm(col)
        if norm == 0:
            continue
        resid = col - basis @ (basis.T @ col) if basis.shape[1] else col
        rnorm = np.linalg.norm(resid)
        if rnorm > COLLINEARITY_TOLERANCE * norm * max(1.0, np.sqrt(k)):
            keep[j] = True
            basis = np.column_stack([basis, resid / rnorm])
    return keep


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
    _, units = np.unique(design.units, return_inverse=True)
    _, periods = np.unique(design.periods, return_inverse=True)
    n, n_units, n_periods = (
        design.n_obs,
        int(units.max(initial=-1)) + 1,
        int(periods.max(initial=-1)) + 1,
    )
    if n == 0:
        raise NotEstimable("no period has values for the effect and all its causes together")
    if twoway and n_units == 1:
        twoway = False
        notes.append(
            "period effects left out: with one unit they cannot be told apart from the causes"
        )
    y = demean(design.y, units, n_units)
    X = demean(design.X, units, n_units) if design.X.shape[1] else design.X
    n_dummies = 0
    if twoway and n_periods > 1:
        dummies = np.zeros((n, n_periods - 1))
        rows = periods > 0
        dummies[np.flatnonzero(rows), periods[rows] - 1] = 1.0
        W = np.column_stack([demean(dummies, units, n_units), X])
        n_dummies = n_periods - 1
    else:
        W = X
    keep = independent_columns(W)
    x_keep = keep[n_dummies:]
    dropped = tuple(nm for nm, k in zip(design.names, x_keep, strict=True) if not k)
    names = tuple(nm for nm, k in zip(design.names, x_keep, strict=True) if k)
    if not names:
        raise NotEstimable("no cause varies within units once the fixed effects are removed")
    W = W[:, keep]
    k = W.shape[1]
    positions = tuple(range(int(keep[:n_dummies].sum()), k))
    absorbed = n_units if (twoway or n_units == 1) else 0
    residual_df = n - k - n_units
    if residual_df < min_residual_df:
        raise NotEstimable(
            f"{n} observations in {n_units} unit(s) leave {max(residual_df, 0)} "
            f"degree(s) of freedom for {k} coefficient(s) and the unit effects"
        )
    A = np.linalg.inv(W.T @ W)
    beta = A @ (W.T @ y)
    resid = y - W @ beta
    if n_units >= 2:
        scores = np.zeros((n_units, k))
        np.add.at(scores, units, W * resid[:, None])
        scale = n / (n - absorbed - k)
        cov = scale * A @ (scores.T @ scores) @ A
        df, inference = n_units - 1, "cluster"
    else:
        scale = n / (n - k - 1)
        cov = scale * A @ ((W * resid[:, None] ** 2).T @ W) @ A
        df, inference = n - k - 1, "robust"
        notes.append(
            "one unit: standard errors are heteroskedasticity-robust (HC1) and treat "
            "the periods as independent"
        )
    idx = list(positions)
    x_within = X[:, x_keep]
    y_norm = np.linalg.norm(y)
    sd_ratio = (
        np.linalg.norm(x_within, axis=0) / y_norm if y_norm > 0 else np.full(len(names), np.nan)
    )
    return WithinFit(
        names=names,
        params=beta[idx],
        std_errors=np.sqrt(np.diag(cov)[idx]),
        n_obs=n,
        n_units=n_units,
        n_periods=n_periods,
        df=df,
        inference=inference,
        period_effects=twoway and n_periods > 1,
        dropped=dropped,
        sd_ratio=sd_ratio,
        notes=tuple(notes),
        W=W,
        y=y,
        clusters=units,
        positions=positions,
        scale=scale,
    )
