"""The assessment as tables for a notebook to display (labels in the scorecard's language)."""

from __future__ import annotations

import pandas as pd

from bms_eval.narrative.texts import Texts


def preconditions_table(assessment: dict, t: Texts) -> pd.DataFrame:
    """One row per precondition: its name, status and evidence."""
    return pd.DataFrame(
        [
            {
                t["col_precondition"]: t[f"pre.name.{p['id']}"],
                t["col_status"]: t[f"pre.status.{p['status']}"],
                t["col_evidence"]: p["evidence"],
            }
            for p in assessment["preconditions"]
        ]
    )


def levels_table(assessment: dict, t: Texts) -> pd.DataFrame:
    """Indicators per result level."""
    rows = [
        {t["col_level"]: f"{k} {t[f'rl.level.{k}']}", t["col_indicators"]: ", ".join(ids)}
        for k, ids in assessment["result_levels"]["by_level"].items()
    ]
    rows.append(
        {
            t["col_level"]: t["rl.unspecified"],
            t["col_indicators"]: ", ".join(assessment["result_levels"]["unspecified"]),
        }
    )
    return pd.DataFrame(rows)


def chain_table(assessment: dict, t: Texts) -> pd.DataFrame:
    """Supported paths with their indirect effect (standardized), then the assumed
    paths that break, with the link where and the verdict why."""
    chain = assessment["chain"]
    rows = [
        {
            t["col_path"]: " → ".join(e["path"]),
            t["col_indirect"]: e["estimate"],
            "ci_low": e["ci_low"],
            "ci_high": e["ci_high"],
            t["col_breaks_at"]: "",
        }
        for e in chain["indirect_effects"]
    ]
    rows += [
        {
            t["col_path"]: " → ".join(b["path"]),
            t["col_indirect"]: None,
            "ci_low": None,
            "ci_high": None,
            t["col_breaks_at"]: f"{b['link'].replace('>', ' → ')} ({t.verdict(b['verdict'])})",
        }
        for b in chain["breaks"]
    ]
    columns = [t["col_path"], t["col_indirect"], "ci_low", "ci_high", t["col_breaks_at"]]
    return pd.DataFrame(rows, columns=columns)


def measurement_table(assessment: dict, t: Texts) -> pd.DataFrame:
    """One row per indicator: its flags and every figure behind them."""
    rows = []
    for ind, m in assessment["measurement"].items():
        rows.append(
            {
                "indicator": ind,
                t["col_flags"]: ", ".join(t[f"flag.{f}"] for f in m["flags"]) or t["none_flagged"],
                "ceiling_share": m["ceiling_share"],
                "floor_share": m["floor_share"],
                "headroom_share": m.get("headroom_share"),
                "within_share": m["within_share"],
                "missing_share": m["missing_share"],
                "bunching_p": m["bunching_p"],
                "bunching_not_tested": m.get("not_tested", {}).get("bunching_at_threshold"),
                "outliers": len(m.get("outliers", [])),
            }
        )
    return pd.DataFrame(rows)


def learning_table(assessment: dict, t: Texts) -> pd.DataFrame:
    """Questions per link, one column per level of the dialogue."""
    frame = pd.DataFrame(assessment["learning"])
    if frame.empty:
        return frame
    wide = frame.pivot(index="link", columns="level", values="question")
    order = list(dict.fromkeys(frame["link"]))
    levels = ["operative", "tactical", "strategic", "institutional"]
    wide = wide.reindex(index=order, columns=levels)
    wide.columns = [t[f"level.{lv}"] for lv in levels]
    return wide
