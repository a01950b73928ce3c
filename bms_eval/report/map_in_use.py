"""The map in use: the strategy map redrawn with what the organisation's own history
shows — drawn arrows the data show in their verdict's colour, drawn arrows the data do
not show faded, and the undrawn arrows confirmed on held-out data dashed."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bms_eval.estimation.arrows import roll_up
from bms_eval.estimation.discovery import CONFIRMING
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts
from bms_eval.report.colours import VERDICT_COLOURS
from bms_eval.report.figures import _styled
from bms_eval.report.strategy_map import map_arc, map_frame

#: The colour of a confirmed undrawn arrow (apart from every verdict's colour).
DISCOVERED_COLOUR = "#6a3d9a"
#: A drawn arrow the data do not show.
FADED_COLOUR, FADED_ALPHA = "#9a9a9a", 0.35


@_styled
def map_in_use(
    card: Scorecard, links: pd.DataFrame, confirmed: pd.DataFrame, texts: Texts
) -> Figure:
    """The strategy map of the arrows the data show (module docstring).

    Parameters
    ----------
    card : Scorecard
    links : pandas.DataFrame
        The drawn arrows' link table, with verdicts.
    confirmed : pandas.DataFrame
        The confirmed undrawn arrows (``from``, ``to``, ``holdout_verdict``).
    texts : Texts
    """
    fig, ax, pos, obstacles, lines = map_frame(card, texts["disc_map_title"])
    verdicts = {(a.source, a.target): a.verdict for a in roll_up(links)}
    for link in card.links:
        if link.source not in pos or link.target not in pos:
            continue
        verdict = verdicts.get((link.source, link.target), "insufficient_data")
        ends = (link.source, link.target)
        if verdict in CONFIRMING:
            style = {"color": VERDICT_COLOURS[verdict]}
            if verdict == "reciprocal":
                style["arrowstyle"] = "<|-|>"
        else:
            style = {"color": FADED_COLOUR, "alpha": FADED_ALPHA, "lw": 1.2}
        map_arc(ax, ends, pos, obstacles, lines, **style)
    pairs = dict.fromkeys(zip(confirmed["from"], confirmed["to"], strict=True))
    for source, target in pairs:
        if source in pos and target in pos:
            map_arc(
                ax,
                (source, target),
                pos,
                obstacles,
                lines,
                color=DISCOVERED_COLOUR,
                linestyle=(0, (4, 2)),
            )
    handles = [
        Line2D(
            [], [], color=VERDICT_COLOURS["supported"], lw=2.5, label=texts["disc_legend_found"]
        ),
        Line2D(
            [], [], color=FADED_COLOUR, alpha=FADED_ALPHA, lw=2.0, label=texts["disc_legend_faded"]
        ),
        Line2D(
            [], [], color=DISCOVERED_COLOUR, lw=2.5, linestyle="--", label=texts["disc_legend_new"]
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=8)
    return fig
