"""Synthetic indicator panels with a known truth.

:func:`simulate` generates a tidy panel (units × periods × indicators) for a
scorecard from a table of true effects. It is how the bundled examples were
made, how the tests check that the estimators find what is there (and nothing
that is not), and how power can be planned before data are collected.

The data-generating process, for indicator *k*, unit *i*, period *t*::

    y[k,i,t] = mean[k] + a[k,i] + g[k,t] + z[k,i,t]              (latent value)
    a[k,i]   = u[k,i] + Σ_j between[j→k] · u[j,i],   u[k,i] ~ N(0, sd_between[k])
    g[k,t]   ~ N(0, sd_period[k])                                (common shocks)
    z[k,i,t] = Σ_(j,lag) within[j→k,lag] · z[j,i,t−lag] + u[k,i,t]
    u[k,i,t] = persistence[k] · u[k,i,t−1] + e,                  e ~ N(0, sd_within[k])

so ``within`` is the effect of a change in the cause *within a unit* on the
effect ``lag`` periods later (in the indicators' own units) — exactly the
coefficient a fixed-effects regression of the effect on the cause at that lag
estimates — while the unexplained part ``u`` is persistent, as real indicators
are (serially correlated errors). ``between`` is
an association of the units' levels that no within-unit change carries: the
signature of confounding, where units that score high on one indicator score
high on the other for reasons nobody steers. ``reverse`` adds a within effect
of the *effect* indicator at ``t − lag`` on the cause at ``t``.

What is observed is then distorted the way real indicators are: some values
just short of an ambition threshold are nudged over it (``bunching``), values are
cut at the scale bounds (ceiling and floor), rounded (``decimals``) and some are
missing at random (``missing``). Effects act on the latent values, as in a world
where the measurement is imperfect but the causes are real.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from bms_eval.inputs.model import Indicator, Scorecard

EFFECT_COLUMNS = ("from", "to", "lag", "within", "between", "reverse")


@dataclass(frozen=True)
class IndicatorProcess:
    """How one indicator is generated.

    Attributes
    ----------
    mean : float
        Long-run average over units.
    sd_between : float
        Standard deviation of the units' own levels.
    sd_within : float
        Standard deviation of the yearly within-unit shocks.
    sd_period : float
        Standard deviation of shocks common to all units in a period.
    persistence : float
        Autoregressive coefficient of the unexplained within-unit part (0 ≤ · < 1).
    missing : float
        Share of values missing completely at random.
    decimals : int or None
        Rounding of observed values; ``None`` keeps full precision.
    bunching : float
        Share of values within one ``sd_within`` short of the ambition threshold
        that are reported just over it (the gaming signature).
    clip : bool
        Cut observed values at the indicator's scale bounds.
    respondents : int or None
        Report each unit-period as the *average of this many whole-number answers*
        on the indicator's scale, as a survey's unit average is: each answer is the
        latent value plus ``N(0, answer_sd)``, rounded and cut to the scale. Such
        averages seldom reach a bound even where most answers do (a ceiling that
        only the headroom rule sees). ``None``: the latent value itself.
    answer_sd : float
        Spread of one respondent's answer around the unit's latent value.
    """

    mean: float = 50.0
    sd_between: float = 5.0
    sd_within: float = 3.0
    sd_period: float = 1.0
    persistence: float = 0.3
    missing: float = 0.0
    decimals: int | None = 1
    bunching: float = 0.0
    clip: bool = True
    respondents: int | None = None
    answer_sd: float = 1.0


def default_process(indicator: Indicator) -> IndicatorProcess:
    """A plausible process for an indicator, scaled to its declared scale.

    With a scale ``[lo, hi]`` the mean sits at 60 % of the range (or at the
    ambition threshold's neighbourhood when one is set), units differ by 8 % of
    the range and yearly shocks are 5 % of it; without a scale, ``mean`` 50 and
    the defaults of :class:`IndicatorProcess`.
    """
    if indicator.scale is None or not all(math.isfinite(b) for b in indicator.scale):
        return IndicatorProcess()
    lo, hi = indicator.scale
    span = hi - lo
    mean = lo + 0.6 * span
    if indicator.ambition is not None:
        anchor = indicator.ambition.threshold
        mean = indicator.ambition.target if anchor is None else anchor
        mean = min(max(mean, lo + 0.2 * span), hi - 0.2 * span)
    return IndicatorProcess(
        mean=mean,
        sd_between=0.08 * span,
        sd_within=0.05 * span,
        sd_period=0.015 * span,
        decimals=2 if span <= 10 else 1,
    )


def _processes(
    card: Scorecard, overrides: Mapping[str, Mapping[str, object]] | None
) -> dict[str, IndicatorProcess]:
    names = {f.name for f in fields(IndicatorProcess)}
    out = {ind.id: default_process(ind) for ind in card.indicators}
    for ident, params in (overrides or {}).items():
        if ident not in out:
            raise ValueError(f"indicators: {ident!r} is not an indicator of the scorecard")
        unknown = set(params) - names
        if unknown:
            raise ValueError(
                f"indicators[{ident!r}]: unknown parameter(s) {sorted(unknown)}; "
                f"known: {sorted(names)}"
            )
        out[ident] = replace(out[ident], **params)  # type: ignore[arg-type]
    for ident, proc in out.items():
        if not 0 <= proc.persistence < 1:
            raise ValueError(f"indicators[{ident!r}]: persistence must be in [0, 1)")
        if not 0 <= proc.missing < 1 or not 0 <= proc.bunching <= 1:
            raise ValueError(f"indicators[{ident!r}]: missing and bunching are shares in [0, 1)")
        if min(proc.sd_between, proc.sd_within, proc.sd_period, proc.answer_sd) < 0:
            raise ValueError(f"indicators[{ident!r}]: standard deviations must be ≥ 0")
        if proc.respondents is not None:
            if proc.respondents < 1:
                raise ValueError(f"indicators[{ident!r}]: respondents must be 1 or more")
            if card.indicator(ident).scale is None:
                raise ValueError(
                    f"indicators[{ident!r}]: respondents needs the indicator's scale "
                    "(answers are whole numbers on it)"
                )
    return out


def effects_table(effects: pd.DataFrame | Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Normalise a table of true effects to the columns ``from, to, lag, within,
    between, reverse`` (missing effect columns are 0)."""
    df = pd.DataFrame(effects if isinstance(effects, pd.DataFrame) else list(effects))
    if df.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in ("from", "to") else float) for c in EFFECT_COLUMNS}
        )
    unknown = set(df.columns) - set(EFFECT_COLUMNS)
    if unknown:
        raise ValueError(
            f"effects: unknown column(s) {sorted(unknown)}; known: {list(EFFECT_COLUMNS)}"
        )
    for col in ("from", "to"):
        if col not in df:
            raise ValueError(f"effects: the column {col!r} is required")
    out = df.copy()
    out["lag"] = out["lag"].astype(int) if "lag" in out else 0
    for col in ("within", "between", "reverse"):
        out[col] = out[col].fillna(0.0).astype(float) if col in out else 0.0
    if (out["lag"] < 0).any():
        raise ValueError("effects: lags must be 0 or more")
    if ((out["lag"] == 0) & (out["reverse"] != 0)).any():
        raise ValueError(
            "effects: a reverse effect needs lag ≥ 1 (at lag 0 it would make X "
            "and Y cause each other in the same period)"
        )
    return out[list(EFFECT_COLUMNS)].reset_index(drop=True)


