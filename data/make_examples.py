"""Regenerate the bundled synthetic examples from their documented truth.

Run from the repository root: ``python data/make_examples.py``. It rewrites
``data/<example>/indicators.csv`` and ``truth.csv`` for each example; a test checks
that the committed files are exactly what this script makes, so the truth in the
READMEs is the truth in the data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bms_eval.inputs import load_scorecard
from bms_eval.simulation.truth import effects_table, simulate

HERE = Path(__file__).resolve().parent

# The example (Tønsberg-style service units). Effects are in the indicators' own units.
EXAMPLE_TRUTH = [
    # real within units (and a matching difference between units)
    {"from": "L1.1", "to": "M1.1", "lag": 1, "within": 0.07, "between": 0.05},
    {"from": "L1.1", "to": "P1.2", "lag": 1, "within": -0.35, "between": -0.2},
    {"from": "M1.2", "to": "P1.1", "lag": 0, "within": -2.5, "between": -1.5},
    {"from": "P1.1", "to": "B3.1", "lag": 0, "within": -0.06, "between": -0.04},
    {"from": "B3.1", "to": "B3.2", "lag": 0, "within": -0.25, "between": -0.2},
    {"from": "P1.2", "to": "B1.1", "lag": 1, "within": -0.1},
    # only between units: staff and user satisfaction share causes nobody steers
    {"from": "M1.1", "to": "B1.1", "lag": 0, "between": 1.2},
    # reverse: sick leave lowers satisfaction next year, not the other way round
    {"from": "M1.1", "to": "M1.2", "lag": 1, "reverse": -0.09},
    # weak: too small to tell apart from nothing in 30 units
    {"from": "P1.2", "to": "Ø1.1", "lag": 1, "within": 0.08},
]
# absent: B2.1 → B2.2 and L1.2 → P1.1 have no effect at all.

EXAMPLE_PROCESSES = {
    "Ø1.1": {"mean": 2.5, "sd_between": 0.8, "sd_within": 1.0, "sd_period": 0.4, "decimals": 1},
    "P1.1": {"mean": 82, "sd_between": 5, "sd_within": 4, "sd_period": 1.5, "decimals": 0},
    "P1.2": {"mean": 5, "sd_between": 1.2, "sd_within": 0.8, "sd_period": 0.3, "decimals": 1},
    "M1.1": {"mean": 3.9, "sd_between": 0.3, "sd_within": 0.2, "sd_period": 0.05, "decimals": 2},
    "M1.2": {"mean": 7.5, "sd_between": 1.5, "sd_within": 0.8, "sd_period": 0.4, "decimals": 1},
    "B1.1": {
        "mean": 4.6,
        "sd_between": 0.25,
        "sd_within": 0.22,
        "sd_period": 0.05,
        "decimals": 2,
        "missing": 0.04,
    },
    "B2.1": {
        "mean": 4.2,
        "sd_between": 0.3,
        "sd_within": 0.25,
        "sd_period": 0.05,
        "decimals": 2,
        "missing": 0.04,
    },
    "B2.2": {
        "mean": 4.4,
        "sd_between": 0.3,
        "sd_within": 0.25,
        "sd_period": 0.05,
        "decimals": 2,
        "missing": 0.04,
    },
    "B3.1": {"mean": 3.0, "sd_between": 0.6, "sd_within": 0.45, "sd_period": 0.1, "decimals": 1},
    "B3.2": {
        "mean": 4.6,
        "sd_between": 0.3,
        "sd_within": 0.22,
        "sd_period": 0.05,
        "decimals": 2,
        "missing": 0.04,
    },
    "L1.1": {"mean": 4.0, "sd_between": 1.0, "sd_within": 1.0, "sd_period": 0.3, "decimals": 1},
    "L1.2": {
        "mean": 6.0,
        "sd_between": 2.0,
        "sd_within": 1.8,
        "sd_period": 0.5,
        "decimals": 0,
        "missing": 0.1,
    },
}

# Heimdal-style upper secondary schools, focus area regional development.
HEIMDAL_TRUTH = [
    {"from": "R1.1", "to": "R2.1", "lag": 1, "within": 4.0, "between": 3.0},
    {"from": "R1.2", "to": "R2.1", "lag": 1, "between": 2.5},
]
# absent: R1.1 → R1.2.

HEIMDAL_PROCESSES = {
    "R1.1": {"mean": 4.3, "sd_between": 0.5, "sd_within": 0.4, "sd_period": 0.1, "decimals": 1},
    "R1.2": {"mean": 7.5, "sd_between": 2.0, "sd_within": 1.2, "sd_period": 0.3, "decimals": 0},
    "R2.1": {
        "mean": 68,
        "sd_between": 8,
        "sd_within": 3.5,
        "sd_period": 1.0,
        "decimals": 0,
        "missing": 0.03,
    },
}

EXAMPLES = {
    "example": dict(
        truth=EXAMPLE_TRUTH,
        indicators=EXAMPLE_PROCESSES,
        units=[f"E{i:02d}" for i in range(1, 31)],
        periods=10,
        start=2015,
        seed=29092005,
    ),
    "heimdal": dict(
        truth=HEIMDAL_TRUTH,
        indicators=HEIMDAL_PROCESSES,
        units=[f"S{i:02d}" for i in range(1, 21)],
        periods=12,
        start=2008,
        seed=11122008,
    ),
}


def build(name: str, seed: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The panel and the truth table of one bundled example (or, with ``seed``, another
    draw of the same design)."""
    spec = EXAMPLES[name]
    card = load_scorecard(HERE / name / f"{name}.yaml")
    panel = simulate(
        card,
        spec["truth"],
        units=spec["units"],
        periods=spec["periods"],
        start=spec["start"],
        indicators=spec["indicators"],
        seed=spec["seed"] if seed is None else seed,
    )
    return panel, effects_table(spec["truth"])


def main() -> None:
    """Write every example's ``indicators.csv`` and ``truth.csv``."""
    for name in EXAMPLES:
        panel, truth = build(name)
        panel.to_csv(HERE / name / "indicators.csv", index=False, lineterminator="\n")
        truth.to_csv(HERE / name / "truth.csv", index=False, lineterminator="\n")
        print(f"{name}: {len(panel)} rows, {panel['unit'].nunique()} units")


if __name__ == "__main__":
    main()
