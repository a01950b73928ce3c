"""Testing the scorecard's arrows: one fixed-effects model per effect indicator.

:func:`estimate_links` is the public entry point (the CLI's ``bms-eval links``
calls it). For every target indicator ``Y`` it fits one regression of ``Y(t)`` on
every linked cause ``X`` at each of its lags, ``X(t − lag)``, plus the analysis'
controls, with unit effects (and period effects for ``effects: twoway``); then,
per link and lag, the side tests of SPEC 3.1: the between-unit regression, the
lead placebo, the standardized effect, the minimum detectable effect, and the
bias-corrected direction tests both ways (:mod:`bms_eval.estimation.direction`).
Benjamini–Hochberg adjusts the static p-values of the run together, and the
forward and reverse direction p-values together; :mod:`bms_eval.estimation.verdicts`
turns the evidence into verdicts.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from bms_eval.estimation.direction import DirectionPair, cross_lagged
from bms_eval.estimation.fixed_effects import (
    Design,
    NotEstimable,
    WithinFit,
    block_starts,
    codes_key,
    design_from_grids,
    fit_within,
)
from bms_eval.estimation.inference import (
    benjamini_hochberg,
    between_leave_one_out,
    between_regression,
    minimum_detectable_effect,
    t_inference,
)
from bms_eval.estimation.influence import (
    SHIFT_COLUMNS,
    add_influence,
    deciding_columns,
    deciding_kind,
    largest_shift,
    without_influence,
)
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.results import LINK_COLUMNS, LinkResults
from bms_eval.estimation.verdicts import (
    MIN_OBSERVATIONS,
    MIN_RESIDUAL_DF,
    NOT_CHECKED,
    Evidence,
    cautions,
    decide,
    fit_notes,
)
from bms_eval.estimation.wild_bootstrap import wild_cluster_bootstrap
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import MIN_BOOTSTRAP_DRAWS, Analysis, Link, Scorecard
from bms_eval.texts import Texts
from bms_eval.workers import available_cores, can_fork, quiet_child, signals_held

#: Below this many units, p-values and intervals come from the wild cluster bootstrap.
BOOTSTRAP_BELOW_UNITS = 50

#: Problems of the effect itself: no cause estimated alone can escape them (an effect
#: that is a copy of its causes would show its own autocorrelation as an "effect").
WHOLE_MODEL_PROBLEMS = ("exact_fit", "no_variation_effect")

Term = tuple[str, int]  # (indicator id, lag); a negative lag is a lead


@dataclass(frozen=True)
class _Coef:
    estimate: float
    std_error: float
    p_value: float
    ci_low: float
    ci_high: float
    df: int
    inference: str
    draws: int = 0
    enumerated: bool = False


@dataclass(frozen=True)
class _Model:
    fit: WithinFit
    terms: tuple[Term, ...]
    y: np.ndarray  # the sample's dependent variable (not demeaned)
    X: np.ndarray  # the sample's regressors (not demeaned), columns as terms
    units: np.ndarray


def _seed_for(analysis: Analysis, key: str) -> np.random.Generator:
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([analysis.seed, digest])


def _fit(panel: Panel, target: str, terms: list[Term], twoway: bool) -> _Model:
    """Fit ``target`` on ``terms`` (labels are positions, never user text)."""
    y = panel.values[target] if panel.has(target) else np.full(panel.shape, np.nan)
    columns = [panel.shifted(ind, lag) for ind, lag in terms]
    design = design_from_grids(y, columns, [str(i) for i in range(len(terms))])
    if design.n_obs < MIN_OBSERVATIONS:
        raise NotEstimable(
            "too_few_obs",
            f"only {design.n_obs} unit-years have values for all the model's variables "
            f"(at least {MIN_OBSERVATIONS} are needed)",
            n=design.n_obs,
            min=MIN_OBSERVATIONS,
        )
    fit = fit_within(design, twoway, MIN_RESIDUAL_DF)
    return _Model(fit, tuple(terms), design.y, design.X, design.units)


def _coef(model: _Model, term: Term, analysis: Analysis, key: str) -> _Coef | None:
    label = str(model.terms.index(term))
    j = model.fit.index(label)
    if j is None:
        return None
    fit = model.fit
    est, se = float(fit.params[j]), float(fit.std_errors[j])
    if fit.inference == "cluster" and fit.n_units < BOOTSTRAP_BELOW_UNITS:
        W, y, positions, fitted = fit.bootstrap_design
        boot = wild_cluster_bootstrap(
            W,
            y,
            fit.clusters,
            positions[j],
            fit.scale,
            analysis.alpha,
            analysis.bootstrap_draws,
            _seed_for(analysis, key),
            fitted=fitted,
        )
        to_data = float(fit.coef_scale[j])  # the bootstrap works in the fit's scaled units
        return _Coef(
            est,
            se,
            boot.p_value,
            boot.ci_low * to_data,
            boot.ci_high * to_data,
            fit.df,
            "wild_bootstrap",
            boot.draws,
            boot.enumerated,
        )
    p, lo, hi = t_inference(est, se, fit.df, analysis.alpha)
    return _Coef(est, se, p, lo, hi, fit.df, fit.inference)


_NO_VARIATION = NotEstimable(
    "no_variation",
    "the cause has no within-unit variation left once the fixed effects are removed",
)


def _try_fit(
    panel: Panel, target: str, terms: list[Term], twoway: bool
) -> tuple[_Model | None, NotEstimable | None]:
    try:
        return _fit(panel, target, terms, twoway), None
    except NotEstimable as exc:
        return None, exc


def model_terms(card: Scorecard, target: str) -> tuple[list[Term], list[Term]]:
    """The main model of ``target``: every linked cause at each of its lags, and the
    analysis' controls (same year) that are neither the target nor one of its causes."""
    links = [lk for lk in card.links if lk.target == target]
    causes = {lk.source for lk in links}
    controls = [(c, 0) for c in card.analysis.controls if c != target and c not in causes]
    return [(lk.source, lag) for lk in links for lag in lk.lags], controls


