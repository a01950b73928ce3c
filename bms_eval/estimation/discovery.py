"""The arrows the data show that the scorecard does not draw (docs/verdicts.md,
"Discovery").

Every ordered pair of indicators the scorecard does not join (no arrow either way)
is a candidate arrow ``X → Y`` at lags 1 and 2 (lag 0 cannot order cause and
effect in yearly data; lag 2 where the periods allow). Such a search tests
thousands of arrows, so it is guarded twice against finding noise:

1. **Holdout.** The data are split once (:func:`holdout_split`): by units where
   both halves have at least :data:`MIN_HOLDOUT_UNITS` (units are independent, so
   the halves are), else by periods where both halves have at least
   :data:`MIN_HOLDOUT_PERIODS` (earlier periods discover, later ones confirm: a
   check forward in time, on the same units), else not at all — and then nothing
   is listed.
2. **Screen, then confirm.** On the discovery half every candidate is added to
   ``Y``'s model of drawn causes, with ``Y``'s own lag, unit and period effects
   (:func:`bms_eval.estimation.masked_within.candidate_columns`); Benjamini–Hochberg
   over all candidates selects. On the held-out half each selected candidate is
   tested as a drawn arrow would be — static test, bias-corrected direction tests
   both ways, robustness designs, lead placebo (:func:`target_rows`) — with its
   discovered sign as the expected one; Benjamini–Hochberg over these
   confirmations alone; the verdict rules of the drawn arrows. An arrow is
   *confirmed* where that verdict is ``supported`` or ``reciprocal``.

Under the global null the confirmations are independent of the selection (a unit
split) and one Benjamini–Hochberg family, so the chance that any false arrow is
listed is at most ``alpha``. Neither family is mixed with the drawn arrows'
adjustment, and the drawn arrows' tests are not touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from bms_eval.estimation.direction_equations import MIN_DIRECTION_PERIODS
from bms_eval.estimation.estimand_rows import target_rows
from bms_eval.estimation.inference import benjamini_hochberg
from bms_eval.estimation.influence import without_influence
from bms_eval.estimation.links import (
    forked,
    forked_job,
    judged_rows,
    with_influence,
    workers_for,
)
from bms_eval.estimation.masked_within import candidate_columns
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.target_tests import model_terms, seed_for
from bms_eval.estimation.verdicts import NOT_CHECKED, STAGGERED, cautions
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Link, Scorecard

#: Lags of a candidate arrow (lag 2 only where the periods allow).
DISCOVERY_LAGS = (1, 2)
#: Fewest units in each half for a split by units.
MIN_HOLDOUT_UNITS = 15
#: Fewest periods in each half for a split by periods: the direction tests' minimum
#: with the longest lag and the effect's own lag lost at the start.
MIN_HOLDOUT_PERIODS = MIN_DIRECTION_PERIODS + max(DISCOVERY_LAGS) + 1
#: The held-out verdicts that confirm an undrawn arrow.
CONFIRMING = ("supported", "reciprocal")

#: Columns of ``discovered.csv`` (docs/outputs.md).
DISCOVERY_COLUMNS = (
    "from", "to", "lag", "estimate", "std_estimate", "p_value", "p_adjusted", "n_obs",
    "n_units", "selected", "holdout_estimate", "holdout_std_estimate",
    "holdout_p_adjusted", "holdout_reverse_p_adjusted", "holdout_verdict",
    "holdout_cautions", "confirmed", "holdout",
)  # fmt: skip


@dataclass(frozen=True)
class Holdout:
    """How the data were split for discovery.

    Attributes
    ----------
    by : {"units", "periods", "none"}
        ``none``: too few units and periods for two halves; nothing is listed.
    discover, confirm : tuple of str
        The units of each half (a split by units), or the first and last period of
        each half as text (a split by periods); empty for ``none``.
    """

    by: str
    discover: tuple[str, ...] = ()
    confirm: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"by": self.by, "discover": list(self.discover), "confirm": list(self.confirm)}


def holdout_split(panel: Panel, seed: int) -> tuple[Holdout, Panel | None, Panel | None]:
    """The split (:class:`Holdout`) and the two halves' panels (None for ``none``).

    Units are shuffled with the analysis' seed and halved (the same data and seed give
    the same halves); periods are halved at the middle, the earlier half discovering.
    """
    n_units, n_periods = panel.shape
    if n_units >= 2 * MIN_HOLDOUT_UNITS:
        order = seed_for(seed, "discovery holdout").permutation(n_units)
        first, second = np.sort(order[: n_units // 2]), np.sort(order[n_units // 2 :])
        halves = panel.part(units=first), panel.part(units=second)
        split = Holdout("units", halves[0].units, halves[1].units)
        return split, *halves
    if n_periods >= 2 * MIN_HOLDOUT_PERIODS:
        middle = n_periods // 2
        halves = panel.part(periods=slice(0, middle)), panel.part(periods=slice(middle, None))
        span = tuple(
            f"{int(h.periods[0])}–{int(h.periods[-1])}" for h in halves
        )  # the periods as text
        return Holdout("periods", (span[0],), (span[1],)), *halves
    return Holdout("none"), None, None


def joined(card: Scorecard) -> set[tuple[str, str]]:
    """The ordered pairs the scorecard joins, either way."""
    pairs = {(lk.source, lk.target) for lk in card.links}
    return pairs | {(b, a) for a, b in pairs}


def candidates(card: Scorecard, panel: Panel) -> dict[str, list[str]]:
    """Per effect indicator, the causes it has no arrow with (either way), in the
    scorecard's order: indicators with values; a reform is never an effect."""
    ids = [i for i in card.indicator_ids if panel.has(i)]
    drawn, reforms = joined(card), set(card.reform_ids)
    return {y: [x for x in ids if x != y and (x, y) not in drawn] for y in ids if y not in reforms}


