"""Does one unit decide a verdict? Leave-one-unit-out influence (docs/verdicts.md).

For every verdict, the estimate that decides it — the forward direction test
(or, where the direction was not checked, the static test) for ``supported``,
``contradicted``, ``reciprocal`` and ``inconclusive``; the reverse test for
``reverse``; the between-units slope for ``between_only``; the static estimate
for ``no_effect`` — is looked at with each unit left out in turn:

1. **Which unit.** Every unit's leave-one-out change of that estimate comes
   cheaply from what the fit already holds (MacKinnon, Nielsen & Webb 2023;
   Stata's ``summclust``): the static estimate's from per-unit cross-products
   (:meth:`~bms_eval.estimation.fixed_effects.WithinFit.leave_one_out`), the
   direction tests' from the cluster jackknife or, with 50 units or more, from
   the influence the sandwich is made of, the between slope's from the sums of
   unit means. The unit that moves it most is the candidate; where the verdict
   rests on a direction test's first-order changes (50 units or more), so is the
   unit that moves the static estimate most (first-order changes can misrank a
   unit of high leverage, and two models rarely misrank it alike).
   ``influential_unit`` is the candidate whose leaving out moves the deciding
   estimate most.
2. **Its verdict without that unit.** Where a candidate could change the verdict —
   it moves its model's estimate by at least :data:`SCREEN_SE_SHARE` of that
   estimate's standard error, or the deciding p-value lies within a factor
   :data:`SCREEN_P_FACTOR` of ``alpha``, or a ``no_effect`` interval reaches
   within a quarter of ``±min_effect`` — every test of the row is estimated again
   without the unit (as if its rows were deleted), with the run's adjustment for
   multiple testing held (each p-value scaled as the row's own was), and the
   verdict decided again: ``estimate_without`` and ``verdict_without``. Elsewhere
   one unit cannot move the verdict: ``verdict_without`` is the verdict and
   ``estimate_without`` the estimate less that unit's change.
3. ``fragile`` when the verdict without the unit differs *and* leaving it out moves
   the deciding estimate by at least :data:`FRAGILE_SE_SHARE` standard error (the
   smaller of the errors with and without it: an aberrant unit inflates the one it
   is part of): one unit carries the verdict. (Near a threshold a smaller move can
   flip a verdict too; ``verdict_without`` shows it, but that is the imprecision the
   interval already states.) A fragile verdict carries the ``fragile`` caution, and
   its reason names the unit and the verdict without it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from bms_eval.estimation.verdicts import as_number, direction_checked


def largest_shift(codes: np.ndarray, shifts: np.ndarray | None) -> tuple[int, float] | None:
    """The unit (code) whose leaving out moves an estimate most, and by how much."""
    if shifts is None:
        return None
    shifts = np.asarray(shifts, dtype=float)
    if not np.isfinite(shifts).any():
        return None
    k = int(np.nanargmax(np.abs(shifts)))
    return int(codes[k]), float(shifts[k])


#: The internal columns holding, per row, the unit whose leaving out moves each
#: estimate most and by how much (``(unit code, change)``).
SHIFT_COLUMNS = {
    "static": "_static_shift",
    "forward": "_forward_shift",
    "reverse": "_reverse_shift",
    "between": "_between_shift",
}
#: The deciding estimate, its standard error and p-value, by kind.
_DECIDING = {
    "static": ("estimate", "std_error", "p_adjusted"),
    "forward": ("forward_estimate", "forward_std_error", "forward_p_adjusted"),
    "reverse": ("reverse_estimate", "reverse_std_error", "reverse_p_adjusted"),
    "between": ("between_estimate", "between_std_error", "between_p_value"),
}
#: A verdict is fragile when one unit moves its deciding estimate by at least this
#: many standard errors and the verdict without that unit is another. A smaller move
#: that flips a verdict near one of its thresholds is the ordinary imprecision the
#: interval already shows; fragility is one unit carrying the verdict.
FRAGILE_SE_SHARE = 1.0
#: Re-estimate without the unit when it moves the deciding estimate by this share of
#: its standard error or more ...
SCREEN_SE_SHARE = 0.5
#: ... or when the deciding p-value lies within this factor of alpha (either side).
SCREEN_P_FACTOR = 4.0
#: ... or when a ``no_effect`` interval reaches beyond this share of ``±min_effect``.
SCREEN_NO_EFFECT_SHARE = 0.75

#: ``rerun(jobs)``: for each ``(row, unit code)``, the row's tests again without that
#: unit — its deciding estimate, that estimate's standard error and the verdict.
Rerun = Callable[[list[tuple[dict, int]]], list[tuple[float, float, str]]]


def deciding_columns(kind: str) -> tuple[str, str]:
    """The link-table columns of the deciding estimate of ``kind`` and its standard
    error."""
    return _DECIDING[kind][0], _DECIDING[kind][1]


def deciding_kind(row: dict) -> str | None:
    """Which estimate decides the row's verdict (None for ``insufficient_data``)."""
    verdict = row.get("verdict")
    if verdict == "insufficient_data":
        return None
    if verdict == "reverse":
        return "reverse"
    if verdict == "between_only":
        return "between"
    if verdict == "no_effect":
        return "static"
    return "forward" if direction_checked(row) else "static"


