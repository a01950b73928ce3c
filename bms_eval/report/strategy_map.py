"""The strategy map: the scorecard's perspectives as bands, its indicators as nodes
with their names, and its arrows coloured by their verdicts, each on the gentlest bend
that keeps clear of the indicators it does not join and of every name."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from bms_eval.estimation.arrows import roll_up
from bms_eval.estimation.verdicts import VERDICTS
from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.perspectives import band_order
from bms_eval.narrative.texts import Texts
from bms_eval.report.colours import VERDICT_COLOURS
from bms_eval.report.figures import MAX_MAP_NODES, VERDICT_STYLES, _new, _styled

#: Curvatures tried for a map's arrow (matplotlib's arc3 ``rad``), gentlest first: the
#: first whose path keeps clear of every other indicator's box and name is drawn, so
#: an arrow never seems to run into an indicator it does not join.
ROUTES = (0.18, -0.18, 0.32, -0.32, 0.5, -0.5, 0.75, -0.75)


def arc_points(start: np.ndarray, end: np.ndarray, rad: float, n: int = 48) -> np.ndarray:
    """Points along an arc3 arrow from ``start`` to ``end`` (display coordinates): a
    quadratic Bézier whose control point sits ``rad`` × the chord, perpendicular to
    it, off the chord's middle; the ends, hidden under the nodes, left out."""
    dx, dy = end - start
    control = (start + end) / 2 + rad * np.array([dy, -dx])
    t = np.linspace(0.1, 0.9, n)[:, None]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


def route(
    start: np.ndarray,
    end: np.ndarray,
    obstacles: list[np.ndarray],
    weights: list[float] | None = None,
) -> float:
    """The gentlest of :data:`ROUTES` whose arc passes through no obstacle (each
    ``[x0, y0, x1, y1]`` in display coordinates), else the one whose crossings weigh
    least (an indicator's box weighs more than its name: crossing a box reads as an
    arrow into it)."""
    weights = weights or [1.0] * len(obstacles)

    def cost(rad: float) -> float:
        points = arc_points(start, end, rad)
        return sum(
            weight
            for box, weight in zip(obstacles, weights, strict=True)
            if np.any(
                (points[:, 0] > box[0])
                & (points[:, 0] < box[2])
                & (points[:, 1] > box[1])
                & (points[:, 1] < box[3])
            )
        )

    return min(ROUTES, key=lambda rad: (cost(rad), ROUTES.index(rad)))


#: Size of the indicators' names on the map, in points: at least 6 points on an A4
#: page even when the widest map (10 inches) is printed 7 inches wide.
MAP_LABEL_POINTS = 9.0
#: How far below a node's centre its name starts (data units: a band is 0.9 high).
NAME_OFFSET = 0.17
#: The share of a node's room its name may fill (the rest keeps neighbours apart).
MAP_LABEL_SHARE = 0.85


def map_label(name: str, room: float) -> str:
    """An indicator's full name wrapped into ``room`` inches: whole words per line,
    never cut or shortened (a word longer than a line keeps its own line)."""
    chars = max(10, int(MAP_LABEL_SHARE * room * 72 / (0.6 * MAP_LABEL_POINTS)))
    return textwrap.fill(name, chars, break_long_words=False, break_on_hyphens=False)


def _map_nodes(
    ax, bands: list[str], members: dict, names: dict[str, str], width: float
) -> tuple[dict[str, tuple[float, float]], dict[str, float], dict[str, int]]:
    """Draw the perspectives' bands and each indicator's id box and name: each
    indicator's position, half the width of its name (data units) and its lines."""
    half: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    lines: dict[str, int] = {}
    for row, band in enumerate(bands):
        ax.axhspan(row - 0.45, row + 0.45, color="#f2f2f2" if row % 2 else "#e8eef5", zorder=0)
        ax.text(
            -0.55,
            row,
            textwrap.fill(names[band], 16),
            ha="right",
            va="center",
            fontsize=9,
            fontweight="bold",
            color="#333333",
        )
        items = members[band]
        for k, ind in enumerate(items):
            x = (k + 1) / (len(items) + 1) * 10
            pos[ind.id] = (x, row)
            half[ind.id] = 0.4 * 10 / (len(items) + 1)
            ax.text(
                x,
                row,
                ind.id,
                ha="center",
                va="center",
                fontsize=9,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": "#555555"},
            )
            label = map_label(ind.name, width * 10 / 11 / (len(items) + 1))
            lines[ind.id] = label.count("\n") + 1
            ax.text(
                x,
                row - NAME_OFFSET,
                label,
                ha="center",
                va="top",
                fontsize=MAP_LABEL_POINTS,
                color="#444444",
                zorder=3,
                linespacing=1.0,
            )
    return pos, half, lines


