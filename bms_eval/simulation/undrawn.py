"""Panels with arrows the scorecard does not draw: the discovery's known truth.

:func:`undrawn_panel` builds a scorecard of ``indicators`` indicators in a chain of
drawn arrows (each true, at lag 1) and simulates it (:func:`bms_eval.simulation.truth.simulate`)
with, optionally, one true arrow nobody drew. The study of the discovery
(``benchmarks/discovery_study.py``) and its tests ask whether that arrow is
confirmed, and whether any other is listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.confounders import beta_for
from bms_eval.simulation.truth import simulate

#: Persistence of every indicator's unexplained part (the truth's default).
PERSISTENCE = 0.3
#: The drawn arrows' standardized effect.
DRAWN_EFFECT = 0.3


def scorecard_text(indicators: int) -> str:
    """A scorecard (YAML) of ``indicators`` indicators ``K01 …``, arrows ``K01 → K02 →
    …`` every second one (lag 1)."""
    ids = [f"K{i + 1:02d}" for i in range(indicators)]
    lines = ["scorecard: {name: undrawn study}", "perspectives: [{id: p}]", "indicators:"]
    lines += [f"  - {{id: {i}, perspective: p}}" for i in ids]
    lines.append("links:")
    lines += [f'  - {{from: {a}, to: {b}, lag: 1, sign: "+"}}' for a, b in _drawn(ids)]
    lines.append("analysis: {effects: twoway}")
    return "\n".join(lines) + "\n"


def _drawn(ids: list[str]) -> list[tuple[str, str]]:
    return [(ids[i], ids[i + 1]) for i in range(0, len(ids) - 1, 2)]


def undrawn_panel(
    *,
    indicators: int = 8,
    units: int = 150,
    periods: int = 12,
    undrawn_effect: float = 0.3,
    missing: float = 0.03,
    seed: int = 0,
):
    """A scorecard and a panel with known truth.

    Parameters
    ----------
    indicators : int
        Indicators ``K01 …``; the drawn arrows join ``K01 → K02``, ``K03 → K04`` ….
    units, periods : int
    undrawn_effect : float
        Standardized within-unit effect of the one undrawn true arrow ``K02 → K03``
        at lag 1 (0: none; the drawn arrows are then the whole truth).
    missing : float
        Share of values missing at random.
    seed : int

    Returns
    -------
    scorecard : Scorecard
    data : pandas.DataFrame
        Tidy rows.
    truth : tuple of (str, str, int)
        The undrawn true arrow, or ``None``.
    """
    card, problems = parse_scorecard(scorecard_text(indicators), "undrawn.yaml")
    assert card is not None, problems
    ids = list(card.indicator_ids)
    effects = [
        {"from": a, "to": b, "lag": 1, "within": beta_for(DRAWN_EFFECT, PERSISTENCE)}
        for a, b in _drawn(ids)
    ]
    truth = None
    if undrawn_effect:
        truth = (ids[1], ids[2], 1)
        effects.append(
            {
                "from": ids[1],
                "to": ids[2],
                "lag": 1,
                "within": beta_for(undrawn_effect, PERSISTENCE),
            }
        )
    processes = {i: {"missing": missing, "persistence": PERSISTENCE, "decimals": None} for i in ids}
    data = simulate(
        card, pd.DataFrame(effects), units=units, periods=periods, indicators=processes, seed=seed
    )
    return card, data, truth


def implied(card, truth: tuple[str, str, int] | None) -> set[tuple[str, str, int]]:
    """The true arrow and the arrows its path with a drawn one implies: ``A → B`` drawn
    at lag ``l`` and the true ``B → C`` at ``m`` make ``A`` move ``C`` at ``l + m``
    (and so on the other side) — effects that are there, not false findings."""
    if truth is None:
        return set()
    source, target, lag = truth
    found = {truth}
    for link in card.links:
        for drawn_lag in link.lags:
            if link.target == source:
                found.add((link.source, target, drawn_lag + lag))
            if link.source == target:
                found.add((source, link.target, lag + drawn_lag))
    return found


def listed(found: pd.DataFrame) -> list[tuple[str, str, int]]:
    """The confirmed arrows of a discovery table as ``(from, to, lag)``."""
    rows = found[found["confirmed"].astype(bool)]
    return [
        (str(a), str(b), int(c))
        for a, b, c in zip(rows["from"], rows["to"], rows["lag"], strict=True)
    ]


def share(flags: list[bool]) -> float:
    """The share of true flags."""
    return float(np.mean(flags)) if flags else float("nan")