def _screen_target(panel: Panel, card: Scorecard, target: str, causes: list[str]) -> list[dict]:
    """Every candidate cause of ``target`` at each lag, added in turn to its model of
    drawn causes with its own lag (the discovery half's regressions)."""
    terms, controls = model_terms(card, target)
    own = [(target, 1)]
    base = [panel.shifted(i, lag) for i, lag in own + [t for t in terms + controls if t != own[0]]]
    rows: list[dict] = []
    twoway = card.analysis.effects == "twoway"
    for lag in DISCOVERY_LAGS:
        if lag + MIN_DIRECTION_PERIODS > panel.shape[1] or not causes:
            continue
        grids = np.stack([panel.shifted(x, lag) for x in causes])
        fits = candidate_columns(panel.values[target], base, grids, twoway)
        for j, cause in enumerate(causes):
            rows.append(
                {
                    "from": cause,
                    "to": target,
                    "lag": lag,
                    "estimate": fits.estimate[j],
                    "std_error": fits.std_error[j],
                    "std_estimate": fits.std_estimate[j],
                    "p_value": fits.p_value[j],
                    "n_obs": int(fits.n_obs[j]),
                    "n_units": int(fits.n_units[j]),
                }
            )
    return rows


def _confirmation_card(card: Scorecard, row: dict) -> tuple[Scorecard, Link]:
    """The scorecard with the candidate drawn, its discovered sign expected (``sign``
    where the row has one, else its estimate's), its model's direct effect deciding."""
    sign = row.get("sign") or _sign(row["estimate"])
    link = Link(str(row["from"]), str(row["to"]), (int(row["lag"]),), sign)
    analysis = replace(card.analysis, estimand="direct")
    return replace(card, links=(*card.links, link), analysis=analysis), link


def _sign(estimate: float) -> str:
    return "+" if estimate >= 0 else "-"


def _tested(panel: Panel, card: Scorecard, record: dict) -> list[dict]:
    """One selected candidate's row, tested on ``panel`` as a drawn arrow."""
    with_it, link = _confirmation_card(card, record)
    return target_rows(
        panel, with_it, link.target, [link], beside=False, only=(int(record["lag"]), False)
    )


def _tested_in_worker(index: int) -> tuple[int, list[dict]]:
    panel, card, records = forked_job()
    return index, _tested(panel, card, records[index])


#: Fewest selected candidates tested in forked workers (fewer: in this process).
PARALLEL_FROM_CONFIRMATIONS = 8


def _confirm(
    panel: Panel,
    card: Scorecard,
    selected: pd.DataFrame,
    progress: Callable[[str], None] | None,
) -> pd.DataFrame:
    """The selected candidates tested on the held-out half as drawn arrows, judged as one
    family of their own; a confirmed one is tested again without the unit that moves it
    most (``fragile`` where its verdict would change)."""
    records = selected.to_dict("records")
    found: list[list[dict]] = [[] for _ in records]
    n_workers = workers_for(None, len(records), len(records), PARALLEL_FROM_CONFIRMATIONS)
    if n_workers == 1:
        for i, record in enumerate(records):
            found[i] = _tested(panel, card, record)
    else:
        done = 0
        for i, rows in forked(
            (panel, card, records), _tested_in_worker, range(len(records)), n_workers
        ):
            found[i], done = rows, done + 1
            if progress is not None and done % 25 == 0:
                progress(f"discovery: {done}/{len(records)} selected arrows tested again")
    rows = [row for rows in found for row in rows]
    if not rows:
        return pd.DataFrame()
    # each row carries its own expected sign: one family, each judged under its sign
    judged = judged_rows(rows, card)
    parts = []
    for i, row in enumerate(judged.to_dict("records")):
        one = judged.iloc[[i]].reset_index(drop=True)
        if row["verdict"] in CONFIRMING:
            one = with_influence(one, panel, _confirmation_card(card, row)[0], 1)
        else:
            one = without_influence(one)
        parts.append(one)
    judged = pd.concat(parts, ignore_index=True)
    alpha = card.analysis.alpha
    judged["cautions"] = [";".join(cautions(r, alpha)) for r in judged.to_dict("records")]
    return judged