def map_arc(
    ax,
    ends: tuple[str, str],
    pos: dict[str, tuple[float, float]],
    obstacles: dict,
    lines: dict[str, int],
    **style,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Draw an arrow ``ends[0] → ends[1]`` on the gentlest bend that keeps clear of the
    indicators it does not join (``style``: the patch's colour, line style, width …);
    an arrow that leaves or enters a node on the side of its name starts or ends
    beyond the name. Returns the bend and both ends in display space."""
    source, target = ends
    to_display = ax.transData.transform
    start, end = to_display(pos[source]), to_display(pos[target])
    others = [o for ind, pair in obstacles.items() if ind not in (source, target) for o in pair]
    rad = route(start, end, others, [10.0, 1.0] * (len(others) // 2))
    going_down, going_up = start[1] > end[1], end[1] > start[1]
    arrow = FancyArrowPatch(
        _below_name(ax, pos[source], lines[source]) if going_down else pos[source],
        _below_name(ax, pos[target], lines[target]) if going_up else pos[target],
        mutation_scale=12,
        connectionstyle=f"arc3,rad={rad}",
        shrinkA=2 if going_down else 14,
        shrinkB=2 if going_up else 14,
        zorder=2,
        **{"arrowstyle": "-|>", "lw": 2.0, **style},
    )
    ax.add_patch(arrow)
    return rad, start, end


def _map_arrow(
    ax,
    link,
    pos: dict[str, tuple[float, float]],
    obstacles: dict,
    arrow_verdict,
    lines: dict[str, int],
) -> None:
    """Draw one arrow of the map (:func:`map_arc`), coloured by its verdict, with its
    caution mark."""
    verdict = arrow_verdict.verdict if arrow_verdict else "insufficient_data"
    shown = arrow_verdict.cautions if arrow_verdict else ()
    rad, start, end = map_arc(
        ax,
        (link.source, link.target),
        pos,
        obstacles,
        lines,
        arrowstyle="<|-|>" if verdict == "reciprocal" else "-|>",
        color=VERDICT_COLOURS[verdict],
        linestyle=VERDICT_STYLES.get(verdict, "-"),
    )
    mark = ("?" if "direction_not_checked" in shown else "") + ("!" if "fragile" in shown else "")
    if mark:
        # the middle of the arc the arrow draws (arc3: a quadratic Bézier whose
        # control point sits rad × the perpendicular off the chord, in display space)
        dx, dy = end - start
        middle = (start + end) / 2 + 0.5 * rad * np.array([dy, -dx])
        x, y = ax.transData.inverted().transform(middle)
        ax.text(
            x,
            y,
            mark,
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color="#333333",
            bbox={"boxstyle": "circle,pad=0.12", "fc": "white", "ec": "#6b6b6b"},
            zorder=4,
        )


def _map_legend(fig: Figure, arrows: dict, texts: Texts) -> None:
    """The verdicts' colours and the caution marks the map shows."""
    handles = [
        Line2D(
            [],
            [],
            color=VERDICT_COLOURS[v],
            lw=2.5,
            linestyle=VERDICT_STYLES.get(v, "-"),
            label=texts.verdict(v),
        )
        for v in VERDICTS
    ]
    for present, label in (
        (
            any("direction_not_checked" in a.cautions for a in arrows.values()),
            "? " + texts["direction_unchecked_badge"],
        ),
        (any("fragile" in a.cautions for a in arrows.values()), "! " + texts["caution.fragile"]),
    ):
        if present:  # the marks on the arrows: a white circle with the sign
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    markerfacecolor="white",
                    markeredgecolor="#6b6b6b",
                    color="#6b6b6b",
                    linestyle="none",
                    label=label,
                )
            )
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=8)


def _below_name(ax, node: tuple[float, float], lines: int) -> tuple[float, float]:
    """The point just below a node's name (data units): where an arrow that leaves or
    enters the node on that side starts or ends, so it is not drawn through the name."""
    to_display = ax.transData.transform
    per_unit = abs(to_display((0, 1))[1] - to_display((0, 0))[1])  # pixels per data unit
    name = (lines * MAP_LABEL_POINTS * 1.2 + 3) * ax.figure.dpi / 72 / per_unit
    return node[0], node[1] - NAME_OFFSET - name


def map_frame(card: Scorecard, title: str) -> tuple[Figure, object, dict, dict, dict]:
    """A strategy map without arrows: the figure, its axes, each indicator's position,
    the obstacles an arrow keeps clear of (each indicator's id box, weighing 10, and
    its name below it, weighing 1) and each name's lines."""
    bands = band_order(card)
    names = {p.id: p.name for p in card.perspectives}
    shown = list(card.indicators)
    if len(shown) > MAX_MAP_NODES:  # a map of a thousand boxes says nothing: the arrows' ends
        linked = set(card.linked_ids)
        shown = [i for i in shown if i.id in linked]
    members = {b: [i for i in shown if i.perspective == b] for b in bands}
    width = max(6.5, 1.6 * max((len(m) for m in members.values()), default=1) + 2)
    fig = _new(width, 1.45 * len(bands) + 1.0)
    ax = fig.add_subplot()
    pos, half, lines = _map_nodes(ax, bands, members, names, width)
    ax.set_xlim(-0.6, 10.4)  # before the marks are placed in display space
    ax.set_ylim(-0.6, len(bands) - 0.4)
    to_display = ax.transData.transform

    def box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return np.concatenate([to_display((x0, y0)), to_display((x1, y1))])

    obstacles = {
        ind: [
            box(x - 0.3, y - 0.14, x + 0.3, y + 0.14),
            box(x - half[ind], y - 0.45, x + half[ind], y - 0.14),
        ]
        for ind, (x, y) in pos.items()
    }
    ax.axis("off")
    ax.set_title(title, y=1.0)
    return fig, ax, pos, obstacles, lines


@_styled
def strategy_map(card: Scorecard, links: pd.DataFrame, texts: Texts) -> Figure:
    """Perspectives as bands, indicators as nodes, arrows coloured by verdict."""
    fig, ax, pos, obstacles, lines = map_frame(card, texts["map_title"])
    arrows = {(a.source, a.target): a for a in roll_up(links)}
    for link in card.links:
        if link.source not in pos or link.target not in pos:
            continue
        _map_arrow(ax, link, pos, obstacles, arrows.get((link.source, link.target)), lines)
    _map_legend(fig, arrows, texts)
    return fig
