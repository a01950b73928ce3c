"""Result levels (Amdam 2005, slides 17–18): what kind of result each indicator measures.

0 the activity itself; 1 productivity (easily measured, fairly clear causality);
2 effectiveness (partly measurable, unclear causality); 3 needs met (hard to
measure, unclear causality); 4 the values of the ideal state (hard to measure,
very unclear causality). The warning the critique calls "measuring what can be
measured" is raised when the scorecard's ends sit at levels 3–4 while what is
measured and linked sits mostly at 0–1.
"""

from __future__ import annotations

from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts

HIGH_LEVELS = (3, 4)
LOW_LEVELS = (0, 1)
#: Warn when at least this share of the linked indicators with a level sit at 0–1.
LOW_SHARE_WARNING = 0.5


def result_levels(card: Scorecard, t: Texts) -> dict:
    """Indicators grouped by level, warnings, and notes on links into levels 3–4.

    Returns
    -------
    dict
        ``by_level`` (``"0"`` … ``"4"`` → indicator ids), ``unspecified`` (ids
        without a level), ``warnings`` (sentences) and ``link_notes``
        (``{link: "FROM>TO", note}`` for links whose effect sits at level 3 or 4).
    """
    by_level = {str(k): [i.id for i in card.indicators if i.result_level == k] for k in range(5)}
    unspecified = [i.id for i in card.indicators if i.result_level is None]
    warnings: list[str] = []
    high_goals = [g.id for g in card.goals if g.result_level in HIGH_LEVELS]
    high_inds = by_level["3"] + by_level["4"]
    linked = [card.indicator(i) for i in card.linked_ids]
    leveled = [i for i in linked if i.result_level is not None]
    low = [i.id for i in leveled if i.result_level in LOW_LEVELS]
    if (high_goals or high_inds) and leveled and len(low) / len(leveled) >= LOW_SHARE_WARNING:
        ends = ", ".join(high_goals + high_inds)
        warnings.append(
            t.format("rl.measuring_what_can", ends=ends, low=len(low), linked=len(leveled))
        )
    if unspecified and len(unspecified) == len(card.indicators):
        warnings.append(t["rl.none_given"])
    elif unspecified:
        warnings.append(t.format("rl.some_missing", ids=", ".join(unspecified)))
    link_notes = []
    for lk in card.links:
        level = card.indicator(lk.target).result_level
        if level in HIGH_LEVELS:
            note = t.format(f"rl.link_note_{level}", to=lk.target)
            link_notes.append({"link": lk.key, "note": note})
    return {
        "by_level": by_level,
        "unspecified": unspecified,
        "warnings": warnings,
        "link_notes": link_notes,
    }
