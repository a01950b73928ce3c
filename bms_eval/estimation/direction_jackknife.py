"""The cluster jackknife of a direction test: every leave-one-unit-out model solved at
once (:class:`PairStack`) — by Newton's method from the full solution, followed from it
where that does not reach (:func:`continued_stack`), or searched for its closest point
(:func:`least_squares_stack`) — and the estimates' spread (:func:`jackknife_estimates`;
the method: :mod:`bms_eval.estimation.direction`, docs/verdicts.md)."""

from __future__ import annotations

import contextlib
import copy
import math

import numpy as np

from bms_eval.estimation.direction_equations import Equation, not_solved, without_unit
from bms_eval.estimation.direction_solver import (
    NEWTON_RATE,
    NEWTON_STEPS,
    NEWTON_TOLERANCE,
    PairModel,
    Solution,
    solve_model,
    start_values,
)
from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.jackknife_models import leave_one_out_arrays


class PairStack:
    """Several :class:`PairModel` of one pair (the leave-one-unit-out models of a
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

    def __init__(self, first: PairModel, arrays: dict[str, np.ndarray]):
        self.first = first
        self.k_f, self.k_r = first.k_f, first.k_r
        self.dynamics, self.dyn_f, self.dyn_r = first.dynamics, first.dyn_f, first.dyn_r
        self.p = first.p
        for name in self.STACKED:
            setattr(self, name, arrays[name])

    @classmethod
    def of(cls, parts: list[PairModel]) -> PairStack:
        """The stack of built models (each with its own sample)."""
        arrays = {}
        for name in cls.STACKED:
            stacked = np.stack([np.asarray(getattr(m, name), dtype=float) for m in parts])
            # the pair counts summed over units: (models, distances)
            arrays[name] = stacked[:, 0] if name.startswith("counts") else stacked
        return cls(parts[0], arrays)

    def take(self, rows: np.ndarray) -> PairStack:
        """The stack of the models at ``rows``."""
        out = copy.copy(self)
        for name in self.STACKED:
            setattr(out, name, getattr(self, name)[rows])
        return out

    def _bias(self, eq: Equation, counts: np.ndarray, cov: np.ndarray) -> np.ndarray:
        """:func:`bias_moments` summed over units, per model: ``cov`` has shape
        ``(models, m, horizon + 1, 2)``, the result ``(models, m, columns)``."""
        p = counts.shape[1]
        out = np.zeros((*cov.shape[:2], eq.W.shape[1]))
        for col, var, lag in eq.dynamic:
            first = max(lag, 1)
            if first < p:
                out[:, :, col] = (cov[:, :, first - lag : p - lag, var] @ counts[:, first:p, None])[
                    ..., 0
                ]
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
        th_f = (self.xy_f[:, None, :] + b_f) @ self.inv_f.transpose(0, 2, 1)
        th_r = (self.xy_r[:, None, :] + b_r) @ self.inv_r.transpose(0, 2, 1)
        return self.with_variances(th_f, th_r)

    def with_variances(self, th_f: np.ndarray, th_r: np.ndarray) -> np.ndarray:
        """Coefficients (shape ``(models, m, k)`` per equation) followed by the
        ``σ_ee, σ_eu, σ_uu`` of their residuals, from cross-products (O(k²) each)."""

        # batched products (matmul) rather than einsum: several times faster at these sizes
        def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # per model and point: a·b
            return (a @ b[:, :, None])[..., 0]

        ee = self.yy_f[:, None] - 2 * dot(th_f, self.xy_f) + ((th_f @ self.gram_f) * th_f).sum(-1)
        uu = self.yy_r[:, None] - 2 * dot(th_r, self.xy_r) + ((th_r @ self.gram_r) * th_r).sum(-1)
        eu = (
            self.ab[:, None]
            - dot(th_f, self.Ab)
            - dot(th_r, self.aB)
            + ((th_f @ self.AB) * th_r).sum(-1)
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


def _stepped(
    stack: PairStack,
    rows: np.ndarray,
    z: np.ndarray,
    steps: np.ndarray,
    full: np.ndarray,
    key: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The models at ``rows`` evaluated at their points ``z`` (shape ``(models,
    width)``) and at ``z`` moved by ``steps`` along each parameter, in one batched
    call: the points (``(models, width + 1, width)``) and the full parameters there."""
    width = key.size
    points = np.repeat(z[:, None], width + 1, axis=1)
    at = np.arange(1, width + 1)
    points[:, at, at - 1] += steps
    pars = np.repeat(full[None, None], rows.size, axis=0).repeat(width + 1, axis=1)
    pars[..., key] = points
    return points, stack.take(rows).update(pars)


