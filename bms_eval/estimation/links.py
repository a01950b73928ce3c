"""Testing the scorecard's arrows: one fixed-effects model per effect indicator.

:func:`link_tests` gives the numbers and verdicts behind ``bms-eval links`` (the
public :func:`bms_eval.estimate_links` adds the reasons). For every target indicator
``Y`` it fits one regression of ``Y(t)`` on every linked cause ``X`` at each of its
lags, ``X(t − lag)``, plus the analysis'
controls, with unit effects (and period effects for ``effects: twoway``); then,
per link and lag, the side tests of docs/verdicts.md: the between-unit regression, the
lead placebo, the standardized effect, the minimum detectable effect, and the
bias-corrected direction tests both ways (:mod:`bms_eval.estimation.direction`).
Benjamini–Hochberg adjusts the static p-values of the run together, and the
forward and reverse direction p-values together; :mod:`bms_eval.estimation.verdicts`
turns the evidence into verdicts.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from bms_eval.estimation.arrows import judged_as_arrows, several_lag_rows
from bms_eval.estimation.columns import LINK_COLUMNS
from bms_eval.estimation.estimand_rows import target_rows
from bms_eval.estimation.inference import (
    benjamini_hochberg,
)
from bms_eval.estimation.influence import (
    add_influence,
    deciding_columns,
    deciding_kind,
    without_influence,
)
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.unit_designs import ROBUSTNESS_DESIGNS
from bms_eval.estimation.verdicts import (
    NOT_CHECKED,
    Evidence,
    cautions,
    decide,
)
from bms_eval.foundation.workers import available_cores, can_fork, quiet_child, signals_held
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Link, Scorecard

T = TypeVar("T")


def _links_by_target(card: Scorecard) -> dict[str, list[Link]]:
    groups: dict[str, list[Link]] = {}
    for link in card.links:
        groups.setdefault(link.target, []).append(link)
    order = {ind: i for i, ind in enumerate(card.indicator_ids)}
    return dict(sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order))))


def judged_rows(rows: list[dict], card: Scorecard) -> pd.DataFrame:
    """The tested rows as one family: every column of the link table, the
    Benjamini–Hochberg adjustments over these rows alone, and each row's verdict
    (the discovery's confirmations are such a family of their own)."""
    frame = pd.DataFrame(rows)
    for col in (
        *LINK_COLUMNS,
        "direction_problem",
        "lag1_forward_p_value",
        "lag1_reverse_p_value",
        *(f"{design}_problem" for design in ROBUSTNESS_DESIGNS),
    ):
        if col not in frame:
            frame[col] = np.nan
    frame["direction_method"] = frame["direction_method"].astype(object).fillna(NOT_CHECKED)
    # one family: every link-lag's test and every several-lag arrow's cumulative test
    for prefix in ("", "direct_", "total_"):
        frame[f"{prefix}p_adjusted"] = benjamini_hochberg(
            frame[f"{prefix}p_value"].to_numpy(dtype=float)
        )
    # the direction tests: one Benjamini–Hochberg over forward and reverse together
    both = benjamini_hochberg(
        np.r_[
            frame["forward_p_value"].to_numpy(dtype=float),
            frame["reverse_p_value"].to_numpy(dtype=float),
        ]
    )
    frame["forward_p_adjusted"] = both[: len(frame)]
    frame["reverse_p_adjusted"] = both[len(frame) :]
    for design in ROBUSTNESS_DESIGNS:  # each design's tests: one family, as above
        both = benjamini_hochberg(
            np.r_[
                frame[f"{design}_forward_p_value"].to_numpy(dtype=float),
                frame[f"{design}_reverse_p_value"].to_numpy(dtype=float),
            ]
        )
        frame[f"{design}_forward_p_adjusted"] = both[: len(frame)]
        frame[f"{design}_reverse_p_adjusted"] = both[len(frame) :]
    names = card.model_names
    a = card.analysis
    frame["verdict"] = [
        decide(Evidence.from_row(r, names, 1 - a.alpha), a.alpha, a.min_effect)
        for r in frame.to_dict("records")
    ]
    plain = {ind.id: ind.name for ind in card.indicators}
    frame["from_name"] = frame["from"].map(plain)
    frame["to_name"] = frame["to"].map(plain)
    # "problem" and "direction_problem" stay in the table (not in links.csv): the
    # reasons are written from them (bms_eval.narrative.reasons), in any language
    return frame


def _without_unit(panel: Panel, card: Scorecard, row: dict, unit: int) -> tuple[float, float, str]:
    """One row's tests again without one unit (as if its rows were deleted), with the
    run's multiple-testing adjustment held: its deciding estimate, that estimate's
    standard error, and the verdict."""
    link = next(lk for lk in card.links if (lk.source, lk.target) == (row["from"], row["to"]))
    # a verdict, not its digits: the wild bootstrap (in a small panel) with the fewest
    # draws allowed (docs/verdicts.md), a tenth of the default
    quick = card.fewest_draws()
    cumulative = bool(row.get("cumulative"))
    found = target_rows(
        panel.without(unit),
        quick,
        link.target,
        [link],
        beside=False,
        only=(int(row["lag"]), cumulative),
    )
    new = found[0]
    for raw, adjusted in (
        ("p_value", "p_adjusted"),
        ("forward_p_value", "forward_p_adjusted"),
        ("reverse_p_value", "reverse_p_adjusted"),
        *(
            (f"{design}_{side}_p_value", f"{design}_{side}_p_adjusted")
            for design in ROBUSTNESS_DESIGNS
            for side in ("forward", "reverse")
        ),
    ):
        before, after = row.get(raw), row.get(adjusted)
        factor = (
            float(after) / float(before)
            if before is not None and after is not None and np.isfinite(before) and before > 0
            else 1.0
        )
        value = new.get(raw)
        new[adjusted] = min(1.0, float(value) * factor) if value is not None else math.nan
    a = card.analysis
    ev = Evidence.from_row(new, card.model_names, 1 - a.alpha)
    verdict = decide(ev, a.alpha, a.min_effect)
    kind = deciding_kind(row)
    if kind is None:
        return math.nan, math.nan, verdict
    estimate, se = (new.get(c) for c in deciding_columns(kind))
    return (
        float(estimate) if estimate is not None else math.nan,
        float(se) if se is not None else math.nan,
        verdict,
    )


#: Fewest tests again without a unit that run in the worker processes (fewer: here).
PARALLEL_FROM_RERUNS = 4


def _rerun(index: int) -> tuple[int, tuple[float, float, str]]:
    assert _JOB is not None
    panel, card, jobs = _JOB
    row, unit = jobs[index]
    return index, _without_unit(panel, card, row, unit)


def with_influence(
    frame: pd.DataFrame, panel: Panel, card: Scorecard, n_workers: int
) -> pd.DataFrame:
    """The influence columns (:mod:`bms_eval.estimation.influence`); the rows tested
    again without a unit run in ``n_workers`` forked workers where there are enough."""

    def rerun(jobs: list[tuple[dict, int]]) -> list[tuple[float, float, str]]:
        if n_workers == 1 or len(jobs) < PARALLEL_FROM_RERUNS:
            return [_without_unit(panel, card, row, unit) for row, unit in jobs]
        found: list[tuple[float, float, str]] = [(math.nan, math.nan, "")] * len(jobs)
        workers = min(n_workers, len(jobs))
        for i, result in forked((panel, card, jobs), _rerun, range(len(jobs)), workers):
            found[i] = result
        return found

    a = card.analysis
    return add_influence(frame, panel.units, rerun, a.alpha, a.min_effect)


def panel_verdicts(panel: Panel, scorecard: Scorecard) -> pd.DataFrame:
    """The link tests and verdicts of a panel already on the links' grid, in one
    process and without the influence checks: what a simulation study (the
    planner, :mod:`bms_eval.planning`) runs on each simulated panel.

    Parameters
    ----------
    panel : Panel
        Indicator grids on the links' scale (logarithms for ``transform: log``).
    scorecard : Scorecard
        The links and the analysis options.

    Returns
    -------
    pandas.DataFrame
        One row per link and lag in the scorecard's order, with the columns of
        :func:`link_tests`' table (no influence columns); the lags of an arrow with
        several take its cumulative verdict.
    """
    rows: list[dict] = []
    for target, links in _links_by_target(scorecard).items():
        rows.extend(target_rows(panel, scorecard, target, links, beside=False))
    rows.sort(key=_order_key(scorecard))
    if not rows:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    return judged_as_arrows(judged_rows(rows, scorecard))[0]


#: Fewest link-lags for which the tests run in parallel: below that, starting the
#: worker processes costs more than it saves.
PARALLEL_FROM_LINK_LAGS = 20

#: What the forked workers of :func:`link_tests` read (set just before they fork): the
#: panel, the scorecard and the list the task's index points into.
_JOB: tuple[Panel, Scorecard, list] | None = None


def forked_job() -> tuple[Panel, Scorecard, list]:
    """In a worker of :func:`forked`: the job it reads."""
    assert _JOB is not None
    return _JOB


def forked(
    job: tuple[Panel, Scorecard, list],
    task: Callable[[int], tuple[int, T]],
    order: Iterable[int],
    n_workers: int,
) -> Iterator[tuple[int, T]]:
    """``task(i)`` for each ``i`` of ``order`` in ``n_workers`` forked workers that
    read ``job``, as each finishes (index and result)."""
    global _JOB
    _JOB = job
    with signals_held():
        pool = multiprocessing.get_context("fork").Pool(n_workers, initializer=quiet_child)
    try:
        yield from pool.imap_unordered(task, order)
        pool.close()
    finally:
        _JOB = None
        pool.terminate()  # at once when interrupted; a no-op once closed and done
        pool.join()


def _target_rows(index: int) -> tuple[int, list[dict]]:
    assert _JOB is not None
    panel, card, groups = _JOB
    target, links = groups[index]
    return index, target_rows(panel, card, target, links)


def workers_for(
    requested: int | None,
    groups: int,
    work: int,
    parallel_from: int = PARALLEL_FROM_LINK_LAGS,
) -> int:
    """Processes for ``groups`` tasks of ``work`` units (link-lags) in all: one where
    processes cannot be forked (Windows: spawned workers would import everything
    again) or inside a worker of the caller's own pool (it may have no children), or
    below ``parallel_from`` units of work unless ``requested``; else every core, at
    most one per task."""
    if not can_fork() or multiprocessing.current_process().daemon:
        return 1
    if requested is not None:
        return max(1, min(requested, groups))
    if work < parallel_from:
        return 1
    return max(1, min(available_cores(), groups))


def _test_targets(
    panel: Panel,
    scorecard: Scorecard,
    groups: list[tuple[str, list[Link]]],
    sizes: list[int],
    n_workers: int,
    done: Callable[[int, list[dict]], None],
) -> None:
    """Test each effect indicator's links (``sizes``: each group's link-lags), in this
    process or in ``n_workers`` forked workers, handing ``done`` each group's index and
    rows as it finishes."""
    if n_workers == 1:
        for i, (target, links) in enumerate(groups):
            done(i, target_rows(panel, scorecard, target, links))
        return
    # the effects with the most link-lags first, so no worker is left with a long one
    # at the end; the rows are put in the scorecard's order after
    largest_first = sorted(range(len(groups)), key=lambda i: -sizes[i])
    for i, found in forked((panel, scorecard, groups), _target_rows, largest_first, n_workers):
        done(i, found)


@dataclass(frozen=True)
class LinkTests:
    """The numbers and verdicts of one run of the link tests (:func:`link_tests`).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per link and lag: the columns of :data:`LINK_COLUMNS` but the
        sentences (``reason``, ``notes``: :mod:`bms_eval.narrative.reasons` writes
        them), and the problems and fit notes they are written from.
    n_units, n_periods : int
        Size of the panel.
    seconds : float
        Time the tests took.
    arrows : pandas.DataFrame
        One row per arrow with several lags: the test of its cumulative effect over
        them, which decides its verdict (the same columns; ``lags`` lists them).
    """

    frame: pd.DataFrame
    n_units: int
    n_periods: int
    seconds: float
    arrows: pd.DataFrame = field(default_factory=pd.DataFrame)


def link_tests(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    influence: bool = True,
) -> LinkTests:
    """Test every link of the scorecard on the data: numbers and verdicts.

    Parameters
    ----------
    scorecard : Scorecard
        Links, indicator names and the ``analysis`` options (effects, alpha,
        min_effect, controls, bootstrap draws and seed).
    data : IndicatorData or pandas.DataFrame
        Tidy data (``unit, period, indicator, value``), checked against the
        scorecard (see :func:`bms_eval.inputs.validation.load_inputs`).
    progress : callable, optional
        Receives one line per effect indicator as it is done (for long runs).
    workers : int, optional
        Processes testing effect indicators side by side. By default every core
        when there are at least :data:`PARALLEL_FROM_LINK_LAGS` link-lags (where
        processes can be forked; one elsewhere). The results are the same
        whatever the number: every random draw is seeded by the link it serves.
    influence : bool
        Whether to find, per verdict, the unit that moves it most and the verdict
        without it (:mod:`bms_eval.estimation.influence`; a verdict it might change
        is tested again without that unit). Simulation studies of the tests'
        size may leave it out; the influence columns are then empty.

    Returns
    -------
    LinkTests
        One row per link and lag (:func:`bms_eval.narrative.link_results.estimate_links`
        adds the reasons: the public entry point).
    """
    start = time.perf_counter()
    panel = Panel.for_links(scorecard, data)
    groups = list(_links_by_target(scorecard).items())
    sizes = [sum(len(lk.lags) for lk in links) for _, links in groups]  # link-lags each
    rows: list[dict] = []
    finished: list[int] = []

    def done(i: int, found: list[dict]) -> None:
        rows.extend(found)
        finished.append(i)
        if progress is not None:
            progress(
                f"[{len(finished)}/{len(groups)}] {groups[i][0]}: {sizes[i]} link-lag(s) "
                f"tested ({time.perf_counter() - start:.1f} s)"
            )

    # the matrices are small: BLAS threads would only spin, and with workers on
    # every core they would crowd each other out
    with threadpool_limits(limits=1, user_api="blas"):
        n_workers = workers_for(workers, len(groups), sum(sizes))
        _test_targets(panel, scorecard, groups, sizes, n_workers, done)
    rows.sort(key=_order_key(scorecard))
    frame = judged_rows(rows, scorecard) if rows else pd.DataFrame(columns=list(LINK_COLUMNS))
    if rows:
        frame = _with_influence_and_cautions(frame, panel, scorecard, influence, workers, sizes)
    lags, arrows = judged_as_arrows(frame)
    return LinkTests(
        lags, len(panel.units), len(panel.periods), time.perf_counter() - start, arrows
    )


def _with_influence_and_cautions(
    frame: pd.DataFrame,
    panel: Panel,
    scorecard: Scorecard,
    influence: bool,
    workers: int | None,
    sizes: list[int],
) -> pd.DataFrame:
    """The link table with the influence of the rows that decide a verdict (a
    single-lag arrow's row, a several-lag arrow's cumulative row; its lag rows take the
    arrow's judgement) and every row's cautions, in the scorecard's order."""
    deciding = ~several_lag_rows(frame)
    parts = [frame[deciding].reset_index(drop=True), frame[~deciding].reset_index(drop=True)]
    if influence:
        with threadpool_limits(limits=1, user_api="blas"):
            # tested again without a unit: side by side as the effects were (not fewer
            # workers than those rows allow)
            rerun_workers = workers_for(workers, len(parts[0]), sum(sizes))
            parts[0] = with_influence(parts[0], panel, scorecard, rerun_workers)
    else:
        parts[0] = without_influence(parts[0])
    parts[1] = without_influence(parts[1])
    frame = pd.concat(parts, ignore_index=True)
    alpha = scorecard.analysis.alpha
    frame["cautions"] = [";".join(cautions(r, alpha)) for r in frame.to_dict("records")]
    return _in_order(frame, scorecard)


def _order_key(card: Scorecard) -> Callable[[Mapping[str, object]], tuple[int, bool, int]]:
    """The sort key of a row: the scorecard's order of links, each link's lags in order,
    then (an arrow with several lags) its cumulative row."""
    order = {(lk.source, lk.target): i for i, lk in enumerate(card.links)}

    def key(row: Mapping[str, object]) -> tuple[int, bool, int]:
        cumulative = row.get("cumulative")
        whole = isinstance(cumulative, bool | np.bool_) and bool(cumulative)
        return order[(str(row["from"]), str(row["to"]))], whole, int(row["lag"])  # type: ignore[call-overload]

    return key


def _in_order(frame: pd.DataFrame, card: Scorecard) -> pd.DataFrame:
    """The rows in the scorecard's order (:func:`_order_key`)."""
    order = _order_key(card)
    key = [order(r) for r in frame.to_dict("records")]
    return frame.iloc[sorted(range(len(frame)), key=key.__getitem__)].reset_index(drop=True)
