"""Power by simulation: how often the verdicts' tests find an effect of a given size
under the current design and under designs with more years or more units.

:func:`plan` is the entry point (``bms-eval plan``, ``run --plan`` and
``bms_eval.plan``): it fits the history's data-generating model
(:mod:`bms_eval.simulation.history`), plants every arrow's effect
(:mod:`bms_eval.simulation.generate`), runs the link tests on each simulated
panel (:mod:`bms_eval.planning.draws`) and counts.

**The effect is the tests' effect.** ``effect`` SD per SD is turned into a
coefficient in data units with the SDs the link tests standardize by on the observed
data (each arrow's ``estimate / std_estimate``: the SDs over the cells its model
uses), so a plan's 0.2 is the same effect as a ``std_estimate`` or ``mde_std`` of 0.2
in ``links.csv``. (Planting on the model's stationary SDs over the whole history made
it another effect wherever an indicator is persistent or the cells an arrow's model
uses are a selection: the planner and the tests disagreed.)

**The current design is planted into the observed panel.** The model cannot hold
everything a history holds — units' own trends, shocks felt unequally, skewed
indicators, which cells are missing and why — and on real panels its power for the
data at hand could be far from a brute-force plant into those data
(``benchmarks/plan_study.py``). So the current design's power is counted in the
observed panel itself (:mod:`bms_eval.planning.plasmode`: each arrow's estimated
effect taken out, the effect planted, units drawn with replacement); the model's own
power for it is kept as ``model_power``. Designs with more years or units can only be
simulated by the model; their power is the model's anchored at the current design
(shifted on the probit scale by the difference between the planted and the model's
power now), so the designs read as one curve; ``model_power`` keeps the model's own.

**Power** of an arrow-lag is the share of draws whose verdict is ``supported``
or ``reciprocal`` (the forward test found the planted effect with the expected
sign), with a Wilson 95 % interval for the Monte Carlo error. The analysis is the
one the verdicts use — direction tests, Benjamini–Hochberg over all the run's
tests, the wild bootstrap below 50 units — with the bootstrap at
:data:`~bms_eval.inputs.model.MIN_BOOTSTRAP_DRAWS` draws (a verdict, not its
digits, is counted).

**Effect detectable with 80 % power** (``mde_80``): from the current design's
draws, the spread ``s`` of the estimate that decided each verdict and the power
``p`` found, by the normal approximation anchored at the simulated point:
``effect + s·(z₀.₈ − Φ⁻¹(p))``. It is exact where ``p`` is 80 % and an
approximation elsewhere; the power column itself is simulated.

**Further years (units) needed**: the fewest added years (units) among the
designs tried whose power reaches 80 %, 0 when the current design already does,
empty when none of them does. With ``years`` not given, the planner tries 2, 5
and 10 more years and stops at the first design where every arrow reaches 80 %.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bms_eval.estimation.links import link_tests
from bms_eval.estimation.panel import Panel
from bms_eval.foundation.frames import spreadsheet_safe
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.validation import Inputs, load_inputs
from bms_eval.planning.backends import Progress, release_workers, run_batches
from bms_eval.planning.draws import FOUND_CODES, DrawBatch, PlantedBatch, row_keys
from bms_eval.planning.options import (
    DEFAULT_DRAWS,
    DEFAULT_EFFECT,
    TARGET_POWER,
    PlanOptions,
    further_text,
)
from bms_eval.planning.plasmode import planted_panel
from bms_eval.simulation.generate import PlantedArrow, StudyDesign, planted_arrows
from bms_eval.simulation.history import History, fit_history

#: Added years tried when none are asked for.
DEFAULT_MORE_YEARS = (2, 5, 10)
#: Draws per batch (the unit of work a worker gets; results do not depend on it).
BATCH_DRAWS = 10

PLAN_COLUMNS = (
    "from",
    "to",
    "lag",
    "effect",
    "units",
    "years",
    "power",
    "power_low",
    "power_high",
    "design",
    "draws",
    "further_years_needed",
    "further_units_needed",
    "mde_80",
    "model_power",
)


def wilson(found: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's interval for a share ``found / n``."""
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = found / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # at a share of 0 (or 1) the end is exactly 0 (1); the formula leaves rounding there
    low = 0.0 if found == 0 else max(0.0, centre - half)
    high = 1.0 if found == n else min(1.0, centre + half)
    return low, high