def newton_stack(
    stack: PairStack, start: np.ndarray, points: np.ndarray | None = None
) -> np.ndarray:
    """Every stacked model's solution by Newton's method from ``start`` (each model's
    steps exactly as :func:`newton` takes them), or from its own row of ``points``
    (the parameters the bias depends on, shape ``(models, len(key))``); a row of NaN
    where a model's iteration does not converge quickly or leaves the admissible
    region."""
    full, key, low, high = start_values(stack.first, start)
    g, width = len(stack.xy_f), key.size
    z = np.repeat(full[key][None], g, axis=0) if points is None else points.copy()
    previous = np.full(g, math.inf)
    out = np.full((g, full.size), np.nan)
    todo = np.arange(g)
    for _ in range(NEWTON_STEPS):
        if not todo.size:
            break
        zt = z[todo]
        steps = 1e-7 * np.maximum(1.0, np.abs(zt))
        _, whole = _stepped(stack, todo, zt, steps, full, key)
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


#: Steps in which a leave-one-out model's solution is followed from the full model's
#: (:func:`continued_stack`), the left-out unit's weight lowered from 1 to 0.
CONTINUATION_STEPS = 8


def continued_stack(model: PairModel, stack: PairStack, solution: Solution) -> np.ndarray:
    """Each stacked leave-one-out model's solution followed from the full model's.

    The left-out unit's weight is lowered from 1 to 0 in :data:`CONTINUATION_STEPS`
    steps — every cross-product, pair count and degree of freedom moved that share of
    the way from the full model's to the model's without the unit — and Newton's method
    runs at each step from the solution of the step before. Where the corrected
    equations have two solutions near a unit root, this is the one the full solution
    turns into as the unit is taken out, whatever search would otherwise be used.
    A row of NaN where the path is lost (the solution vanishes where an own lag's
    equation touches its tangent, or Newton's method does not converge quickly).
    """
    m = len(stack.xy_f)
    out = np.full((m, solution.par.size), np.nan)
    full = PairStack.of([model])  # the full model's arrays, a stack of one
    moved = [name for name in PairStack.STACKED if not name.startswith("inv")]
    key = model.key
    z = np.repeat(solution.par[key][None], m, axis=0)
    alive = np.arange(m)
    for step in range(1, CONTINUATION_STEPS + 1):
        share = step / CONTINUATION_STEPS
        arrays = {
            name: getattr(full, name) + share * (getattr(stack, name)[alive] - getattr(full, name))
            for name in moved
        }
        try:  # the inverses of the moved cross-products, not moved inverses
            arrays["inv_f"] = np.linalg.inv(arrays["gram_f"])
            arrays["inv_r"] = np.linalg.inv(arrays["gram_r"])
        except np.linalg.LinAlgError:
            return out
        found = newton_stack(PairStack(model, arrays), solution.par, z[alive])
        kept = np.all(np.isfinite(found), axis=1)
        alive, found = alive[kept], found[kept]
        z[alive] = found[:, key]
        if not alive.size:
            break
    out[alive] = found
    return out


#: The batched least-squares search (:func:`least_squares_stack`): most steps, and the
#: relative decrease of the squared imbalance below which a model counts as settled.
LSQ_STEPS = 200
LSQ_SETTLED = 1e-9


