"""The report's figures, as matplotlib ``Figure`` objects (no global pyplot state).

Each function takes checked inputs and results and returns a titled, labelled
figure readable in print; notebooks display them, the HTML report embeds them.
Names from the user's files appear only as text labels.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bms_eval.estimation.fixed_effects import dense_codes, group_means
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.partial import deciding_relation
from bms_eval.estimation.verdicts import VERDICTS, direction_checked
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts
from bms_eval.planning.options import TARGET_POWER
from bms_eval.report.colours import STATUS_COLOURS, VERDICT_COLOURS
from bms_eval.report.design_figures import draw_designs, has_designs

if TYPE_CHECKING:
    from bms_eval.planning.power import PlanResults

VERDICT_STYLES = {"inconclusive": "--", "insufficient_data": ":"}

#: Resolution of the report's figures: sharp on high-density screens and in print.
DPI = 200
#: Most pixels of one figure: a figure of a thousand indicators (up to 30 × 80 inches)
#: is drawn at about 70 dpi, so its buffers stay near 50 MB.
MAX_PIXELS = 12_000_000
#: Largest figure drawn, in inches (3 300 × 8 800 pixels): a scorecard of a thousand
#: indicators must not ask for gigabytes of pixels.
MAX_WIDTH, MAX_HEIGHT = 30.0, 80.0
#: Most indicators drawn in one figure of indicators (those with arrows first);
#: every indicator is in the tables and ``status.csv``.
MAX_TREND_PANELS = 30
MAX_COVERAGE_ROWS = 60
#: Most indicators on the strategy map; beyond it only those with arrows are drawn.
MAX_MAP_NODES = 40


def _style() -> dict:
    return {
        "font.size": 9,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        # names come from the user's files: "$" must never switch on mathtext
        "text.parse_math": False,
    }


def _styled(build: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build a figure under the report's style (text settings apply as text is made)."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> Figure:
        with mpl.rc_context(_style()):
            return build(*args, **kwargs)

    return wrapper


def _new(width: float, height: float, layout: str | None = "constrained") -> Figure:
    size = (min(width, MAX_WIDTH), min(height, MAX_HEIGHT))
    # a very large figure (a thousand indicators) gets fewer dots per inch, so that its
    # image stays within MAX_PIXELS (its Agg buffer near 50 MB)
    dpi = min(DPI, math.sqrt(MAX_PIXELS / (size[0] * size[1])))
    fig = Figure(figsize=size, dpi=dpi, layout=layout)
    # an Agg canvas of the figure's own size: without one, a layout or tick pass (seaborn's
    # heatmap makes one) falls back on a renderer that holds half a gigabyte
    FigureCanvasAgg(fig)
    return fig


def _drawn(card: Scorecard, limit: int) -> list:
    """The indicators a figure draws: all, or at most ``limit``, those with arrows first."""
    inds = list(card.indicators)
    if len(inds) <= limit:
        return inds
    linked = set(card.linked_ids)
    return ([i for i in inds if i.id in linked] + [i for i in inds if i.id not in linked])[:limit]


def _title(texts: Texts, key: str, shown: int, card: Scorecard) -> str:
    """A figure's title, saying so when it draws only some of the indicators."""
    total = len(card.indicators)
    more = "\n" + texts.format("figure.some", shown=shown, total=total) if shown < total else ""
    return texts[key] + more


def coefficient_rows(links: pd.DataFrame, arrows: pd.DataFrame, texts: Texts) -> pd.DataFrame:
    """The rows of the coefficient chart: each arrow once, coloured by its verdict — an
    arrow with several lags as its cumulative effect (``arrows``), its lags beneath it
    as evidence (``part`` true: drawn grey, not judged on their own)."""
    cumulative = {(r["from"], r["to"]): r for r in arrows.to_dict("records")}
    shown, done = [], set()
    for r in links.to_dict("records"):
        key = (r["from"], r["to"])
        if key in cumulative and key not in done:
            done.add(key)
            whole = cumulative[key]
            lags = "–".join(str(lag) for lag in (min(whole["lags"]), max(whole["lags"])))
            shown.append({**whole, "label": f"{key[0]} → {key[1]}  (Σ {texts['lag']} {lags})"})
        part = key in cumulative
        label = (
            f"    {texts['lag']} {r['lag']}"
            if part
            else f"{key[0]} → {key[1]}  ({texts['lag']} {r['lag']})"
        )
        shown.append({**r, "label": label, "part": part})
    frame = pd.DataFrame(shown)
    if "part" not in frame:
        frame["part"] = False
    frame["part"] = frame["part"].fillna(False).astype(bool)
    return frame


