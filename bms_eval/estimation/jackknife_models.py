"""The cluster jackknife's leave-one-unit-out models of a direction test, all at once.

A stacked model (:class:`~bms_eval.estimation.direction_jackknife.PairStack`) needs of
each leave-one-out sample only cross-products of its transformed columns. Each
unit's own transformation (its demeaning, or a robustness design's projection
``M_i``) does not depend on the other units, so those products are sums over units,
and leaving a unit out subtracts its share. Period effects are the one part that
all units share: with ``V_i`` a unit's projected columns on the grid of periods, the
period effects take out ``S′ G⁺ S`` with ``G = Σ_i M_i`` and ``S = Σ_i M_i V_i``
(:meth:`~bms_eval.estimation.unit_designs.UnitProjection.without_periods`), and with
a unit left out both sums simply lose its term: one periods × periods solve per
model instead of transforming the whole sample again. The products across the two
equations (their shared rows, for the shocks' covariance) expand the same way.

The result equals building each model from its sample
(:func:`~bms_eval.estimation.direction_equations.without_unit`) up to rounding
(``tests/test_jackknife_models.py``).
"""

from __future__ import annotations

import numpy as np

from bms_eval.estimation.direction_equations import Equation
from bms_eval.estimation.unit_designs import on_grid, periods_solve

#: Largest ``units × periods²`` for which every unit's projection is held at once;
#: beyond it (long panels) each model is built from its sample instead.
MAX_GRID_CELLS = 2_000_000


class _Side:
    """One equation's per-unit pieces: its columns ``[y, W]`` on the grid (before the
    period effects are taken out, where it has them), and, with period effects, each
    unit's residual maker and the period effects' sums."""

    def __init__(self, eq: Equation, shape: tuple[int, int]):
        self.mask = np.zeros(shape)
        self.mask[eq.units, eq.periods] = 1.0
        if eq.unit_y is not None and eq.unit_W is not None:
            self.V = on_grid(eq.units, eq.periods, np.column_stack([eq.unit_y, eq.unit_W]), shape)
            self.M: np.ndarray | None = eq.residual_makers(*shape)
        else:
            self.V = on_grid(eq.units, eq.periods, np.column_stack([eq.y, eq.W]), shape)
            self.M = None
        self.grams = np.einsum("gpa,gpb->gab", self.V, self.V)

    def left_out(self, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Per model leaving out a unit of ``out``: the cross-products of the columns
        ``[y, W]`` after the period effects, over the units kept, and those period
        effects of every column (shape ``(models, periods, columns)``; None without
        period effects). The first period with data is left out of the solve (the
        projected dummies sum to zero; its row stays zero)."""
        kept = self.grams.sum(axis=0) - self.grams[out]
        if self.M is None:
            return kept, None
        sums = self.V.sum(axis=0) - self.V[out]
        rest = np.flatnonzero(self.mask.any(axis=0))[1:]
        gram = self.M.sum(axis=0)[np.ix_(rest, rest)] - self.M[np.ix_(out, rest, rest)]
        coef = np.zeros((out.size, self.mask.shape[1], self.V.shape[2]))
        coef[:, rest] = periods_solve(gram, sums[:, rest])
        return kept - np.swapaxes(sums, 1, 2) @ coef, coef


def _shared_products(
    f: _Side, r: _Side, out: np.ndarray, coef_f: np.ndarray | None, coef_r: np.ndarray | None
) -> np.ndarray:
    """Per model: the cross-products of the forward equation's columns with the reverse
    one's over the rows both have, after each equation's period effects."""
    both = f.mask * r.mask
    Vf = f.V * both[..., None]

    def kept(per_unit: np.ndarray) -> np.ndarray:
        return per_unit.sum(axis=0) - per_unit[out]

    cross = kept(np.einsum("gpa,gpb->gab", Vf, r.V))
    if coef_f is not None and f.M is not None:
        Mf = f.M * both[:, None, :]  # M_f,i restricted to the shared rows (its columns)
        cross -= np.swapaxes(coef_f, 1, 2) @ kept(Mf @ r.V)
        if coef_r is not None and r.M is not None:
            cross += np.swapaxes(coef_f, 1, 2) @ kept(Mf @ r.M) @ coef_r
    if coef_r is not None and r.M is not None:
        cross -= kept(np.swapaxes(Vf, 1, 2) @ r.M) @ coef_r
    return cross


def leave_one_out_arrays(
    fwd: Equation,
    rev: Equation,
    shape: tuple[int, int],
    out: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray],
) -> dict[str, np.ndarray] | None:
    """The stacked arrays of the models that leave out each unit of ``out`` in turn
    (the names of :attr:`~bms_eval.estimation.direction_jackknife.PairStack.STACKED`).

    Parameters
    ----------
    fwd, rev : Equation
        The full model's equations.
    shape : tuple of int
        The panel's units and periods.
    out : numpy.ndarray
        The unit codes to leave out, one model each.
    weights : tuple of numpy.ndarray
        Per unit: the shared rows' degrees of freedom before the period effects'
        share, and the forward residual's (``PairModel.both_weights``, ``df_base``).

    Returns
    -------
    dict or None
        None where the panel is too long to hold every unit's projection
        (:data:`MAX_GRID_CELLS`) or a model's regressors are singular.
    """
    g, p = shape
    if g * p * p > MAX_GRID_CELLS:
        return None
    f, r = _Side(fwd, shape), _Side(rev, shape)
    (q_f, coef_f), (q_r, coef_r) = f.left_out(out), r.left_out(out)
    cross = _shared_products(f, r, out, coef_f, coef_r)
    gram_f, gram_r = q_f[:, 1:, 1:], q_r[:, 1:, 1:]
    try:
        inv_f, inv_r = np.linalg.inv(gram_f), np.linalg.inv(gram_r)
    except np.linalg.LinAlgError:
        return None
    both_weights, df_base = weights
    df_f = fwd.df_units.sum() - fwd.df_units[out]
    share = df_f / np.maximum(df_base.sum() - df_base[out], 1e-300)
    return {
        "xy_f": q_f[:, 1:, 0],
        "xy_r": q_r[:, 1:, 0],
        "inv_f": inv_f,
        "inv_r": inv_r,
        "gram_f": gram_f,
        "gram_r": gram_r,
        "counts_f": fwd.pair_counts.sum(axis=0) - fwd.pair_counts[out],
        "counts_r": rev.pair_counts.sum(axis=0) - rev.pair_counts[out],
        "yy_f": q_f[:, 0, 0],
        "yy_r": q_r[:, 0, 0],
        "ab": cross[:, 0, 0],
        "Ab": cross[:, 1:, 0],
        "aB": cross[:, 0, 1:],
        "AB": cross[:, 1:, 1:],
        "df_f": np.maximum(df_f, 1e-300),
        "df_b": np.maximum((both_weights.sum() - both_weights[out]) * share, 1e-300),
        "df_r": np.maximum(rev.df_units.sum() - rev.df_units[out], 1e-300),
    }