def detectable_effect(effect: float, power: float, estimates: np.ndarray, draws: int) -> float:
    """The effect found with 80 % power, by the normal approximation anchored at the
    simulated ``power`` for ``effect`` (NaN with fewer than ten finite estimates)."""
    finite = estimates[np.isfinite(estimates)]
    if finite.size < 10:
        return math.nan
    spread = float(np.std(finite, ddof=1))
    p = min(max(power, 0.5 / draws), 1 - 0.5 / draws)
    z80 = float(stats.norm.ppf(TARGET_POWER))
    return max(0.0, effect + spread * (z80 - float(stats.norm.ppf(p))))


@dataclass(frozen=True)
class DesignPower:
    """Power of every arrow-lag under one design."""

    design: StudyDesign
    draws: int
    found: np.ndarray  # per arrow-lag: draws whose verdict found the effect
    estimates: np.ndarray  # draws × arrow-lags: the deciding standardized estimate
    # per arrow-lag: the draws simulated by the history's model that found it (the same
    # as ``found`` but for the current design planted into the observed panel)
    model_found: np.ndarray | None = None


@dataclass(frozen=True, repr=False)
class PlanResults:
    """What :func:`plan` found.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per arrow-lag and design, columns :data:`PLAN_COLUMNS` (plan.csv).
    history : History
        The data-generating model fitted to the history.
    effect : float
        The planted effect, in within-unit SDs.
    draws : int
        Simulated panels per design.
    seed : int
    seconds : float
        Time the simulations took.
    scorecard : Scorecard
    """

    table: pd.DataFrame
    history: History = field(repr=False)
    effect: float
    draws: int
    seed: int
    seconds: float
    scorecard: Scorecard = field(repr=False)

    @property
    def current(self) -> pd.DataFrame:
        """The rows of the current design: one per arrow-lag."""
        return self.table[self.table["design"] == "current"].reset_index(drop=True)

    def arrow(self, source: str, target: str, lag: int) -> dict[str, Any] | None:
        """The current design's row of one arrow-lag (None when not planned)."""
        rows = self.current
        hit = rows[(rows["from"] == source) & (rows["to"] == target) & (rows["lag"] == lag)]
        return None if hit.empty else hit.iloc[0].to_dict()

    def to_csv(self, path: Any) -> None:
        """Write ``plan.csv`` (full precision, empty cells where nothing was found)."""
        spreadsheet_safe(self.table.reindex(columns=list(PLAN_COLUMNS))).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n"
        )

    def by_arrow(self, language: str | None = None, names: bool = True) -> pd.DataFrame:
        """Per arrow-lag, what a reader needs: power now with its interval, the effect
        found with 80 % power, and the further years and units that reach 80 %
        (column names and numbers in ``language``, the scorecard's by default); the
        arrows by the indicators' names, or by their ids with ``names=False``."""
        from bms_eval.narrative.texts import Texts

        t = Texts(language or self.scorecard.language)
        shown = {ind.id: ind.name for ind in self.scorecard.indicators} if names else {}
        tried = set(self.table["design"])
        rows = []
        for r in self.current.to_dict("records"):
            rows.append(
                {
                    t["plan.col_arrow"]: f"{shown.get(r['from'], r['from'])} → "
                    f"{shown.get(r['to'], r['to'])}",
                    t["plan.col_lag"]: int(r["lag"]),
                    t["plan.col_power"]: t.format(
                        "plan.power_interval",
                        power=t.percent(r["power"]),
                        low=t.percent(r["power_low"]),
                        high=t.percent(r["power_high"]),
                    ),
                    t["plan.col_mde"]: t.number(r["mde_80"]),
                    t["plan.col_years"]: further_text(
                        r["further_years_needed"], t, "years" in tried
                    ),
                    t["plan.col_units"]: further_text(
                        r["further_units_needed"], t, "units" in tried
                    ),
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The per-arrow table and what was simulated, as plain text (the CLI's)."""
        head = (
            f"Plan: effect {self.effect:g} within-unit SD on every arrow, {self.draws} draws per "
            f"design, {self.history.n_units} units × {self.history.n_years} years now; "
            f"power = share of draws found supported (or reciprocal)"
        )
        return head + "\n" + self.by_arrow("en", names=False).to_string(index=False)

    def _repr_html_(self) -> str:
        return self.by_arrow().to_html(index=False, escape=True)

    def __repr__(self) -> str:  # what was found, never how long it took (runs compare equal)
        return self.summary()

    def results_dict(self) -> dict[str, Any]:
        """results.json's ``plan``: :meth:`as_dict` and the rows of plan.csv."""
        rows = self.table.reindex(columns=list(PLAN_COLUMNS)).astype(object)
        rows = rows.where(rows.notna(), None)
        return {**self.as_dict(), "rows": rows.to_dict("records")}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (results.json's ``plan``)."""
        return {
            "effect": self.effect,
            "draws": self.draws,
            "seed": self.seed,
            "target_power": TARGET_POWER,
            "units": self.history.n_units,
            "years": self.history.n_years,
            "designs": sorted(
                {
                    (int(u), int(y))
                    for u, y in zip(self.table["units"], self.table["years"], strict=True)
                }
            ),
        }


def _designs(
    history: History, years: Iterable[int] | None, units: Iterable[int] | None
) -> tuple[list[StudyDesign], bool]:
    n0, t0 = history.n_units, history.n_years
    auto = years is None
    wanted_years = [t0 + d for d in DEFAULT_MORE_YEARS] if years is None else sorted(set(years))
    out = [StudyDesign(n0, t0, "current")]
    out += [StudyDesign(n0, int(y), "years") for y in wanted_years if int(y) != t0]
    out += [StudyDesign(int(n), t0, "units") for n in sorted(set(units or ())) if int(n) != n0]
    return out, auto


def _check_history(designs: Sequence[StudyDesign]) -> None:
    """The history must be simulable (the options are checked by :class:`PlanOptions`)."""
    now = designs[0]
    if now.years < 3 or now.units < 2:
        raise ValueError(
            f"the history has {now.units} unit(s) and {now.years} period(s): the link tests "
            "need at least 2 units and 3 periods to be simulated like it"
        )


def plan(
    scorecard: Scorecard | str | os.PathLike[str] | Inputs,
    data: IndicatorData | pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    effect: float = DEFAULT_EFFECT,
    years: Iterable[int] | None = None,
    units: Iterable[int] | None = None,
    draws: int = DEFAULT_DRAWS,
    workers: int | None = None,
    scheduler: Any = None,
    seed: int | None = None,
    progress: Callable[[str, int, int, float], None] | None = None,
) -> PlanResults:
    """Power of every arrow now, and the years or units that would make it 80 %.

    Parameters
    ----------
    scorecard : Scorecard, str, Path or Inputs
        The arrows and the analysis options (alpha, effects, controls); a scorecard
        file (YAML or Excel) read and checked with ``data`` as :func:`bms_eval.analyse`
        does, or checked ``Inputs`` alone.
    data : IndicatorData, pandas.DataFrame, str or Path
        The history, checked against the scorecard (a data file with a scorecard file).
    effect : float
        The effect planted on every arrow, in within-unit SDs of the effect per
        within-unit SD of the cause.
    years : iterable of int, optional
        Total years of the designs to try besides the current one; by default
        2, 5 and 10 more than now (stopping once every arrow reaches 80 %).
    units : iterable of int, optional
        Total units of the designs to try (with the current years).
    draws : int
        Simulated panels per design.
    workers : int, optional
        Local processes; every core by default.
    scheduler : str or distributed.Client, optional
        A Dask scheduler's address or client: simulate on that cluster.
    seed : int, optional
        The analysis' seed by default. The same seed gives the same plan whatever
        the workers or backend.
    progress : callable, optional
        Receives ``(design label, draws done, draws in all, seconds)``.

    Returns
    -------
    PlanResults

    Raises
    ------
    bms_eval.InputError
        Files given, and the inputs are invalid (every problem located).
    """
    scorecard, data = _inputs(scorecard, data)
    options = PlanOptions(
        effect=effect,
        years=None if years is None else tuple(int(y) for y in years),
        units=None if units is None else tuple(int(u) for u in units),
        draws=draws,
        workers=workers,
        scheduler=scheduler,
        seed=seed,
    )
    return plan_for(scorecard, data, options, progress)


def _inputs(scorecard: object, data: object) -> tuple[Scorecard, IndicatorData | pd.DataFrame]:
    """The scorecard and data :func:`plan` was given, read and checked where they are
    files (as :func:`bms_eval.analyse` reads them)."""
    if isinstance(scorecard, Inputs):
        if data is not None:
            raise TypeError("give checked Inputs alone, or a scorecard file and a data file")
        return scorecard.scorecard, scorecard.data
    if isinstance(scorecard, str | os.PathLike):
        if not isinstance(data, str | os.PathLike):
            raise TypeError("plan() with a scorecard file needs the data file beside it")
        inputs = load_inputs(scorecard, data)
        return inputs.scorecard, inputs.data
    if not isinstance(scorecard, Scorecard) or data is None:
        raise TypeError(
            "plan() takes a scorecard file and a data file (as analyse does), checked "
            "Inputs, or a Scorecard with its data"
        )
    return scorecard, data  # type: ignore[return-value]


def plan_for(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    options: PlanOptions,
    progress: Callable[[str, int, int, float], None] | None = None,
) -> PlanResults:
    """:func:`plan` with its options in one :class:`PlanOptions` (as an analysis and
    the commands hold them)."""
    start = time.perf_counter()
    history = fit_history(scorecard, data)
    table = link_tests(scorecard, data, influence=False).frame
    observed = Observed(Panel.for_links(scorecard, data), table)
    return plan_history(scorecard, history, options, progress, start, observed)


@dataclass(frozen=True)
class Observed:
    """The observed panel (on the links' scale) and its link tests' table: what the
    current design's power is planted into (:mod:`bms_eval.planning.plasmode`)."""

    panel: Panel
    table: pd.DataFrame


def effect_scales(table: pd.DataFrame) -> dict[tuple[str, str, int], float]:
    """Per ``(from, to, lag)`` of a link tests' table, one SD per SD in data units as
    the tests standardize it on the observed data (``estimate / std_estimate``: the SDs
    over the cells that arrow's model uses), so that the plan's effect is the tests'
    ``std_estimate`` and ``mde_std`` (:func:`~bms_eval.simulation.generate.planted_arrows`)."""
    out = {}
    for r in table.to_dict("records"):
        estimate, standard = r.get("estimate"), r.get("std_estimate")
        if (
            isinstance(estimate, float)
            and isinstance(standard, float)
            and math.isfinite(estimate)
            and math.isfinite(standard)
            and standard != 0
            and r.get("method") != "staggered_did"
        ):
            out[(str(r["from"]), str(r["to"]), int(r["lag"]))] = abs(estimate / standard)
    return out


def plan_history(
    scorecard: Scorecard,
    history: History,
    options: PlanOptions,
    progress: Callable[[str, int, int, float], None] | None = None,
    started: float | None = None,
    observed: Observed | None = None,
) -> PlanResults:
    """:func:`plan_for` from a data-generating model already fitted (or made by hand:
    a known truth for a simulation study). With the ``observed`` panel, the effects
    are planted on the tests' scale (:func:`effect_scales`) and the current design's
    power is found in the observed panel (:mod:`bms_eval.planning.plasmode`); without
    it, on the history's SDs and from the model alone."""
    start = time.perf_counter() if started is None else started
    o = options
    designs, auto = _designs(history, o.years, o.units)
    _check_history(designs)
    o.check_cells(designs[0].units, designs[0].years)
    seed = scorecard.analysis.seed if o.seed is None else int(o.seed)
    quick = scorecard.fewest_draws()  # a verdict is counted, not its digits
    scales = None if observed is None else effect_scales(observed.table)
    arrows = tuple(planted_arrows(history, scorecard, o.effect, scales))
    planted = (
        None
        if observed is None
        else planted_panel(observed.panel, scorecard, observed.table, o.effect)
    )
    try:
        results = _simulate(
            designs,
            auto,
            (history, quick, arrows, seed, o.draws, planted),
            o.workers,
            o.scheduler,
            progress,
        )
    finally:
        if o.scheduler is None:
            release_workers()
    table = _table(scorecard, history, results, o.effect, o.draws)
    return PlanResults(
        table, history, o.effect, o.draws, seed, time.perf_counter() - start, scorecard
    )


def _simulate(
    designs: list[StudyDesign],
    auto: bool,
    job: tuple[History, Scorecard, tuple[PlantedArrow, ...], int, int, Panel | None],
    workers: int | None,
    scheduler: Any,
    progress: Callable[[str, int, int, float], None] | None,
) -> list[DesignPower]:
    """Every design's draws, run and counted (``job``: the history, the scorecard the
    draws test, the planted arrows, the seed, the draws per design and the observed
    panel with the effects planted, if any: the current design's power is then counted
    there, the model's beside it). Automatic year designs stop once every arrow-lag
    reaches 80 %."""
    history, card, arrows, seed, draws, planted = job

    def counted(batches: list, label: str) -> tuple[np.ndarray, np.ndarray]:
        report: Progress | None = (
            None
            if progress is None
            else (lambda done, total, s, lb=label: progress(lb, done, total, s))
        )
        found = run_batches(batches, workers=workers, scheduler=scheduler, progress=report)
        verdicts = np.vstack([b.verdicts for b in found])
        return np.isin(verdicts, FOUND_CODES).sum(axis=0), np.vstack([b.estimates for b in found])

    spans = [(first, min(first + BATCH_DRAWS, draws)) for first in range(0, draws, BATCH_DRAWS)]
    results: list[DesignPower] = []
    for d in designs:
        if auto and d.kind == "years" and _all_reached(results, draws):
            continue
        label = f"{d.units} units × {d.years} years"
        model = [DrawBatch(history, card, arrows, d, seed, a, b) for a, b in spans]
        if d.kind != "current" or planted is None:
            found, estimates = counted(model, label)
            results.append(DesignPower(d, draws, found, estimates, found))
            continue
        found, estimates = counted(
            [PlantedBatch(planted, card, seed, a, b) for a, b in spans],
            label + ", planted into the observed panel",
        )
        now = DesignPower(d, draws, found, estimates)
        # the model's own power today: to anchor the designs the model alone can
        # simulate (none needed when no other design will be tried)
        others = [x for x in designs if x.kind != "current"]
        needed = others and not (
            auto and all(x.kind == "years" for x in others) and (_all_reached([now], draws))
        )
        if needed:
            now = DesignPower(d, draws, found, estimates, counted(model, label)[0])
        results.append(now)
    return results


def progress_lines(line: Callable[[str], None]) -> Callable[[str, int, int, float], None]:
    """A plan's progress as lines (one per tenth of each design's draws), for a log."""
    shown: dict[str, int] = {}

    def report(label: str, done: int, total: int, seconds: float) -> None:
        tenth = (10 * done) // max(total, 1)
        if shown.get(label, -1) < tenth:
            shown[label] = tenth
            left = f", about {seconds / done * (total - done):.0f} s left" if done < total else ""
            line(f"plan [{label}]: {done}/{total} draws ({seconds:.0f} s{left})")

    return report


def _all_reached(results: list[DesignPower], draws: int) -> bool:
    """Whether the last design tried gives every arrow-lag 80 % power (anchored at the
    current design as in the plan's table)."""
    if not results:
        return False
    return all(p >= TARGET_POWER for p in _powers(results, results[-1], draws))


def _shifts(current: DesignPower, draws: int) -> np.ndarray:
    """Per arrow-lag, the probit difference between the current design's power found
    in the observed panel and the model's (0 where they are the same count)."""
    model = current.found if current.model_found is None else current.model_found
    clip = lambda v: np.clip(v / draws, 0.5 / draws, 1 - 0.5 / draws)  # noqa: E731
    return stats.norm.ppf(clip(current.found)) - stats.norm.ppf(clip(model))


def _powers(results: list[DesignPower], design: DesignPower, draws: int) -> list[float]:
    """A design's power per arrow-lag: found, or the model's anchored at the current."""
    if design is results[0]:
        return list(design.found / draws)
    shift = _shifts(results[0], draws)
    return [
        _anchored(float(f) / draws, float(s), draws)
        for f, s in zip(design.found, shift, strict=True)
    ]


def _anchored(power: float, shift: float, draws: int) -> float:
    """``Φ(Φ⁻¹(power) + shift)``, the power kept off 0 and 1 by half a draw."""
    p = min(max(power, 0.5 / draws), 1 - 0.5 / draws)
    return float(stats.norm.cdf(stats.norm.ppf(p) + shift)) if shift else power


def _table(
    card: Scorecard, history: History, results: list[DesignPower], effect: float, draws: int
) -> pd.DataFrame:
    """The plan's table. The current design's power is the one found in the observed
    panel where it was planted there; another design's is the model's, anchored at
    the current design (on the probit scale, shifted by the difference between the
    observed panel's power and the model's now) so that the designs read as one curve;
    ``model_power`` keeps the model's own."""
    keys = row_keys(card)
    n0, t0 = history.n_units, history.n_years
    current = results[0]
    shifts = _shifts(current, draws)
    rows = []
    # further years (units): designs with at least today's (a smaller one asked for
    # shows what would be lost, and needs nothing further)
    added = {"years": lambda d: d.years - t0, "units": lambda d: d.units - n0}
    for j, (source, target, lag) in enumerate(keys):
        power_now = current.found[j] / draws
        shift = float(shifts[j])
        powers = []
        for r in results:
            if r is current:
                low, high = wilson(int(r.found[j]), draws)
                powers.append((power_now, low, high))
                continue
            low, high = wilson(int(r.found[j]), draws)
            powers.append(
                tuple(_anchored(v, shift, draws) for v in (r.found[j] / draws, low, high))
            )
        reached = {
            kind: sorted(
                more(r.design)
                for r, (p, _, _) in zip(results, powers, strict=True)
                if r.design.kind in ("current", kind) and more(r.design) >= 0 and p >= TARGET_POWER
            )
            for kind, more in added.items()
        }
        for r, (p, low, high) in zip(results, powers, strict=True):
            model = r.model_found  # None: the model was not run for this design
            rows.append(
                {
                    "from": source,
                    "to": target,
                    "lag": lag,
                    "effect": effect,
                    "units": r.design.units,
                    "years": r.design.years,
                    "power": p,
                    "power_low": low,
                    "power_high": high,
                    "design": r.design.kind,
                    "draws": draws,
                    "further_years_needed": reached["years"][0] if reached["years"] else math.nan,
                    "further_units_needed": reached["units"][0] if reached["units"] else math.nan,
                    "mde_80": detectable_effect(effect, power_now, current.estimates[:, j], draws),
                    "model_power": model[j] / draws if model is not None else math.nan,
                }
            )
    frame = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    for col in ("further_years_needed", "further_units_needed"):
        frame[col] = frame[col].astype("Int64")
    return frame
