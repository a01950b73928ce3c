"""Benchmark: the planner (``bms_eval.plan``) on the bundled example, on 1 and 2 workers.

The example's history is 30 units × 10 years with 11 arrows (13 arrow-lags). The
plan simulates :data:`DRAWS` panels of today's design (``years=[]``: no further
designs) and runs the link tests the verdicts use on each. Printed per worker
count: the wall time, the time per draw, and the speed-up of 2 workers over 1.
The floor is the link tests alone on one panel of the same size, in this
process (``estimate_links`` without the influence checks, at the planner's 999
bootstrap draws): a draw cannot cost less than that, so the ratio per draw to
the floor is the planner's own overhead (simulating, dispatching, counting).

Run with ``make benchmark`` (or ``python benchmarks/plan.py [DRAWS]``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

from bms_eval.foundation.resources import example
from bms_eval.inputs.model import MIN_BOOTSTRAP_DRAWS
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.link_results import estimate_links
from bms_eval.planning import plan

DRAWS = 500


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else DRAWS
    inputs = load_inputs(*example())
    card, data = inputs.scorecard, inputs.data
    quick = replace(card, analysis=replace(card.analysis, bootstrap_draws=MIN_BOOTSTRAP_DRAWS))
    estimate_links(quick, data, influence=False, workers=1)  # warm
    floor = min(
        _timed(lambda: estimate_links(quick, data, influence=False, workers=1)) for _ in range(5)
    )
    print(f"Planner on the example: {draws} draws of today's design (30 units × 10 years)")
    print(f"  floor: the link tests on one panel, {floor * 1000:.0f} ms")
    seconds = {}
    tables = {}
    for workers in (1, 2):
        start = time.perf_counter()
        found = plan(card, data, years=[], draws=draws, workers=workers)
        seconds[workers] = time.perf_counter() - start
        tables[workers] = found.table
        per_draw = seconds[workers] / draws
        print(
            f"  {workers} worker(s): {seconds[workers]:.1f} s, {per_draw * 1000:.0f} ms per draw "
            f"({per_draw * workers / floor:.2f} × the floor per worker)"
        )
    print(f"  speed-up of 2 workers over 1: {seconds[1] / seconds[2]:.2f}")
    print(f"  same plan on 1 and 2 workers: {tables[1].equals(tables[2])}")


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
