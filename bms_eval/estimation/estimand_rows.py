"""One effect indicator's rows under the analysis' estimand (docs/verdicts.md, "Direct
and total effects").

Per arrow, the model that decides (``analysis.estimand``: ``direct``, the effect's
model with all its causes; ``total``, the same without the arrow's mediators on the
map, :func:`~bms_eval.estimation.estimands.mediators`) runs every test of
:class:`~bms_eval.estimation.target_tests.TargetRun`; the other gives its static test
beside it. Each row carries both: ``direct_estimate, direct_std_error,
direct_p_value`` and ``total_…`` (equal where the arrow has no mediator), with
``estimand`` and ``mediators``.
"""

from __future__ import annotations

import math

from bms_eval.estimation.estimands import mediators
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.target_tests import TargetRun
from bms_eval.estimation.verdicts import STAGGERED
from bms_eval.inputs.model import ESTIMANDS, Link, Scorecard

#: The static test's columns each estimand reports (``direct_estimate`` …).
STATIC = ("estimate", "std_error", "p_value")


def target_rows(
    panel: Panel,
    card: Scorecard,
    target: str,
    links: list[Link],
    *,
    beside: bool = True,
    only: tuple[int, bool] | None = None,
) -> list[dict]:
    """Every link and lag of ``target`` (and each several-lag arrow's cumulative row),
    tested under ``card.analysis.estimand``, with the other estimand's static test.

    Parameters
    ----------
    panel : Panel
        Indicator grids on the links' scale.
    card : Scorecard
    target : str
        The effect indicator.
    links : list of Link
        Links into ``target`` to test (the effect's model holds all of its causes).
    beside : bool
        Whether to add the other estimand's static test (a verdict does not need it:
        a simulation's draws and the influence reruns leave it out).
    only : (lag, cumulative), optional
        Only that row of each link (the lag's, or the arrow's cumulative one).
    """
    estimand = card.analysis.estimand
    direct = TargetRun(panel, card, target, links)
    totals: dict[frozenset[str], TargetRun] = {}
    order = {ind: i for i, ind in enumerate(card.indicator_ids)}
    out = []
    for link in links:
        leave = mediators(card, link.source, target)
        total = direct
        if leave:
            if leave not in totals:
                totals[leave] = TargetRun(panel, card, target, [link], leave)
            total = totals[leave]
        runs = {"direct": direct, "total": total}
        deciding = runs[estimand]
        rows = deciding.link_rows(link, only)
        for row in rows:
            row["estimand"] = estimand
            row["mediators"] = ";".join(sorted(leave, key=lambda i: order.get(i, len(order))))
            own = tuple(row.get(c, math.nan) for c in STATIC)
            for name in ESTIMANDS:
                run = runs[name]
                same = run is deciding or row.get("method") == STAGGERED
                if not (same or beside):
                    continue
                found = own if same else run.static_test(link, row)
                row.update({f"{name}_{c}": v for c, v in zip(STATIC, found, strict=True)})
        out.extend(rows)
    return out
