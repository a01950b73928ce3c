"""The reader's report: one self-contained, offline HTML page.

No code, no scripts, no network: styles are inline and figures are embedded as
``data:`` images taken from the executed notebooks. Jinja2's autoescaping is on,
so every name from the user's files is escaped.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import nbformat

from bms_eval import __version__
from bms_eval.estimation.verdicts import VERDICTS
from bms_eval.inputs.model import Scorecard
from bms_eval.pipeline.parts import FIGURE_KEY
from bms_eval.report.texts import Texts

TEMPLATE_DIR = Path(__file__).parent / "templates"
VERDICT_COLOURS = {
    "supported": "#1b7837",
    "contradicted": "#b2182b",
    "reverse": "#762a83",
    "between_only": "#c46c0a",
    "no_effect": "#4d4d4d",
    "inconclusive": "#8a8a8a",
    "insufficient_data": "#b5b5b5",
}
STATUS_COLOURS = {"green": "#1a9850", "yellow": "#fee08b", "red": "#d73027", "none": "#ffffff"}
_PRIORITY = (
    "supported",
    "contradicted",
    "reverse",
    "between_only",
    "no_effect",
    "inconclusive",
    "insufficient_data",
)


def notebook_figures(paths: list[Path]) -> dict[str, str]:
    """Tagged PNG figures of executed notebooks, as ``data:`` URIs by tag."""
    found: dict[str, str] = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                tag = output.get("metadata", {}).get(FIGURE_KEY)
                png = output.get("data", {}).get("image/png")
                if tag and png:
                    data = png if isinstance(png, str) else "".join(png)
                    found[tag] = "data:image/png;base64," + data.replace("\n", "")
    return found


def _fmt(x, digits: int = 2, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:+.{digits}f}".replace("-", "−") if signed else f"{x:.{digits}f}"


def _p(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return "< 0.001" if x < 0.001 else f"= {x:.3f}"


def _number(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _status_rows(card: Scorecard, status: list[dict], texts: Texts) -> list[dict]:
    rows = []
    for r in status:
        if r["level"] != "indicator":
            continue
        ind = card.indicator(r["indicator"])
        amb = (
            f"{_number(ind.ambition.target)} / {_number(ind.ambition.threshold)}"
            if ind.ambition
            else "–"
        )
        units = r.get("units") or 0
        counts = (
            (
                f"{r.get('units_green') or 0} / {r.get('units_yellow') or 0} / "
                f"{r.get('units_red') or 0}"
            )
            if ind.ambition
            else "–"
        )
        reached = (
            texts.format("units_of", n=r["units_reached_target"], total=units)
            if r.get("units_reached_target") is not None
            else "–"
        )
        trend = texts.trend(r.get("trend") or "unknown")
        if r.get("trend_per_period") is not None:
            trend += (
                f" ({_fmt(r['trend_per_period'], 3, True)} / {texts['period'].lower()}"
                f", 95 % CI {_fmt(r['trend_ci_low'], 3, True)} to "
                f"{_fmt(r['trend_ci_high'], 3, True)})"
            )
        rows.append(
            {
                "id": ind.id,
                "name": ind.name,
                "latest": _number(r.get("latest_value")),
                "status_label": texts.status(r["status"]),
                "colour": STATUS_COLOURS.get(r["status"], "#ffffff"),
                "ambition": amb,
                "units": counts,
                "reached": reached,
                "trend": trend,
            }
        )
    return rows


def _link_rows(
    card: Scorecard, links: list[dict], figures: dict[str, str], texts: Texts
) -> list[dict]:
    rationale = {(lk.source, lk.target): lk.rationale for lk in card.links}
    rows = []
    for r in links:
        numbers = ""
        if r.get("estimate") is not None:
            numbers = texts.format(
                "numbers",
                est=_fmt(r["std_estimate"], signed=True),
                lo=_fmt(r["std_ci_low"], signed=True),
                hi=_fmt(r["std_ci_high"], signed=True),
                p=_p(r["p_adjusted"]),
                bp=_p(r["between_p_value"]),
                rp=_p(r["reverse_p_value"]),
                lp=_p(r["lead_p_value"]),
                n=r["n_obs"],
                u=r["n_units"],
            )
        key = f"{r['from']}>{r['to']}>{r['lag']}"
        rows.append(
            {
                "source": r["from"],
                "target": r["to"],
                "lag_word": texts.format("lag_word", lag=r["lag"]),
                "source_name": card.indicator(r["from"]).name,
                "target_name": card.indicator(r["to"]).name,
                "verdict_label": texts.verdict(r["verdict"]),
                "colour": VERDICT_COLOURS[r["verdict"]],
                "reason": r["reason"],
                "rationale": rationale.get((r["from"], r["to"]), ""),
                "numbers": numbers,
                "figure": figures.get(f"within_between:{key}"),
            }
        )
    return rows


def arrow_counts(links: list[dict]) -> dict[str, int]:
    """Verdicts per arrow (a link with several lags counts once, by its most telling)."""
    by_arrow: dict[tuple[str, str], set[str]] = {}
    for r in links:
        by_arrow.setdefault((r["from"], r["to"]), set()).add(r["verdict"])
    counts = dict.fromkeys(VERDICTS, 0)
    for verdicts in by_arrow.values():
        counts[next(v for v in _PRIORITY if v in verdicts)] += 1
    return counts


def render_report(
    card: Scorecard,
    results: dict,
    manifest: dict,
    figures: dict[str, str],
    headline: list[str] | None = None,
    assessment_html: str = "",
) -> str:
    """The report page as HTML text.

    Parameters
    ----------
    card : Scorecard
    results : dict
        The ``results.json`` document.
    manifest : dict
        The ``manifest.json`` document.
    figures : dict
        ``data:`` URIs by tag (see :func:`notebook_figures`).
    headline : list of str, optional
        Sentences shown first.
    assessment_html : str
        An already-escaped section (the critical assessment), inserted after the summary.
    """
    texts = Texts(card.language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    links = results["links"]
    counts = arrow_counts(links)
    quality = results["data_quality"]
    a = results["analysis"]
    periods = quality.get("periods") or [None, None]
    t = _TextView(texts)
    return template.render(
        lang=card.language,
        card=card,
        t=t,
        headline=headline or [],
        assessment_html=jinja2.utils.markupsafe.Markup(assessment_html),
        data_line=texts.format(
            "data_line",
            units=quality.get("n_units"),
            first=periods[0],
            last=periods[-1],
            file=Path(manifest["inputs"]["data"]["path"]).name,
        ),
        generated=texts.format(
            "generated", version=__version__, date=datetime.now(UTC).strftime("%Y-%m-%d")
        ),
        summary_text=texts.format("summary_text", links=len(card.links)),
        counts=[
            {"n": n, "label": texts.verdict(v), "colour": VERDICT_COLOURS[v]}
            for v, n in counts.items()
            if n
        ],
        status_intro=texts.format("status_intro", periods=results.get("trend_periods", 5)),
        status_rows=_status_rows(card, results["status"], texts),
        link_rows=_link_rows(card, links, figures, texts),
        figures=_Figures(figures),
        warnings=quality.get("warnings", []),
        method_text=texts.format(
            "method_text",
            twoway=texts["method_twoway"] if a["effects"] == "twoway" else "",
            boot=texts["method_boot"],
            alpha=a["alpha"],
            m=a["min_effect"],
        ),
        provenance=texts.format(
            "provenance",
            card=Path(manifest["inputs"]["scorecard"]["path"]).name,
            card_hash=manifest["inputs"]["scorecard"]["sha256"][:12],
            data=Path(manifest["inputs"]["data"]["path"]).name,
            data_hash=manifest["inputs"]["data"]["sha256"][:12],
        ),
    )


class _TextView:
    """Texts as attributes for the template (``t.summary_heading``)."""

    def __init__(self, texts: Texts):
        self._texts = texts

    def __getattr__(self, key: str) -> str:
        return self._texts[key]


class _Figures:
    """Figures by tag as attributes; a missing figure is ``None``."""

    def __init__(self, figures: dict[str, str]):
        self._figures = figures

    def __getattr__(self, key: str) -> str | None:
        return self._figures.get(key)
