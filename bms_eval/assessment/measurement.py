"""Measurement audit per indicator (SPEC 4, ``measurement``).

For every indicator: the values far from their unit's own history (outliers,
:mod:`bms_eval.outliers`), the share of values at the top and bottom of its scale
(ceiling and floor), the share of its variance that lies within units, the share
of the unit × period grid that is missing, and a test for bunching just over the
ambition threshold. Every figure is reported whether or not it raises a flag;
the flags use the named thresholds below.

The bunching test is a local binomial test. Around the threshold ``t`` four bins
of width ``h`` are counted, ``A = [t−2h, t−h)``, ``B = [t−h, t)``, ``C = [t, t+h)``
and ``D = [t+h, t+2h)`` on the indicator's "better" side (for ``direction: down``
the axis is mirrored). Without manipulation and with a locally linear density,
``C`` exceeds ``B`` by a third of ``D − A``, so given ``n = B + C`` the count ``C``
is binomial with ``p0 = 1/2 + (D − A) / (3(A + B + C + D))``. The one-sided
p-value is ``P(X ≥ C)``. On data reported at a fixed resolution (one decimal,
say) the bins hold the same number of possible values on each side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import bdtrc

from bms_eval.estimation.fixed_effects import demean_by
from bms_eval.inputs.data import grid_shape
from bms_eval.inputs.model import Indicator, Scorecard
from bms_eval.outliers import find_outliers

#: Flag ``ceiling``/``floor`` when at least this share of values sits at a scale bound.
PILE_SHARE = 0.15
#: A value counts as "at" a bound within this share of the scale's range.
BOUND_TOLERANCE = 0.005
#: Flag ``low_within_variation`` when less than this share of variance is within units.
LOW_WITHIN_SHARE = 0.10
#: Flag ``sparse`` when more than this share of the unit × period grid is missing.
SPARSE_SHARE = 0.5
#: Flag ``bunching_at_threshold`` when the bunching test's p-value is below this.
BUNCHING_ALPHA = 0.01
#: Fewest values in the two bins next to the threshold for the test to run.
MIN_BUNCHING_N = 20
#: Bin width as a share of the indicator's standard deviation.
BUNCHING_BIN_SD = 0.15


@dataclass(frozen=True)
class Audit:
    """The measurement figures of one indicator."""

    flags: tuple[str, ...]
    ceiling_share: float | None
    floor_share: float | None
    within_share: float | None
    missing_share: float
    bunching_p: float | None
    bunching_counts: tuple[int, int] | None
    #: values far from their unit's own history (:mod:`bms_eval.outliers`):
    #: (unit, period, value), by unit and period
    outliers: tuple[tuple[str, int, float], ...] = ()

    def as_dict(self) -> dict:
        """SPEC's keys (plus ``floor_share`` and the counts behind ``bunching_p``)."""
        return {
            "flags": list(self.flags),
            "outliers": [
                {"unit": unit, "period": period, "value": value}
                for unit, period, value in self.outliers
            ],
            "ceiling_share": self.ceiling_share,
            "floor_share": self.floor_share,
            "within_share": self.within_share,
            "missing_share": self.missing_share,
            "bunching_p": self.bunching_p,
            "bunching_counts": (
                None
                if self.bunching_counts is None
                else {"under": self.bunching_counts[0], "over": self.bunching_counts[1]}
            ),
        }


def within_share(units: np.ndarray, values: np.ndarray) -> float | None:
    """Share of the total sum of squares that lies within units."""
    if values.size < 2:
        return None
    total = float(((values - values.mean()) ** 2).sum())
    if total <= 0:
        return None
    within = demean_by(values, pd.factorize(units)[0])
    return float(within @ within) / total


def _resolution(values: np.ndarray) -> float:
    distinct = np.unique(np.round(values, 9))
    if distinct.size < 2:
        return 0.0
    return float(np.min(np.diff(distinct)))


