"""The read-only results of a link test run: table, text summary and HTML view.

``summary()``, ``__repr__`` and ``_repr_html_`` are built from the same table,
so what a notebook shows and what the terminal prints never disagree.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pandas as pd

from bms_eval.estimation.verdicts import VERDICTS, level_text
from bms_eval.inputs.model import Scorecard

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The columns of links.csv: SPEC 3.1's, in its order, then ours.
LINK_COLUMNS = (
    "from",
    "to",
    "lag",
    "n_obs",
    "n_units",
    "estimate",
    "std_error",
    "p_value",
    "p_adjusted",
    "ci_low",
    "ci_high",
    "std_estimate",
    "mde_std",
    "between_estimate",
    "between_p_value",
    "reverse_p_value",
    "lead_p_value",
    "verdict",
    "reason",
    "forward_estimate",
    "forward_std_error",
    "forward_p_value",
    "forward_p_adjusted",
    "forward_std_estimate",
    "reverse_estimate",
    "reverse_std_error",
    "reverse_p_adjusted",
    "direction_method",
    # additions
    "sign",
    "from_name",
    "to_name",
    "std_ci_low",
    "std_ci_high",
    "lead_estimate",
    "forward_inference",
    "persistence_effect",
    "persistence_cause",
    "lag1_forward_p_value",
    "lag1_reverse_p_value",
    "inference",
    "draws",
    "period_effects",
    "notes",
)


def write_links_csv(table: pd.DataFrame, target: str | Path | IO[str]) -> None:
    """Write a links table as ``links.csv``: :data:`LINK_COLUMNS`, full precision."""
    frame = table.reindex(columns=list(LINK_COLUMNS))
    frame["lag"] = frame["lag"].astype("Int64")
    frame.to_csv(target, index=False, lineterminator="\n")


@dataclass(frozen=True, repr=False, eq=False)
class LinkResults:
    """Results of :func:`bms_eval.estimation.estimate_links`.

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

    def _texts(self, language: str | None):
        from bms_eval.texts import Texts

        return Texts(language or (self.card.language if self.card else "en"))

    def plot_coefficients(self, language: str | None = None) -> Figure:
        """Standardized within effects with their intervals, by verdict
        (:func:`bms_eval.report.figures.coefficient_plot`)."""
        from bms_eval.report.figures import coefficient_plot

        return coefficient_plot(self.to_frame(), self.min_effect, self._texts(language))

    def plot_map(self, language: str | None = None) -> Figure:
        """The strategy map coloured by verdict (:func:`bms_eval.report.figures.strategy_map`)."""
        from bms_eval.report.figures import strategy_map

        if self.card is None:
            raise ValueError("the strategy map needs the scorecard: results from estimate_links")
        return strategy_map(self.card, self.to_frame(), self._texts(language))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table: one row per link and lag, columns :data:`LINK_COLUMNS`."""
        return self._table.reindex(columns=list(LINK_COLUMNS)).copy()

    def to_csv(self, target: str | Path | IO[str]) -> None:
        """Write ``links.csv`` (UTF-8, ``,`` separator, full precision)."""
        write_links_csv(self._table, target)

    def counts(self) -> dict[str, int]:
        """How many link-lags got each verdict, in the SPEC's order."""
        got = self._table["verdict"].value_counts() if len(self._table) else {}
        return {v: int(got.get(v, 0)) for v in VERDICTS}

    def _lines(self) -> list[tuple[str, ...]]:
        def p_cell(p: float) -> str:
            if not (isinstance(p, float) and math.isfinite(p)):
                return ""
            return "<0.001" if p < 0.001 else f"{p:.3f}"

        def signed(x: float) -> str:
            return f"{x:+.2f}" if isinstance(x, float) and math.isfinite(x) else ""

        rows = []
        for r in self.to_frame().itertuples(index=False):
            est = r.std_estimate
            ci = (
                f"[{r.std_ci_low:+.2f}, {r.std_ci_high:+.2f}]"
                if isinstance(est, float) and math.isfinite(est)
                else ""
            )
            rows.append(
                (
                    f"{r._0} → {r.to}",
                    str(r.lag),
                    signed(est),
                    ci,
                    p_cell(r.p_adjusted),
                    signed(r.forward_std_estimate),
                    p_cell(r.forward_p_adjusted),
                    p_cell(r.reverse_p_adjusted),
                    r.verdict,
                )
            )
        return rows

    def summary(self) -> str:
        """A plain-text table of verdicts with the standardized effects: static within
        effect and interval, then the direction tests (forward effect, adjusted p of
        the forward and the reverse test)."""
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items() if n)
        head = (
            f"Link tests: {self.scorecard} — {self.n_units} units × {self.n_periods} "
            f"periods, {self.effects} fixed effects, alpha {self.alpha:g}\n"
            f"Verdicts: {counts or 'none'}\n"
        )
        rows = self._lines()
        header = (
            "link",
            "lag",
            "std.eff",
            f"{level_text(1 - self.alpha)} CI (SD)",
            "p.adj",
            "fwd.eff",
            "fwd p.adj",
            "rev p.adj",
            "verdict",
        )
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
            for i, h in enumerate(header)
        ]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r) for r in rows]
        return head + "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        esc = html.escape
        counts = ", ".join(f"{n} {esc(v)}" for v, n in self.counts().items() if n)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{esc(cell)}</td>" for cell in row[:8])
            + f"<td>{esc(row[8])}</td><td>{esc(reason)}</td></tr>"
            for row, reason in zip(self._lines(), self._table["reason"], strict=True)
        )
        return (
            f"<div><p><b>Link tests: {esc(self.scorecard)}</b> — {self.n_units} units × "
            f"{self.n_periods} periods, {esc(self.effects)} fixed effects, alpha "
            f"{self.alpha:g}. Verdicts: {counts or 'none'}.</p><table><thead><tr>"
            "<th>link</th><th>lag</th><th>std. effect</th>"
            f"<th>{level_text(1 - self.alpha)} CI (SD)</th>"
            "<th>adjusted p</th><th>direction test: effect</th><th>forward adjusted p</th>"
            "<th>reverse adjusted p</th><th>verdict</th><th>reason</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )
