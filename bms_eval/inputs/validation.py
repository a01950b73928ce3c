"""Check a scorecard and its indicator data against each other.

The loaders in :mod:`bms_eval.inputs` check each file alone; here the two meet:
values must lie on each indicator's declared scale, every indicator a link or
control uses must have data, and data for indicators the scorecard does not know
are pointed out. :func:`load_inputs` is the one entry point the rest of the
toolkit uses: it returns both inputs checked, or raises with every problem.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bms_eval.foundation.problems import InputError, Problem, ProblemList
from bms_eval.inputs.data import IndicatorData, read_data
from bms_eval.inputs.model import Indicator, Scorecard
from bms_eval.inputs.scorecard import check_scorecard

#: Most cells (linked indicators × units × periods) of the grid the link tests
#: build: 8 bytes each, so 2 GB.
MAX_GRID_CELLS = 250_000_000


@dataclass(frozen=True)
class Inputs:
    """A checked scorecard with its checked data.

    Attributes
    ----------
    scorecard : Scorecard
    data : IndicatorData
    warnings : tuple of Problem
        Problems that did not stop the run.
    """

    scorecard: Scorecard
    data: IndicatorData
    warnings: tuple[Problem, ...] = ()


def _value_problems(
    card: Scorecard, data: IndicatorData, codes: np.ndarray, uniques: pd.Index
) -> ProblemList:
    """Problems located at the data's rows: indicators the scorecard does not know
    (warnings), values outside a declared scale, and values not above 0 of an
    indicator tested in logs (errors). ``codes`` and ``uniques`` factorize the data's
    ``indicator`` column."""
    found = ProblemList(data.file)
    frame = data.frame
    by_id = {ind.id: ind for ind in card.indicators}
    first_rows = pd.Series(np.arange(len(codes))).groupby(codes).min().to_numpy()
    for code, ind in enumerate(uniques):
        if ind not in by_id:
            found.warning(
                data.places[int(first_rows[code])],
                f"indicator {ind!r} is not in the scorecard "
                f"{card.source}; its rows are ignored (add it to indicators, check "
                "the id's spelling, or name it as an indicator's column:)",
                kind="unknown_indicator",
            )
    scales = [
        by_id[u].scale if u in by_id and by_id[u].scale else (np.nan, np.nan) for u in uniques
    ]
    low = np.array([sc[0] for sc in scales], dtype=float)[codes]
    high = np.array([sc[1] for sc in scales], dtype=float)[codes]
    values = frame["value"].to_numpy()
    for i in np.flatnonzero((values < low) | (values > high)):
        ind = uniques[codes[i]]
        found.error(
            data.places[i],
            f"value {values[i]:g} of indicator {ind!r} lies outside its scale "
            f"[{low[i]:g}, {high[i]:g}] declared in the scorecard",
            kind=f"outside_scale {ind}",
        )
    logged = np.array([u in by_id and by_id[u].transform == "log" for u in uniques], dtype=bool)
    for i in np.flatnonzero(logged[codes] & (values <= 0)):
        ind = by_id[uniques[codes[i]]]
        found.error(
            data.places[i],
            f"value {values[i]:g} of indicator {ind.id!r} is not above 0, but the scorecard "
            f"asks for its logarithm (transform: log, {ind.place}); correct or remove "
            "the value, or test the indicator in levels (drop transform: log)",
            kind=f"not_positive {ind.id}",
        )
    for code, u in enumerate(uniques):
        if u in by_id and by_id[u].kind == "reform":
            _reform_problems(found, data, by_id[u], np.flatnonzero(codes == code))
    return found


def _reform_problems(
    found: ProblemList, data: IndicatorData, ind: Indicator, rows: np.ndarray
) -> None:
    """A reform (``kind: reform``) is 0 before a unit adopts it and 1 from then on:
    an error at each value that is neither, and at the first 0 after a unit's 1."""
    values = data.frame["value"].to_numpy()[rows]
    for i in rows[np.isfinite(values) & (values != 0) & (values != 1)]:
        found.error(
            data.places[i],
            f"value {data.frame['value'].iat[i]:g} of indicator {ind.id!r} is neither 0 nor 1, "
            f"but the scorecard declares it a reform ({ind.place}): 0 before a unit adopts "
            "it, 1 from then on; correct the value, or drop 'kind: reform'",
            kind=f"not_binary {ind.id}",
        )
    part = data.frame.iloc[rows][["unit", "period", "value"]].assign(row=rows)
    part = part[part["value"].isin([0, 1])].sort_values(["unit", "period"], kind="stable")
    adopted = part.groupby("unit", sort=False)["value"].cummax()
    for i in part["row"].to_numpy()[(adopted.to_numpy() == 1) & (part["value"].to_numpy() == 0)]:
        found.error(
            data.places[int(i)],
            f"indicator {ind.id!r} is 0 again after the unit had adopted the reform (1 in an "
            f"earlier year), but a reform is absorbing ({ind.place}): correct the value, "
            "or drop 'kind: reform'",
            kind=f"not_absorbing {ind.id}",
        )