def bunching_test(
    values: np.ndarray, threshold: float, direction: str
) -> tuple[float | None, tuple[int, int] | None]:
    """One-sided p-value for too many values just on the better side of ``threshold``.

    Returns
    -------
    p_value : float or None
        ``None`` when too few values lie near the threshold.
    counts : (under, over) or None
        The counts in the two bins next to the threshold.
    """
    x = (values - threshold) if direction == "up" else (threshold - values)
    if x.size < MIN_BUNCHING_N:
        return None, None
    h = BUNCHING_BIN_SD * float(np.std(values))
    step = _resolution(values)
    if h <= 0:
        return None, None
    if step > 0 and step > h / 20:
        k = max(1, round(h / step))
        pos = np.round(x / step).astype(int)  # 0 is the threshold itself: on the good side
        bins = [
            ((pos >= -2 * k) & (pos < -k)),
            ((pos >= -k) & (pos < 0)),
            ((pos >= 0) & (pos < k)),
            ((pos >= k) & (pos < 2 * k)),
        ]
    else:
        bins = [
            ((x >= -2 * h) & (x < -h)),
            ((x >= -h) & (x < 0)),
            ((x >= 0) & (x < h)),
            ((x >= h) & (x < 2 * h)),
        ]
    a, b, c, d = (int(m.sum()) for m in bins)
    n = b + c
    if n < MIN_BUNCHING_N:
        return None, (b, c)
    p0 = 0.5 + (d - a) / (3 * max(a + b + c + d, 1))
    p0 = min(max(p0, 0.05), 0.95)
    p = 1.0 if c == 0 else float(bdtrc(c - 1, n, p0))  # P(X >= c)
    return p, (b, c)


def audit_indicator(
    ind: Indicator,
    frame: pd.DataFrame,
    n_units: int,
    n_periods: int,
    outliers: tuple[tuple[str, int, float], ...] = (),
) -> Audit:
    """The measurement audit of one indicator from its tidy rows (and its outliers,
    found over the whole table by :func:`bms_eval.outliers.find_outliers`)."""
    observed = frame[frame["value"].notna()]
    values = observed["value"].to_numpy(dtype=float)
    grid = max(n_units * n_periods, 1)
    missing = 1.0 - len(observed) / grid
    flags: list[str] = ["outliers"] if outliers else []
    ceiling = floor = None
    if ind.scale is not None and values.size:
        lo, hi = ind.scale
        tol = BOUND_TOLERANCE * (hi - lo)
        ceiling = float(np.mean(values >= hi - tol))
        floor = float(np.mean(values <= lo + tol))
        if ceiling >= PILE_SHARE:
            flags.append("ceiling")
        if floor >= PILE_SHARE:
            flags.append("floor")
    share = within_share(observed["unit"].to_numpy(), values)
    if share is not None and share < LOW_WITHIN_SHARE:
        flags.append("low_within_variation")
    p = counts = None
    if ind.ambition is not None and values.size:
        threshold = (
            ind.ambition.threshold if ind.ambition.threshold is not None else ind.ambition.target
        )
        p, counts = bunching_test(values, threshold, ind.direction)
        if p is not None and p < BUNCHING_ALPHA:
            flags.append("bunching_at_threshold")
    if missing > SPARSE_SHARE:
        flags.append("sparse")
    return Audit(tuple(flags), ceiling, floor, share, missing, p, counts, outliers)


def measurement_audit(card: Scorecard, data: pd.DataFrame) -> dict[str, Audit]:
    """The audit of every indicator of the scorecard, by id."""
    n_units, n_periods = grid_shape(data)
    groups = dict(tuple(data.groupby("indicator", sort=False)))
    empty = data.iloc[0:0]
    outliers: dict[str, list[tuple[str, int, float]]] = {}
    for hit in find_outliers(data).itertuples(index=False):
        outliers.setdefault(str(hit.indicator), []).append(
            (str(hit.unit), int(hit.period), float(hit.value))
        )
    return {
        ind.id: audit_indicator(
            ind,
            groups.get(ind.id, empty),
            n_units,
            n_periods,
            tuple(outliers.get(ind.id, ())),
        )
        for ind in card.indicators
    }
