"""Benchmark: ``bms-eval links`` against a plain pyfixest loop, as whole processes.

Builds a KOSTRA-sized workload — 356 units × 20 years × 60 indicators (427 200
rows), 300 links with lags 0–2, two-way effects — and times, side by side in one
run, ``bms-eval links`` (every side test included) and a Python process that
reads the same CSV and fits only the primary regressions with pyfixest (one
``feols`` per target, clustered by unit). A 30-unit variant shows the cost of
the wild cluster bootstrap (9 999 draws per coefficient and side test) and the
direction tests' cluster jackknife. Each process is timed :data:`REPEATS` times
and the medians are compared.

Real panels have gaps, so each size is timed on three versions of the table
(:data:`PATTERNS`): balanced; with :data:`GAPS` of the cells left out at random;
and with late-entering units and whole years missing for some units (a
municipality founded, or not reporting, in some years). The ratios are printed
against the issue on speed's bounds (:data:`BOUNDS`).

Run with ``make benchmark`` (or ``python benchmarks/links.py``); ``--quick`` times
only the balanced table and the random gaps; ``--against DIR`` times another source
checkout's ``bms-eval links`` beside this one (a change's cost).
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.truth import simulate

N_INDICATORS, N_LINKS, YEARS = 60, 300, 20

PYFIXEST_LOOP = textwrap.dedent("""
    import sys
    import pandas as pd
    import pyfixest as pf

    data, links = sys.argv[1], sys.argv[2]
    tidy = pd.read_csv(data, dtype={"unit": str})
    wide = tidy.pivot(index=["unit", "period"], columns="indicator", values="value")
    wide = wide.reindex(pd.MultiIndex.from_product(
        [wide.index.levels[0], range(tidy.period.min(), tidy.period.max() + 1)],
        names=["unit", "period"]))
    spec = pd.read_csv(links)
    for lag in sorted(spec["lag"].unique()):
        for ind in spec.loc[spec["lag"] == lag, "from"].unique():
            wide[f"{ind}_L{lag}"] = wide.groupby(level="unit")[ind].shift(lag)
    wide = wide.reset_index()
    for target, group in spec.groupby("to"):
        rhs = " + ".join(f"{f}_L{lag}" for f, lag in zip(group["from"], group["lag"]))
        pf.feols(f"{target} ~ {rhs} | unit + period", data=wide,
                 vcov={"CRV1": "unit"}).tidy()
""")


#: The phases of ``bms-eval links`` in one process, each timed (where the time goes).
PHASES = textwrap.dedent("""
    import sys, time
    start = time.perf_counter()
    from bms_eval.narrative.link_results import estimate_links
    from bms_eval.inputs.validation import load_inputs
    imported = time.perf_counter()
    inputs = load_inputs(sys.argv[1], sys.argv[2])
    read = time.perf_counter()
    estimate_links(inputs.scorecard, inputs.data)
    done = time.perf_counter()
    print(imported - start, read - imported, done - read)
