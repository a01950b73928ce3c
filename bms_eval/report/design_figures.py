"""The direction test's estimate under the main design and each robustness design
side by side: a small specification chart beside each arrow's within-unit picture
(docs/verdicts.md, "Robustness designs")."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from bms_eval.estimation.unit_designs import ROBUSTNESS_DESIGNS
from bms_eval.estimation.verdicts import as_number
from bms_eval.narrative.texts import Texts

#: Normal quantile of a 95 % interval (the charts' intervals are approximate: the
#: table's are exact).
Z95 = 1.959963984540054


def design_estimates(row: Mapping[str, object]) -> list[tuple[str, float, float, float]]:
    """The forward test's standardized estimate and 95 % interval under each design that
    was fitted: ``(design, estimate, low, high)``, the main design first."""
    out = []
    for design, prefix in (("main", "forward"), *((d, f"{d}_forward") for d in ROBUSTNESS_DESIGNS)):
        est = as_number(row.get(f"{prefix}_estimate"))
        std = as_number(row.get(f"{prefix}_std_estimate"))
        se = as_number(row.get(f"{prefix}_std_error"))
        if not (math.isfinite(est) and math.isfinite(std) and math.isfinite(se)) or est == 0:
            continue
        half = Z95 * se * abs(std / est)
        out.append((design, std, std - half, std + half))
    return out


def has_designs(row: Mapping[str, object]) -> bool:
    """Whether a link-table row has a robustness design's estimate to show."""
    return len(design_estimates(row)) > 1


def draw_designs(ax: Axes, row: Mapping[str, object], min_effect: float, texts: Texts) -> None:
    """The specification chart on ``ax``: one row per design, the standardized forward
    estimate with its interval, zero and ±``min_effect`` marked."""
    found = design_estimates(row)
    labels = [texts[f"design_label.{d}"] for d, *_ in found]
    y = np.arange(len(found))[::-1]
    for yi, (_, est, low, high) in zip(y, found, strict=True):
        ax.plot([low, high], [yi, yi], color="#4d4d4d", lw=1.5)
        ax.plot([est], [yi], "o", color="#1b7837", ms=5)
    ax.axvline(0, color="black", lw=0.8)
    for edge in (-min_effect, min_effect):
        ax.axvline(edge, color="#bababa", lw=0.8, ls="--")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.7, len(found) - 0.3)
    ax.set_xlabel(texts["designs_axis"], fontsize=8)
    ax.set_title(textwrap.fill(texts["designs_title"], 22), fontsize=8, y=1.0)
