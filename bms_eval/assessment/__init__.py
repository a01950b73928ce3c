"""The critical assessment of the instrumental premise (SPEC section 4).

:func:`assess` returns the ``assessment`` block of ``results.json`` exactly under
the SPEC's keys — ``preconditions``, ``result_levels``, ``chain``,
``measurement``, ``learning`` — plus ``headline``, the short honest summary shown
first in the report. All prose is in the scorecard's language.
"""

from __future__ import annotations

import pandas as pd

from bms_eval.assessment.chain import chain
from bms_eval.assessment.learning import learning_questions
from bms_eval.assessment.measurement import measurement_audit
from bms_eval.assessment.preconditions import preconditions
from bms_eval.assessment.result_levels import result_levels
from bms_eval.estimation.verdicts import arrow_counts
from bms_eval.inputs.model import Scorecard
from bms_eval.texts import Texts
from bms_eval.validation import Inputs, coverage


def headline(card: Scorecard, links: pd.DataFrame, chain_block: dict, t: Texts) -> list[str]:
    """Two or three sentences: how much of the scorecard its own data show to matter."""
    counts = arrow_counts(links)
    lines = [
        t.format(
            "headline.counts",
            links=len(card.links),
            supported=counts["supported"] + counts["reciprocal"],
            both=t.format("headline.both_ways", n=counts["reciprocal"])
            if counts["reciprocal"]
            else "",
            against=counts["contradicted"] + counts["reverse"],
            between=counts["between_only"],
            none=counts["no_effect"],
            unknown=counts["inconclusive"] + counts["insufficient_data"],
        )
    ]
    if chain_block["reaches_ends"]:
        names = {p.id: p.name for p in card.perspectives}
        persp = {i.id: i.perspective for i in card.indicators}
        ends = sorted(
            {persp[p[-1]] for p in chain_block["supported_paths"]},
            key=[p.id for p in card.perspectives].index,
        )
        lines.append(t.format("headline.chain_yes", ends=", ".join(names[e] for e in ends)))
    else:
        lines.append(t["headline.chain_no"])
    lines.append(t["headline.unknowable"])
    return lines


def assess(inputs: Inputs, links: pd.DataFrame) -> dict:
    """The critical assessment of one scorecard on its data and link tests.

    Parameters
    ----------
    inputs : Inputs
        The checked scorecard and data.
    links : pandas.DataFrame
        The link tests (:meth:`bms_eval.estimation.LinkResults.to_frame`).

    Returns
    -------
    dict
        ``headline``, ``preconditions``, ``result_levels``, ``chain``,
        ``measurement`` and ``learning`` (SPEC 4).
    """
    card = inputs.scorecard
    t = Texts(card.language)
    chain_block = chain(card, links)
    audit = measurement_audit(card, inputs.data.frame)
    return {
        "headline": headline(card, links, chain_block, t),
        "preconditions": preconditions(card, links, coverage(card, inputs.data), t),
        "result_levels": result_levels(card, t),
        "chain": chain_block,
        "measurement": {k: a.as_dict() for k, a in audit.items()},
        "learning": learning_questions(card, links, t),
    }