@dataclass(frozen=True)
class Discovery:
    """The undrawn arrows tested (:func:`discover`).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per candidate and lag (:data:`DISCOVERY_COLUMNS`), confirmed first.
    holdout : Holdout
        How the data were split.
    tested : int
        Candidate arrows and lags screened.
    units, periods : int
        Size of the panel of all indicators.
    seconds : float
    """

    frame: pd.DataFrame
    holdout: Holdout
    tested: int
    units: int
    periods: int
    seconds: float

    @property
    def confirmed(self) -> pd.DataFrame:
        """The confirmed undrawn arrows (one row per arrow and lag)."""
        if self.frame.empty:
            return self.frame
        return self.frame[self.frame["confirmed"].astype(bool)].reset_index(drop=True)


def _screened(
    panel: Panel,
    card: Scorecard,
    pool: dict[str, list[str]],
    progress: Callable[[str], None] | None,
    start: float,
) -> pd.DataFrame:
    """The discovery half's screen of every candidate, with its Benjamini–Hochberg
    adjustment over them all and whether it is selected."""
    rows: list[dict] = []
    for i, (target, causes) in enumerate(pool.items(), 1):
        rows.extend(_screen_target(panel, card, target, causes))
        if progress is not None and (i == len(pool) or i % 10 == 0):
            progress(
                f"discovery: [{i}/{len(pool)}] effect indicators screened, {len(rows)} "
                f"candidate arrow-lags ({time.perf_counter() - start:.1f} s)"
            )
    frame = pd.DataFrame(rows, columns=[*list(DISCOVERY_COLUMNS[:9]), "std_error"])
    frame["p_adjusted"] = benjamini_hochberg(frame["p_value"].to_numpy(dtype=float))
    frame["selected"] = frame["p_adjusted"].to_numpy(dtype=float) < card.analysis.alpha
    return frame


def _with_holdout(frame: pd.DataFrame, held: pd.DataFrame, split: Holdout) -> pd.DataFrame:
    """The screen's rows with the held-out tests of the selected ones beside them."""
    out = frame.copy()
    names = {
        "holdout_estimate": "forward_estimate",
        "holdout_std_estimate": "forward_std_estimate",
        "holdout_p_adjusted": "forward_p_adjusted",
        "holdout_reverse_p_adjusted": "reverse_p_adjusted",
        "holdout_verdict": "verdict",
        "holdout_cautions": "cautions",
    }
    for col in names:
        out[col] = np.nan if col not in ("holdout_verdict", "holdout_cautions") else ""
    out["holdout_verdict"] = out["holdout_verdict"].astype(object)
    out["holdout_cautions"] = out["holdout_cautions"].astype(object)
    if not held.empty:
        key = {(r["from"], r["to"], int(r["lag"])): r for r in held.to_dict("records")}
        for i, r in enumerate(out.to_dict("records")):
            found = key.get((r["from"], r["to"], int(r["lag"])))
            if found is None:
                continue
            # where the static test (or a reform's aggregated effect) decides the verdict,
            # its numbers stand for the held-out half (docs/verdicts.md, 3.2)
            static = found.get("direction_method") == NOT_CHECKED
            static |= found.get("method") == STAGGERED
            for col, source in names.items():
                value = found.get(source)
                if static and source.startswith("forward_"):
                    value = found.get(source.removeprefix("forward_"))
                out.at[i, col] = value
    out["confirmed"] = out["holdout_verdict"].isin(CONFIRMING)
    out["holdout"] = split.by
    order = np.lexsort((out["p_value"].to_numpy(dtype=float), ~out["confirmed"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)[list(DISCOVERY_COLUMNS)]


def discover(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    *,
    progress: Callable[[str], None] | None = None,
) -> Discovery:
    """Test every arrow the scorecard does not draw, with a holdout (module docstring).

    Parameters
    ----------
    scorecard : Scorecard
        Its links (the drawn arrows, whose pairs are not candidates, and each effect's
        model of drawn causes) and the analysis options (effects, alpha, seed).
    data : IndicatorData or pandas.DataFrame
        Tidy data checked against the scorecard.
    progress : callable, optional
        Receives a line per ten effect indicators screened and per confirmation step.

    Returns
    -------
    Discovery
        Every candidate and lag screened; with ``holdout.by == "none"`` no row (the
        data are too small for a holdout, and nothing is listed without one).
    """
    start = time.perf_counter()
    panel = Panel.for_links(scorecard, data, scorecard.indicator_ids)
    split, first, second = holdout_split(panel, scorecard.analysis.seed)
    if first is None or second is None:
        empty = pd.DataFrame(columns=list(DISCOVERY_COLUMNS))
        return Discovery(empty, split, 0, *panel.shape, time.perf_counter() - start)
    pool = candidates(scorecard, panel)
    with threadpool_limits(limits=1, user_api="blas"):
        screen = _screened(first, scorecard, pool, progress, start)
        selected = screen[screen["selected"]]
        if progress is not None:
            progress(
                f"discovery: {len(selected)} of {len(screen)} selected; confirming them on "
                f"the held-out {split.by} ({time.perf_counter() - start:.1f} s)"
            )
        held = _confirm(second, scorecard, selected, progress)
    frame = _with_holdout(screen, held, split)
    return Discovery(frame, split, len(screen), *panel.shape, time.perf_counter() - start)