""")


def phases(card: Path, data: Path) -> tuple[float, float, float]:
    """Seconds for imports, reading and checking, estimating (median of REPEATS)."""
    runs = []
    for _ in range(REPEATS):
        proc = subprocess.run(
            [sys.executable, "-c", PHASES, str(card), str(data)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append([float(x) for x in proc.stdout.split()])
    return tuple(statistics.median(r[i] for r in runs) for i in range(3))  # type: ignore[return-value]


def workload(units: int, seed: int = 1) -> tuple[str, list[tuple[str, str, int]]]:
    """Scorecard YAML text and the links (from, to, lag)."""
    rng = np.random.default_rng(seed)
    ids = [f"I{i:02d}" for i in range(N_INDICATORS)]
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < N_LINKS:
        a, b = rng.choice(N_INDICATORS, 2, replace=False)
        pairs.add((ids[a], ids[b]))
    links = [(a, b, int(rng.integers(0, 3))) for a, b in sorted(pairs)]
    lines = ["scorecard: {name: benchmark}", "perspectives: [{id: p}]", "indicators:"]
    lines += [f"  - {{id: {i}, perspective: p, scale: [0, 100]}}" for i in ids]
    lines.append("links:")
    lines += [f'  - {{from: {a}, to: {b}, lag: {lag}, sign: "+"}}' for a, b, lag in links]
    lines.append("analysis: {effects: twoway}")
    return "\n".join(lines) + "\n", links


REPEATS = 5


def timed(*cmds: list[str]) -> list[float]:
    """Median wall time of :data:`REPEATS` runs of each command as a whole process,
    the commands taking turns (so a slower spell of the machine falls on each alike)."""
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(REPEATS):
        for cmd, spent in zip(cmds, times, strict=True):
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            spent.append(time.perf_counter() - start)
            if proc.returncode != 0:
                sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return [statistics.median(spent) for spent in times]


#: Share of cells left out at random in the gapped variant, as in real data.
GAPS = 0.03
#: The versions of each table: no gaps, gaps at random, late entries and missing years.
PATTERNS = ("balanced", "random gaps", "late entries, missing years")
#: The largest ratio to the pyfixest loop the issue on speed allows, per size and pattern
#: (the 30-unit table's bound is for its gapped versions).
BOUNDS = {(356, "balanced"): 0.30, (356, "random gaps"): 0.35, (30, "random gaps"): 1.0}


def with_gaps(panel, pattern: str):
    """``panel`` (tidy rows) with the cells ``pattern`` leaves out."""
    rng = np.random.default_rng(5)
    if pattern == "balanced":
        return panel
    if pattern == "random gaps":
        return panel[rng.random(len(panel)) >= GAPS].reset_index(drop=True)
    units = panel["unit"].unique()
    first = panel["period"].min()
    # a tenth of the units enter one to five years late; a twentieth miss one whole year
    n_late, n_missing = len(units) // 10, len(units) // 20
    late = dict(
        zip(rng.choice(units, n_late, replace=False), rng.integers(1, 6, n_late), strict=True)
    )
    missing = dict(
        zip(
            rng.choice(units, n_missing, replace=False),
            rng.integers(first, first + YEARS, n_missing),
            strict=True,
        )
    )
    entry = panel["unit"].map(late).fillna(0).to_numpy()
    gone = panel["unit"].map(missing).to_numpy()
    keep = (panel["period"].to_numpy() >= first + entry) & (panel["period"].to_numpy() != gone)
    return panel[keep].reset_index(drop=True)


def run(units: int, folder: Path, with_pyfixest: bool, pattern: str = "balanced") -> float:
    text, links = workload(units)
    card_path = folder / f"bench{units}.yaml"
    card_path.write_text(text, encoding="utf-8")
    card, _ = parse_scorecard(text, str(card_path))
    assert card is not None
    panel = with_gaps(simulate(card, [], units=units, periods=YEARS, seed=2), pattern)
    data_path = folder / f"bench{units}.csv"
    panel.to_csv(data_path, index=False)
    links_path = folder / f"links{units}.csv"
    links_path.write_text(
        "from,to,lag\n" + "".join(f"{a},{b},{lag}\n" for a, b, lag in links), encoding="utf-8"
    )
    exe = Path(sys.executable).with_name("bms-eval")
    ours_cmd = [
        str(exe),
        "links",
        "--quiet",
        str(card_path),
        str(data_path),
        "--out",
        str(folder / "out.csv"),
    ]
    script = folder / "pyfixest_loop.py"
    script.write_text(PYFIXEST_LOOP, encoding="utf-8")
    theirs_cmd = [sys.executable, str(script), str(data_path), str(links_path)]
    if AGAINST is not None:  # the same command run from another source checkout
        other_cmd = [
            "env",
            f"PYTHONPATH={AGAINST}",
            sys.executable,
            "-P",  # not this folder first on the path: the other checkout's package
            "-c",
            "import sys; sys.argv[0] = 'bms-eval'; from bms_eval.cli.main import main; "
            "sys.exit(main())",
            *ours_cmd[1:],
        ]
        ours, other = timed(ours_cmd, other_cmd)
        print(
            f"{units} units, {pattern}: bms-eval links {ours:.2f} s, "
            f"the same from {AGAINST} {other:.2f} s: ratio {ours / other:.2f}"
        )
        return ours / other
    ours, *rest = timed(ours_cmd, theirs_cmd) if with_pyfixest else timed(ours_cmd)
    print(
        f"{units} units × {YEARS} years × {N_INDICATORS} indicators = {len(panel):,} rows, "
        f"{len(links)} links, {pattern}"
    )
    print(f"  bms-eval links, every side and direction test  {ours:7.2f} s")
    imports, reading, estimating = phases(card_path, data_path)
    print(
        f"    of which imports {imports:.2f} s, reading and checking {reading:.2f} s, "
        f"estimating {estimating:.2f} s"
    )
    if not rest:
        return math.nan
    theirs = rest[0]
    print(f"  pyfixest loop, primary fits only               {theirs:7.2f} s")
    print(f"  ratio bms-eval / pyfixest (medians of {REPEATS} runs)  {ours / theirs:7.2f}")
    return ours / theirs


#: ``--against DIR``: a source checkout whose ``bms-eval links`` is timed beside this one's
#: (before and after a change), instead of the pyfixest loop.
AGAINST: str | None = None


def main() -> None:
    global AGAINST
    args = sys.argv[1:]
    if "--against" in args:
        AGAINST = args[args.index("--against") + 1]
    patterns = PATTERNS[:2] if "--quick" in args else PATTERNS
    ratios = {}
    with tempfile.TemporaryDirectory() as tmp:
        for units in (356, 30):
            for pattern in patterns:
                ratios[units, pattern] = run(units, Path(tmp), True, pattern)
    if AGAINST is None:
        print("\nratio to the pyfixest loop (bound of the issue on speed):")
        for (units, pattern), ratio in ratios.items():
            bound = BOUNDS.get((units, pattern))
            verdict = (
                "" if bound is None else f"  (≤ {bound:.2f}: {'yes' if ratio <= bound else 'no'})"
            )
            print(f"  {units:>3} units, {pattern:<28} {ratio:5.2f}{verdict}")


if __name__ == "__main__":
    main()
