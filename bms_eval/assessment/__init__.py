"""The critical assessment of the instrumental premise (docs/assessment.md).

:func:`assess` returns the ``assessment`` block of ``results.json`` exactly under
the keys of docs/assessment.md — ``preconditions``, ``result_levels``, ``chain``,
``measurement``, ``learning`` — plus ``headline``, the short honest summary shown
first in the report. All prose is in the scorecard's language.
"""

from __future__ import annotations

import copy
import html
import itertools
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from bms_eval.assessment.chain import chain
from bms_eval.assessment.discovered import discovered_questions
from bms_eval.assessment.learning import learning_questions
from bms_eval.assessment.measurement import measurement_audit
from bms_eval.assessment.power import underpowered, untestable
from bms_eval.assessment.preconditions import preconditions
from bms_eval.assessment.result_levels import result_levels
from bms_eval.assessment.roles import Roles, roles
from bms_eval.assessment.tables import (
    chain_table,
    learning_table,
    levels_table,
    measurement_table,
    preconditions_table,
)
from bms_eval.estimation.arrows import arrow_counts, roll_up
from bms_eval.estimation.policy import FEW_UNITS
from bms_eval.estimation.verdicts import CAUTIONS
from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.validation import Inputs, coverage
from bms_eval.narrative.link_results import LinkResults
from bms_eval.narrative.texts import Texts

if TYPE_CHECKING:
    from bms_eval.planning.power import PlanResults


def _chain_cautions(links: pd.DataFrame, paths: list[list[str]], t: Texts) -> str:
    """The cautions of the arrows the supported chains rest on, each with its arrows."""
    on_chain = {(a, b) for p in paths for a, b in itertools.pairwise(p)}
    by_caution: dict[str, list[str]] = {}
    for arrow in roll_up(links):
        if (arrow.source, arrow.target) in on_chain:
            for key in arrow.cautions:
                by_caution.setdefault(key, []).append(f"{arrow.source} → {arrow.target}")
    if not by_caution:
        return ""
    which = "; ".join(
        f"{t.format(f'caution.{key}', units=FEW_UNITS)} ({', '.join(arrows)})"
        for key in CAUTIONS
        if (arrows := by_caution.get(key))
    )
    return t.format("headline.chain_cautions", which=which)


