"""The reader's report: one self-contained, offline HTML page.

No code, no scripts, no network: styles are inline and figures are embedded as
``data:`` images taken from the executed notebooks. Jinja2's autoescaping is on,
so every name from the user's files is escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2

from bms_eval.assessment import measurement as audit
from bms_eval.assessment.status import TREND_PERIODS
from bms_eval.estimation.arrows import ArrowVerdict, arrow_cautions, roll_up, verdict_counts
from bms_eval.estimation.direction_equations import MIN_DIRECTION_PERIODS
from bms_eval.estimation.policy import FEW_UNITS, SMALL_PANEL_UNITS
from bms_eval.estimation.verdicts import STAGGERED, caution_keys, direction_checked
from bms_eval.foundation.version import __version__
from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.outliers import OUTLIER_Z, SHOWN_OUTLIERS
from bms_eval.narrative.reasons import cautions_summary
from bms_eval.narrative.texts import Texts
from bms_eval.planning.options import further_text
from bms_eval.report.colours import STATUS_COLOURS, VERDICT_COLOURS

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _status_rows(card: Scorecard, status: list[dict], texts: Texts) -> list[dict]:
    rows = []
    for r in status:
        if r["level"] != "indicator":
            continue
        ind = card.indicator(r["indicator"])
        amb = (
            f"{texts.value(ind.ambition.target)} / {texts.value(ind.ambition.threshold)}"
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
            trend += " " + texts.format(
                "trend_numbers",
                slope=texts.number(r["trend_per_period"], 3, signed=True),
                period=texts["period"].lower(),
                lo=texts.number(r["trend_ci_low"], 3, signed=True),
                hi=texts.number(r["trend_ci_high"], 3, signed=True),
            )
        rows.append(
            {
                "id": ind.id,
                "name": ind.name,
                "latest": texts.value(r.get("latest_value")),
                "status_label": texts.status(r["status"]),
                "colour": STATUS_COLOURS.get(r["status"], "#bdbdbd"),
                "ambition": amb,
                "units": counts,
                "reached": reached,
                "trend": trend,
            }
        )
    return rows


def _numbers(r: dict, texts: Texts, alpha: float) -> str:
    """The evidence line under a link's reason: the deciding estimate with its interval
    and the side tests (for a reform arrow, its pre-trend test and sensitivity)."""
    if r.get("estimate") is None:
        return ""
    interval = {
        "est": texts.number(r["std_estimate"], signed=True),
        "lo": texts.number(r["std_ci_low"], signed=True),
        "hi": texts.number(r["std_ci_high"], signed=True),
        "level": texts.level(1 - alpha),
        "p": texts.p(r["p_adjusted"]),
        "u": r["n_units"],
    }
    if r.get("method") == STAGGERED:
        return texts.format(
            "numbers_reform",
            pp=texts.p(r["pretrend_p_value"]),
            mbar=texts.number(r["sensitivity_mbar"]),
            **interval,
        )
    numbers = texts.format(
        "numbers",
        bp=texts.p(r["between_p_value"]),
        lp=texts.p(r["lead_p_value"]),
        n=r["n_obs"],
        **interval,
    )
    if not direction_checked(r):
        return numbers + " " + texts["numbers_not_checked"]
    return (
        numbers
        + " "
        + texts.format(
            "numbers_direction",
            fest=texts.number(r["forward_std_estimate"], signed=True),
            fp=texts.p(r["forward_p_adjusted"]),
            rp=texts.p(r["reverse_p_adjusted"]),
        )
    )


def _link_rows(
    card: Scorecard,
    links: list[dict],
    arrows: list[ArrowVerdict],
    figures: dict[str, str],
    texts: Texts,
    alpha: float,
    underpowered: dict[str, str] | None = None,
) -> list[dict]:
    rationale = {(lk.source, lk.target): lk.rationale for lk in card.links}
    underpowered = underpowered or {}
    by_pair = {(a.source, a.target): a for a in arrows}
    rows = []
    for r in links:
        numbers = _numbers(r, texts, alpha)
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
                # with a plan: an inconclusive arrow's power, beside its verdict
                "power": underpowered.get(key, ""),
                "rationale": rationale.get((r["from"], r["to"]), ""),
                "numbers": numbers,
                "arrow_note": _arrow_note(by_pair[(r["from"], r["to"])], int(r["lag"]), texts),
                "figure": figures.get(f"within_between:{key}"),
                "unchecked": (
                    texts["direction_unchecked_badge"]
                    if r.get("estimate") is not None and not direction_checked(r)
                    else ""
                ),
                # the cautions besides the one its own badge shows
                "cautions": "; ".join(
                    texts.format(f"caution.{k}", units=FEW_UNITS)
                    for k in caution_keys(r.get("cautions"))
                    if k != "direction_not_checked"
                ),
            }
        )
    return rows


def _arrow_note(arrow: ArrowVerdict, lag: int, texts: Texts) -> str:
    """For an arrow tested at several lags: on the deciding lag, the others; on the
    others, which lag decides (:mod:`bms_eval.estimation.arrows`)."""
    if not arrow.others:
        return ""
    if lag == arrow.lag:
        others = ", ".join(
            f"{texts.format('lag_word', lag=other)} ({texts.verdict(v)})"
            for other, v in arrow.others
        )
        return texts.format("arrow.decides", others=others)
    return texts.format(
        "arrow.decided_by",
        lag=texts.format("lag_word", lag=arrow.lag),
        verdict=texts.verdict(arrow.verdict),
    )


PRECONDITION_COLOURS = {
    "met": "#1a9850",
    "partly": "#c9a100",
    "not_met": "#d73027",
    "not_checkable": "#8a8a8a",
}


def _chain_lines(card: Scorecard, chain: dict, texts: Texts) -> list[str]:
    lines = []
    if chain["supported_paths"]:
        lines.append(
            texts.format(
                "chain.reaches", paths="; ".join(" → ".join(p) for p in chain["supported_paths"])
            )
        )
        for e in chain["indirect_effects"]:
            lines.append(
                texts.format(
                    "chain.indirect",
                    path=" → ".join(e["path"]),
                    est=texts.number(e["estimate"], signed=True),
                    lo=texts.number(e["ci_low"], signed=True),
                    hi=texts.number(e["ci_high"], signed=True),
                    level=texts.level(e["level"]),
                )
            )
    else:
        lines.append(texts.format("chain.none", ends=", ".join(chain.get("ends", {})) or "–"))
    confirmed = chain.get("side_effects_confirmed", [])
    if confirmed:
        arrows = ", ".join(c["link"].replace(">", " → ") for c in confirmed)
        lines.append(texts.format("chain.side_effects", arrows=arrows))
    if not chain.get("paths_complete", True):
        lines.append(texts.format("chain.truncated", n=chain["path_limit"]))
    if chain["perspectives_joined"]:
        names = {p.id: p.name for p in card.perspectives}
        lines.append(
            texts.format(
                "chain.joined",
                pairs="; ".join(
                    f"{names[a]} → {names[b]}" for a, b in chain["perspectives_joined"]
                ),
            )
        )
    return lines


def _learning_view(learning: list[dict], texts: Texts) -> list[dict]:
    """One box per arrow: its verdict and its four questions."""
    by_link: dict[str, dict] = {}
    for q in learning:
        source, target, lag = q["link"].split(">")
        entry = by_link.setdefault(
            q["link"],
            {
                "link": f"{source} → {target} ({texts.format('lag_word', lag=lag)})",
                "verdict": texts.verdict(q["verdict"]),
                "colour": VERDICT_COLOURS[q["verdict"]],
                "caution": bool(q.get("cautions")),
                "questions": [],
            },
        )
        entry["questions"].append((texts[f"level.{q['level']}"], q["question"]))
    return list(by_link.values())


def _assessment_view(card: Scorecard, assessment: dict | None, texts: Texts) -> dict | None:
    """The critical assessment prepared for the template (labels in the report language)."""
    if not assessment:
        return None
    names = {i.id: i.name for i in card.indicators}
    levels = assessment["result_levels"]
    chain = assessment["chain"]
    unspecified = (
        [{"level": texts["rl.unspecified"], "ids": ", ".join(levels["unspecified"])}]
        if levels["unspecified"]
        else []
    )
    return {
        "preconditions": [
            {
                "name": texts[f"pre.name.{p['id']}"],
                "status": texts[f"pre.status.{p['status']}"],
                "colour": PRECONDITION_COLOURS[p["status"]],
                "evidence": p["evidence"],
            }
            for p in assessment["preconditions"]
        ],
        "levels": [
            {"level": f"{k} · {texts[f'rl.level.{k}']}", "ids": ", ".join(ids) or "–"}
            for k, ids in levels["by_level"].items()
        ]
        + unspecified,
        "level_warnings": levels["warnings"],
        "link_notes": list(dict.fromkeys(n["note"] for n in levels["link_notes"])),
        "chain": _chain_lines(card, chain, texts),
        "breaks": [
            texts.format(
                "chain.break",
                path=" → ".join(b["path"]),
                link=b["link"].replace(">", " → "),
                verdict=texts.verdict(b["verdict"]),
            )
            for b in chain["breaks"]
        ],
        "measurement_intro": texts.format(
            "as_measurement_intro",
            pile=texts.percent(audit.PILE_SHARE),
            headroom=texts.percent(audit.HEADROOM_SHARE),
            within=texts.percent(audit.LOW_WITHIN_SHARE),
            bunch=texts.short(audit.BUNCHING_ALPHA),
            sparse=texts.percent(audit.SPARSE_SHARE),
        ),
        "measurement": [
            {
                "id": ind,
                "name": names.get(ind, ""),
                "flags": ", ".join(texts[f"flag.{f}"] for f in a["flags"]) or texts["none_flagged"],
                "bound": " / ".join(
                    texts.percent_or_dash(a[k]) for k in ("ceiling_share", "floor_share")
                ),
                "headroom": texts.percent_or_dash(a.get("headroom_share")),
                "within": texts.percent_or_dash(a["within_share"]),
                "missing": texts.percent_or_dash(a["missing_share"]),
                "bunching": _bunching_cell(a, texts),
            }
            for ind, a in assessment["measurement"].items()
        ],
        "learning": _learning_view(assessment["learning"], texts),
    }


def _bunching_cell(audit_row: dict, texts: Texts) -> str:
    """The bunching test's p-value, or why it was not run."""
    reason = audit_row.get("not_tested", {}).get("bunching_at_threshold")
    return texts[f"not_tested.{reason}"] if reason else texts.number(audit_row["bunching_p"], 3)


