"""The chain from means to ends, as the data support it.

A scorecard's story runs from learning and employees through processes to users
and economy. Here the means → end arrows whose forward effect holds (verdict
``supported``, or ``reciprocal``: supported and also running back) form a
directed graph; the chain holds where a path of them leads from a means to an end
(the ends and the side-effect arrows as :mod:`bms_eval.assessment.roles` reads
them from the scorecard). Side-effect arrows never join a chain; those whose
effect holds are listed apart (``side_effects_confirmed``). Paths that are the
tail of a longer one are not listed separately. Where an assumed path breaks, the
first link on it that does not hold is named.

Along each path the indirect effect is the product of the links' standardized
effects, each *aligned with the indicators' directions* (positive when an
improvement in the cause goes with an improvement in the effect, whichever way
each indicator counts as better), so a chain of supported links never shows a
negative indirect effect merely because an indicator improves downwards. Each
link contributes the effect its verdict rests on (the bias-corrected direction
test where it was run, else the static within estimate) with its standard
error from the row; the interval is a Monte Carlo interval at ``1 − alpha``
from :data:`DRAWS` normal draws of each effect (taken as independent), seeded
by the run's ``analysis.seed``.
"""

from __future__ import annotations

import itertools
import math
from collections import deque

import numpy as np
import pandas as pd

from bms_eval.assessment.roles import Roles, roles
from bms_eval.estimation.arrows import arrow_verdicts
from bms_eval.estimation.verdicts import direction_checked
from bms_eval.inputs.model import Scorecard

DRAWS = 20_000
#: Longest path (in links) that is searched.
MAX_PATH = 8
#: Most paths listed, and most steps of the search for them: the number of paths
#: grows exponentially with the arrows (100 arrows among 11 indicators have
#: millions), so the search stops there and says so (``paths_complete``).
MAX_PATHS = 200
MAX_STEPS = 200_000


#: Verdicts whose forward effect holds: the links a chain can run along.
HOLDING = ("supported", "reciprocal")


def _edges(links: pd.DataFrame, verdicts: tuple[str, ...]) -> dict[tuple[str, str], dict]:
    """Best row per (from, to): among the rows with these verdicts, the largest
    |std_estimate|."""
    rows = links[links["verdict"].isin(verdicts)]
    out: dict[tuple[str, str], dict] = {}
    for r in rows.to_dict("records"):
        key = (r["from"], r["to"])
        est = r.get("std_estimate")
        size = abs(est) if est is not None and math.isfinite(est) else -1.0
        if key not in out or size > out[key]["_size"]:
            out[key] = {**r, "_size": size}
    return out


def _reached(step: dict[str, list[str]], seeds: set[str]) -> set[str]:
    """The seeds and every node reached from them along ``step`` (breadth first)."""
    seen, queue = set(seeds), deque(seeds)
    while queue:
        for b in step.get(queue.popleft(), []):
            if b not in seen:
                seen.add(b)
                queue.append(b)
    return seen


def _can_reach(nxt: dict[str, list[str]], ends: set[str]) -> set[str]:
    """Every node from which some end can be reached (the search run backwards)."""
    back: dict[str, list[str]] = {}
    for a, bs in nxt.items():
        for b in bs:
            back.setdefault(b, []).append(a)
    return _reached(back, ends)


def on_paths(edges: set[tuple[str, str]], starts: list[str]) -> set[str]:
    """Every node on a path of at least one edge from a start."""
    nxt: dict[str, list[str]] = {}
    for a, b in edges:
        nxt.setdefault(a, []).append(b)
    return _reached(nxt, {s for s in starts if s in nxt})


def _paths(
    edges: set[tuple[str, str]], starts: list[str], ends: set[str]
) -> tuple[list[list[str]], bool]:
    """Simple paths from a start to an end, at most :data:`MAX_PATH` links long.

    A dense scorecard has exponentially many paths, so the search is bounded: it
    only enters nodes from which an end can still be reached, keeps at most
    :data:`MAX_PATHS` paths and takes at most :data:`MAX_STEPS` steps. Returns
    the paths found and whether the search was complete.
    """
    nxt: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        nxt.setdefault(a, []).append(b)
    useful = _can_reach(nxt, ends)
    found: list[list[str]] = []
    steps = 0

    def walk(path: list[str]) -> bool:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or len(found) >= MAX_PATHS:
            return False
        if len(path) > 1 and path[-1] in ends:
            found.append(list(path))
        if len(path) > MAX_PATH:
            return True
        for b in nxt.get(path[-1], []):
            if b in useful and b not in path and not walk([*path, b]):
                return False
        return True

    complete = all(walk([s]) for s in starts if s in useful)
    return found, complete


def _maximal(paths: list[list[str]]) -> list[list[str]]:
    """Drop paths that are the tail of a longer one (M1 → B1 within L1 → M1 → B1)."""
    return [p for p in paths if not any(len(q) > len(p) and q[-len(p) :] == p for q in paths)]


