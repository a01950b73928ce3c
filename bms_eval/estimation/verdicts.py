"""From the evidence on one link and lag to a verdict (docs/verdicts.md).

"The forward test" is the bias-corrected direction test of
:mod:`bms_eval.estimation.direction` (``forward_p_adjusted`` with the sign of
``forward_estimate``) where it could be run; where it could not
(``direction_method`` ``not_checked``: too few periods), it is the static
within test (``p_adjusted``, ``estimate``) and the reason says that the
direction was not checked. The rules are applied in the order of docs/verdicts.md; the first
that applies decides:

1. ``insufficient_data`` — fewer than :data:`MIN_OBSERVATIONS` complete
   observations, fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom,
   no within-unit variation of the cause or of the effect left once the fixed
   effects are removed, a cause that moves exactly with another cause, causes
   that reproduce the effect exactly (residuals at rounding level), or
   estimates that are not finite: the model cannot be estimated, or its
   numbers would be rounding noise.
2. ``reciprocal`` — the forward test is below ``alpha`` with the expected sign,
   and ``reverse_p_adjusted`` is below ``alpha`` too: each predicts the other.
3. ``supported`` — the forward test is below ``alpha``, with the expected sign.
4. ``contradicted`` — the forward test is below ``alpha``, with the opposite sign.
5. ``reverse`` — the effect indicator predicts the cause later, beyond the
   cause's own past (``reverse_p_adjusted < alpha``).
6. ``between_only`` — units with more of the cause have more (or, for sign ``-``,
   less) of the effect (``between_p_value < alpha``, expected sign), but no
   within-unit effect was found.
7. ``no_effect`` — the confidence interval of the standardized estimate lies
   inside ``±min_effect``.
8. ``inconclusive`` — none of these: the data cannot tell.

A forward or reverse finding counts only where the robustness designs that the data
call for, and that could be fitted, reproduce it (:func:`not_reproduced`); one they do
not falls to the next rule.

Numbers only: the sentence that explains a verdict is written from the same
evidence by :mod:`bms_eval.narrative.reasons`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, get_args

import pandas as pd

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.policy import FEW_UNITS
from bms_eval.estimation.unit_designs import ROBUSTNESS_DESIGNS

#: The verdicts in the order of docs/verdicts.md (how an arrow's lags roll up into one:
#: :mod:`bms_eval.estimation.arrows`).
Verdict = Literal[
    "reciprocal",
    "supported",
    "contradicted",
    "reverse",
    "between_only",
    "no_effect",
    "inconclusive",
    "insufficient_data",
]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

#: Fewest complete observations (unit-periods) a link's model needs.
MIN_OBSERVATIONS = 6
#: Fewest residual degrees of freedom (after coefficients and unit effects).
MIN_RESIDUAL_DF = 2


@dataclass(frozen=True)
class Evidence:
    """What the tests found for one link and lag (NaN where a test was not possible)."""

    cause: str
    effect: str
    lag: int
    sign: str
    estimate: float
    p_adjusted: float
    ci_low: float
    ci_high: float
    std_estimate: float
    std_ci_low: float
    std_ci_high: float
    mde_std: float
    between_estimate: float
    between_p_value: float
    reverse_p_value: float
    lead_p_value: float
    inference: str
    n_units: int
    draws: int = 0
    enumerated: bool = False
    problem: NotEstimable | None = None
    p_value: float = math.nan
    forward_estimate: float = math.nan
    forward_std_estimate: float = math.nan
    forward_p_value: float = math.nan
    forward_p_adjusted: float = math.nan
    reverse_p_adjusted: float = math.nan
    direction_problem: NotEstimable | None = None
    lag1_forward_p_value: float = math.nan
    lag1_reverse_p_value: float = math.nan
    level: float = 0.95
    forward_inference: str = ""
    influential_unit: str = ""
    verdict_without: str = ""
    fragile: bool = False
    reverse_estimate: float = math.nan
    trend_forward_estimate: float = math.nan
    trend_forward_p_adjusted: float = math.nan
    trend_reverse_estimate: float = math.nan
    trend_reverse_p_adjusted: float = math.nan
    cce_forward_estimate: float = math.nan
    cce_forward_p_adjusted: float = math.nan
    cce_reverse_estimate: float = math.nan
    cce_reverse_p_adjusted: float = math.nan
    trend_forward_std_estimate: float = math.nan
    trend_reverse_std_estimate: float = math.nan
    cce_forward_std_estimate: float = math.nan
    cce_reverse_std_estimate: float = math.nan
    trend_needed_p_value: float = math.nan
    cce_needed_p_value: float = math.nan
    method: str = "within"
    pretrend_p_value: float = math.nan
    sensitivity_mbar: float = math.nan
    # what the model holds fixed (docs/verdicts.md, "Direct and total effects"): names of
    # the indicators held fixed and of the arrow's mediators on the map, the periods its
    # lags cost, which estimand decides and both estimands' static tests
    held_fixed: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    periods_lost: tuple[str, ...] = ()
    estimand: str = "direct"
    direct_estimate: float = math.nan
    direct_p_adjusted: float = math.nan
    total_estimate: float = math.nan
    total_p_adjusted: float = math.nan
    # an arrow with several lags: ``lags`` all of them; ``cumulative`` on the arrow's
    # own row, ``lag_verdict`` (a lag row's verdict as if it stood alone) on its lags'
    lags: tuple[int, ...] = ()
    cumulative: bool = False
    lag_verdict: str = ""

    @property
    def direction_checked(self) -> bool:
        """Whether the bias-corrected direction tests were run."""
        return math.isfinite(self.forward_p_adjusted) and math.isfinite(self.forward_estimate)

    @classmethod
    def from_row(
        cls, row: Mapping[str, object], names: Mapping[str, str], level: float
    ) -> Evidence:
        """The evidence in one row of a link table (``names``: indicator names by id)."""

        def number(key: str) -> float:
            value = row.get(key)
            return float(value) if value is not None and pd.notna(value) else math.nan

        def text(key: str) -> str:
            value = row.get(key)
            return str(value) if isinstance(value, str) else ""

        def problem(key: str) -> NotEstimable | None:
            value = row.get(key)
            return value if isinstance(value, NotEstimable) else None

        def ids(key: str) -> tuple[str, ...]:
            return tuple(names.get(i, i) for i in text(key).split(";") if i)

        lags = row.get("lags")
        draws, enumerated = row.get("draws"), row.get("enumerated")
        return cls(
            cause=names[str(row["from"])],
            effect=names[str(row["to"])],
            lag=int(row["lag"]),
            sign=str(row["sign"]),
            **{k: number(k) for k in _EVIDENCE_NUMBERS},
            inference=str(row.get("inference") or ""),
            n_units=int(row["n_units"]),
            draws=int(draws) if draws is not None and pd.notna(draws) else 0,
            enumerated=bool(enumerated)
            if enumerated is not None and pd.notna(enumerated)
            else False,
            problem=problem("problem"),
            direction_problem=problem("direction_problem"),
            level=level,
            forward_inference=str(row.get("forward_inference") or ""),
            method=text("method") or "within",
            influential_unit=text("influential_unit"),
            verdict_without=text("verdict_without"),
            fragile=_is_true(row.get("fragile")),
            held_fixed=ids("held_fixed"),
            mediators=ids("mediators"),
            periods_lost=tuple(p for p in text("periods_lost").split(";") if p),
            estimand=text("estimand") or "direct",
            lags=tuple(int(x) for x in lags)
            if isinstance(lags, tuple | list)
            else tuple(int(x) for x in text("arrow_lags").split(";") if x),
            cumulative=_is_true(row.get("cumulative")),
            lag_verdict=text("lag_verdict"),
        )


#: The numbers of :class:`Evidence`, read from a link table's columns of the same name.
_EVIDENCE_NUMBERS = (
    "estimate",
    "p_value",
    "p_adjusted",
    "ci_low",
    "ci_high",
    "std_estimate",
    "std_ci_low",
    "std_ci_high",
    "mde_std",
    "between_estimate",
    "between_p_value",
    "reverse_p_value",
    "lead_p_value",
    "forward_estimate",
    "forward_std_estimate",
    "forward_p_value",
    "forward_p_adjusted",
    "reverse_p_adjusted",
    "lag1_forward_p_value",
    "lag1_reverse_p_value",
    "reverse_estimate",
    *(
        f"{design}_{side}_{what}"
        for design in ROBUSTNESS_DESIGNS
        for side in ("forward", "reverse")
        for what in ("estimate", "p_adjusted", "std_estimate")
    ),
    *(f"{design}_needed_p_value" for design in ROBUSTNESS_DESIGNS),
    "pretrend_p_value",
    "sensitivity_mbar",
    "direct_estimate",
    "direct_p_adjusted",
    "total_estimate",
    "total_p_adjusted",
)


def _is_true(value: object) -> bool:
    """A table's flag: True (numpy's too), never a missing value's NaN."""
    return value in (True,)