def _coverage_problems(card: Scorecard, data: IndicatorData, observed: set[str]) -> ProblemList:
    """Problems located in the scorecard: linked and control indicators without values
    (errors), a grid too large to test, indicators never observed (warnings)."""
    sc = ProblemList(card.source)
    linked = set(card.linked_ids)
    for link in card.links:
        for end in (link.source, link.target):
            if end not in observed:
                sc.error(
                    f"line {link.line}, link {link.key}",
                    f"indicator {end!r} has no values in {data.file}; a link can only be "
                    "tested with data for both ends",
                    kind="no_data",
                )
    periods, n_units = data.periods, len(data.units)
    cells = n_units * (periods[-1] - periods[0] + 1 if periods else 0) * len(linked)
    if cells > MAX_GRID_CELLS:
        sc.error(
            "links",
            f"the linked indicators span {len(linked)} indicators × {n_units} units × "
            f"{periods[-1] - periods[0] + 1} periods = {cells:,} cells, more than the "
            f"{MAX_GRID_CELLS:,} the link tests can hold in memory; test fewer links at a "
            "time, or fewer units",
            kind="too_large",
        )
    for ctrl in card.analysis.controls:
        if ctrl not in observed:
            sc.error(
                "analysis.controls",
                f"control indicator {ctrl!r} has no values in {data.file}",
                kind="no_data",
            )
    for ind in card.indicators:
        if ind.id not in observed and ind.id not in linked:
            sc.warning(
                f"{ind.place}, indicator {ind.id}",
                f"indicator {ind.id!r} has no values in {data.file}",
                kind="unobserved",
            )
    return sc


def cross_check(card: Scorecard, data: IndicatorData) -> list[Problem]:
    """Problems that only show when the scorecard and the data meet.

    Parameters
    ----------
    card : Scorecard
    data : IndicatorData

    Returns
    -------
    list of Problem
        Values outside a declared scale, values not above 0 of an indicator tested in
        logs (``transform: log``) and linked indicators without data (errors);
        indicators unknown to the scorecard or never observed (warnings).
    """
    frame = data.frame
    codes, uniques = pd.factorize(frame["indicator"])  # codes, never a Python string per row
    found = _value_problems(card, data, codes, uniques)
    observed = set(uniques[np.unique(codes[frame["value"].notna().to_numpy()])])
    return [*found, *_coverage_problems(card, data, observed)]


