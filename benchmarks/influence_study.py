"""How often is a verdict fragile? Leave-one-unit-out influence on simulated panels.

For clean panels (no effect, or a within-unit effect of 0.3 SD; 20 and 60 units ×
10 years, one arrow X → Y at lag 1) the share of panels whose verdict is
``fragile`` — one unit carries it — should be small (the issue asks for at most
5 %); for panels with one planted aberrant unit (X and Y both 15 SD higher for
three years), the share found fragile with that unit named should be large.

Usage: ``python benchmarks/influence_study.py [PANELS]`` (default 200 per design).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bms_eval import estimate_links  # noqa: E402
from bms_eval.simulation.truth import simulate  # noqa: E402
from tests.test_influence import _planted  # noqa: E402
from tests.test_links_simulation import EXACT, card  # noqa: E402

EFFECT = [{"from": "X", "to": "Y", "lag": 1, "within": 0.3}]


def clean(units: int, truth: list, panels: int) -> float:
    c = card("+", "twoway")
    fragile = 0
    for seed in range(panels):
        panel = simulate(c, truth, units=units, periods=10, seed=10_000 + seed, indicators=EXACT)
        fragile += bool(estimate_links(c, panel).to_frame().iloc[0]["fragile"])
    return fragile / panels


def planted(units: int, panels: int) -> float:
    found = 0
    for seed in range(panels):
        c, panel, bad = _planted(20_000 + seed, units)
        row = estimate_links(c, panel).to_frame().iloc[0]
        found += bool(row["fragile"]) and row["influential_unit"] == bad
    return found / panels


def main(panels: int) -> None:
    start = time.perf_counter()
    print(f"{panels} panels per design, 10 years, X → Y at lag 1, two-way effects")
    print(f"{'design':<44} {'units':>5} {'fragile':>8}")
    for units in (20, 60):
        print(f"{'clean, no effect':<44} {units:>5} {clean(units, [], panels):>8.1%}")
        print(
            f"{'clean, within effect 0.3 SD':<44} {units:>5} {clean(units, EFFECT, panels):>8.1%}"
        )
        print(
            f"{'one aberrant unit (found and named)':<44} {units:>5} {planted(units, panels):>8.1%}"
        )
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