#: ``direction_method`` of a row whose direction tests could not be run.
NOT_CHECKED = "not_checked"
#: ``method`` (and ``direction_method``) of a reform arrow's row.
STAGGERED = "staggered_did"


def direction_checked(row: Mapping[str, object]) -> bool:
    """Whether a link-table row's verdict rests on the direction tests."""
    return row.get("direction_method") not in (None, NOT_CHECKED)


#: The caution of a finding each robustness design did not reproduce.
SENSITIVE = {"trend": "trend_sensitive", "cce": "common_shock_sensitive"}

#: The cautions a verdict can carry (docs/verdicts.md, ``cautions``), in the order shown.
CAUTIONS = (
    "fragile",
    "direction_not_checked",
    "same_year",
    "placebo_failed",
    "few_units",
    "trend_sensitive",
    "common_shock_sensitive",
    "pretrend_failed",
)


def as_number(value: object) -> float:
    """A table cell as a float: NaN where it is missing or not a number."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def not_reproduced(numbers: Mapping[str, object], alpha: float) -> dict[str, tuple[str, ...]]:
    """Per side (``forward``, ``reverse``) found by the direction tests, the robustness
    designs that do not reproduce it (docs/verdicts.md, "Robustness designs").

    A side is found where its ``*_p_adjusted`` is below ``alpha``. A design reproduces
    it where the design's own adjusted p is below ``alpha`` with the same sign — the
    finding must hold once the trend or the shock is taken out, not merely point the
    same way (a design that is only less precise, as with few years, does not confirm
    it either: the reason then shows the design's estimate). A design that could not
    be fitted (no p), or that the data do not call for (its ``*_needed_p_value`` not
    below ``alpha``), neither reproduces nor breaks it. ``numbers`` holds the link
    table's columns of those names (a row, or :class:`Evidence`'s fields).
    """
    out: dict[str, tuple[str, ...]] = {}
    for side in ("forward", "reverse"):
        estimate = as_number(numbers.get(f"{side}_estimate"))
        p = as_number(numbers.get(f"{side}_p_adjusted"))
        if not (math.isfinite(p) and p < alpha and math.isfinite(estimate)):
            continue
        broken = []
        for design in ROBUSTNESS_DESIGNS:
            d_p = as_number(numbers.get(f"{design}_{side}_p_adjusted"))
            d_est = as_number(numbers.get(f"{design}_{side}_estimate"))
            needed = as_number(numbers.get(f"{design}_needed_p_value"))
            if not (math.isfinite(d_p) and needed < alpha):
                continue
            if not (d_p < alpha and (d_est > 0) == (estimate > 0)):
                broken.append(design)
        out[side] = tuple(broken)
    return out


def cautions(row: Mapping[str, object], alpha: float) -> tuple[str, ...]:
    """The cautions on one link-table row's verdict (none for ``insufficient_data``).

    - ``fragile``: without one unit the verdict would be another
      (:mod:`bms_eval.estimation.influence`);
    - ``direction_not_checked``: too few periods for the direction tests, so the
      verdict rests on the static test, which cannot tell which way an arrow points;
    - ``same_year``: lag 0, and yearly data cannot order cause and effect within a
      year;
    - ``placebo_failed``: the cause one period ahead predicts the effect
      (``lead_p_value`` < ``alpha``), so something else moves both;
    - ``few_units``: wild-bootstrap inference with fewer than :data:`FEW_UNITS`
      units, where even the bootstrap's size is uncertain;
    - ``trend_sensitive`` / ``common_shock_sensitive``: a direction finding that the
      design with unit-specific trends / with common correlated effects did not
      reproduce (:func:`not_reproduced`), so it was not counted;
    - ``pretrend_failed``: a reform arrow whose effect indicator differed before
      adoption (pre-adoption effects jointly non-zero) without moving one way (else
      the verdict is ``reverse``): parallel trends are in doubt.
    """
    if row.get("verdict") == "insufficient_data":
        return ()
    lead = row.get("lead_p_value")
    units = row.get("n_units")
    found = {
        "fragile": _is_true(row.get("fragile")),
        "direction_not_checked": not direction_checked(row),
        "same_year": row.get("lag") == 0 and row.get("method") != STAGGERED,
        "placebo_failed": isinstance(lead, float) and math.isfinite(lead) and lead < alpha,
        "few_units": row.get("inference") == "wild_bootstrap"
        and units is not None
        and int(units) < FEW_UNITS,  # type: ignore[call-overload]
    }
    pretrend = as_number(row.get("pretrend_p_value"))
    reverse = as_number(row.get("reverse_p_adjusted"))
    found["pretrend_failed"] = pretrend < alpha and not reverse < alpha
    broken = {d for designs in not_reproduced(row, alpha).values() for d in designs}
    found.update({SENSITIVE[d]: d in broken for d in ROBUSTNESS_DESIGNS})
    return tuple(key for key in CAUTIONS if found[key])


def caution_keys(value: object) -> tuple[str, ...]:
    """The keys of one ``cautions`` cell (``;``-separated; empty or missing: none)."""
    return tuple(k for k in value.split(";") if k) if isinstance(value, str) else ()


def caution_counts(column: Iterable[object]) -> dict[str, int]:
    """From a ``cautions`` column: how many rows carry each caution, and ``any``: how
    many carry one."""
    rows = [caution_keys(c) for c in column]
    out = {k: sum(k in row for row in rows) for k in CAUTIONS}
    out["any"] = sum(bool(row) for row in rows)
    return out


def usable(ev: Evidence) -> Evidence:
    """The evidence, with the problem ``not_finite`` where no problem was found but an
    estimate the verdict needs is not finite (so rule 1 applies)."""
    needed = (ev.estimate, ev.p_adjusted, ev.std_estimate, ev.std_ci_low, ev.std_ci_high)
    if ev.problem is None and not all(math.isfinite(v) for v in needed):
        return replace(ev, problem=NotEstimable("not_finite"))
    return ev


def forward_test(ev: Evidence) -> tuple[float, float]:
    """The forward test's estimate and adjusted p: the direction test's where it was
    run, the static test's where it was not."""
    if ev.direction_checked:
        return ev.forward_estimate, ev.forward_p_adjusted
    return ev.estimate, ev.p_adjusted


