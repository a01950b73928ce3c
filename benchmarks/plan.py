"""Benchmark: the planner (``bms_eval.plan``) on the bundled example, on 1 and 2 workers.

The example's history is 30 units × 10 years with 11 arrows (13 arrow-lags). The
plan simulates :data:`DRAWS` panels of today's design (``years=[]``: no further
designs) and runs the link tests the verdicts use on each. Printed per worker
count: the wall time, the time per draw, and the speed-up of 2 workers over 1.
The floor is the link tests alone on one panel of the same size, in this
process (``estimate_links`` without the influence checks, at the planner's 999
bootstrap draws): a draw cannot cost less than that, so the ratio per draw to
the floor is the planner's own overhead (simulating, dispatching, counting).

Then the long panel of the issue on speed: the 46-state × 30-year cigarette
panel (``tests/data/public/cigar``, three arrows, one of them at two lags), 100
draws of today's design on every core, against its budget of two minutes. Its
arrows are persistent series (log prices and sales), where the direction tests'
cluster jackknife most often meets models without an exact solution.

Run with ``make benchmark`` (or ``python benchmarks/plan.py [DRAWS]``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from bms_eval.foundation.resources import example
from bms_eval.inputs.model import MIN_BOOTSTRAP_DRAWS
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.link_results import estimate_links
from bms_eval.planning import plan

DRAWS = 500
#: The long panel, its draws and its budget (seconds, on 2 cores).
LONG_PANEL = Path(__file__).resolve().parents[1] / "tests" / "data" / "public" / "cigar"
LONG_DRAWS, LONG_BUDGET = 100, 120.0


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
    long_panel()


def long_panel() -> None:
    """The planner on the 46 × 30 cigarette panel, on every core, against its budget."""
    from bms_eval.foundation.workers import available_cores

    inputs = load_inputs(LONG_PANEL.with_suffix(".yaml"), LONG_PANEL.with_suffix(".csv"))
    units, years = inputs.data.grid_shape
    start = time.perf_counter()
    plan(inputs, years=[], draws=LONG_DRAWS)
    spent = time.perf_counter() - start
    print(
        f"Planner on the cigarette panel ({units} units × {years} years, "
        f"{len(inputs.scorecard.links)} arrows): {LONG_DRAWS} draws of today's design on "
        f"{available_cores()} cores: {spent:.1f} s (budget {LONG_BUDGET:.0f} s: "
        f"{'within' if spent <= LONG_BUDGET else 'over'})"
    )


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
