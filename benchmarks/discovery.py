"""Benchmark: discovery against the link tests of the drawn arrows, as whole processes.

On the links benchmark's KOSTRA-sized workload (:mod:`links`: 356 units × 20 years ×
60 indicators, 300 drawn links, two-way effects), with 3 % of cells missing at random,
times side by side in one run: ``bms-eval links`` (the drawn arrows, every side test)
and a process that reads and checks the same files and runs the discovery alone
(:func:`bms_eval.estimation.discovery.discover`: every ordered pair the scorecard does
not join, about 3 500 pairs at lags 1 and 2, screened on one half and the selected
confirmed on the other). The bound of the issue on discovery: at most 3 × the link
tests. Each process is timed :data:`links.REPEATS` times (medians).

Run with ``python benchmarks/discovery.py``.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from links import YEARS, timed, with_gaps, workload

from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.truth import simulate

DISCOVER = textwrap.dedent("""
    import sys
    from bms_eval.estimation.discovery import discover
    from bms_eval.inputs.validation import load_inputs
    inputs = load_inputs(sys.argv[1], sys.argv[2])
    found = discover(inputs.scorecard, inputs.data)
    print(found.tested, int(found.frame["selected"].sum()), len(found.confirmed))
""")

#: The largest ratio of discovery to the drawn arrows' link tests (the issue).
BOUND = 3.0


def main() -> None:
    units = 356
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text, _ = workload(units)
        card_path = folder / "card.yaml"
        card_path.write_text(text, encoding="utf-8")
        card, _ = parse_scorecard(text, str(card_path))
        assert card is not None
        panel = with_gaps(simulate(card, [], units=units, periods=YEARS, seed=2), "random gaps")
        data_path = folder / "data.csv"
        panel.to_csv(data_path, index=False)
        script = folder / "discover.py"
        script.write_text(DISCOVER, encoding="utf-8")
        exe = Path(sys.executable).with_name("bms-eval")
        links_cmd = [str(exe), "links", "--quiet", str(card_path), str(data_path)]
        links_cmd += ["--out", str(folder / "out.csv")]
        discover_cmd = [sys.executable, str(script), str(card_path), str(data_path)]
        links, discovering = timed(links_cmd, discover_cmd)
    print(f"{units} units × {YEARS} years, 3 % of cells missing at random, {len(panel):,} rows")
    print(f"  bms-eval links (300 drawn links)              {links:7.2f} s")
    print(f"  discovery alone (reading and checking too)    {discovering:7.2f} s")
    ratio = discovering / links
    met = "yes" if ratio <= BOUND else "no"
    print(f"  ratio discovery / links: {ratio:.2f} (≤ {BOUND:.1f}: {met})")


if __name__ == "__main__":
    main()
