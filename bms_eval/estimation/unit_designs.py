"""The robustness designs of the direction tests: what each unit's own regressors
absorb besides its mean (docs/verdicts.md, "Robustness designs").

- ``trend``: a linear trend per unit (``a_i + b_i·t``), with period effects as in the
  main model — units that grow or shrink at their own pace (population,
  centralisation) no longer look like units whose indicators move each other.
- ``cce``: common correlated effects (Pesaran 2006; with the lags a dynamic
  equation needs, Chudik & Pesaran 2015): the cross-section averages of the
  equation's pair variables — the effect, its own lag and the cause at its lags —
  per period, each with a coefficient of the unit's own. A national shock that
  units feel unequally (a common factor with unit-specific loadings) is spanned
  by those averages, so it no longer passes for an arrow. The averages take the
  place of the period effects.

Both are per-unit projections: unit ``i``'s rows are replaced by their residual
``M_i v`` on its own regressors ``Z_i``, ``M_i = I − Z_i (Z_i′Z_i)⁺ Z_i′`` (the main
model's ``Z_i`` is a column of ones). The bias correction of
:mod:`bms_eval.estimation.direction` stays exact under any such projection taken
as given (the averages are conditioned on, as the factors are): the within
transformation's ``−1/T_i`` for a pair of periods ``t > s`` becomes ``−M_i[t, s]``,
and each unit's residual degrees of freedom ``T_i − 1`` become ``trace M_i``. The
design's numbers are therefore read from :class:`UnitProjection` — the pair
weights, the degrees of freedom and the period projection.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bms_eval.estimation.fixed_effects import NotEstimable

#: The direction tests' designs: the main one and the two robustness designs.
DesignKind = Literal["within", "trend", "cce"]
ROBUSTNESS_DESIGNS: tuple[DesignKind, ...] = ("trend", "cce")

#: Fewest residual degrees of freedom a unit must keep under a robustness design to
#: take part (its periods less the columns of its own regressors): with fewer, its
#: rows are (nearly) all absorbed and say nothing about the arrow.
MIN_UNIT_DF = 2
#: Eigenvalues of the projected period dummies' Gram matrix below this share of the
#: largest count as zero: directions the units' own regressors absorb (under ``cce``
#: the averages span several), whose rounding noise would otherwise be inverted.
PERIOD_RANK_RTOL = 1e-10


def periods_solve(gram: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """The period effects ``G⁺ S`` of the projected dummies' Gram matrix ``G`` and their
    sums ``S`` with each column (stacks of them too), the directions
    :data:`PERIOD_RANK_RTOL` leaves out left out."""
    return np.linalg.pinv(gram, rtol=PERIOD_RANK_RTOL, hermitian=True) @ sums


def on_grid(
    units: np.ndarray, periods: np.ndarray, values: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray:
    """Rows of ``values`` (any columns) on the grid of ``shape`` (units × periods ×
    columns), zero where no row is."""
    out = np.zeros((shape[0], shape[1], values.shape[1]))
    out[units, periods] = values
    return out


@functools.lru_cache(maxsize=16)
def pairs_by_distance(n_periods: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For periods ``0 … n_periods − 1``: the flat indices ``t·P + s`` of all pairs with
    ``t > s``, ordered by ``d = t − s``, where each distance starts, and the distances."""
    t, s = np.tril_indices(n_periods, k=-1)
    order = np.argsort(t - s, kind="stable")
    flat = (t * n_periods + s)[order]
    dist = (t - s)[order]
    starts = np.flatnonzero(np.r_[True, dist[1:] != dist[:-1]]) if dist.size else dist
    return flat, starts, dist[starts] if dist.size else dist


