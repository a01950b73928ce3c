"""From the evidence on one link and lag to a verdict and a plain sentence (SPEC 3.2).

"The forward test" is the bias-corrected direction test of
:mod:`bms_eval.estimation.direction` (``forward_p_adjusted`` with the sign of
``forward_estimate``) where it could be run; where it could not
(``direction_method`` ``not_checked``: too few periods), it is the static
within test (``p_adjusted``, ``estimate``) and the reason says that the
direction was not checked. The rules are applied in the SPEC's order; the first
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

A same-year arrow (lag 0) adds to its reason that yearly data cannot order
effects within a year, and what the lag-1 direction tests show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, get_args

import pandas as pd

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.texts import Texts

#: The verdicts in the SPEC's order (how an arrow's lags roll up into one:
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
            influential_unit=text("influential_unit"),
            verdict_without=text("verdict_without"),
            fragile=_is_true(row.get("fragile")),
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
)


def _is_true(value: object) -> bool:
    """A table's flag: True (numpy's too), never a missing value's NaN."""
    return value in (True,)


#: ``direction_method`` of a row whose direction tests could not be run.
NOT_CHECKED = "not_checked"


def direction_checked(row: Mapping[str, object]) -> bool:
    """Whether a link-table row's verdict rests on the direction tests."""
    return row.get("direction_method") not in (None, NOT_CHECKED)


#: The cautions a verdict can carry (SPEC 3.1 ``cautions``), in the order shown.
CAUTIONS = ("fragile", "direction_not_checked", "same_year", "placebo_failed", "few_units")
#: A wild-bootstrap verdict on fewer units than this carries the ``few_units`` caution.
FEW_UNITS = 12


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
      units, where even the bootstrap's size is uncertain.
    """
    if row.get("verdict") == "insufficient_data":
        return ()
    lead = row.get("lead_p_value")
    units = row.get("n_units")
    found = {
        "fragile": _is_true(row.get("fragile")),
        "direction_not_checked": not direction_checked(row),
        "same_year": row.get("lag") == 0,
        "placebo_failed": isinstance(lead, float) and math.isfinite(lead) and lead < alpha,
        "few_units": row.get("inference") == "wild_bootstrap"
        and units is not None
        and int(units) < FEW_UNITS,  # type: ignore[call-overload]
    }
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


def cautions_summary(column: Iterable[object], texts: Texts) -> tuple[str, str]:
    """From a ``cautions`` column: ``3 of 11 tested link-lags carry a caution (⚠): …``
    and the cautions present, in ``texts``' language (both empty when none)."""
    rows = [caution_keys(c) for c in column]
    cautioned = [row for row in rows if row]
    if not cautioned:
        return "", ""
    which = "; ".join(texts[f"caution.{k}"] for k in CAUTIONS if any(k in row for row in cautioned))
    count = texts.format("cautions.count", n=len(cautioned), total=len(rows), which=which)
    return count, which


def _when(lag: int, texts: Texts) -> str:
    if lag <= 1:
        return texts[f"when.{lag}"]
    return texts.format("when.n", n=lag)


def _method(ev: Evidence, texts: Texts) -> str:
    if ev.inference == "wild_bootstrap":
        how = (
            texts["how.enumerated"]
            if ev.enumerated
            else texts.format("how.draws", draws=texts.integer(ev.draws))
        )
        return texts.format("note.bootstrap", units=ev.n_units, how=how)
    if ev.inference == "robust":
        return texts["note.robust"]
    return ""


def _notes(ev: Evidence, verdict: Verdict, alpha: float, t: Texts) -> str:
    """What the reason adds after its main sentence: direction, same year, method."""
    out = ""
    if not ev.direction_checked:
        why = (
            t.format(f"problem.{ev.direction_problem.kind}", **ev.direction_problem.values)
            if ev.direction_problem is not None
            else ""
        )
        out += t.format("note.not_checked", why=why) if why else t["note.not_checked_plain"]
    elif (
        verdict in ("between_only", "no_effect", "inconclusive")
        and math.isfinite(ev.p_adjusted)
        and ev.p_adjusted < alpha
    ):
        out += t.format("note.static_only", x=ev.cause, y=ev.effect, p=t.p(ev.p_adjusted))
    if ev.lag == 0:
        if math.isfinite(ev.lag1_forward_p_value):
            out += t.format(
                "note.same_year",
                x=ev.cause,
                y=ev.effect,
                fp=t.p(ev.lag1_forward_p_value),
                rp=t.p(ev.lag1_reverse_p_value),
            )
        else:
            out += t.format("note.same_year_unchecked", x=ev.cause, y=ev.effect)
    if verdict in ("between_only", "no_effect", "inconclusive"):
        raw, adjusted = (
            (ev.forward_p_value, ev.forward_p_adjusted)
            if ev.direction_checked
            else (ev.p_value, ev.p_adjusted)
        )
        if math.isfinite(raw) and raw < alpha <= adjusted:
            out += t.format("note.adjustment", raw=t.p(raw), p=t.p(adjusted))
    expected_up = ev.sign == "+"
    if (
        verdict != "between_only"
        and math.isfinite(ev.between_p_value)
        and ev.between_p_value < alpha
        and math.isfinite(ev.between_estimate)
        and ev.between_estimate != 0
        and (ev.between_estimate > 0) != expected_up
    ):
        out += t.format(
            "note.between_opposite",
            x=ev.cause,
            y=ev.effect,
            more=t["more"] if ev.between_estimate > 0 else t["less"],
            bp=t.p(ev.between_p_value),
        )
    if ev.fragile and ev.verdict_without and ev.verdict_without != verdict:
        out += t.format(
            "note.fragile", unit=ev.influential_unit, other=t.verdict(ev.verdict_without)
        )
    lead_failed = math.isfinite(ev.lead_p_value) and ev.lead_p_value < alpha
    if verdict in ("reciprocal", "supported", "contradicted") and lead_failed:
        out += t.format("note.lead", x=ev.cause, y=ev.effect, lp=t.p(ev.lead_p_value))
    rests_on_direction = ev.direction_checked and verdict in (
        "reciprocal",
        "supported",
        "contradicted",
        "reverse",
    )
    if rests_on_direction:
        if ev.forward_inference == "jackknife":
            out += t.format("note.jackknife", units=ev.n_units)
        return out
    return out + _method(ev, t)