def headline(card: Scorecard, links: pd.DataFrame, chain_block: dict, t: Texts) -> list[str]:
    """Two or three sentences: how much of the scorecard its own data show to matter."""
    counts = arrow_counts(links)
    lines = [
        t.format(
            "headline.counts",
            n=len(card.links),
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
        lines.append(
            t.format("headline.chain_yes", ends=", ".join(names[e] for e in ends))
            + _chain_cautions(links, chain_block["supported_paths"], t)
        )
    else:
        lines.append(t["headline.chain_no"])
    lines.append(t["headline.unknowable"])
    return lines


class Assessment:
    """The critical assessment of the instrumental premise, read-only.

    What is computed — the chain of supported arrows with its indirect effects,
    the measurement audit — is computed once, when the assessment is made; the
    prose (headline, evidence, warnings, questions) is written from those results
    in the language asked for. ``to_dict()`` gives the keys of docs/assessment.md (and
    ``headline``); the table methods give each part as a table, and the object
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

    def __init__(
        self,
        card: Scorecard,
        links: pd.DataFrame,
        coverage_table: pd.DataFrame,
        chain_block: dict,
        measurement: dict,
        card_roles: Roles,
        plan: PlanResults | None = None,
        discovered: pd.DataFrame | None = None,
    ):
        self._card, self._links, self._coverage = card, links, coverage_table
        self._chain, self._measurement, self._roles = chain_block, measurement, card_roles
        self._plan = plan
        self._discovered = discovered
        self._blocks: dict[str, dict] = {}
        self.language = card.language

    def _block(self, language: str | None) -> dict:
        language = language or self.language
        if language not in self._blocks:
            card, links, t = self._card, self._links, Texts(language)
            plan = self._plan
            power = None
            if plan is not None:
                power = {
                    "effect": plan.effect,
                    "underpowered": underpowered(card, links, plan, t),
                    "untestable": untestable(plan),
                }
            self._blocks[language] = {
                "headline": headline(card, links, self._chain, t),
                "preconditions": preconditions(
                    card,
                    links,
                    self._coverage,
                    self._measurement,
                    t,
                    self._roles,
                    power,
                    self._discovered,
                ),
                "result_levels": result_levels(card, t),
                "chain": self._chain,
                "measurement": self._measurement,
                "learning": learning_questions(card, links, t)
                + discovered_questions(card, self._discovered, t),
                **({} if power is None else {"power": power}),
            }
        return self._blocks[language]

    def to_dict(self, language: str | None = None) -> dict:
        """A copy of the ``assessment`` block of ``results.json``, its prose in
        ``language`` (the scorecard's when not given)."""
        return copy.deepcopy(self._block(language))

    def __getitem__(self, key: str):
        """A copy of one part (``assessment["chain"]``)."""
        return copy.deepcopy(self._block(None)[key])

    def headline(self, language: str | None = None) -> list[str]:
        """Two or three sentences: how much of the scorecard its own data show to matter."""
        return list(self._block(language)["headline"])

    def preconditions_table(self, language: str | None = None) -> pd.DataFrame:
        """One row per precondition of the instrumental premise: status and evidence."""
        return preconditions_table(self._block(language), self._texts(language))

    def levels_table(self, language: str | None = None) -> pd.DataFrame:
        """Indicators per result level."""
        return levels_table(self._block(language), self._texts(language))

    def chain_table(self, language: str | None = None) -> pd.DataFrame:
        """Supported paths with their indirect effects, then the assumed paths that break."""
        return chain_table(self._block(language), self._texts(language))

    def measurement_table(self, language: str | None = None) -> pd.DataFrame:
        """One row per indicator: measurement flags and the figures behind them."""
        return measurement_table(self._block(language), self._texts(language))

    def learning_table(
        self, language: str | None = None, discovered: bool | None = None
    ) -> pd.DataFrame:
        """Questions for the learning dialogue, per link and level; ``discovered`` True:
        only those on the confirmed undrawn arrows, False: only the drawn arrows'."""
        block = self._block(language)
        if discovered is not None:
            chosen = [q for q in block["learning"] if bool(q.get("discovered")) == discovered]
            block = {**block, "learning": chosen}
        return learning_table(block, self._texts(language))

    def tables(self, language: str | None = None) -> dict[str, pd.DataFrame]:
        """Every table by its part's key."""
        return {
            "preconditions": self.preconditions_table(language),
            "result_levels": self.levels_table(language),
            "chain": self.chain_table(language),
            "measurement": self.measurement_table(language),
            "learning": self.learning_table(language),
        }

    def _texts(self, language: str | None) -> Texts:
        return Texts(language or self.language)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assessment):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.headline()))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_blocks": {}}  # the prose is written again where needed

    def __repr__(self) -> str:
        from bms_eval.foundation.frames import frame_text

        t = self._texts(None)
        parts = [" ".join(self.headline())]
        parts += [frame_text(t[self.HEADINGS[k]], v) for k, v in self.tables().items()]
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        from bms_eval.foundation.frames import frame_html

        t = self._texts(None)
        head = "".join(f"<p>{html.escape(line)}</p>" for line in self.headline())
        return head + "".join(frame_html(t[self.HEADINGS[k]], v) for k, v in self.tables().items())


def assess(
    inputs: Inputs,
    links: pd.DataFrame | LinkResults,
    plan: PlanResults | None = None,
    discovered: pd.DataFrame | None = None,
) -> Assessment:
    """The critical assessment of one scorecard on its data and link tests.

    Parameters
    ----------
    inputs : Inputs
        The checked scorecard and data.
    links : LinkResults or pandas.DataFrame
        The link tests (:func:`bms_eval.estimation.estimate_links`, or its
        ``to_frame()``).
    plan : PlanResults, optional
        The plan (:func:`bms_eval.planning.plan`): inconclusive arrows with too
        little power say so (``power``), and ``measured_results`` names the arrows
        no data of this size can test.
    discovered : pandas.DataFrame, optional
        The confirmed undrawn arrows (``Discovery.confirmed``): the ``alternatives``
        and ``consequences`` preconditions name those the map never considered, and
        each gets learning questions (:mod:`bms_eval.assessment.discovered`).

    Returns
    -------
    Assessment
        ``headline``, ``preconditions``, ``result_levels``, ``chain``,
        ``measurement`` and ``learning`` (docs/assessment.md), and ``power`` with a plan.
    """
    if isinstance(links, LinkResults):
        links = links.to_frame()
    card = inputs.scorecard
    audit = measurement_audit(card, inputs.data.frame, inputs.data.outliers(card.logged_ids))
    card_roles = roles(card)  # read once: the chain and the preconditions share them
    return Assessment(
        card,
        links,
        coverage(card, inputs.data),
        chain(card, links, card_roles),
        {k: a.as_dict() for k, a in audit.items()},
        card_roles,
        plan,
        discovered,
    )
