"""Study: does discovery find an undrawn true arrow, and list false ones no more often
than it says?

Simulated panels (:func:`bms_eval.simulation.undrawn.undrawn_panel`): eight indicators,
four drawn arrows (each true, 0.3 within-unit SD at lag 1), 3 % of values missing at
random, and either one undrawn true arrow of 0.3 within-unit SD or none. Per cell of
units × years × truth, :data:`PANELS` panels; printed: the share of panels in which
the undrawn arrow is confirmed (bound: ≥ 80 % at 150 units × 12 years), and the
share listing any arrow that is not in the truth (the undrawn arrow and what its
paths with drawn arrows imply are in the truth; bound: ≤ alpha = 5 % plus Monte Carlo
error, 1.96·√(0.05·0.95/PANELS)). Run: ``python benchmarks/discovery_study.py``
(``--panels N`` for another number).
"""

from __future__ import annotations

import argparse
import math
import time

from bms_eval.estimation.discovery import discover
from bms_eval.simulation.undrawn import implied, listed, share, undrawn_panel

PANELS = 200
CELLS = ((150, 12), (60, 12), (30, 10), (24, 20))
ALPHA = 0.05


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, default=PANELS)
    panels = parser.parse_args().panels
    start = time.perf_counter()
    margin = 1.96 * math.sqrt(ALPHA * (1 - ALPHA) / panels)
    print(f"{panels} panels per cell; false-listing bound {ALPHA:.2f} + {margin:.3f} (MC)")
    print(
        f"{'units':>5} {'years':>5} {'undrawn':>8} {'holdout':>8} "
        f"{'confirmed':>10} {'any false':>10}"
    )
    for units, years in CELLS:
        for effect in (0.3, 0.0):
            confirmed, false, split = [], [], ""
            for seed in range(panels):
                card, data, truth = undrawn_panel(
                    units=units, periods=years, undrawn_effect=effect, seed=seed
                )
                found = discover(card, data)
                split = found.holdout.by
                shown = set(listed(found.frame))
                if truth is not None:
                    confirmed.append(truth in shown)
                false.append(bool(shown - implied(card, truth)))
            print(
                f"{units:>5} {years:>5} {effect:>8.1f} {split:>8} "
                f"{share(confirmed) if confirmed else math.nan:>10.3f} {share(false):>10.3f}"
            )
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
