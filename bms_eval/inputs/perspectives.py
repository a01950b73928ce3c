"""Where a perspective sits in the balanced scorecard's causal story.

The classic order runs from learning and renewal at the bottom, through
employees and internal processes, to users and economy at the top. A
perspective is placed by words in its id or name (English and Norwegian);
unknown perspectives sit in the middle, in the order declared.
"""

from __future__ import annotations

from bms_eval.inputs.model import Scorecard

#: Bands from the bottom up, recognised by words in a perspective's id or name.
BAND_WORDS = (
    ("learning", "læring", "fornying", "fornyelse", "renewal", "innovation", "growth"),
    ("employee", "medarbeid", "tilsett", "ansatt", "staff", "people"),
    ("process", "prosess", "internal", "intern", "rutin"),
    ("user", "bruk", "customer", "kunde", "søker", "citizen", "innbygg", "samfunn"),
    ("econom", "økonom", "financ", "budget", "budsjett"),
)
LEARNING, EMPLOYEES, PROCESSES, USERS, ECONOMY = range(5)


def _recognised_band(card: Scorecard, perspective_id: str) -> int | None:
    """The band whose words a perspective's id or name contains (``None``: none)."""
    for p in card.perspectives:
        if p.id == perspective_id:
            text = f"{p.id} {p.name}".lower()
            for level, words in enumerate(BAND_WORDS):
                if any(w in text for w in words):
                    return level
    return None


def band(card: Scorecard, perspective_id: str) -> float:
    """The band of a perspective: 0 learning … 4 economy; 2.5 and up when unknown."""
    known = _recognised_band(card, perspective_id)
    if known is not None:
        return float(known)
    order = [p.id for p in card.perspectives]
    return 2.5 + (order.index(perspective_id) / 100 if perspective_id in order else 0.0)


def is_recognised(card: Scorecard, perspective_id: str) -> bool:
    """Whether a perspective's id or name places it in one of the five bands."""
    return _recognised_band(card, perspective_id) is not None


def band_order(card: Scorecard) -> list[str]:
    """Perspective ids from the bottom band to the top one."""
    return sorted((p.id for p in card.perspectives), key=lambda pid: band(card, pid))


def is_end(card: Scorecard, perspective_id: str) -> bool:
    """Users and economy: the ends a scorecard's chain is meant to reach."""
    return band(card, perspective_id) in (USERS, ECONOMY)
