"""The link tests as a reader meets them: :func:`estimate_links` and its read-only
:class:`LinkResults` — the table with its reasons, a text summary and an HTML view.

The numbers and verdicts come from :func:`bms_eval.estimation.links.link_tests`;
the reasons and notes are written from them here (:mod:`bms_eval.narrative.reasons`),
in the scorecard's language or any other. ``summary()``, ``__repr__`` and
``_repr_html_`` are built from the same table, so what a notebook shows and what the
terminal prints never disagree. Figures of the results are drawn by
:mod:`bms_eval.report.figures`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd

from bms_eval.estimation.arrows import (
    ArrowVerdict,
    arrow_cautions,
    arrow_counts,
    roll_up,
    verdict_counts,
)
from bms_eval.estimation.columns import LINK_COLUMNS
from bms_eval.estimation.links import link_tests
from bms_eval.estimation.verdicts import VERDICTS, caution_counts, caution_keys
from bms_eval.foundation.frames import frame_html, frame_text, spreadsheet_safe
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.reasons import cautions_summary, reasons_and_notes
from bms_eval.narrative.texts import Texts


def _with_arrows(lags: pd.DataFrame, arrows: pd.DataFrame) -> pd.DataFrame:
    """The link-lag rows with each several-lag arrow's cumulative row after its lags
    (``whole`` true on those; ``lags`` present on every row)."""
    out = lags.assign(whole=False)
    for column in ("lags",):
        if column not in out:
            out[column] = None
    if arrows.empty:
        return out.reset_index(drop=True)
    rows = []
    for key, group in out.groupby(["from", "to"], sort=False):
        rows.extend(group.to_dict("records"))
        whole = arrows[(arrows["from"] == key[0]) & (arrows["to"] == key[1])]
        rows.extend(whole.assign(whole=True, arrow_lags="").to_dict("records"))
    return pd.DataFrame(rows, columns=out.columns)


def write_links_csv(table: pd.DataFrame, target: str | Path | IO[str]) -> None:
    """Write a links table as ``links.csv``: :data:`LINK_COLUMNS`, full precision."""
    frame = table.reindex(columns=list(LINK_COLUMNS))
    frame["lag"] = frame["lag"].astype("Int64")
    spreadsheet_safe(frame).to_csv(target, index=False, lineterminator="\n")


@dataclass(frozen=True, repr=False, eq=False)
class LinkResults:
    """Results of :func:`estimate_links`.

    Attributes
    ----------
    scorecard : str
        The scorecard's name.
    effects : str
        ``unit`` or ``twoway``.
    alpha, min_effect : float
        The analysis options used.
    n_units, n_periods : int
        Size of the panel.
    bootstrap_draws, seed : int
        Wild bootstrap settings (used where there are fewer than 50 units).
    seconds : float
        Time the estimation took (not part of equality).
    card : Scorecard, optional
        The scorecard tested, for the strategy map and labels.
    _arrow_table : pandas.DataFrame
        The cumulative test of each arrow with several lags (:meth:`arrow_tests`).
    """

    _table: pd.DataFrame
    scorecard: str = ""
    effects: str = "twoway"
    alpha: float = 0.05
    min_effect: float = 0.2
    n_units: int = 0
    n_periods: int = 0
    bootstrap_draws: int = 0
    seed: int = 0
    seconds: float = 0.0
    card: Scorecard | None = field(default=None, compare=False)
    _arrow_table: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    def _key(self) -> tuple:
        return (
            self.scorecard,
            self.effects,
            self.alpha,
            self.min_effect,
            self.n_units,
            self.n_periods,
            self.bootstrap_draws,
            self.seed,
        )

    def __eq__(self, other: object) -> bool:
        """Equal when the options and every cell of the table are (time taken aside)."""
        if not isinstance(other, LinkResults):
            return NotImplemented
        return self._key() == other._key() and self.to_frame().equals(other.to_frame())

    def __hash__(self) -> int:
        return hash((*self._key(), len(self._table)))

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, key: tuple) -> pd.DataFrame | pd.Series:
        """The tests of one arrow: ``results["M1.1", "B1.1"]`` (its lags as rows) or
        ``results["M1.1", "B1.1", 1]`` (one lag as a row).

        Raises
        ------
        KeyError
            Naming the arrow (and lag) and the arrows there are.
        """
        if not isinstance(key, tuple) or len(key) not in (2, 3):
            raise KeyError(f"use results[FROM, TO] or results[FROM, TO, LAG], not {key!r}")
        table = self.to_frame()
        rows = table[(table["from"] == key[0]) & (table["to"] == key[1])]
        if len(key) == 3:
            rows = rows[rows["lag"] == key[2]]
        if rows.empty:
            pairs = zip(table["from"], table["to"], strict=True)
            arrows = ", ".join(dict.fromkeys(f"{a} → {b}" for a, b in pairs))
            lag = f" at lag {key[2]}" if len(key) == 3 else ""
            raise KeyError(f"no test of {key[0]} → {key[1]}{lag}; tested: {arrows or 'none'}")
        rows = rows.reset_index(drop=True)
        return rows.iloc[0] if len(key) == 3 else rows

    def conf_int(self, standardized: bool = False) -> pd.DataFrame:
        """The confidence interval of every static within effect, at level 1 − alpha.

        Parameters
        ----------
        standardized : bool
            In standard deviations of the within-unit variation (``std_ci_low``,
            ``std_ci_high``) instead of the indicators' own units.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``from``, ``to``, ``lag``; columns ``lower`` and ``upper``.
            The level is the scorecard's ``analysis.alpha`` (intervals from the wild
            bootstrap are not symmetric, so no other level can be derived here).
        """
        low, high = ("std_ci_low", "std_ci_high") if standardized else ("ci_low", "ci_high")
        table = self.to_frame().set_index(["from", "to", "lag"])
        return table[[low, high]].rename(columns={low: "lower", high: "upper"})

    def _texts(self, language: str | None) -> Texts:
        return Texts(language or (self.card.language if self.card else "en"))

    def _prose(self, language: str, arrows: bool = False) -> tuple[list[str], list[str]]:
        """Every row's reason and notes written in ``language`` from the row's numbers
        (of the arrows' cumulative tests with ``arrows``)."""
        if self.card is None:
            raise ValueError("reasons in another language need the scorecard (estimate_links)")
        return reasons_and_notes(
            (self._arrow_table if arrows else self._table).to_dict("records"),
            self.card.model_names,
            self.alpha,
            self.min_effect,
            Texts(language),
        )

    def to_frame(self, language: str | None = None) -> pd.DataFrame:
        """A copy of the table: one row per link and lag, columns :data:`LINK_COLUMNS`.

        Parameters
        ----------
        language : {"en", "nb", "nn"}, optional
            The language of the ``reason`` and ``notes`` columns (the scorecard's
            when not given): the verdicts and numbers are the same in every
            language; the sentences are written from them.
        """
        frame = self._table.reindex(columns=list(LINK_COLUMNS)).copy()
        own = self.card.language if self.card is not None else None
        if language is not None and language != own and len(frame):
            frame["reason"], frame["notes"] = self._prose(language)
        return frame

    def arrow_tests(self, language: str | None = None) -> pd.DataFrame:
        """The test of each arrow with several lags judged as one (docs/verdicts.md): the
        cumulative effect over its lags, one row per such arrow with the columns of
        :meth:`to_frame` and ``lags``; ``lag`` is the shortest."""
        columns = [*LINK_COLUMNS, "lags"]
        frame = self._arrow_table.reindex(columns=columns).copy()
        own = self.card.language if self.card is not None else None
        if language is not None and language != own and len(frame):
            frame["reason"], frame["notes"] = self._prose(language, arrows=True)
        return frame

    def to_csv(self, target: str | Path | IO[str], language: str | None = None) -> None:
        """Write ``links.csv`` (UTF-8, ``,`` separator, full precision; the reasons in
        ``language``, the scorecard's when not given)."""
        write_links_csv(self.to_frame(language), target)

    def table(
        self,
        format: str = "latex",
        *,
        columns: str = "effect",
        uncertainty: str = "se",
        marks: str = "stars",
        p: str = "adjusted",
        digits: int = 3,
        language: str | None = None,
    ) -> str:
        """The link tests as a regression table for a paper, in the style of pyfixest's
        ``etable`` (:mod:`bms_eval.narrative.publication_table`).

        Parameters
        ----------
        format : {"latex", "markdown", "html"}
        columns : {"effect", "arrow"}
            One column per effect indicator (its model) or per arrow.
        uncertainty : {"se", "ci"}
            Standard errors in parentheses, or intervals in brackets.
        marks : {"stars", "p", "none"}
            Stars, the p-value in braces, or nothing.
        p : {"adjusted", "raw"}
            The p-value the marks use: adjusted over the run (Benjamini–Hochberg), or
            each test's own.
        digits : int
        language : {"en", "nb", "nn"}, optional
            The labels' and the note's language (the scorecard's when not given).

        Raises
        ------
        ValueError
            An unknown format or option.
        """
        from bms_eval.narrative.publication_table import TableOptions, publication_table

        options = TableOptions(columns, uncertainty, marks, p, digits)
        names = self.card.model_names if self.card is not None else {}
        panel = {
            "effects": self.effects,
            "n_periods": self.n_periods,
            "bootstrap_draws": self.bootstrap_draws,
        }
        return publication_table(
            self.to_frame(), names, panel, self._texts(language), format, options
        )

    def event_studies(self) -> list[dict]:
        """Per reform arrow and lag (docs/verdicts.md, "Reform arrows"): the effect by
        event time (years since adoption; negative before it), with its interval —
        ``results.json``'s ``event_studies``."""
        if "event_study" not in self._table:
            return []
        table = self._table
        return [
            {"from": a, "to": b, "lag": int(lag), "by_event_time": study}
            for a, b, lag, study in zip(
                table["from"], table["to"], table["lag"], table["event_study"], strict=True
            )
            if isinstance(study, list)
        ]

    def event_study(self, source: str, target: str, lag: int) -> list[dict] | None:
        """One reform arrow's event study at ``lag`` (:meth:`event_studies`), or None
        for an arrow that is not a reform's."""
        if "event_study" not in self._table:
            return None
        table = self._table
        found = table["event_study"][
            (table["from"] == source) & (table["to"] == target) & (table["lag"] == lag)
        ]
        study = found.iloc[0] if len(found) else None
        return study if isinstance(study, list) else None

    def arrows(self) -> list[ArrowVerdict]:
        """One verdict per arrow: the lag with the strongest evidence decides, the other
        lags listed (:mod:`bms_eval.estimation.arrows`)."""
        return roll_up(self._table)

    def counts(self) -> dict[str, int]:
        """How many arrows got each verdict, in the order of docs/verdicts.md (an arrow tested at
        several lags counts once: :meth:`arrows`)."""
        return arrow_counts(self._table)

    def lag_counts(self) -> dict[str, int]:
        """How many link-lags (rows) got each verdict, in the order of docs/verdicts.md."""
        got = self._table["verdict"].value_counts() if len(self._table) else {}
        return {v: int(got.get(v, 0)) for v in VERDICTS}

    def display_frame(self, language: str | None = None, reasons: bool = True) -> pd.DataFrame:
        """The table a reader sees: arrow, lag, the standardized within effect and its
        interval, adjusted p, the direction tests, the verdict (and its reason), with
        headers and verdicts in ``language`` (the scorecard's when not given)."""
        t = self._texts(language)

        def p_cell(p: object) -> str:
            if not (isinstance(p, float) and math.isfinite(p)):
                return ""
            return t.p(p).removeprefix("= ").replace("< ", "<")

        def signed(x: object) -> str:
            return t.number(x, signed=True) if isinstance(x, float) and math.isfinite(x) else ""

        table = _with_arrows(self.to_frame(language), self.arrow_tests(language))
        whole = table["whole"].to_numpy(dtype=bool)
        part = (table["arrow_lags"].astype(object).fillna("") != "").to_numpy() & ~whole
        shown = pd.DataFrame(
            {
                t["lt.link"]: [
                    f"{a} → {b}" for a, b in zip(table["from"], table["to"], strict=True)
                ],
                t["lt.lag"]: [
                    "Σ " + "–".join(map(str, (min(lags), max(lags)))) if whole else str(lag)
                    for lag, lags, whole in zip(
                        table["lag"], table["lags"], table["whole"], strict=True
                    )
                ],
                t["lt.effect"]: [signed(x) for x in table["std_estimate"]],
                t.format("lt.interval", level=t.level(1 - self.alpha)): [
                    f"[{t.number(lo, signed=True)}; {t.number(hi, signed=True)}]"
                    if math.isfinite(est)
                    else ""
                    for est, lo, hi in zip(
                        table["std_estimate"].astype(float),
                        table["std_ci_low"].astype(float),
                        table["std_ci_high"].astype(float),
                        strict=True,
                    )
                ],
                t["lt.p_adjusted"]: [p_cell(p) for p in table["p_adjusted"]],
                t["lt.forward_effect"]: [signed(x) for x in table["forward_std_estimate"]],
                t["lt.forward_p"]: [p_cell(p) for p in table["forward_p_adjusted"]],
                t["lt.reverse_p"]: [p_cell(p) for p in table["reverse_p_adjusted"]],
                t["lt.verdict"]: [
                    "(" + t["lt.part_of_arrow"] + ")"
                    if is_part
                    else t.verdict(v) + (" ⚠" if caution_keys(c) else "")
                    for v, c, is_part in zip(
                        table["verdict"], table["cautions"].fillna(""), part, strict=True
                    )
                ],
            }
        )
        if reasons:
            shown[t["lt.reason"]] = table["reason"]
        return shown

    def _title(self, language: str | None) -> tuple[str, str]:
        t = self._texts(language)
        arrows = self.arrows()
        counts = ", ".join(f"{n} {t.verdict(v)}" for v, n in verdict_counts(arrows).items() if n)
        title = t.format(
            "lt.title",
            name=self.scorecard,
            n=self.n_units,
            periods=self.n_periods,
            effects=t[f"lt.effects.{self.effects}"],
            alpha=t.short(self.alpha),
        )
        note = t.format("lt.verdicts", counts=counts or "–", n=len(arrows))
        if any(a.cumulative for a in arrows):
            note += "\n" + t["lt.cumulative"]
        cautioned = cautions_summary(arrow_cautions(arrows), t)[0]
        return title, note + ("\n" + cautioned if cautioned else "")

    def _cautions(self) -> list[object]:
        """The ``cautions`` column (docs/verdicts.md), empty cells where there is none."""
        return list(self._table.get("cautions", [""] * len(self._table)))

    def caution_counts(self) -> dict[str, int]:
        """How many arrows carry each caution on the lag that decides their verdict,
        and ``any``: how many carry one."""
        return caution_counts(arrow_cautions(self.arrows()))

    def summary(self, language: str | None = None) -> str:
        """A plain-text table of verdicts with the standardized effects: static within
        effect and interval, then the direction tests (forward effect, adjusted p of
        the forward and the reverse test)."""
        title, counts = self._title(language)
        return frame_text(title, self.display_frame(language, reasons=False), counts)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        title, counts = self._title(None)
        return frame_html(title, self.display_frame(), counts)


def estimate_links(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    influence: bool = True,
) -> LinkResults:
    """Test every link of the scorecard on the data, with the reasons in the scorecard's
    language: :func:`bms_eval.estimation.links.link_tests` (its parameters) and the
    sentences of :mod:`bms_eval.narrative.reasons`.

    Returns
    -------
    LinkResults
        One row per link and lag, with the columns of docs/outputs.md.
    """
    tests = link_tests(scorecard, data, progress=progress, workers=workers, influence=influence)
    a = scorecard.analysis
    results = LinkResults(
        tests.frame,
        scorecard=scorecard.name,
        effects=a.effects,
        alpha=a.alpha,
        min_effect=a.min_effect,
        n_units=tests.n_units,
        n_periods=tests.n_periods,
        bootstrap_draws=a.bootstrap_draws,
        seed=a.seed,
        seconds=tests.seconds,
        card=scorecard,
        _arrow_table=tests.arrows,
    )
    if len(tests.frame):  # the scorecard's language, as any other is written (to_frame)
        tests.frame["reason"], tests.frame["notes"] = results._prose(scorecard.language)
    if len(tests.arrows):
        tests.arrows["reason"], tests.arrows["notes"] = results._prose(
            scorecard.language, arrows=True
        )
    return results
