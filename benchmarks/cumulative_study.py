"""Study: an arrow with two lags judged by its cumulative effect, on simulated panels.

``X`` is persistent (AR(1), 0.6); ``Y`` takes 0.2 of ``X`` in the same year and 0.2 a
year later, either through its own past (``dynamic``: ``Y(t) = 0.7·Y(t − 1) + …``) or
with only its unexplained part persistent (``common factor``: ``Y = … + u``, ``u``
AR(1) 0.7); and ``null``, no effect at all. Printed per world: the mean static
cumulative estimate (the sum of the two lags' coefficients; 0.4 is the truth in the
common-factor world), the mean forward cumulative estimate (the sum of the forward
equation's two coefficients: 0.4 in the dynamic world, 0.4 − 0.7·0.2 = 0.26 in the
common-factor world, see ``bms_eval/estimation/direction.py``), and the share of panels
whose arrow is found (``supported`` or ``reciprocal``) — the test's size under the null.

Usage: ``python benchmarks/cumulative_study.py [PANELS]`` (default 40 per world).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from bms_eval.estimation.links import link_tests
from bms_eval.inputs.scorecard import parse_scorecard

CARD = """scorecard: {name: cumulative}
perspectives: [{id: p}]
indicators:
  - {id: X, name: X, perspective: p, direction: up}
  - {id: Y, name: Y, perspective: p, direction: up}
links:
  - {from: X, to: Y, lag: [0, 1], sign: "+"}
analysis: {bootstrap_draws: 999}
"""
BURN_IN = 30


def panel(world: str, units: int, years: int, rng: np.random.Generator) -> pd.DataFrame:
    """One simulated panel of ``world`` (``dynamic``, ``common factor`` or ``null``)."""
    size = years + BURN_IN
    x, u, y = (np.zeros((units, size)) for _ in range(3))
    level = rng.normal(size=(units, 1))
    effect = 0.0 if world == "null" else 0.2
    for t in range(1, size):
        x[:, t] = 0.6 * x[:, t - 1] + rng.normal(size=units)
        u[:, t] = 0.7 * u[:, t - 1] + rng.normal(size=units)
        if world == "dynamic":
            y[:, t] = 0.7 * y[:, t - 1] + effect * (x[:, t] + x[:, t - 1]) + rng.normal(size=units)
        else:
            y[:, t] = effect * (x[:, t] + x[:, t - 1]) + u[:, t]
    rows = [
        (str(i), 2000 + t, name, float(grid[i, BURN_IN + t] + level[i, 0]))
        for name, grid in (("X", x), ("Y", y))
        for i in range(units)
        for t in range(years)
    ]
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


def study(world: str, panels: int, units: int = 100, years: int = 12, seed: int = 1) -> dict:
    """Means of the cumulative estimates and the share found, over ``panels`` panels."""
    card, _ = parse_scorecard(CARD, "cumulative.yaml")
    rng = np.random.default_rng([seed, len(world)])
    static, forward, found = [], [], 0
    for _ in range(panels):
        arrow = link_tests(card, panel(world, units, years, rng), influence=False).arrows.iloc[0]
        static.append(arrow["estimate"])
        forward.append(arrow["forward_estimate"])
        found += arrow["verdict"] in ("supported", "reciprocal")
    return {
        "static": float(np.mean(static)),
        "forward": float(np.mean(forward)),
        "found": found / panels,
    }


def main() -> None:
    panels = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(f"Arrow X → Y at lags 0 and 1, 100 units × 12 years, {panels} panels per world")
    print(f"{'world':<14} {'static Σ':>9} {'forward Σ':>10} {'found':>6}")
    for world in ("dynamic", "common factor", "null"):
        r = study(world, panels)
        print(f"{world:<14} {r['static']:>9.3f} {r['forward']:>10.3f} {r['found']:>6.2f}")


if __name__ == "__main__":
    main()