@dataclass(frozen=True)
class UnitProjection:
    """Each unit's residual maker on the panel's grid of periods.

    Attributes
    ----------
    M : numpy.ndarray
        Shape ``(units, periods, periods)``: ``M_i`` with rows and columns of the
        periods outside unit ``i``'s sample zero (all zero for a unit left out).
    rank : numpy.ndarray
        Per unit: the columns its own regressors absorb.
    mask : numpy.ndarray
        Units × periods: 1 where the unit's sample has the period.
    """

    M: np.ndarray
    rank: np.ndarray
    mask: np.ndarray

    def residuals(self, units: np.ndarray, periods: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``values`` (rows of the sample, any columns) less their projection on each
        row's unit's own regressors."""
        grid = self.grid(units, periods, values)
        return np.matmul(self.M, grid)[units, periods]

    def grid(self, units: np.ndarray, periods: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The sample's rows on the grid (units × periods × columns), zero elsewhere."""
        return on_grid(units, periods, values, self.mask.shape)

    def pair_weights(self) -> np.ndarray:
        """Per unit and distance ``d``: ``−Σ_{t − s = d} M_i[t, s]`` — what the bias of a
        regressor that answers a shock ``d`` periods earlier is weighted by
        (``#{t − s = d}/T_i`` for the within transformation)."""
        g, p = self.mask.shape
        out = np.zeros((g, p))
        if p > 1:
            flat, starts, dist = pairs_by_distance(p)
            out[:, dist] = -np.add.reduceat(self.M.reshape(g, p * p)[:, flat], starts, axis=1)
        return out

    def degrees_of_freedom(self) -> np.ndarray:
        """Per unit: ``trace M_i``, its rows less what its own regressors absorb."""
        return np.einsum("gii->g", self.M)

    def without_periods(
        self, units: np.ndarray, periods: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Unit-projected ``values`` less their projection on the unit-projected period
        dummies (the units' ``M_i`` stacked).

        With ``D`` the period dummies, ``(M D)′(M D) = Σ_i M_i`` and ``(M D)′(M v) =
        Σ_i M_i v_i``: a periods × periods solve.
        """
        grid = self.grid(units, periods, values)
        coef = periods_solve(self.M.sum(axis=0), grid.sum(axis=0))
        return values - np.matmul(self.M[units, periods], coef)

    def without(self, unit: int) -> UnitProjection:
        """The projection with ``unit`` left out (its ``M_i`` zero)."""
        M, rank, mask = self.M.copy(), self.rank.copy(), self.mask.copy()
        M[unit], rank[unit], mask[unit] = 0.0, 0, 0.0
        return UnitProjection(M, rank, mask)


def unit_regressors(
    kind: DesignKind,
    units: np.ndarray,
    periods: np.ndarray,
    pair_values: np.ndarray,
    shape: tuple[int, int],
) -> np.ndarray:
    """Each unit's own regressors ``Z_i`` on the grid: shape ``(units, periods, k)``.

    Parameters
    ----------
    kind : {"within", "trend", "cce"}
    units, periods : numpy.ndarray
        The sample's codes (of the whole panel).
    pair_values : numpy.ndarray
        Rows × columns: the variables whose cross-section averages ``cce`` uses, the
        most needed first (the effect, the cause at its lag, the effect's own lag, the
        cause one period further back); the later ones only as far as the typical
        unit's periods leave :data:`MIN_UNIT_DF` degrees of freedom (Chudik & Pesaran's
        lagged averages need periods that short panels do not have).
    shape : tuple of int
        The panel's units and periods.
    """
    g, p = shape
    mask = np.zeros((g, p))
    mask[units, periods] = 1.0
    columns = [mask]
    if kind == "trend":
        t = (np.arange(p) - (p - 1) / 2) / max(p - 1, 1)
        columns.append(mask * t)
    elif kind == "cce":
        counts = np.bincount(periods, minlength=p).astype(float)
        # as many averages as the typical unit's periods leave degrees of freedom for
        typical = float(np.median(mask.sum(axis=1)[mask.any(axis=1)]))
        room = max(int(typical) - 1 - MIN_UNIT_DF, 1)
        for j in range(min(pair_values.shape[1], room)):
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.bincount(periods, pair_values[:, j], minlength=p) / counts
            mean = np.nan_to_num(mean)
            seen = counts > 0
            spread = float(mean[seen].std()) if seen.any() else 0.0
            if spread > 0:
                columns.append(mask * ((mean - mean[seen].mean()) / spread))
            elif j == 0:  # the effect's average is flat: the period effects' equivalent
                break
    return np.stack(columns, axis=2)


def unit_projection(Z: np.ndarray, mask: np.ndarray) -> UnitProjection:
    """The residual makers of the units' own regressors ``Z`` (units × periods × k,
    zero outside each unit's sample). A unit left with fewer than
    :data:`MIN_UNIT_DF` degrees of freedom is left out (its ``M_i`` zero)."""
    Zt = np.swapaxes(Z, 1, 2)
    values, vectors = np.linalg.eigh(np.matmul(Zt, Z))
    top = values.max(axis=1, keepdims=True)
    keep = values > np.maximum(top, 1e-300) * 1e-10
    inverse = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
    # Z (Z′Z)⁺ Z′ = (Z V Λ^{-1/2})(Z V Λ^{-1/2})′ over the kept eigenvalues
    half = np.matmul(Z, vectors * np.sqrt(inverse)[:, None, :])
    rank = keep.sum(axis=1)
    hat = np.matmul(half, np.swapaxes(half, 1, 2))
    M = mask[:, :, None] * np.eye(mask.shape[1])[None] - hat
    t_i = mask.sum(axis=1)
    absorbed = t_i - rank < MIN_UNIT_DF
    if int((~absorbed & (t_i > 0)).sum()) < 2:
        raise NotEstimable("design_too_few_periods", min=int(Z.shape[2]) + MIN_UNIT_DF)
    M[absorbed] = 0.0
    rank = np.where(absorbed, 0, rank)
    used = mask * ~absorbed[:, None]
    return UnitProjection(M, rank, used)
