"""The sentences that explain each link test, written from its numbers (docs/verdicts.md).

:func:`~bms_eval.estimation.verdicts.decide` gives a verdict from the evidence
alone; :func:`reason` writes, from the same evidence and that verdict, the plain
sentence of ``links.csv``'s ``reason`` in any of the catalogs' languages, with the
notes it adds: whether the direction was checked, what yearly data cannot order
within a year (lag 0), the multiple-testing adjustment, a between-unit relation
of the other sign, a fragile verdict, a failed placebo and the method of inference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.policy import FEW_UNITS
from bms_eval.estimation.unit_designs import ROBUSTNESS_DESIGNS
from bms_eval.estimation.verdicts import (
    CAUTIONS,
    STAGGERED,
    Evidence,
    Verdict,
    caution_keys,
    forward_test,
    negligible,
    robust_sides,
    usable,
)
from bms_eval.narrative.texts import Texts


def cautions_summary(column: Iterable[object], texts: Texts) -> tuple[str, str]:
    """From a ``cautions`` column: ``3 of 11 tested link-lags carry a caution (⚠): …``
    and the cautions present, in ``texts``' language (both empty when none)."""
    rows = [caution_keys(c) for c in column]
    cautioned = [row for row in rows if row]
    if not cautioned:
        return "", ""
    which = "; ".join(
        texts.format(f"caution.{k}", units=FEW_UNITS)
        for k in CAUTIONS
        if any(k in row for row in cautioned)
    )
    count = texts.format("cautions.count", n=len(cautioned), total=len(rows), which=which)
    return count, which


def _problem(problem: NotEstimable, t: Texts) -> str:
    """Why a model could not be estimated, written from its key and numbers."""
    return t.format(f"problem.{problem.kind}", **problem.values)


def _designs(ev: Evidence, side: str, designs: tuple[str, ...], t: Texts) -> str:
    """The robustness designs that did not reproduce a finding, with what each found."""
    words = [
        t.format(
            f"design.{d}",
            est=t.number(getattr(ev, f"{d}_{side}_std_estimate"), signed=True),
            p=t.p(getattr(ev, f"{d}_{side}_p_adjusted")),
        )
        for d in designs
    ]
    return words[0] if len(words) == 1 else t.format("designs.and", a=words[0], b=words[1])


def _when(lag: int, texts: Texts) -> str:
    if lag <= 1:
        return texts[f"when.{lag}"]
    return texts.format("when.n", n=lag)


def _lags(lags: Iterable[int | str], t: Texts) -> str:
    """``0 and 1``, ``0, 1 and 2``: an arrow's lags (or periods, as written) in words."""
    shown = [lag if isinstance(lag, str) else t.integer(lag) for lag in lags]
    return shown[0] if len(shown) == 1 else t.format("and", a=", ".join(shown[:-1]), b=shown[-1])


def _held(ev: Evidence, t: Texts) -> str:
    """What the model holds fixed, the periods its lags cost, and the other estimand's
    effect where the arrow has mediators on the map (docs/verdicts.md, "Direct and
    total effects")."""
    out = t.format("note.held_fixed", held=", ".join(ev.held_fixed)) if ev.held_fixed else ""
    if ev.periods_lost:
        out += t.format("note.periods_lost", periods=_lags(ev.periods_lost, t))
    if not ev.mediators or ev.method == STAGGERED:
        return out
    other = "total" if ev.estimand == "direct" else "direct"
    estimate = getattr(ev, f"{other}_estimate")
    ratio = ev.std_estimate / ev.estimate if ev.estimate else math.nan
    if math.isfinite(estimate) and math.isfinite(ratio):
        out += t.format(
            f"note.{other}_beside",
            mediators=", ".join(ev.mediators),
            x=ev.cause,
            y=ev.effect,
            est=t.number(estimate * ratio, signed=True),
            p=t.p(getattr(ev, f"{other}_p_adjusted")),
        )
    return out