def robust_sides(ev: Evidence, alpha: float) -> dict[str, tuple[str, ...]]:
    """:func:`not_reproduced` of the evidence (empty where the direction was not
    checked: the designs repeat the direction tests)."""
    if not ev.direction_checked:
        return {}
    return not_reproduced(vars(ev), alpha)


def forward_found(ev: Evidence, alpha: float) -> bool:
    """Whether the forward test is below ``alpha`` and every robustness design the data
    call for that could be fitted reproduces it."""
    _, p = forward_test(ev)
    return p < alpha and not robust_sides(ev, alpha).get("forward")


def reverse_found(ev: Evidence, alpha: float) -> bool:
    """Whether the effect predicts the cause later (``reverse_p_adjusted`` < alpha),
    reproduced by every robustness design the data call for that could be fitted."""
    return (
        math.isfinite(ev.reverse_p_adjusted)
        and ev.reverse_p_adjusted < alpha
        and not robust_sides(ev, alpha).get("reverse")
    )


def negligible(ev: Evidence, min_effect: float) -> bool:
    """Whether the standardized interval lies inside ±``min_effect``."""
    return -min_effect < ev.std_ci_low and ev.std_ci_high < min_effect


def between_expected(ev: Evidence, alpha: float) -> bool:
    """Whether units with more of the cause have more (sign ``-``: less) of the effect."""
    expected = math.isfinite(ev.between_estimate) and (
        (ev.between_estimate > 0) == (ev.sign == "+")
    )
    return math.isfinite(ev.between_p_value) and ev.between_p_value < alpha and expected


def decide(ev: Evidence, alpha: float, min_effect: float) -> Verdict:
    """The verdict for one link and lag: the first rule of the module's list that applies.

    Parameters
    ----------
    ev : Evidence
        The estimates and p-values.
    alpha : float
        Significance level (the false discovery rate for the adjusted p-values).
    min_effect : float
        Smallest standardized within-unit effect that matters.
    """
    ev = usable(ev)
    if ev.problem is not None:
        return "insufficient_data"
    est, _ = forward_test(ev)
    if forward_found(ev, alpha):
        if (est > 0) == (ev.sign == "+"):
            return "reciprocal" if reverse_found(ev, alpha) else "supported"
        return "contradicted"
    if reverse_found(ev, alpha):
        return "reverse"
    if between_expected(ev, alpha):
        return "between_only"
    if negligible(ev, min_effect):
        return "no_effect"
    return "inconclusive"
