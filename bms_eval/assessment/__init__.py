"""The critical assessment of the instrumental premise (SPEC section 4).

:func:`assess` returns the ``assessment`` block of ``results.json`` exactly under
the SPEC's keys — ``preconditions``, ``result_levels``, ``chain``,
``measurement``, ``learning`` — plus ``headline``, the short honest summary shown
first in the report. All prose is in the scorecard's language.
"""

from __future__ import annotations

import copy
import html
from typing import ClassVar

import pandas as pd

from bms_eval.assessment.chain import chain
from bms_eval.assessment.learning import learning_questions
from bms_eval.assessment.measurement import measurement_audit
from bms_eval.assessment.preconditions import preconditions
from bms_eval.assessment.result_levels import result_levels
from bms_eval.assessment.tables import (
    chain_table,
    learning_table,
    levels_table,
    measurement_table,
    preconditions_table,
)
from bms_eval.estimation.results import LinkResults
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


class Assessment:
    """The critical assessment of the instrumental premise, read-only.

    ``to_dict()`` gives SPEC 4's keys (and ``headline``); the table methods give
    each part as a table labelled in the scorecard's language, and the object
    shows itself in a notebook as the headline followed by those tables.
    """

    #: The heading text of each part's table.
    HEADINGS: ClassVar[dict[str, str]] = {
        "preconditions": "as_preconditions",
        "result_levels": "as_levels",
        "chain": "as_chain",
        "measurement": "as_measurement",
        "learning": "as_learning",
    }
    KEYS = ("headline", "preconditions", "result_levels", "chain", "measurement", "learning")

    def __init__(self, block: dict, language: str = "en"):
        missing = [k for k in self.KEYS if k not in block]
        if missing:
            raise ValueError(f"an assessment needs the keys {', '.join(missing)}")
        self._block = copy.deepcopy(block)
        self.language = language

    def to_dict(self) -> dict:
        """A copy of the ``assessment`` block of ``results.json``."""
        return copy.deepcopy(self._block)

    def __getitem__(self, key: str):
        """A copy of one part (``assessment["chain"]``)."""
        return copy.deepcopy(self._block[key])

    @property
    def headline(self) -> list[str]:
        """Two or three sentences: how much of the scorecard its own data show to matter."""
        return list(self._block["headline"])

    def preconditions_table(self) -> pd.DataFrame:
        """One row per precondition of the instrumental premise: status and evidence."""
        return preconditions_table(self._block, Texts(self.language))

    def levels_table(self) -> pd.DataFrame:
        """Indicators per result level."""
        return levels_table(self._block, Texts(self.language))

    def chain_table(self) -> pd.DataFrame:
        """Supported paths with their indirect effects, then the assumed paths that break."""
        return chain_table(self._block, Texts(self.language))

    def measurement_table(self) -> pd.DataFrame:
        """One row per indicator: measurement flags and the figures behind them."""
        return measurement_table(self._block, Texts(self.language))

    def learning_table(self) -> pd.DataFrame:
        """Questions for the learning dialogue, per link and level."""
        return learning_table(self._block, Texts(self.language))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its part's key."""
        return {
            "preconditions": self.preconditions_table(),
            "result_levels": self.levels_table(),
            "chain": self.chain_table(),
            "measurement": self.measurement_table(),
            "learning": self.learning_table(),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assessment):
            return NotImplemented
        return self.language == other.language and self._block == other._block

    def __hash__(self) -> int:
        return hash((self.language, tuple(self._block["headline"])))

    def __repr__(self) -> str:
        from bms_eval.views import frame_text

        t = Texts(self.language)
        parts = [" ".join(self.headline)]
        parts += [frame_text(t[self.HEADINGS[k]], v) for k, v in self.tables().items()]
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        from bms_eval.views import frame_html

        t = Texts(self.language)
        head = "".join(f"<p>{html.escape(line)}</p>" for line in self.headline)
        return head + "".join(frame_html(t[self.HEADINGS[k]], v) for k, v in self.tables().items())


def assess(inputs: Inputs, links: pd.DataFrame | LinkResults) -> Assessment:
    """The critical assessment of one scorecard on its data and link tests.

    Parameters
    ----------
    inputs : Inputs
        The checked scorecard and data.
    links : LinkResults or pandas.DataFrame
        The link tests (:func:`bms_eval.estimation.estimate_links`, or its
        ``to_frame()``).

    Returns
    -------
    Assessment
        ``headline``, ``preconditions``, ``result_levels``, ``chain``,
        ``measurement`` and ``learning`` (SPEC 4).
    """
    if isinstance(links, LinkResults):
        links = links.to_frame()
    card = inputs.scorecard
    t = Texts(card.language)
    chain_block = chain(card, links)
    audit = measurement_audit(card, inputs.data.frame)
    block = {
        "headline": headline(card, links, chain_block, t),
        "preconditions": preconditions(card, links, coverage(card, inputs.data), t),
        "result_levels": result_levels(card, t),
        "chain": chain_block,
        "measurement": {k: a.as_dict() for k, a in audit.items()},
        "learning": learning_questions(card, links, t),
    }
    return Assessment(block, card.language)