def outlier_warnings(card: Scorecard, data: IndicatorData) -> list[Problem]:
    """One warning per scorecard indicator with values far from their unit's own path
    (:mod:`bms_eval.inputs.outliers`, on the tests' scale): how many, the worst few,
    located at the worst. Nothing is dropped; the user decides."""
    from bms_eval.inputs.outliers import OUTLIER_Z, outlier_summary

    logged = set(card.logged_ids)
    found = ProblemList(data.file)
    hits = data.outliers(logged)
    for ind, summary in outlier_summary(hits[hits["indicator"].isin(card.indicator_ids)]).items():
        worst = ", ".join(
            f"unit {w['unit']} in {w['period']} ({w['value']:g}; {abs(w['robust_z']):.1f})"
            for w in summary["worst"]
        )
        scale = " on the log scale the tests use" if ind in logged else ""
        count = summary["count"]
        found.warning(
            data.places[summary["worst"][0]["row"]],
            f"indicator {ind!r}: {count} value{'s' if count != 1 else ''} far from "
            f"{'their' if count != 1 else 'its'} unit's own path{scale} (more than "
            f"{OUTLIER_Z:g} robust standard deviations); the worst: {worst}. Check "
            f"{'them' if count != 1 else 'it'} for recording errors (every one is listed "
            "in results.json, assessment.measurement); the link tests use the values as "
            "they are",
            kind=f"outlier {ind}",
        )
    return list(found)


def check_inputs(
    scorecard: str | Path, data: str | Path
) -> tuple[Scorecard | None, IndicatorData | None, list[Problem]]:
    """Read and check both inputs, collecting every problem instead of stopping.

    Returns
    -------
    scorecard, data : model or None
        ``None`` where the file could not be built.
    problems : list of Problem
        Everything found, in file order.
    """
    card, card_problems = check_scorecard(scorecard)
    table, data_problems = read_data(data)
    problems = [*card_problems, *data_problems]
    if card is not None and table is not None:
        table = with_indicator_ids(card, table)
        problems.extend(cross_check(card, table))
    return card, table, problems


def with_indicator_ids(card: Scorecard, data: IndicatorData) -> IndicatorData:
    """The data with every indicator named by its scorecard id: rows under an
    indicator's ``column`` (its name in the data, where that differs from its id)
    are renamed to the id; the file is not touched."""
    names = {ind.column: ind.id for ind in card.indicators if ind.column and ind.column != ind.id}
    if not names:
        return data
    frame = data.frame.copy()
    frame["indicator"] = frame["indicator"].astype(object).replace(names)
    return dataclasses.replace(data, frame=frame)


def load_inputs(scorecard: str | Path, data: str | Path) -> Inputs:
    """Read both inputs and check them alone and together.

    Parameters
    ----------
    scorecard : str or Path
        The scorecard YAML file.
    data : str or Path
        The indicator data file.

    Returns
    -------
    Inputs

    Raises
    ------
    bms_eval.foundation.problems.InputError
        With every problem found in either file.
    """
    card, table, problems = check_inputs(scorecard, data)
    if any(p.severity == "error" for p in problems) or card is None or table is None:
        raise InputError(problems)
    return Inputs(card, table, tuple(problems))


def coverage(card: Scorecard, data: IndicatorData) -> pd.DataFrame:
    """Per scorecard indicator: how much data there is and what range it spans.

    Returns
    -------
    pandas.DataFrame
        One row per scorecard indicator, in scorecard order, with columns
        ``indicator``, ``name``, ``observed`` (non-missing values), ``coverage``
        (share of the unit × period grid observed, the grid of
        :func:`~bms_eval.inputs.data.grid_shape`), ``units`` (units with at least
        one value), ``first``/``last`` period observed, ``min``, ``max``.
    """
    frame = data.frame
    observed = frame["value"].notna()
    n_units, n_periods = data.grid_shape
    grid = n_units * n_periods
    # no copy of the table: units and periods of missing values are masked instead
    by_indicator = frame["indicator"]
    unit = frame["unit"] if observed.all() else frame["unit"].where(observed)
    period = frame["period"] if observed.all() else frame["period"].where(observed)
    value = frame["value"].groupby(by_indicator, sort=False)
    period_of = period.groupby(by_indicator, sort=False)
    stats = pd.DataFrame(
        {
            "observed": value.count(),
            "units": unit.groupby(by_indicator, sort=False).nunique(),
            "first": period_of.min(),
            "last": period_of.max(),
            "min": value.min(),
            "max": value.max(),
        }
    )
    stats = stats[stats["observed"] > 0]
    known = set(stats.index)
    rows = []
    for ind in card.indicators:
        g = stats.loc[ind.id] if ind.id in known else None
        n = 0 if g is None else int(g["observed"])
        rows.append(
            {
                "indicator": ind.id,
                "name": ind.name,
                "observed": n,
                "coverage": n / grid if grid else 0.0,
                "units": 0 if g is None else int(g["units"]),
                "first": None if g is None else int(g["first"]),
                "last": None if g is None else int(g["last"]),
                "min": np.nan if g is None else float(g["min"]),
                "max": np.nan if g is None else float(g["max"]),
            }
        )
    return pd.DataFrame(rows)