def _outlier_rows(card: Scorecard, assessment: dict | None, texts: Texts) -> list[dict]:
    """Per indicator with values far from their unit's own path: how many, and the
    worst few (all of them are in results.json)."""
    if not assessment:
        return []
    names = {ind.id: ind.name for ind in card.indicators}
    rows = []
    for ind, a in assessment["measurement"].items():
        found = a.get("outliers", [])
        if not found:
            continue
        worst = sorted(found, key=lambda o: -abs(o.get("robust_z") or 0.0))[:SHOWN_OUTLIERS]
        rows.append(
            {
                "id": ind,
                "name": names.get(ind, ""),
                "count": len(found),
                "worst": "; ".join(
                    f"{o['unit']} {o['period']}: {texts.short(o['value'])}" for o in worst
                ),
            }
        )
    return rows


def render_report(card: Scorecard, results: dict, manifest: dict, figures: dict[str, str]) -> str:
    """The report page as HTML text.

    Parameters
    ----------
    card : Scorecard
    results : dict
        The ``results.json`` document, with the critical assessment under
        ``assessment`` (its ``headline`` is shown first).
    manifest : dict
        The ``manifest.json`` document.
    figures : dict
        ``data:`` URIs by tag (:meth:`bms_eval.analysis.results.Analysis.figure_tags`).
    """
    texts = Texts(card.language)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    links = results["links"]
    arrows = roll_up(links)
    counts = verdict_counts(arrows)
    quality = results["data_quality"]
    a = results["analysis"]
    periods = quality.get("periods") or [None, None]
    t = _TextView(texts)
    cautioned, cautions_present = cautions_summary(arrow_cautions(arrows), texts)
    return template.render(
        lang=card.language,
        card=card,
        t=t,
        headline=(results.get("assessment") or {}).get("headline", []),
        assessment=_assessment_view(card, results.get("assessment"), texts),
        cautions_summary=cautioned,
        cautions_which=cautions_present,
        data_line=texts.format(
            "data_line",
            n=quality.get("n_units"),
            first=periods[0],
            last=periods[-1],
            file=Path(manifest["inputs"]["data"]["path"]).name,
        ),
        generated=_generated(manifest, texts),
        summary_text=texts.format("summary_text", links=len(card.links)),
        counts=[
            {"n": n, "label": texts.verdict(v), "colour": VERDICT_COLOURS[v]}
            for v, n in counts.items()
            if n
        ],
        status_intro=texts.format(
            "status_intro", periods=results.get("trend_periods", TREND_PERIODS)
        ),
        status_rows=_status_rows(card, results["status"], texts),
        link_rows=_link_rows(
            card,
            links,
            arrows,
            figures,
            texts,
            a["alpha"],
            _underpowered(results.get("assessment")),
        ),
        figures=_Figures(figures),
        warnings=quality.get("warnings", []),
        diagnostics=_diagnostic_rows(card, quality.get("panel_diagnostics"), texts),
        outliers=_outlier_rows(card, results.get("assessment"), texts),
        plan=_plan_view(card, results.get("plan"), results.get("assessment"), texts),
        discovery=_discovery_view(results.get("discovery"), texts),
        outliers_intro=texts.format("outliers_intro", z=texts.short(OUTLIER_Z)),
        method_text=_method_text(a, texts),
        provenance=_provenance(manifest, texts),
    )