@_styled
def coefficient_plot(
    links: pd.DataFrame, min_effect: float, texts: Texts, arrows: pd.DataFrame | None = None
) -> Figure:
    """Standardized within-unit effects with their intervals, each arrow coloured by its
    own verdict; the lags of an arrow judged by its cumulative effect beneath it, grey
    (:func:`coefficient_rows`)."""
    rows = coefficient_rows(links, arrows if arrows is not None else links.iloc[0:0], texts)
    fig = _new(7.5, 0.36 * max(len(rows), 3) + 1.4)
    ax = fig.add_subplot()
    ax.axvspan(
        -min_effect,
        min_effect,
        color="#eeeeee",
        zorder=0,
        label=texts.format("negligible_band", m=min_effect),
    )
    ax.axvline(0, color="#777777", lw=0.8)
    for y, r in enumerate(rows.to_dict("records")):
        colour = PART_COLOUR if r["part"] else VERDICT_COLOURS.get(r["verdict"], "#999999")
        if math.isfinite(r["std_estimate"]):
            ax.plot([r["std_ci_low"], r["std_ci_high"]], [y, y], color=colour, lw=2)
            ax.plot(r["std_estimate"], y, "o", color=colour, ms=6 if not r["part"] else 4)
    ax.set_yticks(range(len(rows)), list(rows["label"]))
    ax.invert_yaxis()
    ax.set_xlabel(texts["std_effect_axis"])
    ax.set_title(texts["coef_title"], y=1.0)
    judged = rows[~rows["part"]]
    present = [v for v in VERDICTS if v in set(judged["verdict"])]
    handles = [Patch(color=VERDICT_COLOURS[v], label=texts.verdict(v)) for v in present]
    if rows["part"].any():
        handles.append(Patch(color=PART_COLOUR, label=texts["coef_part"]))
    handles.append(Patch(color="#eeeeee", label=texts.format("negligible_band", m=min_effect)))
    columns = 2 if rows["part"].any() else 3  # the lags' long label needs the room
    fig.legend(handles=handles, loc="outside lower center", ncol=columns, frameon=False, fontsize=8)
    finite = rows[["std_ci_low", "std_ci_high"]].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    span = max(1.0, float(np.abs(finite).max()) * 1.1) if finite.size else 1.0
    ax.set_xlim(-min(span, 5), min(span, 5))
    return fig


#: The colour of a lag drawn beneath its arrow (evidence, not a verdict).
PART_COLOUR = "#b0b0b0"


