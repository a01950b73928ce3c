"""The fixed-effects (within) fit of one model (docs/verdicts.md): the design sorted by
unit and scaled, the unit means (and period effects) removed, the regressors with
variation of their own kept, least squares with errors clustered by unit (HC1 for a
single unit), and what further tests reuse of it — one more regressor, each unit left
out, the wild bootstrap's model (:class:`WithinFit`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from bms_eval.estimation.fixed_effects import (
    COLLINEARITY_TOLERANCE,
    EXACT_FIT_TOLERANCE,
    PARTNER_TOLERANCE,
    Design,
    NotEstimable,
    block_starts,
    codes_key,
    demean,
    dense_codes,
    group_sums,
    independent_columns,
    magnitude,
    period_layout,
    project_periods,
)
from bms_eval.estimation.policy import small_panel


@dataclass(frozen=True)
class LeastSquares:
    """A least-squares solution on a design ``W`` (in the fit's scaled units).

    Attributes
    ----------
    inverse_gram : numpy.ndarray
        ``(W′W)⁻¹``, shape ``(k, k)``.
    beta : numpy.ndarray
        The coefficients, shape ``(k,)``.
    resid : numpy.ndarray
        The residuals, shape ``(rows,)``.
    """

    inverse_gram: np.ndarray
    beta: np.ndarray
    resid: np.ndarray


@dataclass(frozen=True)
class WithinSolution:
    """What testing one more regressor on a fit's sample needs
    (:meth:`WithinFit.added_regressor`, :meth:`WithinFit.leave_one_out`).

    Attributes
    ----------
    W : numpy.ndarray
        The within-transformed regressors kept, scaled: shape ``(rows, k)``.
    solution : LeastSquares
        The fit on ``W``.
    y_left : float
        The norm of the within-transformed effect.
    y_scale : float
        The effect's scale (its values were divided by it).
    n_dummies : int
        Period effects estimated (partialled out of ``W``).
    """

    W: np.ndarray
    solution: LeastSquares
    y_left: float
    y_scale: float
    n_dummies: int


@dataclass(frozen=True)
class BootstrapDesign:
    """The model the wild cluster bootstrap resamples (:attr:`WithinFit.bootstrap_design`).

    Attributes
    ----------
    W, y : numpy.ndarray
        Regressors (with the period dummies, where the fit has period effects) and
        effect, unit-demeaned and scaled.
    positions : tuple of int
        The column of each estimated regressor in ``W``.
    fitted : LeastSquares
        The least-squares solution on ``W``.
    """

    W: np.ndarray
    y: np.ndarray
    positions: tuple[int, ...]
    fitted: LeastSquares


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
    fitted: LeastSquares | None = field(default=None, repr=False)
    # what testing one more regressor needs (added_regressor, leave_one_out)
    within: WithinSolution | None = field(default=None, repr=False)

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
        W, A, resid = self.within.W, self.within.solution.inverse_gram, self.within.solution.resid
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
        W, y_left, y_scale = self.within.W, self.within.y_left, self.within.y_scale
        A, resid, n_dummies = (
            self.within.solution.inverse_gram,
            self.within.solution.resid,
            self.within.n_dummies,
        )
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
    def bootstrap_design(self) -> BootstrapDesign:
        """The model the wild cluster bootstrap resamples.

        Unit effects are nested in the unit clusters and stay partialled out. Period
        effects are not: the bootstrap's residuals are reweighted by cluster, so the
        re-estimated model must hold the period dummies as regressors (the
        Frisch–Waugh–Lovell shortcut of the fit would change the bootstrap
        distribution). Without period effects the fit's own factorisation is reused.
        """
        x = self.unit_x
        if self.period_codes is None:
            assert self.fitted is not None
            return BootstrapDesign(x, self.unit_y, tuple(range(x.shape[1])), self.fitted)
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
        positions = tuple(range(first, W.shape[1]))
        return BootstrapDesign(W, self.unit_y, positions, LeastSquares(A, beta, resid))

    def index(self, name: str) -> int | None:
        """Position of a regressor in ``names``, or ``None`` if it was dropped."""
        return self.names.index(name) if name in self.names else None


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


@dataclass(frozen=True)
class _Transformed:
    """A design sorted by unit, scaled, and within-transformed (:func:`fit_within`)."""

    design: Design
    units: np.ndarray
    periods: np.ndarray
    starts: np.ndarray
    n_units: int
    n_periods: int
    twoway: bool
    notes: tuple[str, ...]
    y_scale: float
    x_scale: np.ndarray
    y_raw: np.ndarray
    x_raw: np.ndarray
    y_unit: np.ndarray
    x_unit: np.ndarray
    y: np.ndarray
    W: np.ndarray
    n_dummies: int


def _within_transform(design: Design, twoway: bool) -> _Transformed:
    """Sort the design by unit, scale each column to a largest magnitude of 1, remove
    the unit means and (two-way) project out the period effects; a single unit gets no
    period effects (noted)."""
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
        raise NotEstimable("no_overlap")
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
        n_dummies = period_layout(codes_key(units), codes_key(periods)).rank
    else:
        y, W = y_unit, x_unit
    return _Transformed(
        design,
        units,
        periods,
        starts,
        n_units,
        n_periods,
        twoway,
        tuple(notes),
        y_scale,
        x_scale,
        y_raw,
        x_raw,
        y_unit,
        x_unit,
        y,
        W,
        n_dummies,
    )


def _sandwich(
    W: np.ndarray, fit: LeastSquares, starts: np.ndarray, absorbed: int, k: int
) -> tuple[np.ndarray, float, int, str]:
    """The coefficients' covariance, its small-sample factor, the t distribution's degrees
    of freedom and the kind: clustered by unit (``absorbed`` effects nested in the
    clusters), or HC1 for a single unit."""
    n, n_units, A, resid = W.shape[0], starts.size, fit.inverse_gram, fit.resid
    if n_units >= 2:
        scores = group_sums(W * resid[:, None], starts)
        scale = n / (n - absorbed - k)
        return scale * A @ (scores.T @ scores) @ A, scale, n_units - 1, "cluster"
    scale = n / (n - k - 1)
    return scale * A @ ((W * resid[:, None] ** 2).T @ W) @ A, scale, n - k - 1, "robust"


def _independent(
    tr: _Transformed,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, tuple[str, ...]]]:
    """The regressors with variation of their own (:func:`independent_columns`): their
    columns and Gram matrix, which were kept, and the collinear ones' partners.

    Raises
    ------
    NotEstimable
        No regressor is left.
    """
    W = tr.W
    raw_norms = np.sqrt(np.einsum("ij,ij->j", tr.x_raw, tr.x_raw))
    gram = W.T @ W
    keep = independent_columns(gram, raw_norms)
    collinear = _collinear_partners(W, gram, keep, raw_norms, tr.design.names)
    if not keep.any():
        raise NotEstimable("no_variation")
    if not keep.all():
        W, gram = W[:, keep], gram[np.ix_(keep, keep)]
    return W, gram, keep, collinear


def _sd_ratio(x_within: np.ndarray, y_within: np.ndarray) -> np.ndarray:
    """Per column of ``x_within``, its within-unit SD over that of ``y_within`` (NaN
    where the effect has no within-unit variation)."""
    y_norm = np.linalg.norm(y_within)
    if y_norm > 0:
        return np.linalg.norm(x_within, axis=0) / y_norm
    return np.full(x_within.shape[1], np.nan)


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
    tr = _within_transform(design, twoway)
    design, n, n_units, n_dummies = tr.design, tr.design.n_obs, tr.n_units, tr.n_dummies
    y, W, notes = tr.y, tr.W, list(tr.notes)
    y_left = float(np.linalg.norm(y))
    if y_left <= COLLINEARITY_TOLERANCE * max(float(np.linalg.norm(tr.y_raw)), 1e-300):
        raise NotEstimable("no_variation_effect")
    W, gram, keep, collinear = _independent(tr)
    dropped = tuple(nm for nm, k in zip(design.names, keep, strict=True) if not k)
    names = tuple(nm for nm, k in zip(design.names, keep, strict=True) if k)
    k = W.shape[1] + n_dummies  # the period effects count as estimated coefficients
    absorbed = n_units if (tr.twoway or n_units == 1) else 0
    if n - k - n_units < min_residual_df:
        raise NotEstimable(
            "no_df",
            n=n,
            units=n_units,
        )
    A = np.linalg.inv(gram)
    beta = A @ (W.T @ y)
    resid = y - W @ beta
    solution = LeastSquares(A, beta, resid)
    if float(np.linalg.norm(resid)) <= EXACT_FIT_TOLERANCE * y_left:
        raise NotEstimable("exact_fit")
    cov, scale, df, inference = _sandwich(W, solution, tr.starts, absorbed, k)
    if inference == "robust":
        notes.append("one_unit_hc1")
    coef_scale = tr.y_scale / tr.x_scale[keep]
    return WithinFit(
        names=names,
        params=beta * coef_scale,
        std_errors=np.sqrt(np.diag(cov)) * coef_scale,
        n_obs=n,
        n_units=n_units,
        n_periods=tr.n_periods,
        df=df,
        inference=inference,
        period_effects=tr.twoway and tr.n_periods > 1,
        dropped=dropped,
        sd_ratio=_sd_ratio(tr.x_unit[:, keep], tr.y_unit) / coef_scale,
        notes=tuple(notes),
        collinear=collinear,
        coef_scale=coef_scale,
        clusters=tr.units,
        scale=scale,
        unit_y=tr.y_unit,
        unit_x=tr.x_unit[:, keep],
        period_codes=tr.periods if n_dummies else None,
        fitted=None if n_dummies else solution,
        within=WithinSolution(W, solution, y_left, tr.y_scale, n_dummies),
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
