"""From the evidence on one link and lag to a verdict and a plain sentence (SPEC 3.2).

The rules are applied in the SPEC's order; the first that applies decides:

1. ``insufficient_data`` — fewer than :data:`MIN_OBSERVATIONS` complete
   observations, fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom,
   or no within-unit variation of the cause left once the fixed effects are
   removed: the model cannot be estimated.
2. ``supported`` — ``p_adjusted < alpha`` and the estimate has the expected sign.
3. ``contradicted`` — ``p_adjusted < alpha`` and the opposite sign.
4. ``reverse`` — the effect indicator at ``t − lag`` predicts the cause at ``t``
   (``reverse_p_value < alpha``; only for lags ≥ 1).
5. ``between_only`` — units with more of the cause have more (or, for sign ``-``,
   less) of the effect (``between_p_value < alpha``, expected sign), but no
   within-unit effect was found.
6. ``no_effect`` — the confidence interval of the standardized estimate lies
   inside ``±min_effect``.
7. ``inconclusive`` — none of these: the data cannot tell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Verdict = Literal[
    "insufficient_data",
    "supported",
    "contradicted",
    "reverse",
    "between_only",
    "no_effect",
    "inconclusive",
]
VERDICTS: tuple[Verdict, ...] = (
    "supported",
    "contradicted",
    "reverse",
    "between_only",
    "no_effect",
    "inconclusive",
    "insufficient_data",
)

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
    problem: str = ""


def _when(lag: int) -> str:
    if lag == 0:
        return "in the same year"
    return "a year later" if lag == 1 else f"{lag} years later"


def _num(x: float) -> str:
    return f"{x:+.2f}".replace("-", "−")


def _p(x: float) -> str:
    """``= 0.034`` or ``< 0.001``, to follow "p"."""
    return "< 0.001" if x < 0.001 else f"= {x:.3f}"


def _method(ev: Evidence) -> str:
    if ev.inference == "wild_bootstrap":
        how = "all weight combinations" if ev.enumerated else f"{ev.draws:,} draws"
        return f" (Wild cluster bootstrap: {ev.n_units} units, {how}.)"
    if ev.inference == "robust":
        return " (One unit: the years are treated as independent, so p may be too small.)"
    return ""


def _lead_note(ev: Evidence, alpha: float) -> str:
    if math.isfinite(ev.lead_p_value) and ev.lead_p_value < alpha:
        return (
            f" Caution: {ev.cause} a year later also 'predicts' {ev.effect} (placebo "
            f"p {_p(ev.lead_p_value)}), a sign of reverse causation or a shared trend."
        )
    return ""


def decide(ev: Evidence, alpha: float, min_effect: float) -> tuple[Verdict, str]:
    """The verdict for one link and lag, and the reason in one plain sentence.

    Parameters
    ----------
    ev : Evidence
        The estimates and p-values.
    alpha : float
        Significance level (the false discovery rate for ``p_adjusted``).
    min_effect : float
        Smallest standardized within-unit effect that matters.
    """
    x, y, when = ev.cause, ev.effect, _when(ev.lag)
    if ev.problem:
        return "insufficient_data", f"Too little data to test whether {x} moves {y}: {ev.problem}."
    ci = f"{_num(ev.std_ci_low)} to {_num(ev.std_ci_high)} SD"
    expected_up = ev.sign == "+"
    tail = _method(ev)
    if ev.p_adjusted < alpha:
        tail += _lead_note(ev, alpha)
        went = "rose" if ev.estimate > 0 else "fell"
        if (ev.estimate > 0) == expected_up:
            return "supported", (
                f"When {x} rose within a unit, {y} {went} {when}, as the scorecard assumes "
                f"({_num(ev.std_estimate)} SD per SD, 95 % CI {ci}; adjusted p "
                f"{_p(ev.p_adjusted)}).{tail}"
            )
        return "contradicted", (
            f"When {x} rose within a unit, {y} {went} {when}: the opposite of what the "
            f"scorecard assumes ({_num(ev.std_estimate)} SD per SD, 95 % CI {ci}; adjusted "
            f"p {_p(ev.p_adjusted)}).{tail}"
        )
    if math.isfinite(ev.reverse_p_value) and ev.reverse_p_value < alpha:
        return "reverse", (
            f"Changes in {x} did not lead {y}, but {y} predicted {x} {_when(ev.lag)} "
            f"(p {_p(ev.reverse_p_value)}): the arrow may point the other way.{tail}"
        )
    between_expected = math.isfinite(ev.between_estimate) and (
        (ev.between_estimate > 0) == expected_up
    )
    if math.isfinite(ev.between_p_value) and ev.between_p_value < alpha and between_expected:
        more = "more" if expected_up else "less"
        return "between_only", (
            f"Units with more {x} have {more} {y} (between units p "
            f"{_p(ev.between_p_value)}), but when {x} rose within a unit, {y} did not follow "
            f"(95 % CI {ci}).{tail}"
        )
    if -min_effect < ev.std_ci_low and ev.std_ci_high < min_effect:
        return "no_effect", (
            f"When {x} changed within a unit, {y} did not follow {when}: the effect lies "
            f"between {_num(ev.std_ci_low)} and {_num(ev.std_ci_high)} SD, inside the "
            f"±{min_effect:g} SD that would matter.{tail}"
        )
    return "inconclusive", (
        f"The data cannot tell whether {x} moves {y}: the effect could lie anywhere from "
        f"{_num(ev.std_ci_low)} to {_num(ev.std_ci_high)} SD, and only an effect of about "
        f"{ev.mde_std:.2f} SD or more would reliably show.{tail}"
    )