@_styled
def within_between(
    card: Scorecard,
    panel: Panel,
    source: str,
    target: str,
    lag: int,
    texts: Texts,
    row: dict | None = None,
) -> Figure:
    """The premise in two pictures: between units (unit means) and within units.

    Left: each unit's mean of the cause against its mean of the effect, with the
    least-squares line. Right: the relation the verdict rests on — the cause at
    ``t − lag`` against the effect at ``t`` with the unit (and period) effects and
    everything else the deciding model holds fixed partialled out (the effect's
    own past and the cause one year further back in the direction test; other
    causes and controls), with a line of the model's estimate (bias-corrected in
    the direction test). ``row`` is the link's row of the link table; without it
    the static model is shown. Where the row has robustness designs' estimates, a
    third panel shows the direction test under each design side by side.
    """
    x = panel.shifted(source, lag).ravel()
    y = panel.shifted(target, 0).ravel()
    units = np.repeat(np.arange(panel.shape[0]), panel.shape[1])
    ok = np.isfinite(x) & np.isfinite(y)
    x, y, units = x[ok], y[ok], units[ok]
    # a fixed layout: a report has one of these per link, and constrained layout
    # would measure every label again for each
    fig = _new(7.5, 3.9, layout=None)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.7, wspace=0.32)
    designs = row is not None and has_designs(row)
    if designs:
        left, right, spec = fig.subplots(1, 3, width_ratios=[1, 1, 0.75])
        fig.subplots_adjust(left=0.08, right=0.98, wspace=0.45)
        draw_designs(spec, row, card.analysis.min_effect, texts)  # type: ignore[arg-type]
    else:
        left, right = fig.subplots(1, 2)
    xname = textwrap.shorten(card.indicator(source).model_name, 60, placeholder="…")
    yname = textwrap.shorten(card.indicator(target).model_name, 60, placeholder="…")
    if x.size:
        codes = dense_codes(units)
        _scatter_fit(left, group_means(x, codes), group_means(y, codes), "#e08214")
    direction = row is not None and direction_checked(row)
    relation = deciding_relation(card, panel, source, target, lag, direction=direction)
    if relation is not None:
        right.scatter(relation.x, relation.y, s=9, color="#1b7837", alpha=0.45, edgecolors="none")
        slope = None
        if row is not None:
            slope = row.get("forward_estimate") if direction else row.get("estimate")
        if slope is not None and np.isfinite(slope) and np.ptp(relation.x) > 0:
            grid = np.linspace(relation.x.min(), relation.x.max(), 2)
            right.plot(grid, slope * grid, color="black", lw=1.5)
    # a fixed title height (y): no ticks above the axes to clear, and matplotlib
    # would measure all tick labels again to find that out
    left.set_title(f"{texts['between_title']}\n({texts['unit_mean']})", fontsize=9, y=1.0)
    when = texts.lag(lag)
    held = texts["partial_direction" if direction else "partial_static"]
    right.set_title(f"{texts['within_title']}\n{textwrap.fill(held, 46)}", fontsize=8, y=1.0)
    for ax, xlabel in ((left, xname), (right, f"{xname}, {when}")):
        ax.set_xlabel(textwrap.fill(f"{source}: {xlabel}", 48), fontsize=8)
        ax.set_ylabel(textwrap.fill(f"{target}: {yname}", 34), fontsize=8)
    fig.suptitle(f"{source} → {target}", fontweight="bold", fontsize=10)
    return fig


def _scatter_fit(
    ax, x: np.ndarray, y: np.ndarray, colour: str, size: float = 22, alpha: float = 0.8
) -> None:
    ax.scatter(x, y, s=size, color=colour, alpha=alpha, edgecolors="none")
    if x.size >= 3 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        grid = np.linspace(x.min(), x.max(), 2)
        ax.plot(grid, intercept + slope * grid, color="black", lw=1.5)


@_styled
def trends(card: Scorecard, data: pd.DataFrame, texts: Texts, columns: int = 3) -> Figure:
    """Each indicator over time (median and middle half of units) against its ambition."""
    inds = _drawn(card, MAX_TREND_PANELS)
    rows = math.ceil(len(inds) / columns)
    fig = _new(7.5, 2.1 * rows + 0.6)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    wanted = data["indicator"].isin([i.id for i in inds]).to_numpy()
    frame = data.loc[wanted & data["value"].notna().to_numpy(), ["indicator", "period", "value"]]
    groups = dict(tuple(frame.groupby("indicator", sort=False)))
    empty = frame.iloc[:0]
    for ax, ind in zip(axes, inds, strict=False):
        g = groups.get(ind.id, empty)
        if len(g):
            q = g.groupby("period")["value"].quantile([0.25, 0.5, 0.75]).unstack()
            lo, hi = _band_limits(ind, q)
            _ambition_bands(ax, ind, lo, hi)
            ax.fill_between(q.index, q[0.25], q[0.75], color="#4a6fa5", alpha=0.25, lw=0)
            ax.plot(q.index, q[0.5], color="#23395d", lw=1.8)
            ax.set_ylim(lo, hi)
        ax.set_title(textwrap.fill(f"{ind.id} {ind.name}", 32), fontsize=8, loc="left", y=1.0)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4, integer=True))
    for ax in axes[len(inds) :]:
        ax.axis("off")
    fig.suptitle(_title(texts, "trends_title", len(inds), card), fontweight="bold")
    handles = [
        Patch(color=STATUS_COLOURS["green"], alpha=0.3, label=texts.status("green")),
        Patch(color=STATUS_COLOURS["yellow"], alpha=0.5, label=texts.status("yellow")),
        Patch(color=STATUS_COLOURS["red"], alpha=0.2, label=texts.status("red")),
        Line2D([], [], color="#23395d", lw=1.8, label=texts["median_units"]),
        Patch(color="#4a6fa5", alpha=0.25, label=texts["middle_half"]),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=5, frameon=False, fontsize=7)
    return fig


