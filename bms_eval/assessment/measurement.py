"""Measurement audit per indicator (docs/assessment.md, ``measurement``).

For every indicator: the values far from their unit's own path (outliers,
:mod:`bms_eval.inputs.outliers`), the share of values at the top and bottom of its scale
(ceiling and floor), the share with little room left to improve (headroom), the
share of its variance that lies within units, the share of the unit × period grid
that is missing, and a test for bunching just over the ambition threshold. Every
figure is reported whether or not it raises a flag; the flags use the named
thresholds below.

**Ceiling, floor and headroom.** For individual scores a ceiling or floor effect
is commonly taken to be present when more than 15 % of respondents reach the
highest or lowest possible score (Terwee et al. 2007, J Clin Epidemiol 60:34–42;
McHorney & Tarlov 1995): those at the bound cannot show an improvement. The
exact-bound shares (``ceiling_share``, ``floor_share``, values within
:data:`BOUND_TOLERANCE` of the range from a bound) apply that rule. Scorecard
indicators are mostly *unit averages* — of a 1–6 survey, say — and an average
reaches the bound only if every respondent does, so it can lie close under the
ceiling, with almost no room left, while the exact share stays near zero. The
headroom rule therefore measures room in the unit of change the link tests use:
``headroom_share`` is the share of unit-periods whose distance to the *better*
bound (the top for ``direction: up``, the bottom for ``down``) is less than one
within-unit standard deviation (the pooled spread of values around their unit's
own mean). Such a value cannot rise by an ordinary year's movement. The flag
``little_headroom`` applies Terwee's 15 % to this share (:data:`HEADROOM_SHARE`).
Binary indicators (two distinct values) sit at a bound by construction: their
bound shares are reported but raise no flag.

The bunching test is a local binomial test. Around the threshold ``t`` four bins
of width ``h`` are counted, ``A = [t−2h, t−h)``, ``B = [t−h, t)``, ``C = [t, t+h)``
and ``D = [t+h, t+2h)`` on the indicator's "better" side (for ``direction: down``
the axis is mirrored). Without manipulation and with a locally linear density,
``C`` exceeds ``B`` by a third of ``D − A``, so given ``n = B + C`` the count ``C``
is binomial with ``p0 = 1/2 + (D − A) / (3(A + B + C + D))``. The one-sided
p-value is ``P(X ≥ C)``. On data reported at a fixed resolution (one decimal,
say) the bins hold the same number of possible values on each side.

Bunching can only mean steering towards the threshold where values can lie on
both sides of it, so the test is not run (and ``bunching_not_tested`` says why)
for a binary indicator (``binary``), for a threshold at a bound of the declared
scale (``threshold_at_bound``: a legal minimum that is also the scale's top, a
target of 100 %), or when no value lies beyond the threshold on one side
(``threshold_at_edge``: the threshold is where the values end, so piling there
is a bound, not a jump).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import bdtrc

from bms_eval.estimation.fixed_effects import demean_by
from bms_eval.inputs.data import grid_shape
from bms_eval.inputs.model import Indicator, Scorecard
from bms_eval.inputs.outliers import find_outliers

#: Flag ``ceiling``/``floor`` when at least this share of values sits at a scale bound.
PILE_SHARE = 0.15
#: A value counts as "at" a bound within this share of the scale's range.
BOUND_TOLERANCE = 0.005
#: Flag ``little_headroom`` when at least this share of unit-periods lies closer to
#: the better bound than one within-unit standard deviation (Terwee et al. 2007's
#: 15 %, applied to room left instead of values at the bound).
HEADROOM_SHARE = 0.15
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
    #: values far from their unit's own path (:mod:`bms_eval.inputs.outliers`, on the
    #: tests' scale): (unit, period, value, robust z), by unit and period
    outliers: tuple[tuple[str, int, float, float], ...] = ()
    #: share of unit-periods nearer the better bound than one within-unit SD
    headroom_share: float | None = None
    #: the pooled within-unit standard deviation the headroom is measured in
    within_sd: float | None = None
    #: why the bunching test was not run (``binary``, ``threshold_at_bound``,
    #: ``threshold_at_edge``), ``None`` when it was or there is no ambition
    bunching_not_tested: str | None = None
    #: why the ceiling, floor and headroom shares raise no flag (``binary``)
    bounds_not_tested: str | None = None

    def as_dict(self) -> dict:
        """The keys of docs/assessment.md (plus ``floor_share`` and the counts behind
        ``bunching_p``)."""
        return {
            "flags": list(self.flags),
            "outliers": [
                {"unit": unit, "period": period, "value": value, "robust_z": z}
                for unit, period, value, z in self.outliers
            ],
            "ceiling_share": self.ceiling_share,
            "floor_share": self.floor_share,
            "headroom_share": self.headroom_share,
            "within_sd": self.within_sd,
            "within_share": self.within_share,
            "missing_share": self.missing_share,
            "bunching_p": self.bunching_p,
            "bunching_counts": (
                None
                if self.bunching_counts is None
                else {"under": self.bunching_counts[0], "over": self.bunching_counts[1]}
            ),
            "not_tested": {
                key: reason
                for key, reason in (
                    ("bunching_at_threshold", self.bunching_not_tested),
                    ("bounds", self.bounds_not_tested),
                )
                if reason is not None
            },
        }


def _within(units: np.ndarray, values: np.ndarray) -> tuple[float, int]:
    """The sum of squares of values around their own unit's mean, and the number of
    units: what the within share and the within-unit SD both rest on."""
    codes, uniques = pd.factorize(units)
    within = demean_by(values, codes)
    return float(within @ within), len(uniques)


def _share_of(values: np.ndarray, within_ss: float) -> float | None:
    if values.size < 2:
        return None
    total = float(((values - values.mean()) ** 2).sum())
    return within_ss / total if total > 0 else None


def _sd_of(n_values: int, within_ss: float, n_units: int) -> float | None:
    dof = n_values - n_units
    if dof < 1:
        return None
    sd = float(np.sqrt(within_ss / dof))
    return sd if sd > 0 else None


def within_share(units: np.ndarray, values: np.ndarray) -> float | None:
    """Share of the total sum of squares that lies within units."""
    return _share_of(values, _within(units, values)[0])


def within_sd(units: np.ndarray, values: np.ndarray) -> float | None:
    """Pooled standard deviation of values around their own unit's mean (degrees of
    freedom: values less units)."""
    return _sd_of(values.size, *_within(units, values))


def _span(ind: Indicator, values: np.ndarray) -> float:
    """The scale's width, or where one bound is open (``[0, null]``) the values' range:
    what "near a bound" is measured against."""
    assert ind.scale is not None
    lo, hi = ind.scale
    if math.isfinite(lo) and math.isfinite(hi):
        return hi - lo
    return float(np.ptp(values)) if values.size else 0.0


def headroom_share(values: np.ndarray, ind: Indicator, spread: float | None) -> float | None:
    """Share of values whose distance to the better bound of the scale is less than
    ``spread`` (one within-unit SD); ``None`` without a scale or a spread."""
    if ind.scale is None or spread is None or not values.size:
        return None
    lo, hi = ind.scale
    room = hi - values if ind.direction == "up" else values - lo
    return float(np.mean(room < spread))


def bunching_applies(
    values: np.ndarray, threshold: float, ind: Indicator, binary: bool
) -> str | None:
    """Why bunching at ``threshold`` cannot mean steering towards it, or ``None``
    when it can (module docstring); ``binary``: the values take two distinct values
    at most."""
    if binary:
        return "binary"
    if ind.scale is not None:
        lo, hi = ind.scale
        tol = BOUND_TOLERANCE * _span(ind, values)
        if threshold <= lo + tol or threshold >= hi - tol:
            return "threshold_at_bound"
    if not (np.any(values > threshold) and np.any(values < threshold)):
        return "threshold_at_edge"
    return None


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
    outliers: tuple[tuple[str, int, float, float], ...] = (),
) -> Audit:
    """The measurement audit of one indicator from its tidy rows (and its outliers,
    found over the whole table by :func:`bms_eval.inputs.outliers.find_outliers`)."""
    observed = frame[frame["value"].notna()]
    values = observed["value"].to_numpy(dtype=float)
    grid = max(n_units * n_periods, 1)
    missing = 1.0 - len(observed) / grid
    flags: list[str] = ["outliers"] if outliers else []
    units = observed["unit"].to_numpy()
    binary = values.size > 0 and np.unique(values).size <= 2
    ceiling = floor = None
    if ind.scale is not None and values.size:
        lo, hi = ind.scale
        tol = BOUND_TOLERANCE * _span(ind, values)
        ceiling = float(np.mean(values >= hi - tol)) if math.isfinite(hi) else None
        floor = float(np.mean(values <= lo + tol)) if math.isfinite(lo) else None
    within_ss, n_units_seen = _within(units, values)
    spread = _sd_of(values.size, within_ss, n_units_seen)
    headroom = headroom_share(values, ind, spread)
    if not binary:
        if ceiling is not None and ceiling >= PILE_SHARE:
            flags.append("ceiling")
        if floor is not None and floor >= PILE_SHARE:
            flags.append("floor")
        if headroom is not None and headroom >= HEADROOM_SHARE:
            flags.append("little_headroom")
    share = _share_of(values, within_ss)
    if share is not None and share < LOW_WITHIN_SHARE:
        flags.append("low_within_variation")
    p = counts = skipped = None
    if ind.ambition is not None and values.size:
        threshold = (
            ind.ambition.threshold if ind.ambition.threshold is not None else ind.ambition.target
        )
        skipped = bunching_applies(values, threshold, ind, binary)
        if skipped is None:
            p, counts = bunching_test(values, threshold, ind.direction)
        if p is not None and p < BUNCHING_ALPHA:
            flags.append("bunching_at_threshold")
    if missing > SPARSE_SHARE:
        flags.append("sparse")
    return Audit(
        tuple(flags),
        ceiling,
        floor,
        share,
        missing,
        p,
        counts,
        outliers,
        headroom_share=headroom,
        within_sd=spread,
        bunching_not_tested=skipped,
        bounds_not_tested="binary" if binary and ind.scale is not None else None,
    )


def measurement_audit(
    card: Scorecard, data: pd.DataFrame, hits: pd.DataFrame | None = None
) -> dict[str, Audit]:
    """The audit of every indicator of the scorecard, by id; ``hits`` are the data's
    outliers where already screened
    (:meth:`~bms_eval.inputs.data.IndicatorData.outliers`), else found here."""
    n_units, n_periods = grid_shape(data)
    groups = dict(tuple(data.groupby("indicator", sort=False)))
    empty = data.iloc[0:0]
    outliers: dict[str, list[tuple[str, int, float, float]]] = {}
    if hits is None:
        hits = find_outliers(data, logged=card.logged_ids)
    for hit in hits.itertuples(index=False):
        outliers.setdefault(str(hit.indicator), []).append(
            (str(hit.unit), int(hit.period), float(hit.value), float(hit.robust_z))
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