def _within_edges(table: pd.DataFrame) -> list[tuple[str, str, int, float]]:
    edges = [
        (r["from"], r["to"], int(r["lag"]), float(r["within"]))
        for _, r in table.iterrows()
        if r["within"] != 0
    ]
    edges += [
        (r["to"], r["from"], int(r["lag"]), float(r["reverse"]))
        for _, r in table.iterrows()
        if r["reverse"] != 0
    ]
    return edges


def _order(ids: Sequence[str], edges: list[tuple[str, str, int, float]]) -> list[str]:
    """Indicators ordered so that every lag-0 cause comes before its effect."""
    parents = {k: {s for s, t, lag, _ in edges if t == k and lag == 0} for k in ids}
    order: list[str] = []
    while len(order) < len(ids):
        ready = [k for k in ids if k not in order and parents[k] <= set(order)]
        if not ready:
            cycle = sorted(k for k in ids if k not in order)
            raise ValueError(
                f"effects: the lag-0 effects form a cycle among {cycle}; "
                "simultaneous feedback cannot be simulated"
            )
        order.extend(ready)
    return order


def _unit_and_period_ids(
    units: int | Sequence[str], periods: int | Sequence[int], start: int
) -> tuple[list[str], list[int]]:
    """The units' codes (``U01``, … for a number) and the periods."""
    unit_ids = (
        [f"U{i + 1:0{max(2, len(str(units)))}d}" for i in range(units)]
        if isinstance(units, int)
        else [str(u) for u in units]
    )
    period_ids = (
        list(range(start, start + periods))
        if isinstance(periods, int)
        else [int(p) for p in periods]
    )
    return unit_ids, period_ids


