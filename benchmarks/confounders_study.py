"""Study: verdicts on panels with the shapes that mislead a within estimator.

For each shape of :mod:`bms_eval.simulation.confounders` (unit-specific trends, a
national shock felt unequally, a reform adopted in two waves with a constant or a
growing effect, and the plain case for reference), with no link and with a true
link of :data:`EFFECT` within-unit SD, at 30 and 150 units × 8 and 12 years, it runs
``bms_eval.estimate_links`` on seeded panels and prints, per cell, the share of
panels with each kind of verdict:

- ``definite``: ``supported``, ``reciprocal``, ``reverse`` or ``contradicted`` (with
  no link, every one is wrong);
- ``supported`` and ``wrong sign`` (``contradicted``);
- the cautions ``trend_sensitive``, ``common_shock_sensitive``, ``pretrend_failed``.

A Monte Carlo standard error of a share ``p`` over ``n`` panels is ``√(p(1 − p)/n)``:
with 100 panels, about 0.03 at 0.1 and 0.05 at 0.5.

Run ``python benchmarks/confounders_study.py [PANELS] [SHAPE …]`` (default 100 panels,
every shape; about eight minutes on two cores). ``tests/test_robustness_designs.py`` and
``tests/test_staggered.py`` run seeded subsets.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import sys
import time
import warnings

from bms_eval import estimate_links
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.confounders import SHAPES, confounded_pair

#: The true effect of the "link" cells, in within-unit standard deviations.
EFFECT = 0.4
SIZES = ((30, 8), (30, 12), (150, 8), (150, 12))
DEFINITE = ("supported", "reciprocal", "reverse", "contradicted")
CAUTIONS = ("trend_sensitive", "common_shock_sensitive", "pretrend_failed")

CARD = """\
scorecard: {{name: study}}
perspectives: [{{id: p}}]
indicators:
  - {{id: X, name: X, perspective: p{kind}}}
  - {{id: Y, name: Y, perspective: p}}
links:
  - {{from: X, to: Y, lag: {lag}, sign: "+"}}
"""


def one(args: tuple[str, float, int, int, int]) -> tuple[str, tuple[str, ...]]:
    """One panel's verdict and cautions."""
    shape, effect, units, years, seed = args
    reform = shape.startswith("staggered")
    text = CARD.format(kind=", kind: reform" if reform else "", lag=0 if reform else 1)
    card, _ = parse_scorecard(text, "study.yaml")
    assert card is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = confounded_pair(shape, effect, units, years, seed)  # type: ignore[arg-type]
        row = estimate_links(card, data, influence=False).to_frame().iloc[0]
    cautions = tuple(str(row["cautions"]).split(";")) if isinstance(row["cautions"], str) else ()
    return str(row["verdict"]), cautions


def cell(
    pool: concurrent.futures.Executor, shape: str, effect: float, units: int, years: int, n: int
) -> dict:
    """Shares of verdicts and cautions over ``n`` seeded panels."""
    base = (SHAPES.index(shape) * 1000 + units) * 100 + years + (1 if effect else 0) * 10**7
    found = list(pool.map(one, [(shape, effect, units, years, base * 1000 + s) for s in range(n)]))
    verdicts = [v for v, _ in found]
    out = {
        "definite": sum(v in DEFINITE for v in verdicts) / n,
        "supported": verdicts.count("supported") / n,
        "wrong sign": verdicts.count("contradicted") / n,
    }
    for c in CAUTIONS:
        out[c] = sum(c in cs for _, cs in found) / n
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    shapes = [s for s in SHAPES if s in sys.argv[2:]] or list(SHAPES)
    start = time.perf_counter()
    context = (
        multiprocessing.get_context("fork") if hasattr(multiprocessing, "get_context") else None
    )
    print(f"Verdicts on confounded panels: {n} panels per cell, true link {EFFECT} SD")
    header = (
        f"{'shape':<19}{'link':<6}{'units×years':<13}{'definite':>9}{'supported':>10}"
        f"{'wrong sign':>11}{'trend_s.':>9}{'shock_s.':>9}{'pretrend':>9}"
    )
    print(header)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        for shape in shapes:
            for effect in (0.0, EFFECT):
                for units, years in SIZES:
                    r = cell(pool, shape, effect, units, years, n)
                    print(
                        f"{shape:<19}{'yes' if effect else 'no':<6}{f'{units}×{years}':<13}"
                        f"{r['definite']:>9.2f}{r['supported']:>10.2f}{r['wrong sign']:>11.2f}"
                        f"{r['trend_sensitive']:>9.2f}{r['common_shock_sensitive']:>9.2f}"
                        f"{r['pretrend_failed']:>9.2f}",
                        flush=True,
                    )
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
