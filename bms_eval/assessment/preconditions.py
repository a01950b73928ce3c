"""The preconditions of instrumental planning, checked on the scorecard and data.

Amdam (2005, slide 10): instrumental planning presumes clear and unambiguous
goals, that all alternatives that meet them are found, that all their
consequences are found, and that results are measured. Each is given a status —
``met``, ``partly``, ``not_met`` or ``not_checkable`` — with its evidence in words.

- **clear_goals**: every indicator has a direction and an ambition (target, and a
  threshold for the yellow band). Met when all do; partly when some do.
- **alternatives**: more than one means per end. The ends are read from the
  scorecard's meaning (:mod:`bms_eval.assessment.roles`: result levels 3–4, the
  users' and the economy's perspectives, else arrow targets that lead nowhere);
  the means of an end are the causes of its means → end arrows, never its
  side-effect arrows. Met when every end that an arrow leads to has at least
  :data:`MIN_MEANS` means, partly when some do, not met when none does.
- **consequences**: indicators that would show side effects. A side effect is an
  arrow marked ``side_effect: true``, or, when the key is not given, an arrow
  whose sign expects that improving a means (moving it in its own better
  direction) makes its target *worse*. Met when at least half of the means have
  such an arrow, partly when some do; side effects the data confirm and means →
  end arrows they contradict (consequences nobody intended) are added to the
  evidence.
- **measured_results**: judged by the worst-covered linked indicator, not the
  median: not met when an end has no data at all (or no linked indicator has
  any); partly when a linked indicator is flagged ``sparse`` (more than half of
  its unit × period grid missing), covers less than :data:`GOOD_COVERAGE`, or
  any indicator has no data; met otherwise.
"""

from __future__ import annotations

import pandas as pd

from bms_eval.assessment.discovered import unconsidered_consequences, unconsidered_means
from bms_eval.assessment.roles import Roles, roles
from bms_eval.estimation.arrows import arrow_verdicts
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts

MIN_MEANS = 2
#: ``measured_results`` is met only when every linked indicator covers at least this
#: share of the unit × period grid.
GOOD_COVERAGE = 0.8


def _ids(items: list[str]) -> str:
    return ", ".join(items)


def clear_goals(card: Scorecard, t: Texts) -> dict:
    """Direction and ambition set for the indicators."""
    total = len(card.indicators)
    missing = [i.id for i in card.indicators if i.ambition is None]
    no_threshold = [
        i.id for i in card.indicators if i.ambition is not None and i.ambition.threshold is None
    ]
    have = total - len(missing)
    status = "met" if not missing and not no_threshold else "partly" if have else "not_met"
    evidence = t.format("pre.clear_goals", have=have, total=total)
    if missing:
        evidence += " " + t.format("pre.clear_goals_missing", ids=_ids(missing))
    if no_threshold:
        evidence += " " + t.format("pre.clear_goals_threshold", ids=_ids(no_threshold))
    return {"id": "clear_goals", "status": status, "evidence": evidence}


def alternatives(
    card: Scorecard, t: Texts, card_roles: Roles, discovered: pd.DataFrame | None = None
) -> dict:
    """More than one means per end; a means to an end that the data show and the map
    does not draw (``discovered``: the confirmed undrawn arrows) was not considered."""
    if not card.links:
        return {"id": "alternatives", "status": "not_checkable", "evidence": t["pre.no_links"]}
    ends = card_roles.linked_ends
    if not ends:
        return {
            "id": "alternatives",
            "status": "not_checkable",
            "evidence": t["pre.alternatives_no_end"],
        }
    single = [e for e in ends if len(card_roles.means_of(e)) < MIN_MEANS]
    status = "met" if not single else "partly" if len(single) < len(ends) else "not_met"
    evidence = t.format(
        "pre.alternatives", n=len(ends), several=len(ends) - len(single), ids=_ids(ends)
    )
    if single:
        pairs = [f"{e} ← {', '.join(card_roles.means_of(e)) or '–'}" for e in single]
        evidence += " " + t.format("pre.alternatives_single", ids="; ".join(pairs))
    unreached = card_roles.unreached_ends
    if unreached:
        evidence += " " + t.format("pre.alternatives_unreached", ids=_ids(unreached))
    if card_roles.consequences:
        evidence += " " + t.format(
            "pre.alternatives_side_effects", arrows=_arrows(card_roles.consequences)
        )
    found = unconsidered_means(card_roles, discovered)
    if found:
        evidence += " " + t.format("pre.alternatives_discovered", arrows=_ids(found))
        status = "partly" if status == "met" else status
    return {"id": "alternatives", "status": status, "evidence": evidence}