@dataclass(frozen=True)
class _Latent:
    """Per indicator: the units' levels, the yearly shocks and the within-unit process,
    burn-in included."""

    level: dict[str, np.ndarray]
    shocks: dict[str, np.ndarray]
    within: dict[str, np.ndarray]


def _latent(
    ids: list[str],
    procs: dict[str, IndicatorProcess],
    table: pd.DataFrame,
    n_units: int,
    n_total: int,
    rng: np.random.Generator,
) -> _Latent:
    """Each indicator's unit levels (with the between associations), yearly shocks and
    within-unit process (AR(1) noise plus the lagged within effects), drawn in that
    order.

    Raises
    ------
    ValueError
        The lag-0 effects form a cycle.
    """
    edges = _within_edges(table)
    order = _order(ids, edges)
    own = {k: rng.normal(0.0, procs[k].sd_between, n_units) for k in ids}
    level = {k: own[k].copy() for k in ids}
    for _, r in table.iterrows():
        if r["between"] != 0:
            level[r["to"]] += r["between"] * own[r["from"]]
    shocks = {k: rng.normal(0.0, procs[k].sd_period, n_total) for k in ids}
    noise = {k: rng.normal(0.0, procs[k].sd_within, (n_units, n_total)) for k in ids}
    u = {k: noise[k].copy() for k in ids}
    for k in ids:
        for t in range(1, n_total):
            u[k][:, t] += procs[k].persistence * u[k][:, t - 1]
    z = {k: np.zeros((n_units, n_total)) for k in ids}
    incoming = {k: [(s, lag, b) for s, t, lag, b in edges if t == k] for k in ids}
    for t in range(n_total):
        for k in order:
            v = u[k][:, t].copy()
            for s, lag, b in incoming[k]:
                if t - lag >= 0:
                    v += b * z[s][:, t - lag]
            z[k][:, t] = v
    return _Latent(level, shocks, z)


