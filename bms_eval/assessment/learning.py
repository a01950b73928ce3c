"""Questions for learning: the scorecard as a learning system, not a control system.

For each link and lag, four questions chosen by its verdict, one for each level
of the dialogue about what the activity contributes to the organisation's
purpose: operative (the work in the unit), tactical (the means and resources),
strategic (the goals and the map) and institutional (accountability and values).
"""

from __future__ import annotations

import pandas as pd

from bms_eval.inputs.model import Scorecard
from bms_eval.texts import Texts

LEVELS = ("operative", "tactical", "strategic", "institutional")


def learning_questions(card: Scorecard, links: pd.DataFrame, t: Texts) -> list[dict]:
    """``[{link: "FROM>TO>LAG", level, question}]`` for every row of the link tests."""
    names = {i.id: i.name for i in card.indicators}
    out = []
    for source, target, lag, verdict in zip(
        links["from"], links["to"], links["lag"], links["verdict"], strict=True
    ):
        for level in LEVELS:
            out.append(
                {
                    "link": f"{source}>{target}>{int(lag)}",
                    "level": level,
                    "verdict": verdict,
                    "question": t.format(f"q.{verdict}.{level}", x=names[source], y=names[target]),
                }
            )
    return out
