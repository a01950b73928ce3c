"""Simulated panels from a fitted :class:`~bms_eval.simulation.history.History`, with
every arrow's effect planted, for one design (units × years).

Per draw, for indicator *k* (on the links' scale) ::

    x[k,i,t] = mean[k] + a[k,i] + w[k,i,t]
    w[k,i,t] = s[k]·(u[k,i,t] + g[k,t]) + Σ_(arrows j→k, lag) β·w[j,i,t − lag]
    u[k,i,t] = ρ[k]·u[k,i,t − 1] + e[k,i,t]

with the units' levels ``a`` and the innovations ``e`` correlated across
indicators as in the history, the period shocks ``g`` independent. An arrow's
``β`` is ``sign · effect · within_sd[k] / within_sd[j]``: a change of one
within-unit SD in the cause moves the effect by ``effect`` of its within-unit SD.
``s[k] = √(1 − n·effect²)`` (``n`` the arrow-lags into *k*, at least
:data:`MIN_OWN_SHARE`) keeps the effect's own variation about as large as in the
history. Twenty periods are generated and discarded first, so each panel starts
in equilibrium. The observed panel keeps the design's cells (the history's
pattern, extended: :func:`design_masks`), cut at the scale's bounds and rounded
as the history was reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bms_eval.estimation.panel import Panel
from bms_eval.inputs.model import Scorecard
from bms_eval.simulation.history import History

#: Periods generated and discarded before the design's first.
BURN_IN = 20
#: Smallest share of its within-unit variance an effect keeps of its own.
MIN_OWN_SHARE = 0.1


@dataclass(frozen=True)
class StudyDesign:
    """A data collection to plan for: ``units`` units observed over ``years`` periods.

    ``kind`` is ``current`` (the history's size), ``years`` (more periods, the
    history's units) or ``units`` (more units, the history's periods).
    """

    units: int
    years: int
    kind: str = "current"


@dataclass(frozen=True)
class PlantedArrow:
    """One arrow-lag with its planted coefficient (in the links' scale)."""

    source: str
    target: str
    lag: int
    beta: float


def planted_arrows(
    history: History,
    scorecard: Scorecard,
    effect: float,
    scales: Mapping[tuple[str, str, int], float] | None = None,
) -> list[PlantedArrow]:
    """Every link at each of its lags, with the effect of ``effect`` within-unit SDs
    in the link's expected direction.

    ``scales`` gives, per ``(from, to, lag)``, the coefficient in data units of one SD
    per SD as the link tests standardize it on the observed data (``estimate /
    std_estimate``: the SDs over the cells that arrow's model uses): the planted
    effect is then the same effect as the tests' ``std_estimate`` and ``mde_std``.
    Without it (a history made by hand), the history's within-unit SDs set it."""
    out = []
    for link in scorecard.links:
        cause, target = history.indicators[link.source], history.indicators[link.target]
        ratio = target.within_sd / cause.within_sd if cause.within_sd > 0 else 0.0
        sign = 1.0 if link.sign == "+" else -1.0
        for lag in link.lags:
            scale = (scales or {}).get((link.source, link.target, lag), math.nan)
            beta = scale if math.isfinite(scale) else ratio
            out.append(PlantedArrow(link.source, link.target, lag, sign * effect * beta))
    return out


def own_scales(history: History, arrows: list[PlantedArrow]) -> np.ndarray:
    """Per indicator (``history.ids`` order), the factor on its own variation:
    ``√(1 − Σ effect²)`` over the arrow-lags into it (each ``effect`` in its within-unit
    SDs), at least ``√MIN_OWN_SHARE``, so its within-unit spread stays as in the
    history."""
    position = {k: i for i, k in enumerate(history.ids)}
    effect_share = np.zeros(len(history.ids))
    for arrow in arrows:
        cause = history.indicators[arrow.source]
        target = history.indicators[arrow.target]
        if target.within_sd > 0:
            effect_share[position[arrow.target]] += (
                arrow.beta * cause.within_sd / target.within_sd
            ) ** 2
    return np.sqrt(np.maximum(1 - effect_share, MIN_OWN_SHARE))


def design_masks(history: History, design: StudyDesign, seed: int) -> dict[str, np.ndarray]:
    """Which cells of the design each indicator has.

    The history's cells, for its latest ``years`` periods and first ``units``
    units; each added unit copies the pattern of a history unit drawn at random
    (the same for every indicator); in each added year a cell is missing with
    the indicator's share missing in its latest periods. Fixed per design (drawn
    from ``seed`` and the design), so every draw of a design has the same gaps.
    """
    rng = np.random.default_rng([seed, 1, design.units, design.years])
    n0, t0 = history.n_units, history.n_years
    copies = rng.integers(0, n0, max(design.units - n0, 0))
    rows = np.r_[np.arange(min(n0, design.units)), copies]
    out = {}
    for k in history.ids:
        past = history.observed[k][rows][:, max(t0 - design.years, 0) :]
        added = design.years - past.shape[1]
        new = rng.random((design.units, added)) >= history.indicators[k].recent_missing
        out[k] = np.hstack([past, new])
    return out


def _factor(corr: np.ndarray) -> np.ndarray:
    """``F`` with ``F F′ = corr`` (for a positive semi-definite ``corr``)."""
    values, vectors = np.linalg.eigh(corr)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def _order(ids: Sequence[str], arrows: list[PlantedArrow]) -> list[int]:
    """Positions of the indicators with every same-year cause before its effect
    (a same-year cycle keeps the scorecard's order: the effect then sees the cause's
    value of the period only as far as it is already drawn)."""
    parents = {k: {a.source for a in arrows if a.target == k and a.lag == 0} for k in ids}
    order: list[str] = []
    while len(order) < len(ids):
        ready = [k for k in ids if k not in order and parents[k] <= set(order)]
        order.extend(ready or [next(k for k in ids if k not in order)])
    return [list(ids).index(k) for k in order]


def simulate_design(
    history: History,
    arrows: list[PlantedArrow],
    design: StudyDesign,
    masks: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> Panel:
    """One simulated panel of ``design`` (see the module's description)."""
    ids = history.ids
    k_count, n, total = len(ids), design.units, BURN_IN + design.years
    h = [history.indicators[k] for k in ids]
    position = {k: i for i, k in enumerate(ids)}
    levels = _factor(history.level_corr) @ rng.standard_normal((k_count, n))
    levels *= np.array([x.sd_between for x in h])[:, None]
    shocks = rng.standard_normal((k_count, total)) * np.array([x.sd_period for x in h])[:, None]
    rho = np.array([x.persistence for x in h])
    innovation_sd = np.array([x.sd_within * math.sqrt(1 - x.persistence**2) for x in h])
    e = (_factor(history.innovation_corr) @ rng.standard_normal((k_count, n * total))).reshape(
        k_count, n, total
    )
    e *= innovation_sd[:, None, None]
    u = np.empty_like(e)
    u[:, :, 0] = e[:, :, 0] / np.sqrt(1 - rho**2)[:, None]  # a stationary start
    for t in range(1, total):
        u[:, :, t] = rho[:, None] * u[:, :, t - 1] + e[:, :, t]
    w = own_scales(history, arrows)[:, None, None] * (u + shocks[:, None, :])
    if arrows:
        incoming = [
            [(position[a.source], a.lag, a.beta) for a in arrows if a.target == k] for k in ids
        ]
        order = [i for i in _order(ids, arrows) if incoming[i]]
        for t in range(total):
            for i in order:
                for j, lag, beta in incoming[i]:
                    if t >= lag:
                        w[i, :, t] += beta * w[j, :, t - lag]
    values = {}
    for i, k in enumerate(ids):
        grid = h[i].mean + levels[i][:, None] + w[i, :, BURN_IN:]
        lo, hi = h[i].bounds
        grid = np.clip(grid, lo, hi)
        if h[i].decimals is not None:
            grid = np.round(grid, h[i].decimals)
        values[k] = np.where(masks[k], grid, np.nan)
    width = max(2, len(str(n)))
    first = int(history.periods[0]) if history.n_years else 0
    return Panel(
        tuple(f"U{i + 1:0{width}d}" for i in range(n)),
        np.arange(first, first + design.years, dtype=np.int64),
        values,
    )