def _band_limits(ind, q: pd.DataFrame) -> tuple[float, float]:
    values = q.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if ind.ambition is not None:
        marks = [ind.ambition.target] + (
            [ind.ambition.threshold] if ind.ambition.threshold is not None else []
        )
        lo, hi = min(lo, *marks), max(hi, *marks)
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    lo, hi = lo - pad, hi + pad
    if ind.scale is not None:
        lo, hi = max(lo, ind.scale[0]), min(hi, ind.scale[1])
    return lo, hi


def _ambition_bands(ax, ind, lo: float, hi: float) -> None:
    if ind.ambition is None:
        return
    target = ind.ambition.target
    threshold = ind.ambition.threshold if ind.ambition.threshold is not None else target
    if ind.direction == "up":
        ax.axhspan(target, hi, color=STATUS_COLOURS["green"], alpha=0.15, lw=0)
        ax.axhspan(threshold, target, color=STATUS_COLOURS["yellow"], alpha=0.35, lw=0)
        ax.axhspan(lo, threshold, color=STATUS_COLOURS["red"], alpha=0.1, lw=0)
    else:
        ax.axhspan(lo, target, color=STATUS_COLOURS["green"], alpha=0.15, lw=0)
        ax.axhspan(target, threshold, color=STATUS_COLOURS["yellow"], alpha=0.35, lw=0)
        ax.axhspan(threshold, hi, color=STATUS_COLOURS["red"], alpha=0.1, lw=0)


@_styled
def coverage_map(card: Scorecard, data: pd.DataFrame, texts: Texts) -> Figure:
    """Share of units with a value, per indicator and period."""
    n_units = max(data["unit"].nunique(), 1)
    periods = list(range(int(data["period"].min()), int(data["period"].max()) + 1))
    ids = [i.id for i in _drawn(card, MAX_COVERAGE_ROWS)]
    wanted = (data["value"].notna() & data["indicator"].isin(ids)).to_numpy()
    frame = data.loc[wanted, ["indicator", "period", "unit"]]
    share = (
        (frame.groupby(["indicator", "period"])["unit"].nunique() / n_units)
        .unstack()
        .reindex(index=ids, columns=periods)
        .fillna(0.0)
    )
    fig = _new(7.5, 0.28 * len(ids) + 1.6)
    ax = fig.add_subplot()
    sns.heatmap(
        share,
        ax=ax,
        vmin=0,
        vmax=1,
        cmap="Blues",
        cbar_kws={"label": texts["share_units"]},
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_xlabel(texts["period"])
    ax.set_ylabel("")
    ax.set_title(_title(texts, "coverage_title", len(ids), card), y=1.0)
    ax.tick_params(labelsize=7)
    return fig


#: Most arrow-lags drawn in the power figure (every one is in plan.csv).
MAX_POWER_PANELS = 30


@_styled
def power_curves(
    card: Scorecard, table: pd.DataFrame, target: float, texts: Texts, columns: int = 4
) -> Figure:
    """Per arrow-lag, the simulated power against the years of data (the history's
    units), with its Monte Carlo interval, the target power and today's years."""
    rows_of = table[table["design"].isin(["current", "years"])]
    keys = list(dict.fromkeys(zip(table["from"], table["to"], table["lag"], strict=True)))
    keys = keys[:MAX_POWER_PANELS]
    names = {ind.id: ind.name for ind in card.indicators}
    columns = max(1, min(columns, len(keys)))
    n_rows = max(1, math.ceil(len(keys) / columns))
    fig = _new(7.5, 1.9 * n_rows + 0.9)
    axes = np.atleast_1d(fig.subplots(n_rows, columns, squeeze=False, sharey=True)).ravel()
    now = int(table.loc[table["design"] == "current", "years"].iloc[0]) if len(table) else 0
    for ax, (source, target_id, lag) in zip(axes, keys, strict=False):
        one = rows_of[
            (rows_of["from"] == source) & (rows_of["to"] == target_id) & (rows_of["lag"] == lag)
        ].sort_values("years")
        ax.fill_between(
            one["years"], one["power_low"], one["power_high"], color="#4a6fa5", alpha=0.25, lw=0
        )
        ax.plot(one["years"], one["power"], color="#23395d", lw=1.6, marker="o", ms=3)
        ax.axhline(target, color="#b23a48", lw=0.9, ls="--")
        ax.axvline(now, color="#777777", lw=0.8, ls=":")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: texts.percent(v)))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4, integer=True))
        ax.tick_params(labelsize=7)
        title = f"{names.get(source, source)} → {names.get(target_id, target_id)}"
        title = textwrap.fill(title, 30) + "\n" + texts.format("plan.lag", lag=int(lag))
        ax.set_title(title, fontsize=7, fontweight="normal", loc="left", y=1.0)
    for i, ax in enumerate(axes[: len(keys)]):
        if i + columns >= len(keys):  # nothing drawn below it: the years axis is named
            ax.set_xlabel(texts["plan.years_axis"], fontsize=7)
    for ax in axes[len(keys) :]:
        ax.axis("off")
    fig.supylabel(texts["plan.power_axis"], fontsize=8)
    fig.suptitle(texts["plan.figure_title"], fontweight="bold")
    handles = [
        Line2D([], [], color="#23395d", lw=1.6, marker="o", ms=3, label=texts["plan.power"]),
        Patch(color="#4a6fa5", alpha=0.25, label=texts["plan.interval"]),
        Line2D(
            [],
            [],
            color="#b23a48",
            lw=0.9,
            ls="--",
            label=texts.format("plan.target", target=texts.percent(target)),
        ),
        Line2D([], [], color="#777777", lw=0.8, ls=":", label=texts["plan.today"]),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=7)
    return fig