def _finite(value: object) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def aligned_effect(row: dict, card: Scorecard) -> tuple[float, float]:
    """The standardized effect a link's verdict rests on, aligned with the indicators'
    directions, and its standard error.

    The bias-corrected forward effect where the direction test was run, else the
    static within effect; each in standard deviations of the within-unit
    variation, its standard error scaled alike.
    """
    forward = direction_checked(row) and _finite(row.get("forward_std_estimate"))
    if forward:
        std, raw, se = (
            row["forward_std_estimate"],
            row["forward_estimate"],
            row["forward_std_error"],
        )
    else:
        std, raw, se = row["std_estimate"], row["estimate"], row["std_error"]
    ratio = abs(std / raw) if _finite(raw) and raw != 0 else math.nan
    sign = 1.0
    for ind in (row["from"], row["to"]):
        sign *= 1.0 if card.indicator(ind).direction == "up" else -1.0
    return sign * float(std), float(se) * ratio


def indirect_effect(
    rows: list[dict], card: Scorecard, rng: np.random.Generator, alpha: float
) -> dict:
    """Product of the aligned standardized effects along a path, with a ``1 − alpha``
    Monte Carlo interval."""
    pairs = [aligned_effect(r, card) for r in rows]
    est = np.array([e for e, _ in pairs])
    se = np.array([s for _, s in pairs])
    if not np.all(np.isfinite(se)):
        return {
            "estimate": float(est.prod()),
            "ci_low": math.nan,
            "ci_high": math.nan,
            "level": 1 - alpha,
        }
    draws = rng.normal(est[:, None], se[:, None], size=(len(rows), DRAWS)).prod(axis=0)
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return {
        "estimate": float(est.prod()),
        "ci_low": float(low),
        "ci_high": float(high),
        "level": 1 - alpha,
    }


def chain(card: Scorecard, links: pd.DataFrame, card_roles: Roles | None = None) -> dict:
    """Supported paths, perspectives joined and reached, and where assumed paths break.

    Returns
    -------
    dict
        ``supported_paths`` (lists of indicator ids), ``perspectives_reached``,
        ``perspectives_joined`` (pairs), ``indirect_effects`` (per path: ``path``,
        ``estimate``, ``ci_low``, ``ci_high``, ``level``),
        ``breaks`` (``{path, link, verdict}`` for assumed paths that do not hold),
        ``side_effects_confirmed`` (``{link, verdict}``: side-effect arrows whose
        effect holds), ``ends`` (each end's id with why it is one),
        ``reaches_ends`` (whether a supported path reaches users or economy),
        ``paths_complete`` (false when the bounded search stopped early: the paths
        and breaks listed are then the first :data:`MAX_PATHS` found) and
        ``path_limit``.
    """
    card_roles = card_roles or roles(card)
    persp = {i.id: i.perspective for i in card.indicators}
    ends = set(card_roles.ends)
    starts = [i for i in card.indicator_ids if i not in ends]
    toward_ends = {(lk.source, lk.target) for lk in card_roles.means_links}
    supported = _edges(links, HOLDING) if len(links) else {}
    side_effects = [
        {"link": f"{a}>{b}", "verdict": row["verdict"]}
        for (a, b), row in supported.items()
        if (a, b) not in toward_ends
    ]
    supported = {k: v for k, v in supported.items() if k in toward_ends}
    found, complete = _paths(set(supported), starts, ends)
    paths = _maximal(found)
    rng = np.random.default_rng(card.analysis.seed)
    alpha = card.analysis.alpha
    effects = [
        {
            "path": p,
            **indirect_effect(
                [supported[(a, b)] for a, b in itertools.pairwise(p)], card, rng, alpha
            ),
        }
        for p in paths
    ]
    joined = sorted({(persp[a], persp[b]) for a, b in supported if persp[a] != persp[b]})
    reached = {persp[i] for i in on_paths(set(supported), starts)}
    verdict_of = arrow_verdicts(links)
    breaks = []
    assumed, assumed_complete = _paths(toward_ends, starts, ends)
    for p in assumed:
        for a, b in itertools.pairwise(p):
            verdict = verdict_of.get((a, b), "insufficient_data")
            if verdict not in HOLDING:
                breaks.append({"path": p, "link": f"{a}>{b}", "verdict": verdict})
                break
    order = [p.id for p in card.perspectives]
    return {
        "supported_paths": paths,
        "perspectives_reached": [p for p in order if p in reached],
        "perspectives_joined": [list(j) for j in joined],
        "indirect_effects": effects,
        "breaks": breaks,
        "side_effects_confirmed": side_effects,
        "ends": card_roles.ends,
        "reaches_ends": bool(paths),
        "paths_complete": complete and assumed_complete,
        "path_limit": MAX_PATHS,
    }
