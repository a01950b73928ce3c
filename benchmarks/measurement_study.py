"""How often do the headroom and bunching rules flag what they should, and only that?

Headroom: unit averages of 40 whole-number answers on a 1–6 survey (20 units × 8
years, ``simulate``'s ``respondents``). With latent levels above the top (most
answer 6) the averages sit close under the ceiling: the headroom rule should
flag them, though few values reach 6 (the exact-bound rule's blind spot); with
room above them it should stay silent in at least 95 % of panels.

Bunching: a planted gaming pattern (60 % of two-decimal scores just short of the
threshold reported just over it) should be flagged; the same scores without
gaming rarely; a binary law indicator and a rule whose threshold is the scale's
top (a minimum age of 21 on 18–21) never, as the test is not run for them.

Usage: ``python benchmarks/measurement_study.py [PANELS]`` (default 200 per design).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bms_eval.inputs.model import Ambition, Indicator  # noqa: E402
from tests.test_headroom_and_bunching import (  # noqa: E402
    SATISFACTION,
    _audit,
    _frame,
    _survey,
)

HEADROOM_DESIGNS = (
    ("close under the ceiling (latent 6.6)", 6.6, 0.3),
    ("near the ceiling (latent 6.3)", 6.3, 0.3),
    ("room above (latent 4.6)", 4.6, 0.25),
    ("room above (latent 4.0)", 4.0, 0.3),
    ("mid-scale, wide (latent 3.0)", 3.0, 0.5),
)


def headroom(level: float, between: float, panels: int) -> tuple[float, float, float]:
    """Shares of panels flagged ``little_headroom`` and ``ceiling``, and the mean
    exact-bound share."""
    little = exact = 0
    shares = []
    for seed in range(panels):
        audit = _audit(SATISFACTION, _survey(np.random.default_rng(40_000 + seed), level, between))
        little += "little_headroom" in audit.flags
        exact += "ceiling" in audit.flags
        shares.append(audit.ceiling_share)
    return little / panels, exact / panels, float(np.mean(shares))


def scores(rng: np.random.Generator, gaming: float) -> np.ndarray:
    values = np.round(4.4 + 0.4 * rng.standard_normal(240), 2)
    short = (values >= 4.3) & (values < 4.5) & (rng.random(240) < gaming)
    values[short] = np.round(4.5 + rng.random(short.sum()) * 0.05, 2)
    return values


def bunching(panels: int) -> dict[str, float]:
    law = Indicator("x", "law", "p", "up", scale=(0.0, 1.0), ambition=Ambition(1.0, 1.0))
    age = Indicator("x", "age", "p", "up", scale=(18.0, 21.0), ambition=Ambition(21.0, 21.0))
    found = dict.fromkeys(("gaming", "clean", "binary", "threshold at bound"), 0)
    for seed in range(panels):
        rng = np.random.default_rng(50_000 + seed)
        for name, ind, values in (
            ("gaming", SATISFACTION, scores(rng, 0.6)),
            ("clean", SATISFACTION, scores(rng, 0.0)),
            ("binary", law, (rng.random(160) < rng.uniform(0.2, 0.9)).astype(float)),
            ("threshold at bound", age, rng.choice([18, 19, 20, 21], 400, p=[0.1] * 3 + [0.7])),
        ):
            found[name] += "bunching_at_threshold" in _audit(ind, _frame(values)).flags
    return {k: v / panels for k, v in found.items()}


def main(panels: int) -> None:
    start = time.perf_counter()
    print(f"{panels} panels per design")
    print("Headroom: unit averages of 40 answers on 1–6, 20 units × 8 years")
    print(f"{'design':<40} {'little_headroom':>15} {'ceiling':>8} {'at bound':>9}")
    for name, level, between in HEADROOM_DESIGNS:
        little, exact, share = headroom(level, between, panels)
        print(f"{name:<40} {little:>15.1%} {exact:>8.1%} {share:>9.1%}")
    print("Bunching just over the threshold")
    for name, share in bunching(panels).items():
        print(f"{name:<40} {share:>15.1%}")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