class _TargetRun:
    """Everything estimated for one effect indicator."""

    def __init__(self, panel: Panel, card: Scorecard, target: str, links: list[Link]):
        self.panel, self.card, self.target, self.links = panel, card, target, links
        a = card.analysis
        self.analysis = a
        self.twoway = a.effects == "twoway"
        self.terms, self.controls = model_terms(card, target)
        self.joint, self.joint_problem = _try_fit(
            panel, target, self.terms + self.controls, self.twoway
        )
        self.single: dict[Term, tuple[_Model | None, NotEstimable | None]] = {}
        self.directions: dict[Term, tuple[DirectionPair | None, NotEstimable | None]] = {}
        # the joint model fitted on each sample of the placebo leads
        self.lead_bases: dict[bytes, WithinFit | None] = {}

    def collinear_problem(self, term: Term) -> NotEstimable | None:
        """Why ``term`` cannot be told apart from other causes in the joint model, if so."""
        if self.joint is None:
            return None
        fit, terms = self.joint.fit, self.joint.terms
        label = str(terms.index(term))
        partners = set(fit.collinear.get(label, ()))
        partners |= {other for other, with_ in fit.collinear.items() if label in with_}
        if not partners:
            return None
        names = self.card.model_names
        shown = []
        for p in sorted(partners, key=int):
            ind, lag = terms[int(p)]
            shown.append(names.get(ind, ind) + (f" (lag {lag})" if lag else ""))
        return NotEstimable(
            "collinear",
            f"within units it moves exactly with {', '.join(shown)}",
            others=", ".join(shown),
        )

    def model_for(self, term: Term) -> tuple[_Model | None, NotEstimable | None, bool]:
        """The joint model if it estimated ``term``; else a model of ``term`` alone.

        A cause that, within units, is an exact linear function of another cause
        (or control) of the same effect is not estimated alone either: the data
        cannot tell their effects apart, and the reason names the other.
        """
        collinear = self.collinear_problem(term)
        if collinear is not None:
            return None, collinear, True
        if self.joint_problem is not None and self.joint_problem.kind in WHOLE_MODEL_PROBLEMS:
            return None, self.joint_problem, True
        if (
            self.joint is not None
            and self.joint.fit.index(str(self.joint.terms.index(term))) is not None
        ):
            return self.joint, None, True
        if term not in self.single:
            self.single[term] = _try_fit(
                self.panel, self.target, [term, *self.controls], self.twoway
            )
        model, problem = self.single[term]
        if model is not None and model.fit.index("0") is None:
            return None, _NO_VARIATION, False
        return model, problem, False

    def lead_p(self, link: Link, model: _Model | None, joint: bool) -> tuple[float, float]:
        """The placebo test: estimate and p-value of the cause one period ahead, added to
        the model that tested the link."""
        if model is None:
            return math.nan, math.nan
        base = list(self.terms) if joint else [model.terms[0]]
        lead = (link.source, -1)
        if lead in base:
            return math.nan, math.nan
        if joint:  # every cause's lead is added to the same model: fit it once
            added = self._lead_added(lead)
            if added is not None:
                return added
        lead_model, _ = _try_fit(
            self.panel, self.target, [*base, lead, *self.controls], self.twoway
        )
        if lead_model is None:
            return math.nan, math.nan
        c = _coef(lead_model, lead, self.analysis, f"lead|{link.key}|{self.target}")
        return (c.estimate, c.p_value) if c else (math.nan, math.nan)

    def _lead_added(self, lead: Term) -> tuple[float, float] | None:
        """The lead's estimate and p-value added to the joint model fitted on the lead's
        sample, by :meth:`WithinFit.added_regressor` (equal to fitting the whole model);
        None where the whole model must be fitted (a bootstrap, a dropped regressor)."""
        terms = [*self.terms, *self.controls]
        y = self.panel.values[self.target] if self.panel.has(self.target) else None
        if y is None:
            return None
        columns = [self.panel.shifted(ind, lag) for ind, lag in [*terms, lead]]
        design = design_from_grids(y, columns, [str(i) for i in range(len(columns))])
        if design.n_obs < MIN_OBSERVATIONS:
            return None
        key = codes_key(design.units * self.panel.shape[1] + design.periods)
        if key not in self.lead_bases:
            base = Design(
                design.y, design.X[:, :-1], design.names[:-1], design.units, design.periods
            )
            try:
                self.lead_bases[key] = fit_within(base, self.twoway, MIN_RESIDUAL_DF)
            except NotEstimable:
                self.lead_bases[key] = None
        fit = self.lead_bases[key]
        if fit is None or fit.dropped or fit.n_units < BOOTSTRAP_BELOW_UNITS:
            return None
        added = fit.added_regressor(design.X[:, -1], MIN_RESIDUAL_DF)
        if added is None:
            return None
        estimate, se = added
        return estimate, t_inference(estimate, se, fit.df, self.analysis.alpha)[0]

    def direction(self, link: Link, lag: int) -> tuple[DirectionPair | None, NotEstimable | None]:
        """The forward and reverse direction tests of ``link`` at ``lag`` (cached).

        ``Y``'s other causes and lags and the controls are held fixed in the forward
        equation, as in the main model; when that model cannot be estimated the
        test is tried with the controls only.
        """
        key = (link.source, lag)
        if key in self.directions:
            return self.directions[key]
        others = [t for t in self.terms if t != key]
        controls = [t for t in self.controls if t[0] != link.source]
        attempts = [others + controls] + ([controls] if others else [])
        result: tuple[DirectionPair | None, NotEstimable | None] = (None, None)
        for extra in attempts:
            try:
                result = (
                    cross_lagged(
                        self.panel, self.target, link.source, lag, extra, controls, self.twoway
                    ),
                    None,
                )
                break
            except NotEstimable as exc:
                result = (None, exc)
                if exc.kind == "too_few_periods":
                    break
        self.directions[key] = result
        return result

    def rows(self) -> list[dict]:
        out = []
        a = self.analysis
        for link in self.links:
            lead_cache: dict[bool, tuple[float, float]] = {}
            for lag in link.lags:
                term = (link.source, lag)
                model, problem, joint = self.model_for(term)
                row = {
                    "from": link.source,
                    "to": link.target,
                    "lag": lag,
                    "sign": link.sign,
                    "n_obs": 0,
                    "n_units": 0,
                    "problem": problem,
                    "note_keys": (),
                    "alone_because": None,
                }
                if problem is not None and problem.kind == "collinear" and self.joint:
                    row.update(n_obs=self.joint.fit.n_obs, n_units=self.joint.fit.n_units)
                coef = None if model is None else _coef(model, term, a, f"main|{link.key}|{lag}")
                if model is not None and coef is None:
                    row["problem"] = _NO_VARIATION
                if model is not None:
                    fit = model.fit
                    row.update(
                        n_obs=fit.n_obs,
                        n_units=fit.n_units,
                        period_effects=fit.period_effects,
                        note_keys=fit.notes,
                    )
                    if not joint and self.joint_problem:
                        row["alone_because"] = self.joint_problem
                if coef is not None:
                    col = model.terms.index(term)
                    ratio = float(model.fit.sd_ratio[model.fit.index(str(col))])
                    between = between_regression(model.y, model.X[:, col], model.units)
                    mde = minimum_detectable_effect(coef.std_error, coef.df, a.alpha)
                    if joint not in lead_cache:
                        lead_cache[joint] = self.lead_p(link, model, joint)
                    lead_est, lead_p = lead_cache[joint]
                    row.update(
                        estimate=coef.estimate,
                        std_error=coef.std_error,
                        p_value=coef.p_value,
                        ci_low=coef.ci_low,
                        ci_high=coef.ci_high,
                        std_estimate=coef.estimate * ratio,
                        std_ci_low=coef.ci_low * ratio,
                        std_ci_high=coef.ci_high * ratio,
                        mde_std=mde * ratio,
                        between_estimate=between.estimate,
                        between_p_value=between.p_value,
                        lead_estimate=lead_est,
                        lead_p_value=lead_p,
                        inference=coef.inference,
                        draws=coef.draws,
                        enumerated=coef.enumerated,
                        between_std_error=between.std_error,
                    )
                    row.update(self.direction_columns(link, lag))
                    # the unit whose leaving out moves each estimate that can decide
                    # the verdict most (bms_eval.estimation.influence): the static one
                    # (also a second opinion on the direction tests' unit), the
                    # direction tests', and the between slope where it is significant
                    unit_codes = model.units[block_starts(model.units)[0]]
                    row[SHIFT_COLUMNS["static"]] = largest_shift(
                        unit_codes, model.fit.leave_one_out(model.fit.index(str(col)))
                    )
                    if between.p_value < a.alpha:
                        row[SHIFT_COLUMNS["between"]] = largest_shift(
                            *between_leave_one_out(model.y, model.X[:, col], model.units)
                        )
                out.append(row)
        return out

    def direction_columns(self, link: Link, lag: int) -> dict:
        """The direction-test columns of one row (and, for lag 0, the lag-1 tests)."""
        pair, problem = self.direction(link, lag)
        out: dict = {"direction_method": NOT_CHECKED, "direction_problem": problem}
        if pair is not None:
            f, r = pair.forward, pair.reverse
            out[SHIFT_COLUMNS["forward"]] = largest_shift(pair.units, pair.forward_shift)
            out[SHIFT_COLUMNS["reverse"]] = largest_shift(pair.units, pair.reverse_shift)
            out.update(
                direction_method=pair.method,
                forward_estimate=f.estimate,
                forward_std_error=f.std_error,
                forward_p_value=f.p_value,
                forward_std_estimate=f.std_estimate,
                forward_inference=f.inference,
                reverse_estimate=r.estimate,
                reverse_std_error=r.std_error,
                reverse_p_value=r.p_value,
                persistence_effect=f.persistence,
                persistence_cause=r.persistence,
            )
        if lag == 0 and pair is not None:
            # the same model holds X a year earlier, and the reverse test is at lag 1
            out.update(
                lag1_forward_p_value=pair.forward_next_p_value,
                lag1_reverse_p_value=pair.reverse.p_value,
            )
        return out