def _generated(manifest: dict, texts: Texts) -> str:
    """The version and the date of the run (the report is dated by its run)."""
    return texts.format(
        "generated",
        version=__version__,
        date=str(manifest.get("started") or datetime.now(UTC).isoformat())[:10],
    )


def _diagnostic_rows(card: Scorecard, found: dict | None, texts: Texts) -> list[dict]:
    """Per linked indicator: shared shocks in its model's residuals (where it is an
    effect) and the share of units with a trend of their own, in words."""
    if not found:
        return []
    shocks = {d["indicator"]: d for d in found.get("cross_section_dependence", [])}
    trends = {d["indicator"]: d for d in found.get("own_trends", [])}
    rows = []
    for ind in card.indicators:
        if ind.id not in shocks and ind.id not in trends:
            continue
        s, tr = shocks.get(ind.id), trends.get(ind.id)
        rows.append(
            {
                "id": ind.id,
                "name": ind.name,
                "shocks": "–"
                if s is None or s["cd"] is None
                else texts.format(
                    "diag_shocks", cd=texts.number(s["cd"], signed=True), p=texts.p(s["p_value"])
                ),
                "trends": "–"
                if tr is None or tr["share"] is None
                else texts.format(
                    "diag_trends", share=texts.percent(tr["share"]), units=tr["units"]
                ),
            }
        )
    return rows