def _could_change(row: dict, kind: str, shift: float, alpha: float, min_effect: float) -> bool:
    _, se_key, p_key = _DECIDING[kind]
    se, p = as_number(row.get(se_key)), as_number(row.get(p_key))
    if math.isfinite(se) and se > 0 and abs(shift) >= SCREEN_SE_SHARE * se:
        return True
    if math.isfinite(p) and alpha / SCREEN_P_FACTOR <= p <= alpha * SCREEN_P_FACTOR:
        return True
    if row.get("verdict") == "no_effect":
        reach = max(abs(as_number(row.get("std_ci_low"))), abs(as_number(row.get("std_ci_high"))))
        return not reach < SCREEN_NO_EFFECT_SHARE * min_effect
    return False


def _reruns(row: dict, alpha: float, min_effect: float) -> list[int] | None:
    """The units to test the row again without (None: the row has no deciding
    estimate with per-unit changes). The candidates: the unit the deciding estimate's
    own changes point to, and the one the static model's point to (first-order changes
    can misrank a unit of high leverage; two models rarely misrank it alike); each
    only where it could change the verdict."""
    kind = deciding_kind(row)
    own = row.get(SHIFT_COLUMNS[kind]) if kind is not None else None
    if kind is None or not isinstance(own, tuple):
        return None
    candidates = [(kind, own)]
    second = row.get(SHIFT_COLUMNS["static"])
    first_order = kind in ("forward", "reverse") and row.get("forward_inference") != (
        "jackknife"  # the jackknife's changes are exact: no second opinion needed
    )
    if first_order and isinstance(second, tuple) and second[0] != own[0]:
        candidates.append(("static", second))
    return [
        code
        for model, (code, shift) in candidates
        if _could_change(row, model, shift, alpha, min_effect)
    ]


def add_influence(
    frame: pd.DataFrame,
    units: tuple[str, ...],
    rerun: Rerun,
    alpha: float,
    min_effect: float,
) -> pd.DataFrame:
    """The link table with ``influential_unit``, ``estimate_without``,
    ``verdict_without`` and ``fragile`` (and without the internal change columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        The link table with its verdicts and the per-unit changes of each row.
    units : tuple of str
        The panel's unit labels, by code.
    rerun : callable
        ``rerun(jobs)`` tests each ``(row, unit code)`` of ``jobs`` again without that
        unit and returns, per job, the deciding estimate, its standard error and the
        verdict (all at once: they may run side by side).
    alpha, min_effect : float
        The analysis options.
    """
    records = frame.to_dict("records")
    plans = [_reruns(row, alpha, min_effect) for row in records]
    jobs = [(row, code) for row, plan in zip(records, plans, strict=True) for code in plan or []]
    found = iter(rerun(jobs) if jobs else [])
    influential, without, verdicts_without, fragile = [], [], [], []
    for row, plan in zip(records, plans, strict=True):
        if plan is None:
            influential.append(None)
            without.append(math.nan)
            verdicts_without.append(None)
            fragile.append(False)
            continue
        kind = deciding_kind(row)
        assert kind is not None
        estimate = as_number(row.get(_DECIDING[kind][0]))
        se = as_number(row.get(_DECIDING[kind][1]))
        best = None  # (change, unit, estimate without, its error, verdict without)
        for code in plan:
            estimate_without, se_without, verdict_without = next(found)
            change = abs(estimate_without - estimate)
            if best is None or not change <= best[0]:
                best = (change, code, estimate_without, se_without, verdict_without)
        if best is None:
            code, shift = row[SHIFT_COLUMNS[kind]]
            best = (abs(shift), code, estimate + shift, se, str(row["verdict"]))
        change, code, estimate_without, se_without, verdict_without = best
        influential.append(units[code])
        without.append(estimate_without)
        verdicts_without.append(verdict_without)
        # the smaller standard error: an aberrant unit inflates the one it is part of
        yardstick = min(se, se_without) if math.isfinite(se_without) else se
        carries = math.isfinite(yardstick) and change >= FRAGILE_SE_SHARE * yardstick
        fragile.append(bool(carries) and verdict_without != row["verdict"])
    return _with_columns(frame, influential, without, verdicts_without, fragile)


def without_influence(frame: pd.DataFrame) -> pd.DataFrame:
    """The link table with the influence columns left empty (not computed)."""
    return _with_columns(frame, None, math.nan, None, False)


def _with_columns(
    frame: pd.DataFrame, influential: object, without: object, verdicts: object, fragile: object
) -> pd.DataFrame:
    """The influence columns set (a list per row, or one value for all), the internal
    change columns dropped."""
    out = frame.drop(columns=[c for c in SHIFT_COLUMNS.values() if c in frame])
    out["influential_unit"] = influential
    out["estimate_without"] = without
    out["verdict_without"] = verdicts
    out["fragile"] = fragile
    return out
