"""The preconditions of instrumental planning, checked on the scorecard and data.

Amdam (2005, slide 10): instrumental planning presumes clear and unambiguous
goals, that all alternatives that meet them are found, that all their
consequences are found, and that results are measured. Each is given a status —
``met``, ``partly``, ``not_met`` or ``not_checkable`` — with its evidence in words.

- **clear_goals**: every indicator has a direction and an ambition (target, and a
  threshold for the yellow band). Met when all do; partly when some do.
- **alternatives**: more than one means per end. The ends are the indicators the
  arrows lead to and that lead nowhere further; met when every end has at least
  :data:`MIN_MEANS` assumed causes, partly when some do.
- **consequences**: indicators that would show side effects. A side effect is
  declared when an arrow expects that improving a means (moving it in its own
  better direction) makes another indicator *worse*. Met when at least half of the
  means have such an arrow, partly when some do; the data's contradicted arrows
  are added to the evidence, as consequences nobody intended.
- **measured_results**: every indicator has data, and the unit × period grid is
  covered: met when all indicators have data and median coverage is at least
  :data:`GOOD_COVERAGE`; not met when any linked indicator has no data or median
  coverage is below :data:`POOR_COVERAGE`; partly otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bms_eval.inputs.model import Scorecard
from bms_eval.texts import Texts

MIN_MEANS = 2
GOOD_COVERAGE = 0.8
POOR_COVERAGE = 0.5


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


def alternatives(card: Scorecard, t: Texts) -> dict:
    """More than one means per end."""
    if not card.links:
        return {"id": "alternatives", "status": "not_checkable", "evidence": t["pre.no_links"]}
    sources = {lk.source for lk in card.links}
    ends = [
        i for i in card.indicator_ids if i in {lk.target for lk in card.links} and i not in sources
    ]
    if not ends:  # every target leads on: treat all targets as ends
        ends = list(dict.fromkeys(lk.target for lk in card.links))
    means = {e: sorted({lk.source for lk in card.links if lk.target == e}) for e in ends}
    single = [e for e in ends if len(means[e]) < MIN_MEANS]
    status = "met" if not single else "partly" if len(single) < len(ends) else "not_met"
    evidence = t.format("pre.alternatives", ends=len(ends), several=len(ends) - len(single))
    if single:
        evidence += " " + t.format("pre.alternatives_single", ids=_ids(single))
    return {"id": "alternatives", "status": status, "evidence": evidence}


def _worsens(card: Scorecard, link) -> bool:
    """Whether improving the cause is expected to make the effect worse."""
    cause, effect = card.indicator(link.source), card.indicator(link.target)
    effect_rises = (cause.direction == "up") == (link.sign == "+")
    return effect_rises != (effect.direction == "up")


def consequences(card: Scorecard, links: pd.DataFrame, t: Texts) -> dict:
    """Indicators that would show side effects, declared or found."""
    if not card.links:
        return {"id": "consequences", "status": "not_checkable", "evidence": t["pre.no_links"]}
    means = sorted({lk.source for lk in card.links})
    adverse = sorted({lk.source for lk in card.links if _worsens(card, lk)})
    share = len(adverse) / len(means)
    status = "met" if share >= 0.5 else "partly" if adverse else "not_met"
    evidence = t.format("pre.consequences", with_side=len(adverse), means=len(means))
    contradicted = (
        links.loc[links["verdict"] == "contradicted", ["from", "to"]]
        if len(links)
        else pd.DataFrame(columns=["from", "to"])
    )
    if len(contradicted):
        arrows = _ids([f"{a} → {b}" for a, b in contradicted.drop_duplicates().to_numpy()])
        evidence += " " + t.format("pre.consequences_contradicted", arrows=arrows)
    return {"id": "consequences", "status": status, "evidence": evidence}


def measured_results(card: Scorecard, coverage: pd.DataFrame, t: Texts) -> dict:
    """Every indicator measured, the grid covered."""
    no_data = coverage.loc[coverage["observed"] == 0, "indicator"].tolist()
    linked = set(card.linked_ids)
    linked_missing = [i for i in no_data if i in linked]
    median = float(np.median(coverage["coverage"])) if len(coverage) else 0.0
    if linked_missing or median < POOR_COVERAGE:
        status = "not_met"
    elif not no_data and median >= GOOD_COVERAGE:
        status = "met"
    else:
        status = "partly"
    evidence = t.format(
        "pre.measured",
        median=f"{median:.0%}",
        observed=len(coverage) - len(no_data),
        total=len(coverage),
    )
    if no_data:
        evidence += " " + t.format("pre.measured_missing", ids=_ids(no_data))
    return {"id": "measured_results", "status": status, "evidence": evidence}


def preconditions(
    card: Scorecard, links: pd.DataFrame, coverage: pd.DataFrame, t: Texts
) -> list[dict]:
    """The four preconditions in SPEC order."""
    return [
        clear_goals(card, t),
        alternatives(card, t),
        consequences(card, links, t),
        measured_results(card, coverage, t),
    ]