def _method_text(analysis: dict, texts: Texts) -> str:
    """The report's paragraph on the method, from ``results.json``'s ``analysis``."""
    return (
        texts.format(
            "method_text",
            twoway=texts["method_twoway"] if analysis["effects"] == "twoway" else "",
            boot=texts.format("method_boot", units=SMALL_PANEL_UNITS),
            alpha=analysis["alpha"],
            m=analysis["min_effect"],
        )
        + " "
        + texts.format("method_direction", min=MIN_DIRECTION_PERIODS, units=SMALL_PANEL_UNITS)
        + " "
        + texts["method_designs"]
        + " "
        + texts["method_reform"]
    )


def _provenance(manifest: dict, texts: Texts) -> str:
    """The inputs' file names and the start of their hashes."""
    return texts.format(
        "provenance",
        card=Path(manifest["inputs"]["scorecard"]["path"]).name,
        card_hash=manifest["inputs"]["scorecard"]["sha256"][:12],
        data=Path(manifest["inputs"]["data"]["path"]).name,
        data_hash=manifest["inputs"]["data"]["sha256"][:12],
    )


def _underpowered(assessment: dict | None) -> dict[str, str]:
    """With a plan: the sentence on each inconclusive arrow's power, by ``FROM>TO>LAG``."""
    power = (assessment or {}).get("power") or {}
    return {u["link"]: u["text"] for u in power.get("underpowered", [])}


