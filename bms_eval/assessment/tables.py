"""The assessment as tables for a notebook to display (labels in the scorecard's language)."""

from __future__ import annotations

import pandas as pd

from bms_eval.texts import Texts


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
                "within_share": m["within_share"],
                "missing_share": m["missing_share"],
                "bunching_p": m["bunching_p"],
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
