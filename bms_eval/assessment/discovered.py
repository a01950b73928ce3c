"""What discovery finds, in the assessment's terms (docs/assessment.md).

A confirmed undrawn arrow (:mod:`bms_eval.estimation.discovery`) is read two ways:

- into an **end** from an indicator that is not among that end's means: an
  alternative means nobody drew (the ``alternatives`` precondition);
- out of a **means** (the cause of a means → end arrow) into an indicator it has no
  arrow to: a consequence nobody considered (the ``consequences`` precondition).

Each confirmed undrawn arrow also gets four questions for the learning dialogue, one
per level, in the report's language.
"""

from __future__ import annotations

import pandas as pd

from bms_eval.assessment.learning import LEVELS
from bms_eval.assessment.roles import Roles
from bms_eval.estimation.verdicts import caution_keys
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts


def _arrows(confirmed: pd.DataFrame | None) -> list[tuple[str, str, int]]:
    if confirmed is None or confirmed.empty:
        return []
    rows = zip(confirmed["from"], confirmed["to"], confirmed["lag"], strict=True)
    return [(str(a), str(b), int(lag)) for a, b, lag in rows]


def unconsidered_means(card_roles: Roles, confirmed: pd.DataFrame | None) -> list[str]:
    """``X → E`` for each confirmed undrawn arrow into an end ``E`` whose means do not
    include ``X`` (each pair once)."""
    found = []
    for source, target, _ in _arrows(confirmed):
        if target in card_roles.ends and source not in card_roles.means_of(target):
            found.append(f"{source} → {target}")
    return list(dict.fromkeys(found))


def unconsidered_consequences(card_roles: Roles, confirmed: pd.DataFrame | None) -> list[str]:
    """``M → Y`` for each confirmed undrawn arrow out of a means ``M`` (each pair once)."""
    means = {lk.source for lk in card_roles.means_links}
    found = [f"{a} → {b}" for a, b, _ in _arrows(confirmed) if a in means]
    return list(dict.fromkeys(found))


def discovered_questions(card: Scorecard, confirmed: pd.DataFrame | None, t: Texts) -> list[dict]:
    """``[{link: "FROM>TO>LAG", level, verdict, question, cautions, discovered: true}]``:
    four per confirmed undrawn arrow (its held-out verdict as ``verdict``)."""
    names = {i.id: i.name for i in card.indicators}
    out = []
    if confirmed is None or confirmed.empty:
        return out
    for row in confirmed.to_dict("records"):
        values = {"x": names[row["from"]], "y": names[row["to"]], "lag": int(row["lag"])}
        for level in LEVELS:
            out.append(
                {
                    "link": f"{row['from']}>{row['to']}>{int(row['lag'])}",
                    "level": level,
                    "verdict": row["holdout_verdict"],
                    "question": t.format(f"q.discovered.{level}", **values),
                    "cautions": list(caution_keys(row.get("holdout_cautions"))),
                    "discovered": True,
                }
            )
    return out