def _links_by_target(card: Scorecard) -> dict[str, list[Link]]:
    groups: dict[str, list[Link]] = {}
    for link in card.links:
        groups.setdefault(link.target, []).append(link)
    order = {ind: i for i, ind in enumerate(card.indicator_ids)}
    return dict(sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order))))


def _finish(rows: list[dict], card: Scorecard) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in (*LINK_COLUMNS, "direction_problem", "lag1_forward_p_value", "lag1_reverse_p_value"):
        if col not in frame:
            frame[col] = np.nan
    frame["direction_method"] = frame["direction_method"].astype(object).fillna(NOT_CHECKED)
    frame["p_adjusted"] = benjamini_hochberg(frame["p_value"].to_numpy(dtype=float))
    # the direction tests: one Benjamini–Hochberg over forward and reverse together
    both = benjamini_hochberg(
        np.r_[
            frame["forward_p_value"].to_numpy(dtype=float),
            frame["reverse_p_value"].to_numpy(dtype=float),
        ]
    )
    frame["forward_p_adjusted"] = both[: len(frame)]
    frame["reverse_p_adjusted"] = both[len(frame) :]
    names = card.model_names
    a = card.analysis
    texts = Texts(card.language)
    verdicts, reasons, notes = [], [], []
    for r in frame.to_dict("records"):
        verdict, reason = decide(
            Evidence.from_row(r, names, 1 - a.alpha), a.alpha, a.min_effect, texts
        )
        verdicts.append(verdict)
        reasons.append(reason)
        notes.append(fit_notes(r, texts))
    frame["verdict"] = verdicts
    frame["reason"] = reasons
    frame["notes"] = notes
    plain = {ind.id: ind.name for ind in card.indicators}
    frame["from_name"] = frame["from"].map(plain)
    frame["to_name"] = frame["to"].map(plain)
    # "problem" and "direction_problem" stay in the table (not in links.csv): the
    # reasons are written again from them in another language (LinkResults.to_frame)
    return frame