def quality_summary(inputs: Inputs) -> dict:
    """The data-quality facts a report needs, JSON-ready.

    Returns
    -------
    dict
        ``file``, ``layout``, ``n_rows``, ``n_units``, ``periods`` (first, last),
        ``coverage`` (records of :func:`coverage`) and ``warnings`` (one line each).
    """
    data = inputs.data
    table = coverage(inputs.scorecard, data)
    return {
        "file": data.file,
        "layout": data.layout,
        "n_rows": len(data.frame),
        "n_units": len(data.units),
        "periods": [data.periods[0], data.periods[-1]] if data.periods else [],
        "coverage": table.astype(object).where(table.notna(), None).to_dict("records"),
        "warnings": [str(p) for p in inputs.warnings]
        + [str(p) for p in outlier_warnings(inputs.scorecard, data)],
    }


class QualityReport:
    """What the data hold, per indicator, and the warnings met while checking them.

    ``to_dict()`` is the ``data_quality`` block of ``results.json``;
    ``to_frame()`` the coverage table (:func:`coverage`).
    """

    def __init__(self, inputs: Inputs):
        self._summary = quality_summary(inputs)
        self._coverage = pd.DataFrame(self._summary["coverage"])

    @property
    def warnings(self) -> list[str]:
        """The warnings, one line each."""
        return list(self._summary["warnings"])

    @property
    def complete(self) -> bool:
        """Whether every indicator is observed for every unit and period."""
        return bool(self._summary["coverage"]) and all(
            r["coverage"] >= 1.0 for r in self._summary["coverage"]
        )

    def to_dict(self) -> dict:
        """The ``data_quality`` block of ``results.json``."""
        return {**self._summary, "coverage": [dict(r) for r in self._summary["coverage"]]}

    def to_frame(self) -> pd.DataFrame:
        """Coverage per scorecard indicator."""
        return self._coverage.copy()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QualityReport):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self._summary["file"], self._summary["n_rows"]))

    def _title(self) -> str:
        s = self._summary
        span = f"{s['periods'][0]}–{s['periods'][-1]}" if s["periods"] else "no periods"
        return f"Data: {s['file']} — {s['n_units']} units, {span}, {s['n_rows']} rows"

    def _note(self) -> str:
        return "Warnings: " + "; ".join(self.warnings) if self.warnings else "No warnings."

    def __repr__(self) -> str:
        from bms_eval.foundation.frames import frame_text

        return frame_text(self._title(), self._coverage, self._note())

    def _repr_html_(self) -> str:
        from bms_eval.foundation.frames import frame_html

        return frame_html(self._title(), self._coverage, self._note())


def in_language(inputs: Inputs, language: str | None) -> Inputs:
    """The inputs with the scorecard's texts to be written in ``language`` (unchanged
    when ``None``); the scorecard's file and hash stay as they were read."""
    from bms_eval.inputs.model import LANGUAGES

    if language is None or language == inputs.scorecard.language:
        return inputs
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return dataclasses.replace(
        inputs, scorecard=dataclasses.replace(inputs.scorecard, language=language)
    )