def _plan_view(
    card: Scorecard, plan: dict | None, assessment: dict | None, t: Texts
) -> dict | None:
    """The report's plan section: what was simulated, the inconclusive arrows the data
    could not have decided, and per arrow-lag the power now and what would reach 80 %."""
    if not plan:
        return None
    names = {ind.id: ind.name for ind in card.indicators}
    tried = {r["design"] for r in plan["rows"]}
    rows = []
    for r in plan["rows"]:
        if r["design"] != "current":
            continue
        rows.append(
            {
                "arrow": f"{names.get(r['from'], r['from'])} → {names.get(r['to'], r['to'])}",
                "lag": int(r["lag"]),
                "power": t.percent(r["power"]),
                "interval": t.format(
                    "plan.interval_short",
                    low=t.percent(r["power_low"]),
                    high=t.percent(r["power_high"]),
                ),
                "mde": "–" if r["mde_80"] is None else t.number(r["mde_80"]),
                "years": further_text(r["further_years_needed"], t, "years" in tried),
                "units": further_text(r["further_units_needed"], t, "units" in tried),
            }
        )
    designs = sorted({(r["units"], r["years"]) for r in plan["rows"] if r["design"] != "current"})
    return {
        "heading": t["plan.heading"],
        "headers": [
            t[f"plan.col_{key}"]
            for key in ("arrow", "lag", "power_short", "interval", "mde", "years", "units")
        ],
        "method": t["plan.method"],
        "figure_alt": t["plan.figure_title"],
        "intro": t.format(
            "plan.intro",
            effect=t.short(plan["effect"]),
            draws=plan["draws"],
            units=plan["units"],
            years=plan["years"],
        ),
        "designs": (
            t.format(
                "plan.designs_tried",
                designs=", ".join(t.format("plan.design", units=u, years=y) for u, y in designs),
            )
            if designs
            else ""
        ),
        "underpowered": list(_underpowered(assessment).values()),
        "rows": rows,
    }


def _discovery_view(discovery: dict | None, t: Texts) -> dict | None:
    """The report's map in use: its sentences, what the data show that the map does not
    draw, and what it draws that the data do not show."""
    if not discovery:
        return None

    def arrow(r: dict) -> str:  # the records carry the indicators' names
        return f"{r['from_name']} → {r['to_name']}"

    def badge(verdict: str) -> dict:
        return {"verdict": t.verdict(verdict), "colour": VERDICT_COLOURS[verdict]}

    block = discovery["map_in_use"]
    return {
        "summary": discovery["summary"],
        "found": [
            {
                "arrow": arrow(r),
                "lag": r["lag"],
                "effect": t.number(r["std_estimate"], signed=True),
                **badge(r["verdict"]),
            }
            for r in block["found_not_drawn"]
        ],
        "missing": [{"arrow": arrow(r), **badge(r["verdict"])} for r in block["drawn_not_found"]],
    }


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
