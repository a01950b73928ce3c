"""Benchmark: reading and validating a KOSTRA-sized indicator table.

Builds 356 units × 20 years × 60 indicators (427 200 rows) with
``bms_eval.simulate`` and times ``load_data`` in each accepted format plus the
scorecard cross-check. Prints one line per step; run with ``make benchmark``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bms_eval.inputs import load_data, parse_scorecard
from bms_eval.inputs.validation import cross_check
from bms_eval.simulation.truth import simulate

UNITS, YEARS, INDICATORS = 356, 20, 60


def scorecard_text(n: int) -> str:
    lines = ["scorecard:", "  name: benchmark", "perspectives:", "  - id: p", "indicators:"]
    for i in range(n):
        lines += [f"  - id: I{i:02d}", "    perspective: p", "    scale: [0, 100]"]
    lines.append("links:")
    for i in range(1, n):
        lines += [f"  - from: I{i - 1:02d}", f"    to: I{i:02d}", "    lag: [0, 1, 2]"]
    return "\n".join(lines) + "\n"


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    card, _ = parse_scorecard(scorecard_text(INDICATORS), "benchmark.yaml")
    assert card is not None
    panel = timed("simulate panel", lambda: simulate(card, [], units=UNITS, periods=YEARS, seed=1))
    print(f"{'rows':<44} {len(panel):7d}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tidy = folder / "tidy.csv"
        panel.to_csv(tidy, index=False)
        semicolon = folder / "semicolon.csv"
        panel.to_csv(semicolon, index=False, sep=";", decimal=",")
        wide = folder / "wide.csv"
        panel.pivot(
            index=["unit", "period"], columns="indicator", values="value"
        ).reset_index().to_csv(wide, index=False)
        parquet = folder / "tidy.parquet"
        panel.to_parquet(parquet, index=False)
        data = timed("load_data tidy CSV", lambda: load_data(tidy))
        timed("load_data semicolon CSV, decimal comma", lambda: load_data(semicolon))
        timed("load_data wide CSV", lambda: load_data(wide))
        timed("load_data Parquet", lambda: load_data(parquet))
        timed("cross_check scorecard × data", lambda: cross_check(card, data))


if __name__ == "__main__":
    main()
