"""Solving the bias-corrected direction model: its moment equations
(:class:`PairModel`), Newton's method and the searches that take over from it
(:func:`solve_model`), and the units' first-order influence (the method:
:mod:`bms_eval.estimation.direction`; the cluster jackknife's many models at once:
:mod:`bms_eval.estimation.direction_jackknife`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bms_eval.estimation.direction_equations import (
    Dynamics,
    Equation,
    bias_moments,
    both_degrees_of_freedom,
    not_solved,
    unit_blocks,
)

#: Largest own persistence accepted for the solution (beyond it the model
#: explodes and the correction has no meaning).
MAX_PERSISTENCE = 1.5
#: Largest remaining imbalance of the corrected equations (relative) that counts as solved.
SOLVED_TOLERANCE = 1e-8


class PairModel:
    """The two equations and their corrected estimating equations.

    The parameters, in order: the forward equation's coefficients (own lag
    first, then the cause), the reverse equation's (own lag first, then the
    effect), and the shocks' variances and covariance ``σ_ee, σ_eu, σ_uu``.
    """

    def __init__(self, fwd: Equation, rev: Equation, n_units: int, n_periods: int):
        self.fwd, self.rev = fwd, rev
        self.g, self.p = n_units, n_periods
        self.k_f, self.k_r = fwd.W.shape[1], rev.W.shape[1]
        self.gram_f, self.xy_f = fwd.gram, fwd.xy
        self.gram_r, self.xy_r = rev.gram, rev.xy
        # the corrected coefficients are linear in the bias: solved by these inverses
        self.inv_f, self.inv_r = np.linalg.inv(self.gram_f), np.linalg.inv(self.gram_r)
        self.dynamics = Dynamics(
            [(lag, var) for _, var, lag in fwd.dynamic], [(lag, var) for _, var, lag in rev.dynamic]
        )
        self.dyn_f = np.array([c for c, _, _ in fwd.dynamic], dtype=int)
        self.dyn_r = np.array([self.k_f + c for c, _, _ in rev.dynamic], dtype=int)
        # rows are sorted by unit: per-unit sums by reduceat
        self.f_starts, self.f_ids = unit_blocks(fwd.units)
        self.r_starts, self.r_ids = unit_blocks(rev.units)
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
        self.b_starts, self.b_ids = unit_blocks(self.both_units)
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
        if fwd.projection is None and rev.projection is None:
            with np.errstate(invalid="ignore", divide="ignore"):
                d = n_b - n_b / t_r - n_b / t_f + n_b**2 / (t_f * t_r)
            base = np.maximum(t_f - 1, 0)
        else:  # a robustness design's projections (bms_eval.estimation.unit_designs)
            d = both_degrees_of_freedom(fwd, rev, n_units, n_periods)
            base = fwd.residual_makers(n_units, n_periods).trace(axis1=1, axis2=2)
        # per unit: the shared rows' degrees of freedom before the period effects' share,
        # and the forward residual's (what that share is taken of)
        self.both_weights, self.df_base = np.nan_to_num(d), base
        self.df_both = self.both_weights * (fwd.df_units.sum() / max(float(base.sum()), 1e-300))
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
            bias_moments(self.fwd, counts_f, cov[..., 0]),
            bias_moments(self.rev, counts_r, cov[..., 1]),
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
        of the jackknife's stacked update,
        :meth:`~bms_eval.estimation.direction_jackknife.PairStack.update`, kept apart:
        the full model's and a fallback's solve stay bit for bit as they were, where
        near a unit root the stack's summation order would move the root finders'
        stopping points)."""
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
class Solution:
    par: np.ndarray
    exact: bool  # the corrected equations are solved (not only come closest)


#: Largest remaining imbalance of the corrected equations, relative to the parameters,
#: at which Newton's method stops.
NEWTON_TOLERANCE = 1e-10
#: It gives way to the root finder when an imbalance is more than this share of the one
#: before (no quick convergence), or after this many steps.
NEWTON_RATE = 0.5
NEWTON_STEPS = 12


def newton(
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


def start_values(
    model: PairModel, start: np.ndarray | None
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


def solve_model(
    model: PairModel, start: np.ndarray | None = None, *, exact_expected: bool = True
) -> Solution:
    """The parameters that solve (or, near a unit root, come closest to solving) the
    corrected equations, searched from the uncorrected estimates.

    With few periods and very persistent indicators the corrected equation of an
    own lag can have no exact solution, or two (Bun & Carree 2005): the search
    starts at the within estimate, so it finds the solution nearest to it, and
    where none exists it stops at the point closest to one. The search is
    Newton's method where that converges quickly (:func:`newton`), else
    MINPACK's hybrid method, else a bounded least-squares search. With
    ``exact_expected`` false (a jackknife's replicate, searched from the full
    solution: it must not jump to a distant second solution,
    :mod:`bms_eval.estimation.direction_jackknife`) the hybrid method is not tried;
    the least-squares search ends at the closest point, an exact solution where one
    lies near.
    """
    full, key, low, high = start_values(model, start)
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
        solved = newton(lift_many, key, first, low, high)
    if solved is not None:
        return Solution(solved, True)
    # imported here: most solves end above, and scipy.optimize takes a tenth of a second
    from scipy.optimize import least_squares, root

    if exact_expected:
        with np.errstate(all="ignore"):
            quick = root(imbalance, first, method="hybr", options={"xtol": 1e-7})
        inside = np.all(quick.x >= low) and np.all(quick.x <= high)
        if quick.success and inside and np.all(np.isfinite(quick.x)):
            return Solution(lift(quick.x), True)

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
        raise not_solved()
    size = max(1.0, float(np.max(np.abs(found.x))))
    return Solution(par, bool(np.max(np.abs(found.fun)) <= SOLVED_TOLERANCE * size))


def unit_influence(model: PairModel, solution: Solution) -> np.ndarray:
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