def _reported(
    scorecard: Scorecard,
    procs: dict[str, IndicatorProcess],
    latent: _Latent,
    burn_in: int,
    unit_ids: list[str],
    period_ids: list[int],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The values as reported (:func:`_observe`) after the burn-in, as a tidy table
    sorted by unit, period and scorecard order."""
    ids, n_units = list(scorecard.indicator_ids), len(unit_ids)
    level, shocks, z = latent.level, latent.shocks, latent.within
    frames = []
    for k in ids:
        p = procs[k]
        values = (p.mean + level[k][:, None] + shocks[k][None, :] + z[k])[:, burn_in:]
        values = _observe(values, scorecard.indicator(k), p, rng)
        frames.append(
            pd.DataFrame(
                {
                    "unit": np.repeat(unit_ids, len(period_ids)),
                    "period": np.tile(period_ids, n_units),
                    "indicator": k,
                    "value": values.ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["indicator"] = pd.Categorical(out["indicator"], categories=ids, ordered=True)
    out = out.sort_values(["unit", "period", "indicator"], kind="stable")
    out["indicator"] = out["indicator"].astype(str)
    out["unit"] = out["unit"].astype(str)
    out["period"] = out["period"].astype("int64")
    return out.reset_index(drop=True)


def simulate(
    scorecard: Scorecard,
    effects: pd.DataFrame | Iterable[Mapping[str, object]] = (),
    *,
    units: int | Sequence[str] = 30,
    periods: int | Sequence[int] = 10,
    start: int = 2015,
    indicators: Mapping[str, Mapping[str, object]] | None = None,
    seed: int = 0,
    burn_in: int = 20,
) -> pd.DataFrame:
    """Generate a tidy indicator panel with known true effects.

    Parameters
    ----------
    scorecard : Scorecard
        Supplies the indicators (ids, scales, ambitions) to generate.
    effects : DataFrame or iterable of mappings
        The truth, one row per arrow: ``from``, ``to``, ``lag`` and any of
        ``within`` (effect of a within-unit change of ``from`` at ``t − lag`` on
        ``to`` at ``t``, in the indicators' units), ``between`` (association of the
        units' levels, no within-unit effect), ``reverse`` (within effect of ``to``
        at ``t − lag`` on ``from`` at ``t``). Arrows need not be links of the
        scorecard: the truth may hold arrows nobody assumed.
    units : int or sequence of str
        Number of units (named ``U01``, ``U02``, …) or their codes.
    periods : int or sequence of int
        Number of periods from ``start``, or the periods themselves.
    start : int
        First period when ``periods`` is a number.
    indicators : mapping, optional
        Per indicator id, overrides of :class:`IndicatorProcess` fields, e.g.
        ``{"B1.1": {"missing": 0.6}}``; the rest comes from :func:`default_process`.
    seed : int
        Seed of the random generator: the same arguments give the same panel.
    burn_in : int
        Periods generated and discarded first, so the panel starts in equilibrium
        and lags of the first period exist in the process.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (str), ``period`` (int), ``indicator`` (str), ``value``
        (float, NaN where missing), sorted by unit, period and scorecard order.

    Raises
    ------
    ValueError
        For unknown indicators or parameters, negative lags, or lag-0 cycles.
    """
    rng = np.random.default_rng(seed)
    unit_ids, period_ids = _unit_and_period_ids(units, periods, start)
    if not unit_ids or not period_ids:
        raise ValueError("simulate needs at least one unit and one period")
    ids = list(scorecard.indicator_ids)
    table = effects_table(effects)
    for col in ("from", "to"):
        bad = sorted(set(table[col]) - set(ids))
        if bad:
            raise ValueError(f"effects: {col!r} names unknown indicator(s) {bad}")
    procs = _processes(scorecard, indicators)
    latent = _latent(ids, procs, table, len(unit_ids), burn_in + len(period_ids), rng)
    return _reported(scorecard, procs, latent, burn_in, unit_ids, period_ids, rng)


def _observe(
    values: np.ndarray, ind: Indicator, p: IndicatorProcess, rng: np.random.Generator
) -> np.ndarray:
    """Turn latent values into what is reported: survey averages, bunching, clipping,
    rounding, gaps."""
    out = values.copy()
    if p.respondents is not None and ind.scale is not None:
        answers = out[..., None] + rng.normal(0.0, p.answer_sd, (*out.shape, p.respondents))
        out = np.clip(np.round(answers), *ind.scale).mean(axis=-1)
    if p.bunching > 0 and ind.ambition is not None:
        thr = ind.ambition.threshold if ind.ambition.threshold is not None else ind.ambition.target
        step = 10.0 ** -(p.decimals if p.decimals is not None else 2)
        gap = (thr - out) if ind.direction == "up" else (out - thr)
        short = (gap > 0) & (gap <= p.sd_within) & (rng.random(out.shape) < p.bunching)
        better = 1.0 if ind.direction == "up" else -1.0
        out[short] = thr + better * rng.uniform(0, 3 * step, short.sum())
    if p.clip and ind.scale is not None:
        out = np.clip(out, *ind.scale)
    if p.decimals is not None:
        out = np.round(out, p.decimals)
        if p.clip and ind.scale is not None:
            out = np.clip(out, *ind.scale)
    if p.missing > 0:
        out[rng.random(out.shape) < p.missing] = np.nan
    return out


def simulate_pair(
    *,
    units: int = 30,
    periods: int = 10,
    persistence_y: float = 0.5,
    persistence_x: float = 0.5,
    forward: float = 0.0,
    reverse: float = 0.0,
    lag: int = 1,
    start: int = 2015,
    seed: int = 0,
    burn_in: int = 50,
) -> pd.DataFrame:
    """Two indicators ``X`` and ``Y`` in the cross-lagged model the direction tests fit.

    For unit *i* and period *t*, with unit levels ``a``, ``b`` ~ N(0, 1) and shocks
    ``e``, ``u`` ~ N(0, 1)::

        Y[i,t] = (1 − persistence_y)·a[i] + persistence_y·Y[i,t−1] + forward·X[i,t−lag] + e
        X[i,t] = (1 − persistence_x)·b[i] + persistence_x·X[i,t−1] + reverse·Y[i,t−lag′] + u

    with ``lag′ = lag``, or 1 when ``lag`` is 0. So ``forward`` is the arrow
    ``X → Y`` and ``reverse`` the arrow ``Y → X``, each holding with the other
    indicator's own past taken into account — the truth of a direction test.
    Unlike :func:`simulate` (whose persistence is that of the unexplained part),
    here each indicator's own past enters its equation.

    Parameters
    ----------
    units, periods : int
        Panel size.
    persistence_y, persistence_x : float
        Own-lag coefficients (|·| < 1 keeps the pair stable with small effects).
    forward, reverse : float
        The true effects each way.
    lag : int
        Lag of the forward effect (0 to 3).
    start : int
        First period.
    seed : int
        Seed of the random generator.
    burn_in : int
        Periods generated and discarded first (the panel starts in equilibrium).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``unit``, ``period``, ``indicator`` (``"X"``, ``"Y"``), ``value``.
    """
    if not 0 <= lag <= 3:
        raise ValueError(f"lag must be between 0 and 3, got {lag}")
    rng = np.random.default_rng(seed)
    level_y, level_x = rng.normal(size=units), rng.normal(size=units)
    back = lag if lag >= 1 else 1
    total = periods + burn_in
    y = np.zeros((units, total))
    x = np.zeros((units, total))
    for t in range(total):
        x[:, t] = (1 - persistence_x) * level_x + rng.normal(size=units)
        y_shock = rng.normal(size=units)
        if t >= 1:
            x[:, t] += persistence_x * x[:, t - 1]
        if t >= back:
            x[:, t] += reverse * y[:, t - back]
        y[:, t] = (1 - persistence_y) * level_y + y_shock
        if t >= 1:
            y[:, t] += persistence_y * y[:, t - 1]
        if t >= lag:
            y[:, t] += forward * x[:, t - lag]
    y, x = y[:, burn_in:], x[:, burn_in:]
    unit = np.repeat([f"U{i + 1:03d}" for i in range(units)], periods)
    period = np.tile(np.arange(start, start + periods), units)
    frames = [
        pd.DataFrame({"unit": unit, "period": period, "indicator": name, "value": v.ravel()})
        for name, v in (("X", x), ("Y", y))
    ]
    out = pd.concat(frames, ignore_index=True).sort_values(["unit", "period"], kind="stable")
    return out.reset_index(drop=True)