def lag_of_arrow(row: Mapping[str, object], ev: Evidence, t: Texts) -> str:
    """The reason of one lag of an arrow judged over several: the arrow's verdict and
    cumulative effect, and this lag's coefficient as one part of it."""
    checked = math.isfinite(_float(row.get("cumulative_forward_p_adjusted")))
    prefix = "cumulative_forward_" if checked else "cumulative_"
    others = [lag for lag in ev.lags if lag != ev.lag]
    return t.format(
        "reason.lag_of_arrow",
        verdict=t.verdict(str(row["verdict"])),
        lags=_lags(ev.lags, t),
        cest=t.number(_float(row.get(prefix + "std_estimate")), signed=True),
        cp=t.p(_float(row.get(prefix + "p_adjusted"))),
        lag=t.integer(ev.lag),
        x=ev.cause,
        others=_lags(others, t),
        est=t.number(ev.std_estimate, signed=True),
        p=t.p(ev.p_adjusted),
    ) + _held(ev, t)


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


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


def _not_reproduced(ev: Evidence, sides: dict[str, tuple[str, ...]], t: Texts) -> str:
    """The direction findings the robustness designs did not reproduce, with what
    each design found."""
    out = ""
    for side, designs in sides.items():
        if designs:
            p = ev.forward_p_adjusted if side == "forward" else ev.reverse_p_adjusted
            out += t.format(
                f"note.not_reproduced_{side}",
                x=ev.cause,
                y=ev.effect,
                when=_when(ev.lag, t),
                back=_when(max(ev.lag, 1), t),
                p=t.p(p),
                designs=_designs(ev, side, designs, t),
            )
    return out


def _reform_notes(ev: Evidence, verdict: Verdict, alpha: float, t: Texts) -> str:
    """What a reform arrow's reason adds: the design, the sensitivity bound, a failed
    pre-trend test that did not make the verdict ``reverse``."""
    since = t["note.reform_since.0"] if ev.lag == 0 else t.format("note.reform_since.n", n=ev.lag)
    out = t.format("note.reform", since=since)
    if verdict in ("supported", "contradicted", "reciprocal") and math.isfinite(
        ev.sensitivity_mbar
    ):
        out += t.format("note.reform_mbar", mbar=t.number(ev.sensitivity_mbar))
    failed = math.isfinite(ev.pretrend_p_value) and ev.pretrend_p_value < alpha
    if failed and verdict not in ("reverse", "reciprocal"):
        out += t.format("note.pretrend_failed", y=ev.effect, pp=t.p(ev.pretrend_p_value))
    return out


def _notes(ev: Evidence, verdict: Verdict, alpha: float, t: Texts) -> str:
    """What the reason adds after its main sentence: direction, same year, method."""
    out = ""
    sides = robust_sides(ev, alpha)
    if not ev.direction_checked:
        why = _problem(ev.direction_problem, t) if ev.direction_problem is not None else ""
        out += t.format("note.not_checked", why=why) if why else t["note.not_checked_plain"]
    elif (
        verdict in ("between_only", "no_effect", "inconclusive")
        and "forward" not in sides  # else the forward test found it: said below
        and ev.method != STAGGERED
        and math.isfinite(ev.p_adjusted)
        and ev.p_adjusted < alpha
    ):
        out += t.format("note.static_only", x=ev.cause, y=ev.effect, p=t.p(ev.p_adjusted))
    out += _not_reproduced(ev, sides, t)
    if ev.method == STAGGERED:
        return out + _reform_notes(ev, verdict, alpha, t) + _held(ev, t)
    if ev.lag == 0 and not ev.cumulative:
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
        return out + _held(ev, t)
    return out + _method(ev, t) + _held(ev, t)