def plan_figure(found: PlanResults, language: str | None = None) -> Figure:
    """A plan's power against years, one panel per arrow-lag (:func:`power_curves`), in
    ``language`` (the scorecard's when not given)."""
    card = found.scorecard
    return power_curves(card, found.table, TARGET_POWER, Texts(language or card.language))


@_styled
def event_study(
    card: Scorecard,
    source: str,
    target: str,
    lag: int,
    by_event_time: list[dict],
    texts: Texts,
) -> Figure:
    """A reform arrow's event study: the effect on ``target`` by years since ``source``
    was adopted, with 95 % intervals; the years before adoption are the placebo
    (year-on-year changes against the comparison units), the shaded years decide."""
    fig = _new(7.5, 3.6)
    ax = fig.subplots()
    times = np.array([p["event_time"] for p in by_event_time], dtype=float)
    est = np.array([p["estimate"] for p in by_event_time], dtype=float)
    low = np.array([p["ci_low"] for p in by_event_time], dtype=float)
    high = np.array([p["ci_high"] for p in by_event_time], dtype=float)
    if times.size:
        ax.axvspan(lag - 0.5, times.max() + 0.5, color="#f0f0f0", zorder=0)
        before = times < 0
        for mask, colour in ((before, "#8c8c8c"), (~before, "#1b7837")):
            ax.vlines(times[mask], low[mask], high[mask], color=colour, lw=1.5)
            ax.plot(times[mask], est[mask], "o", color=colour, ms=5)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(-0.5, color="#bababa", lw=0.8, ls="--")
    ax.set_xlabel(texts["event_time_axis"], fontsize=8)
    yname = textwrap.shorten(card.indicator(target).model_name, 60, placeholder="…")
    ax.set_ylabel(textwrap.fill(texts.format("event_effect_axis", y=yname), 40), fontsize=8)
    xname = textwrap.shorten(card.indicator(source).model_name, 60, placeholder="…")
    fig.suptitle(f"{source} → {target}", fontweight="bold", fontsize=10)
    ax.set_title(textwrap.fill(texts.format("event_title", x=xname), 90), fontsize=8)
    return fig
