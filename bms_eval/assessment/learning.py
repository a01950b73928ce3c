"""Questions for learning: the scorecard as a learning system, not a control system.

For each arrow — once, by the lag that decides its verdict
(:mod:`bms_eval.estimation.arrows`) — four questions chosen by its verdict, one for
each level of the dialogue about what the activity contributes to the
organisation's purpose: operative (the work in the unit), tactical (the means and
resources), strategic (the goals and the map) and institutional (accountability
and values). Each question names the arrow's two indicators, and the operative
ones its within-unit effect, so no two arrows get the same words; a caution on
the deciding lag adds its own question at the level where it matters (a fragile
verdict asks about the unit it rests on, a same-year one which changes first).
"""

from __future__ import annotations

import math

import pandas as pd

from bms_eval.estimation.arrows import roll_up
from bms_eval.estimation.verdicts import direction_checked
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts

LEVELS = ("operative", "tactical", "strategic", "institutional")

#: The level whose question a caution extends.
CAUTION_LEVELS = {
    "fragile": "operative",
    "same_year": "tactical",
    "direction_not_checked": "strategic",
    "placebo_failed": "strategic",
    "few_units": "institutional",
    "trend_sensitive": "strategic",
    "common_shock_sensitive": "strategic",
    "pretrend_failed": "strategic",
}


def _effect(row: dict) -> float:
    """The standardized within-unit effect the verdict rests on."""
    key = "forward_std_estimate" if direction_checked(row) else "std_estimate"
    value = row.get(key)
    return float(value) if isinstance(value, int | float) else math.nan


def _count(value: object) -> str:
    return str(int(value)) if isinstance(value, int | float) and math.isfinite(value) else "–"


def learning_questions(card: Scorecard, links: pd.DataFrame, t: Texts) -> list[dict]:
    """``[{link: "FROM>TO>LAG", level, verdict, question, cautions}]``: four per
    arrow, ``LAG`` the lag that decides its verdict."""
    names = {i.id: i.name for i in card.indicators}
    rows = (
        {(r["from"], r["to"], int(r["lag"])): r for r in links.to_dict("records")}
        if len(links)
        else {}
    )
    out = []
    for arrow in roll_up(links):
        row = rows[(arrow.source, arrow.target, arrow.lag)]
        values = {
            "x": names[arrow.source],
            "y": names[arrow.target],
            "effect": t.number(_effect(row), signed=True),
            "unit": row.get("influential_unit") or "",
            "without": t.verdict(row["verdict_without"])
            if isinstance(row.get("verdict_without"), str) and row["verdict_without"]
            else "",
            "n": _count(row.get("n_units")),
        }
        for level in LEVELS:
            question = t.format(f"q.{arrow.verdict}.{level}", **values)
            for caution in arrow.cautions:
                if CAUTION_LEVELS.get(caution) == level:
                    question += " " + t.format(f"q.caution.{caution}", **values)
            out.append(
                {
                    "link": f"{arrow.source}>{arrow.target}>{arrow.lag}",
                    "level": level,
                    "verdict": arrow.verdict,
                    "question": question,
                    "cautions": list(arrow.cautions),
                }
            )
    return out