#: Wild-bootstrap draws when a row is tested again without its influential unit.
RERUN_DRAWS = MIN_BOOTSTRAP_DRAWS


def _without_unit(panel: Panel, card: Scorecard, row: dict, unit: int) -> tuple[float, float, str]:
    """One row's tests again without one unit (as if its rows were deleted), with the
    run's multiple-testing adjustment held: its deciding estimate, that estimate's
    standard error, and the verdict."""
    link = next(lk for lk in card.links if (lk.source, lk.target) == (row["from"], row["to"]))
    # a verdict, not its digits: the wild bootstrap (below 50 units) with the fewest
    # draws the SPEC allows, a tenth of the default
    quick = replace(
        card,
        analysis=replace(
            card.analysis, bootstrap_draws=min(card.analysis.bootstrap_draws, RERUN_DRAWS)
        ),
    )
    found = _TargetRun(panel.without(unit), quick, link.target, [link]).rows()
    new = next(r for r in found if r["lag"] == row["lag"])
    for raw, adjusted in (
        ("p_value", "p_adjusted"),
        ("forward_p_value", "forward_p_adjusted"),
        ("reverse_p_value", "reverse_p_adjusted"),
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
    verdict, _ = decide(ev, a.alpha, a.min_effect)
    kind = deciding_kind(row)
    if kind is None:
        return math.nan, math.nan, verdict
    estimate, se = (new.get(c) for c in deciding_columns(kind))
    return (
        float(estimate) if estimate is not None else math.nan,
        float(se) if se is not None else math.nan,
        verdict,
    )


def _with_influence(frame: pd.DataFrame, panel: Panel, card: Scorecard) -> pd.DataFrame:
    """The influence columns (:mod:`bms_eval.estimation.influence`); a fragile verdict's
    reason says so."""
    a = card.analysis
    frame = add_influence(
        frame,
        panel.units,
        lambda row, unit: _without_unit(panel, card, row, unit),
        a.alpha,
        a.min_effect,
    )
    if frame["fragile"].any():
        texts = Texts(card.language)
        names = card.model_names
        frame["reason"] = [
            decide(Evidence.from_row(r, names, 1 - a.alpha), a.alpha, a.min_effect, texts)[1]
            if r["fragile"]
            else r["reason"]
            for r in frame.to_dict("records")
        ]
    return frame


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
        :func:`estimate_links`' table (no influence columns).
    """
    rows: list[dict] = []
    for target, links in _links_by_target(scorecard).items():
        rows.extend(_TargetRun(panel, scorecard, target, links).rows())
    order = {(lk.source, lk.target): i for i, lk in enumerate(scorecard.links)}
    rows.sort(key=lambda r: (order[(r["from"], r["to"])], r["lag"]))
    return _finish(rows, scorecard) if rows else pd.DataFrame(columns=list(LINK_COLUMNS))


#: Fewest link-lags for which the tests run in parallel: below that, starting the
#: worker processes costs more than it saves.
PARALLEL_FROM_LINK_LAGS = 20

#: What the forked workers of :func:`estimate_links` read (set just before they fork).
_JOB: tuple[Panel, Scorecard, list[tuple[str, list[Link]]]] | None = None


def _target_rows(index: int) -> tuple[int, list[dict]]:
    assert _JOB is not None
    panel, card, groups = _JOB
    target, links = groups[index]
    return index, _TargetRun(panel, card, target, links).rows()


def _workers(requested: int | None, groups: int, link_lags: int) -> int:
    # Windows (spawned workers would import everything again), or inside a worker
    # of the caller's own pool (it may have no children)
    if not can_fork() or multiprocessing.current_process().daemon:
        return 1
    if requested is not None:
        return max(1, min(requested, groups))
    if link_lags < PARALLEL_FROM_LINK_LAGS:
        return 1
    return max(1, min(available_cores(), groups))


def estimate_links(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    influence: bool = True,
) -> LinkResults:
    """Test every link of the scorecard on the data.

    Parameters
    ----------
    scorecard : Scorecard
        Links, indicator names and the ``analysis`` options (effects, alpha,
        min_effect, controls, bootstrap draws and seed).
    data : IndicatorData or pandas.DataFrame
        Tidy data (``unit, period, indicator, value``), checked against the
        scorecard (see :func:`bms_eval.validation.load_inputs`).
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
    LinkResults
        One row per link and lag, with the columns of SPEC 3.1 and more.
    """
    global _JOB
    start = time.perf_counter()
    panel = Panel.for_links(scorecard, data)
    groups = list(_links_by_target(scorecard).items())
    sizes = [sum(len(lk.lags) for lk in links) for _, links in groups]  # link-lags each
    n_workers = _workers(workers, len(groups), sum(sizes))
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
        if n_workers == 1:
            for i, (target, links) in enumerate(groups):
                done(i, _TargetRun(panel, scorecard, target, links).rows())
        else:
            _JOB = (panel, scorecard, groups)
            with signals_held():
                pool = multiprocessing.get_context("fork").Pool(n_workers, initializer=quiet_child)
            try:
                # the effects with the most link-lags first, so no worker is left with a
                # long one at the end; the rows are put in the scorecard's order below
                largest_first = sorted(range(len(groups)), key=lambda i: -sizes[i])
                for i, found in pool.imap_unordered(_target_rows, largest_first):
                    done(i, found)
                pool.close()
            finally:
                _JOB = None
                pool.terminate()  # at once when interrupted; a no-op once closed and done
                pool.join()
    order = {(lk.source, lk.target): i for i, lk in enumerate(scorecard.links)}
    rows.sort(key=lambda r: (order[(r["from"], r["to"])], r["lag"]))
    frame = _finish(rows, scorecard) if rows else pd.DataFrame(columns=list(LINK_COLUMNS))
    a = scorecard.analysis
    if rows and influence:
        with threadpool_limits(limits=1, user_api="blas"):
            frame = _with_influence(frame, panel, scorecard)
    elif rows:
        frame = without_influence(frame)
    if rows:  # once every verdict and its influence are known
        frame["cautions"] = [";".join(cautions(r, a.alpha)) for r in frame.to_dict("records")]
    return LinkResults(
        frame,
        scorecard=scorecard.name,
        effects=a.effects,
        alpha=a.alpha,
        min_effect=a.min_effect,
        n_units=len(panel.units),
        n_periods=len(panel.periods),
        bootstrap_draws=a.bootstrap_draws,
        seed=a.seed,
        seconds=time.perf_counter() - start,
        card=scorecard,
    )
