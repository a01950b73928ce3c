"""Ends, means and consequences: what each indicator and arrow stands for.

The critical assessment asks whether the chain from means to ends is known
(Amdam 2005). Which indicators are *ends* is read from the scorecard's meaning,
not from the shape of its arrows:

- An indicator is an **end** when the scorecard places it at a result. A declared
  result level decides first: the indicator's own ``result_level``, else its goal's
  (through its success factor); 3 or 4 (needs met, the values of the ideal state)
  make it an end, 0–2 (the activity, productivity, effectiveness) a means wherever
  it sits (the response time of a users' goal, the budget deviation in the economy
  perspective declared at level 1). Where no level is declared, its perspective
  decides: users or economy (:mod:`bms_eval.inputs.perspectives`) make it an end.
- Where nothing says so — no level 3–4 and a perspective the bands do not
  recognise — an indicator is an end when it is the target of a means → end
  arrow and leads nowhere further along such arrows. If no linked indicator is
  an end by any of these rules, the targets that lead nowhere are the ends (and
  when every target leads on, every target is) — but never one whose declared
  level makes it a means.
- An arrow is a **consequence** (a side effect, docs/inputs.md's ``side_effect``) when
  it says ``side_effect: true``, or when it says nothing and its sign expects
  that improving the cause (moving it in its own better direction) makes the
  target *worse*. ``side_effect: false`` keeps such a trade-off a means → end
  arrow. Consequences are checked like any arrow, but they never form part of a
  chain from means to ends, and they do not count as means of their target.
- The **means** of an end are the causes of its means → end arrows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bms_eval.inputs.model import Link, Scorecard, expects_worse
from bms_eval.inputs.perspectives import is_end, is_recognised

#: Result levels that are ends: 3 needs met, 4 the values of the ideal state.
END_LEVELS = (3, 4)


def worsens(card: Scorecard, link: Link) -> bool:
    """Whether the arrow's sign expects that improving the cause makes its target worse."""
    return expects_worse(card.indicator(link.source), card.indicator(link.target), link.sign)


def is_consequence(card: Scorecard, link: Link) -> bool:
    """Whether an arrow is a consequence (side effect) rather than a means → end arrow."""
    if link.side_effect is not None:
        return link.side_effect
    return worsens(card, link)


@dataclass(frozen=True)
class Roles:
    """What the scorecard's indicators and arrows stand for.

    Attributes
    ----------
    ends : dict
        Every end's id (scorecard order) with why it is one: ``level`` (its own
        result level), ``goal_level`` (its goal's), ``perspective`` or ``sink``
        (an arrow's target that leads nowhere).
    means_links : tuple of Link
        The arrows from means towards ends (every arrow that is not a consequence).
    consequences : tuple of Link
        The side-effect arrows.
    """

    ends: dict[str, str]
    means_links: tuple[Link, ...]
    consequences: tuple[Link, ...]

    def means_of(self, end: str) -> list[str]:
        """The direct causes of ``end`` along means → end arrows, sorted."""
        return sorted({lk.source for lk in self.means_links if lk.target == end})

    @property
    def linked_ends(self) -> list[str]:
        """Ends that some means → end arrow leads to, in scorecard order."""
        targets = {lk.target for lk in self.means_links}
        return [e for e in self.ends if e in targets]

    @property
    def unreached_ends(self) -> list[str]:
        """Ends that no means → end arrow leads to."""
        targets = {lk.target for lk in self.means_links}
        return [e for e in self.ends if e not in targets]


def _goal_level(card: Scorecard, indicator_id: str) -> int | None:
    """The result level of an indicator's goal (its own ``goal``, else through its
    success factor), if set."""
    ind = card.indicator(indicator_id)
    factor_goal = next(
        (sf.goal for sf in card.success_factors if sf.id == ind.success_factor), None
    )
    goal = ind.goal or factor_goal
    return next((g.result_level for g in card.goals if g.id == goal), None)


def _stated_end(card: Scorecard, indicator_id: str) -> str | None:
    """Why the scorecard itself makes an indicator an end (``None``: it does not). A
    declared result level — the indicator's own, else its goal's — decides before the
    perspective: 3–4 an end, 0–2 a means wherever it sits."""
    ind = card.indicator(indicator_id)
    if ind.result_level is not None:
        return "level" if ind.result_level in END_LEVELS else None
    goal_level = _goal_level(card, indicator_id)
    if goal_level is not None:
        return "goal_level" if goal_level in END_LEVELS else None
    if is_end(card, ind.perspective):
        return "perspective"
    return None


def _declared(card: Scorecard, indicator_id: str) -> bool:
    """Whether the scorecard declares a result level for the indicator (its own or its
    goal's)."""
    ind = card.indicator(indicator_id)
    return ind.result_level is not None or _goal_level(card, indicator_id) is not None


def _silent(card: Scorecard, indicator_id: str) -> bool:
    """Whether nothing in the scorecard says what an indicator is: no result level
    (its own or its goal's) and a perspective outside the recognised bands."""
    ind = card.indicator(indicator_id)
    has_level = ind.result_level is not None or _goal_level(card, indicator_id) is not None
    return not has_level and not is_recognised(card, ind.perspective)


def roles(card: Scorecard) -> Roles:
    """The ends, means → end arrows and consequences of a scorecard (module rules)."""
    consequences = tuple(lk for lk in card.links if is_consequence(card, lk))
    means_links = tuple(lk for lk in card.links if not is_consequence(card, lk))
    targets = list(dict.fromkeys(lk.target for lk in means_links))
    sources = {lk.source for lk in means_links}
    sinks = [t for t in targets if t not in sources]
    ends: dict[str, str] = {}
    for ind in card.indicator_ids:
        why = _stated_end(card, ind)
        if why is None and ind in sinks and _silent(card, ind):
            why = "sink"
        if why is not None:
            ends[ind] = why
    linked = {lk.source for lk in means_links} | set(targets)
    if not any(e in linked for e in ends):
        # the targets no declared level makes a means (a declared 0–2 stays a means)
        open_sinks = [t for t in sinks if not _declared(card, t)]
        open_targets = [t for t in targets if not _declared(card, t)]
        ends.update(dict.fromkeys(open_sinks or open_targets, "sink"))
        ends = {i: ends[i] for i in card.indicator_ids if i in ends}
    return Roles(ends, means_links, consequences)
