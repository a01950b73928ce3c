"""What the plan says about the verdicts: arrows the data could not have decided.

An ``inconclusive`` arrow is often not a failed arrow but an untestable one: with
the units and years at hand no test would have found an effect of the planned
size. With a plan (:mod:`bms_eval.planning`), :func:`underpowered` lists each
inconclusive arrow whose deciding lag has less than 80 % power now, with how
often the effect would be found and how many more years (or units) would make
it 80 %; :func:`untestable` lists every arrow-lag that stays under 80 % in
every design tried: no data of this size can test it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from bms_eval.estimation.arrows import roll_up
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts
from bms_eval.planning.options import TARGET_POWER, further_needed

if TYPE_CHECKING:
    from bms_eval.planning.power import PlanResults


def underpowered(card: Scorecard, links: pd.DataFrame, plan: PlanResults, t: Texts) -> list[dict]:
    """Per inconclusive arrow with less than 80 % power now: ``link``
    (``FROM>TO>LAG``), ``power``, ``effect``, ``further_years_needed``,
    ``further_units_needed`` and the sentence that says so."""
    names = card.model_names
    most_years = int(plan.table["years"].max()) - plan.history.n_years
    out = []
    for arrow in roll_up(links):
        if arrow.verdict != "inconclusive":
            continue
        row = plan.arrow(arrow.source, arrow.target, arrow.lag)
        if row is None or row["power"] >= TARGET_POWER:
            continue
        years = further_needed(row["further_years_needed"])
        units = further_needed(row["further_units_needed"])
        sentence = t.format(
            "plan.underpowered",
            x=names.get(arrow.source, arrow.source),
            y=names.get(arrow.target, arrow.target),
            effect=t.short(plan.effect),
            power=t.percent(row["power"]),
        )
        if years is not None:
            sentence += " " + t.format("plan.years_needed", n=years)
        elif most_years > 0:
            sentence += " " + t.format("plan.years_not_enough", n=most_years)
        if units is not None:
            sentence += " " + t.format("plan.units_needed", n=units)
        out.append(
            {
                "link": f"{arrow.key}>{arrow.lag}",
                "power": float(row["power"]),
                "effect": plan.effect,
                "further_years_needed": years,
                "further_units_needed": units,
                "text": sentence,
            }
        )
    return out


def untestable(plan: PlanResults) -> list[str]:
    """``FROM>TO>LAG`` of every arrow-lag under 80 % power in every design tried."""
    best = plan.table.groupby(["from", "to", "lag"], sort=False)["power"].max()
    return [f"{a}>{b}>{lag}" for (a, b, lag), power in best.items() if power < TARGET_POWER]
