"""How typical are the bundled examples' verdicts? Draw each example's design again.

For each bundled example (``data/make_examples.py``), simulate the same design
(scorecard, truth, processes, units, years) with other seeds, run the link tests
and print, per arrow and lag, how often each verdict comes out. The bundled
panels are single draws; this shows which of their verdicts are the rule and how
often chance alone gives another (a test at 5 % errs in about 1 panel in 20).

Usage: ``python benchmarks/example_draws.py [DRAWS]`` (default 100; seeds 1 … DRAWS).
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "data"))

import make_examples  # noqa: E402

from bms_eval.inputs.scorecard import load_scorecard  # noqa: E402
from bms_eval.narrative.link_results import estimate_links  # noqa: E402


def main(draws: int) -> None:
    for name in make_examples.EXAMPLES:
        card = load_scorecard(ROOT / "data" / name / f"{name}.yaml")
        found: dict[tuple[str, str, int], Counter] = defaultdict(Counter)
        start = time.perf_counter()
        for seed in range(1, draws + 1):
            panel, _ = make_examples.build(name, seed)
            table = estimate_links(card, panel, influence=False).to_frame()
            for source, target, lag, verdict in zip(
                table["from"], table["to"], table["lag"], table["verdict"], strict=True
            ):
                found[(source, target, int(lag))][verdict] += 1
        print(f"\n{name}: {draws} draws ({time.perf_counter() - start:.0f} s)")
        print(f"{'arrow':<16} {'lag':>3}  verdicts (count of {draws})")
        for (source, target, lag), counts in found.items():
            shown = ", ".join(f"{v} {n}" for v, n in counts.most_common())
            print(f"{source + ' → ' + target:<16} {lag:>3}  {shown}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