def _stack_images(
    stack: PairStack,
    rows: np.ndarray,
    z: np.ndarray,
    full: np.ndarray,
    key: np.ndarray,
    high: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the models at ``rows`` at their points ``z`` (shape ``(models, width)``): the
    imbalance ``lift(z)[key] − z``, its Jacobian by forward differences (steps turned
    back inside the upper bounds), and the full parameters at ``z`` — one batched
    evaluation of ``width + 1`` points per model."""
    steps = 1e-7 * np.maximum(1.0, np.abs(z))
    steps = np.where(z + steps > high, -steps, steps)
    points, whole = _stepped(stack, rows, z, steps, full, key)
    images = whole[..., key] - points
    slope = ((images[:, 1:] - images[:, :1]) / steps[:, :, None]).transpose(0, 2, 1)
    return images[:, 0], slope, whole[:, 0]


def least_squares_stack(stack: PairStack, start: np.ndarray) -> np.ndarray:
    """Every stacked model's point closest to solving its corrected equations (the
    least squares of the imbalance, inside the bounds), by Levenberg–Marquardt steps
    taken for all models at once from ``start``: the search :func:`solve_model`
    makes for one model, batched. Used for the leave-one-unit-out models of a pair
    whose full model has no exact solution (the search then ends at the tangent
    nearest to one). A row of NaN where a model does not settle within
    :data:`LSQ_STEPS` steps, or settles where the imbalance still falls; that model
    is then solved alone."""
    full, key, low, high = start_values(stack.first, start)
    g = len(stack.xy_f)
    out = np.full((g, full.size), np.nan)
    todo = np.arange(g)
    z = np.repeat(full[key][None], g, axis=0)
    f, jac, par = _stack_images(stack, todo, z, full, key, high)
    damping, grow = np.full(g, 1e-3), np.full(g, 2.0)
    for _ in range(LSQ_STEPS):
        if not todo.size:
            break
        cost = np.sum(f**2, axis=1)
        normal = np.einsum("gji,gjk->gik", jac, jac)
        gradient = np.einsum("gji,gj->gi", jac, f)
        scale = np.maximum(np.diagonal(normal, axis1=1, axis2=2), 1e-12)
        lhs = normal + damping[:, None, None] * (scale[:, :, None] * np.eye(key.size))
        try:
            step = -np.linalg.solve(lhs, gradient[..., None])[..., 0]
        except np.linalg.LinAlgError:
            break
        trial = np.clip(z + step, low, high)
        f_t, jac_t, par_t = _stack_images(stack, todo, trial, full, key, high)
        cost_t = np.sum(f_t**2, axis=1)
        better = np.isfinite(cost_t) & (cost_t < cost)
        # the linear model's prediction of the decrease: how far the step can be trusted
        lin = f + np.einsum("gij,gj->gi", jac, trial - z)
        with np.errstate(all="ignore"):
            rho = (cost - cost_t) / (cost - np.sum(lin**2, axis=1))
        trusted = better & (rho > 0.25)  # as scipy's stopping rules ask
        small_step = np.max(np.abs(trial - z), axis=1) <= LSQ_SETTLED * (
            LSQ_SETTLED + np.max(np.abs(z), axis=1)
        )
        settled = (
            (trusted & ((cost - cost_t <= LSQ_SETTLED * cost) | small_step))
            | (~better & (damping > 1e12))
            | (cost <= 1e-30)
        )
        tiny_gradient = np.max(np.abs(gradient), axis=1) <= 1e-6 * np.maximum(1.0, np.sqrt(cost))
        done = settled & tiny_gradient
        final = np.where(better[:, None], par_t, par)
        out[todo[done]] = final[done]
        # Nielsen's rule: the damping follows how well the linear model predicted
        shrink = np.maximum(1 / 3, 1 - (2 * np.nan_to_num(rho) - 1) ** 3)
        damping = np.where(better, np.maximum(damping * shrink, 1e-12), damping * grow)
        grow = np.where(better, 2.0, grow * 2)
        z = np.where(better[:, None], trial, z)
        f = np.where(better[:, None], f_t, f)
        jac = np.where(better[:, None, None], jac_t, jac)
        par = np.where(better[:, None], par_t, par)
        keep = ~done & ~(settled & ~tiny_gradient)
        todo, z, f, jac, par, damping, grow = (
            todo[keep],
            z[keep],
            f[keep],
            jac[keep],
            par[keep],
            damping[keep],
            grow[keep],
        )
    return out


def jackknife_estimates(model: PairModel, solution: Solution, active: np.ndarray) -> np.ndarray:
    """Per unit left out: the estimates without it, less the estimates with all.

    Each leave-one-unit-out model is solved again from the full solution, period
    effects included, so the spread captures what the linear approximation
    misses near a unit root. Newton's method runs on all of them at once
    (:class:`PairStack`, its models' cross-products found together:
    :mod:`bms_eval.estimation.jackknife_models`); a model it does not reach is
    followed from the full solution (:func:`continued_stack`), and where that
    solution vanishes, or the full model has none, searched for its closest point
    (:func:`least_squares_stack`); the few that search leaves unsettled are solved
    alone, by least squares from the full solution (docs/verdicts.md, "Which solution
    a jackknife replicate takes").
    """
    out = np.full((active.size, solution.par.size), np.nan)
    arrays = leave_one_out_arrays(
        model.fwd, model.rev, (model.g, model.p), active, (model.both_weights, model.df_base)
    )
    stack = PairStack(model, arrays) if arrays is not None else _built_stack(model, active)
    if stack is None:
        raise not_solved()
    with np.errstate(all="ignore"):
        found = newton_stack(stack, solution.par)
        left = np.flatnonzero(~np.all(np.isfinite(found), axis=1))
        if left.size and solution.exact:  # followed from the full solution
            found[left] = continued_stack(model, stack.take(left), solution)
            left = np.flatnonzero(~np.all(np.isfinite(found), axis=1))
        if left.size:  # none (or none left) to follow: the closest point, all at once
            found[left] = least_squares_stack(stack.take(left), solution.par)
    for i, par in enumerate(found):
        if np.all(np.isfinite(par)):
            out[i] = par - solution.par
            continue
        with contextlib.suppress(NotEstimable, np.linalg.LinAlgError):
            alone = _left_out(model, int(active[i]))
            # the closest point from the full solution, as the batched search looks for
            # it (MINPACK's hybrid method could jump to a distant solution instead)
            out[i] = solve_model(alone, solution.par, exact_expected=False).par
            out[i] -= solution.par
    if not np.all(np.isfinite(out)):
        raise not_solved()
    return out


def _left_out(model: PairModel, unit: int) -> PairModel:
    """The model without ``unit``, built from its sample."""
    return PairModel(without_unit(model.fwd, unit), without_unit(model.rev, unit), model.g, model.p)


def _built_stack(model: PairModel, active: np.ndarray) -> PairStack | None:
    """The stack of the leave-one-out models built one by one (long panels, or a
    model whose regressors are singular: then None, as no jackknife exists)."""
    try:
        return PairStack.of([_left_out(model, int(unit)) for unit in active])
    except np.linalg.LinAlgError:
        return None