def reason(ev: Evidence, verdict: Verdict, alpha: float, min_effect: float, t: Texts) -> str:
    """The reason for one link and lag's verdict, in ``t``'s language.

    Parameters
    ----------
    ev : Evidence
        The estimates and p-values the verdict was decided from.
    verdict : str
        :func:`~bms_eval.estimation.verdicts.decide`'s verdict for ``ev``.
    alpha, min_effect : float
        The analysis options the verdict was decided with.
    t : Texts
        The language.
    """
    ev = usable(ev)
    x, y = ev.cause, ev.effect
    if verdict == "insufficient_data":
        assert ev.problem is not None
        return t.format("reason.insufficient_data", x=x, y=y, problem=_problem(ev.problem, t))
    checked = ev.direction_checked
    est, p = forward_test(ev)
    common = {
        "x": x,
        "y": y,
        "when": t.format("when.lags", lags=_lags(ev.lags, t))
        if ev.cumulative
        else _when(ev.lag, t),
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
    if verdict in ("reciprocal", "supported", "contradicted"):
        went = t["went.up"] if est > 0 else t["went.down"]
        suffix = "" if verdict == "reciprocal" or checked else "_static"
        if ev.method == STAGGERED:
            suffix = "_reform"
        if verdict == "supported" and robust_sides(ev, alpha).get("reverse"):
            suffix = "_reverse_not_counted"  # the reverse finding's note says why
        sentence = t.format(f"reason.{verdict}{suffix}", went=went, **common)
    elif verdict == "reverse":
        key = "reason.reverse_reform" if ev.method == STAGGERED else "reason.reverse"
        sentence = t.format(key, **common)
    elif verdict == "between_only":
        more = t["more"] if ev.sign == "+" else t["less"]
        # "did not follow" only where the interval rules out effects that matter
        key = "reason.between_only" if negligible(ev, min_effect) else "reason.between_only_unclear"
        sentence = t.format(key, more=more, bp=t.p(ev.between_p_value), **common)
    elif verdict == "no_effect":
        # an interval that excludes zero: an effect, too small to matter
        small = ev.std_ci_low > 0 or ev.std_ci_high < 0
        key = "reason.no_effect_small" if small else "reason.no_effect"
        sentence = t.format(key, **common)
    else:
        sentence = t.format("reason.inconclusive", mde=t.number(ev.mde_std), **common)
    return sentence + _notes(ev, verdict, alpha, t)


def reasons_and_notes(
    rows: Iterable[Mapping[str, object]],
    names: Mapping[str, str],
    alpha: float,
    min_effect: float,
    t: Texts,
) -> tuple[list[str], list[str]]:
    """Every link-table row's ``reason`` and ``notes`` in ``t``'s language, from the
    row's numbers and verdict (``names``: indicator names by id)."""
    reasons, notes = [], []
    for r in rows:
        ev = Evidence.from_row(r, names, 1 - alpha)
        judged_whole = len(ev.lags) > 1 and not ev.cumulative
        own_problem = r["verdict"] == "insufficient_data" and ev.problem is not None
        if judged_whole and not own_problem:  # a lag of an arrow judged as a whole
            reasons.append(lag_of_arrow(r, ev, t))
        else:
            reasons.append(reason(ev, r["verdict"], alpha, min_effect, t))  # type: ignore[arg-type]
        notes.append(fit_notes(r, t))
    return reasons, notes


def fit_notes(row: Mapping[str, object], t: Texts) -> str:
    """The ``notes`` of a link table's row in ``t``'s language: what was changed from
    the requested model (its fit's note keys) and why a cause was estimated alone."""
    keys = row.get("note_keys")
    parts = [t[f"note.fit_{k}"] for k in keys] if isinstance(keys, tuple | list) else []
    alone = row.get("alone_because")
    if isinstance(alone, NotEstimable):
        parts.append(t.format("note.fit_alone", problem=_problem(alone, t)))
    for design in ROBUSTNESS_DESIGNS:
        problem = row.get(f"{design}_problem")
        if isinstance(problem, NotEstimable):
            parts.append(
                t.format(
                    "note.design_not_fitted",
                    design=t[f"design_name.{design}"],
                    problem=_problem(problem, t),
                )
            )
    return "; ".join(parts)