def decide(
    ev: Evidence, alpha: float, min_effect: float, texts: Texts | None = None
) -> tuple[Verdict, str]:
    """The verdict for one link and lag, and the reason in plain sentences.

    Parameters
    ----------
    ev : Evidence
        The estimates and p-values.
    alpha : float
        Significance level (the false discovery rate for the adjusted p-values).
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
    checked = ev.direction_checked
    est, p = (
        (ev.forward_estimate, ev.forward_p_adjusted) if checked else (ev.estimate, ev.p_adjusted)
    )
    common = {
        "x": x,
        "y": y,
        "when": when,
        "back": _when(max(ev.lag, 1), t),
        "lo": t.number(ev.std_ci_low, signed=True),
        "hi": t.number(ev.std_ci_high, signed=True),
        "est": t.number(ev.std_estimate, signed=True),
        "fest": t.number(ev.forward_std_estimate, signed=True),
        "m": t.short(min_effect),
        "level": t.level(ev.level),
        "p": t.p(p),
        "rp": t.p(ev.reverse_p_adjusted if checked else ev.reverse_p_value),
    }
    expected_up = ev.sign == "+"
    reverse_found = math.isfinite(ev.reverse_p_adjusted) and ev.reverse_p_adjusted < alpha
    kind = "" if checked else "_static"
    verdict: Verdict
    if p < alpha:
        went = t["went.up"] if est > 0 else t["went.down"]
        if (est > 0) == expected_up:
            verdict = "reciprocal" if reverse_found else "supported"
        else:
            verdict = "contradicted"
        suffix = "" if verdict == "reciprocal" else kind
        reason = t.format(f"reason.{verdict}{suffix}", went=went, **common)
        return verdict, reason + _notes(ev, verdict, alpha, t)
    if reverse_found:
        verdict = "reverse"
        return verdict, t.format("reason.reverse", **common) + _notes(ev, verdict, alpha, t)
    between_expected = math.isfinite(ev.between_estimate) and (
        (ev.between_estimate > 0) == expected_up
    )
    negligible = -min_effect < ev.std_ci_low and ev.std_ci_high < min_effect
    if math.isfinite(ev.between_p_value) and ev.between_p_value < alpha and between_expected:
        verdict = "between_only"
        more = t["more"] if expected_up else t["less"]
        # "did not follow" only where the interval rules out effects that matter
        key = "reason.between_only" if negligible else "reason.between_only_unclear"
        return verdict, t.format(key, more=more, bp=t.p(ev.between_p_value), **common) + _notes(
            ev, verdict, alpha, t
        )
    if negligible:
        verdict = "no_effect"
        # an interval that excludes zero: an effect, too small to matter
        small = ev.std_ci_low > 0 or ev.std_ci_high < 0
        key = "reason.no_effect_small" if small else "reason.no_effect"
        return verdict, t.format(key, **common) + _notes(ev, verdict, alpha, t)
    verdict = "inconclusive"
    return verdict, t.format("reason.inconclusive", mde=t.number(ev.mde_std), **common) + _notes(
        ev, verdict, alpha, t
    )


def fit_notes(row: Mapping[str, object], t: Texts) -> str:
    """The ``notes`` of a link table's row in ``t``'s language: what was changed from
    the requested model (its fit's note keys) and why a cause was estimated alone."""
    keys = row.get("note_keys")
    parts = [t[f"note.fit_{k}"] for k in keys] if isinstance(keys, tuple | list) else []
    alone = row.get("alone_because")
    if isinstance(alone, NotEstimable):
        problem = t.format(f"problem.{alone.kind}", **alone.values)
        parts.append(t.format("note.fit_alone", problem=problem))
    return "; ".join(parts)
