"""From the evidence on one link and lag to a verdict and a plain sentence (SPEC 3.2).

The rules are applied in the SPEC's order; the first that applies decides:

1. ``insufficient_data`` — fewer than :data:`MIN_OBSERVATIONS` complete
   observations, fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom,
   no within-unit variation of the cause or of the effect left once the fixed
   effects are removed, a cause that moves exactly with another cause, causes
   that reproduce the effect exactly (residuals at rounding level), or
   estimates that are not finite: the model cannot be estimated, or its
   numbers would be rounding noise.
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
from dataclasses import dataclass, replace
from typing import Literal, get_args

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.texts import Texts

#: The verdicts, most telling first: a link tested at several lags is summarised by
#: the first of these that any of its lags got (see :func:`arrow_verdicts`).
Verdict = Literal[
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


def _num(x: float) -> str:
    return f"{x:+.2f}".replace("-", "−")


def p_text(x: float | None) -> str:
    """``= 0.034`` or ``< 0.001``, to follow "p"; ``–`` when there is no p-value."""
    if x is None or not math.isfinite(x):
        return "–"
    return "< 0.001" if x < 0.001 else f"= {x:.3f}"


def _when(lag: int, texts: Texts) -> str:
    if lag <= 1:
        return texts[f"when.{lag}"]
    return texts.format("when.n", n=lag)


def _method(ev: Evidence, texts: Texts) -> str:
    if ev.inference == "wild_bootstrap":
        how = (
            texts["how.enumerated"]
            if ev.enumerated
            else texts.format("how.draws", draws=f"{ev.draws:,}".replace(",", " "))
        )
        return texts.format("note.bootstrap", units=ev.n_units, how=how)
    if ev.inference == "robust":
        return texts["note.robust"]
    return ""


def decide(
    ev: Evidence, alpha: float, min_effect: float, texts: Texts | None = None
) -> tuple[Verdict, str]:
    """The verdict for one link and lag, and the reason in one plain sentence.

    Parameters
    ----------
    ev : Evidence
        The estimates and p-values.
    alpha : float
        Significance level (the false discovery rate for ``p_adjusted``).
    min_effect : float
        Smallest standardized within-unit effect that matters.
    texts : Texts, optional
        The language of the reason (English when not given).
    """
    t = texts or Texts("en")
    x, y, when = ev.cause, ev.effect, _when(ev.lag, t)
    needed = (ev.estimate, ev.p_adjusted, ev.std_estimate, ev.std_ci_low, ev.std_ci_high)
    if ev.problem is None and not all(math.isfinite(v) for v in needed):
        ev = replace(ev, problem=NotEstimable("not_finite", "the estimates are not finite"))
    if ev.problem is not None:
        problem = t.format(f"problem.{ev.problem.kind}", **ev.problem.values)
        return "insufficient_data", t.format("reason.insufficient_data", x=x, y=y, problem=problem)
    common = {
        "x": x,
        "y": y,
        "when": when,
        "lo": _num(ev.std_ci_low),
        "hi": _num(ev.std_ci_high),
        "est": _num(ev.std_estimate),
        "m": f"{min_effect:g}",
    }
    expected_up = ev.sign == "+"
    tail = _method(ev, t)
    if ev.p_adjusted < alpha:
        went = t["went.up"] if ev.estimate > 0 else t["went.down"]
        if math.isfinite(ev.lead_p_value) and ev.lead_p_value < alpha:
            tail += t.format("note.lead", x=x, y=y, lp=p_text(ev.lead_p_value))
        verdict: Verdict = "supported" if (ev.estimate > 0) == expected_up else "contradicted"
        return verdict, t.format(
            f"reason.{verdict}", went=went, p=p_text(ev.p_adjusted), **common
        ) + tail
    if math.isfinite(ev.reverse_p_value) and ev.reverse_p_value < alpha:
        return "reverse", t.format("reason.reverse", rp=p_text(ev.reverse_p_value), **common) + tail
    between_expected = math.isfinite(ev.between_estimate) and (
        (ev.between_estimate > 0) == expected_up
    )
    if math.isfinite(ev.between_p_value) and ev.between_p_value < alpha and between_expected:
        more = t["more"] if expected_up else t["less"]
        return "between_only", t.format(
            "reason.between_only", more=more, bp=p_text(ev.between_p_value), **common
        ) + tail
    if -min_effect < ev.std_ci_low and ev.std_ci_high < min_effect:
        return "no_effect", t.format("reason.no_effect", **common) + tail
    return "inconclusive", t.format("reason.inconclusive", mde=f"{ev.mde_std:.2f}", **common) + tail


def arrow_verdicts(links) -> dict[tuple[str, str], str]:
    """One verdict per arrow ``(from, to)``: the most telling over its lags."""
    found: dict[tuple[str, str], set[str]] = {}
    for source, target, verdict in zip(links["from"], links["to"], links["verdict"], strict=True):
        found.setdefault((source, target), set()).add(verdict)
    return {key: next(v for v in VERDICTS if v in got) for key, got in found.items()}


def arrow_counts(links) -> dict[str, int]:
    """How many arrows got each verdict (a link with several lags counts once)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict in arrow_verdicts(links).values() if len(links) else []:
        counts[verdict] += 1
    return counts