def _arrows(links) -> str:
    return _ids([f"{lk.source} → {lk.target}" for lk in links])


def consequences(
    card: Scorecard,
    links: pd.DataFrame,
    t: Texts,
    card_roles: Roles,
    discovered: pd.DataFrame | None = None,
) -> dict:
    """Indicators that would show side effects, declared or found; an effect of a means
    that the data show and no arrow considers (``discovered``) is a consequence nobody
    considered."""
    if not card.links:
        return {"id": "consequences", "status": "not_checkable", "evidence": t["pre.no_links"]}
    means = sorted({lk.source for lk in card.links})
    adverse = sorted({lk.source for lk in card_roles.consequences})
    share = len(adverse) / len(means)
    status = "met" if share >= 0.5 else "partly" if adverse else "not_met"
    evidence = t.format("pre.consequences", with_side=len(adverse), means=len(means))
    verdict_of = arrow_verdicts(links)
    confirmed = [
        lk
        for lk in card_roles.consequences
        if verdict_of.get((lk.source, lk.target)) in ("supported", "reciprocal")
    ]
    if confirmed:
        evidence += " " + t.format("pre.consequences_confirmed", arrows=_arrows(confirmed))
    contradicted = [
        lk
        for lk in card_roles.means_links
        if verdict_of.get((lk.source, lk.target)) == "contradicted"
    ]
    if contradicted:
        evidence += " " + t.format("pre.consequences_contradicted", arrows=_arrows(contradicted))
    found = unconsidered_consequences(card_roles, discovered)
    if found:
        evidence += " " + t.format("pre.consequences_discovered", arrows=_ids(found))
        status = "partly" if status == "met" else status
    return {"id": "consequences", "status": status, "evidence": evidence}


def measured_results(
    card: Scorecard,
    coverage: pd.DataFrame,
    measurement: dict,
    t: Texts,
    card_roles: Roles,
    power: dict | None = None,
) -> dict:
    """Every result measured: judged by the worst-covered linked indicator; with a plan
    (``power``: the assessment's block), the evidence names the arrows that no data of
    this size can test."""
    share = dict(zip(coverage["indicator"], coverage["coverage"], strict=True))
    no_data = [i for i in card.indicator_ids if share.get(i, 0.0) == 0]
    linked = list(card.linked_ids) or list(card.indicator_ids)
    worst = min(linked, key=lambda i: share.get(i, 0.0))
    sparse = [i for i in linked if "sparse" in measurement.get(i, {}).get("flags", ())]
    ends_without = [e for e in card_roles.ends if e in no_data]
    if ends_without or all(i in no_data for i in linked):
        status = "not_met"
    elif sparse or no_data or share.get(worst, 0.0) < GOOD_COVERAGE:
        status = "partly"
    else:
        status = "met"
    evidence = t.format(
        "pre.measured",
        observed=len(card.indicator_ids) - len(no_data),
        total=len(card.indicator_ids),
        worst=worst,
        coverage=t.percent(share.get(worst, 0.0)),
    )
    if ends_without:
        evidence += " " + t.format("pre.measured_ends_missing", ids=_ids(ends_without))
    if sparse:
        evidence += " " + t.format("pre.measured_sparse", ids=_ids(sparse))
    if no_data:
        evidence += " " + t.format("pre.measured_missing", ids=_ids(no_data))
    if power is not None and power["untestable"]:
        arrows = []
        for key in power["untestable"]:
            source, target, lag = key.rsplit(">", 2)
            arrows.append(t.format("plan.arrow_lag", x=source, y=target, lag=int(lag)))
        evidence += " " + t.format(
            "pre.measured_untestable",
            n=len({key.rsplit(">", 1)[0] for key in power["untestable"]}),
            effect=t.short(power["effect"]),
            ids=_ids(arrows),
        )
    return {"id": "measured_results", "status": status, "evidence": evidence}


def preconditions(
    card: Scorecard,
    links: pd.DataFrame,
    coverage: pd.DataFrame,
    measurement: dict,
    t: Texts,
    card_roles: Roles | None = None,
    power: dict | None = None,
    discovered: pd.DataFrame | None = None,
) -> list[dict]:
    """The four preconditions in the order of docs/assessment.md (``measurement``: the
    audit by indicator id, as in ``results.json``; ``power``: the plan's part of the
    assessment, if any; ``discovered``: the confirmed undrawn arrows, if discovery ran)."""
    card_roles = card_roles or roles(card)
    return [
        clear_goals(card, t),
        alternatives(card, t, card_roles, discovered),
        consequences(card, links, t, card_roles, discovered),
        measured_results(card, coverage, measurement, t, card_roles, power),
    ]
