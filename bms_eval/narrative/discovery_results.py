"""Discovery as a reader meets it: :func:`estimate_discovery` and its read-only
:class:`DiscoveryResults` — the map in use beside the drawn one, in words and tables.

The numbers come from :func:`bms_eval.estimation.discovery.discover`; here they are
set beside the drawn arrows' verdicts (:class:`~bms_eval.narrative.link_results.LinkResults`):
found and not drawn, drawn and not found, how the data were split, and the table of
``discovered.csv``. Sentences are written in the scorecard's language or any other.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from bms_eval.estimation.arrows import roll_up
from bms_eval.estimation.discovery import (
    CONFIRMING,
    DISCOVERY_COLUMNS,
    MIN_HOLDOUT_PERIODS,
    MIN_HOLDOUT_UNITS,
    Discovery,
    discover,
)
from bms_eval.foundation.frames import frame_html, spreadsheet_safe
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts


def write_discovered_csv(table: pd.DataFrame, target: str | Path | IO[str]) -> None:
    """Write ``discovered.csv``: :data:`DISCOVERY_COLUMNS`, full precision."""
    frame = table.reindex(columns=list(DISCOVERY_COLUMNS))
    frame["lag"] = frame["lag"].astype("Int64")
    spreadsheet_safe(frame).to_csv(target, index=False, lineterminator="\n")


@dataclass(frozen=True)
class DiscoveryResults:
    """The undrawn arrows tested, set beside the drawn ones.

    Attributes
    ----------
    discovery : Discovery
        The numbers (:func:`bms_eval.estimation.discovery.discover`).
    card : Scorecard
    drawn : pandas.DataFrame
        The drawn arrows' link table (one row per link and lag, with verdicts).
    language : str
        The language of the sentences.
    """

    discovery: Discovery
    card: Scorecard
    drawn: pd.DataFrame
    language: str

    def _t(self, language: str | None = None) -> Texts:
        return Texts(language or self.language)

    def to_frame(self) -> pd.DataFrame:
        """``discovered.csv``: one row per undrawn arrow and lag tested."""
        return self.discovery.frame.copy()

    @property
    def confirmed(self) -> pd.DataFrame:
        """The confirmed undrawn arrows (one row per arrow and lag)."""
        return self.discovery.confirmed

    def found_not_drawn(self) -> pd.DataFrame:
        """The confirmed undrawn arrows with their names and held-out numbers."""
        names = {i.id: i.name for i in self.card.indicators}
        rows = self.confirmed
        return pd.DataFrame(
            {
                "from": rows["from"],
                "to": rows["to"],
                "lag": rows["lag"].astype(int),
                "from_name": rows["from"].map(names),
                "to_name": rows["to"].map(names),
                "std_estimate": rows["holdout_std_estimate"],
                "p_adjusted": rows["holdout_p_adjusted"],
                "verdict": rows["holdout_verdict"],
            }
        )

    def drawn_not_found(self) -> pd.DataFrame:
        """The drawn arrows whose verdict is not ``supported`` or ``reciprocal``."""
        names = {i.id: i.name for i in self.card.indicators}
        arrows = [a for a in roll_up(self.drawn) if a.verdict not in CONFIRMING]
        return pd.DataFrame(
            {
                "from": [a.source for a in arrows],
                "to": [a.target for a in arrows],
                "from_name": [names.get(a.source, a.source) for a in arrows],
                "to_name": [names.get(a.target, a.target) for a in arrows],
                "verdict": [a.verdict for a in arrows],
            },
            columns=["from", "to", "from_name", "to_name", "verdict"],
        )

    def holdout_sentence(self, language: str | None = None) -> str:
        """How the data were split, and why."""
        t, split, d = self._t(language), self.discovery.holdout, self.discovery
        if split.by == "units":
            return t.format(
                "disc_holdout_units",
                n=len(split.discover) + len(split.confirm),
                first=len(split.discover),
                second=len(split.confirm),
                seed=self.card.analysis.seed,
            )
        if split.by == "periods":
            return t.format(
                "disc_holdout_periods",
                n=d.units,
                least=2 * MIN_HOLDOUT_UNITS,
                first=split.discover[0],
                second=split.confirm[0],
            )
        return t.format(
            "disc_holdout_none",
            n=d.units,
            periods=d.periods,
            units=2 * MIN_HOLDOUT_UNITS,
            least=2 * MIN_HOLDOUT_PERIODS,
        )

    def summary(self, language: str | None = None) -> list[str]:
        """Sentences: the split, the counts, and what was found and not found."""
        t, d = self._t(language), self.discovery
        lines = [self.holdout_sentence(language)]
        if d.holdout.by == "none":
            return lines
        selected = int(d.frame["selected"].sum()) if len(d.frame) else 0
        lines.append(
            t.format(
                "disc_counts",
                n=d.tested,
                selected=selected,
                confirmed=len(self.confirmed),
                alpha=t.number(self.card.analysis.alpha),
            )
        )
        if self.confirmed.empty:
            lines.append(t["disc_none_found"])
        missing = self.drawn_not_found()
        lines.append(
            t.format("disc_not_found_count", n=len(missing))
            if len(missing)
            else t["disc_all_found"]
        )
        return lines

    def tables(self, language: str | None = None) -> dict[str, pd.DataFrame]:
        """The two short tables of the map in use, headed in ``language``."""
        t = self._t(language)
        found = self.found_not_drawn()
        shown_found = pd.DataFrame(
            {
                t["disc_col_arrow"]: [
                    f"{a} → {b}" for a, b in zip(found["from_name"], found["to_name"], strict=True)
                ],
                t["disc_col_lag"]: found["lag"],
                t["disc_col_effect"]: [t.number(v, signed=True) for v in found["std_estimate"]],
                t["disc_col_verdict"]: [t.verdict(v) for v in found["verdict"]],
            }
        )
        missing = self.drawn_not_found()
        shown_missing = pd.DataFrame(
            {
                t["disc_col_arrow"]: [
                    f"{a} → {b}"
                    for a, b in zip(missing["from_name"], missing["to_name"], strict=True)
                ],
                t["disc_col_verdict"]: [t.verdict(v) for v in missing["verdict"]],
            }
        )
        return {"found_not_drawn": shown_found, "drawn_not_found": shown_missing}

    def to_dict(self) -> dict:
        """The ``discovery`` block of ``results.json`` (docs/outputs.md)."""
        from bms_eval.outputs.json_files import records

        d = self.discovery
        return {
            "holdout": {**d.holdout.to_dict(), "why": self.holdout_sentence()},
            "tested": d.tested,
            "alpha": self.card.analysis.alpha,
            "arrows": records(d.frame),
            "map_in_use": {
                "found_not_drawn": records(self.found_not_drawn()),
                "drawn_not_found": records(self.drawn_not_found()),
            },
            "summary": self.summary(),
        }

    def __repr__(self) -> str:
        return "\n".join(self.summary())

    def _repr_html_(self) -> str:
        t = self._t()
        head = "".join(f"<p>{html.escape(line)}</p>" for line in self.summary())
        parts = self.tables()
        return (
            head
            + frame_html(t["disc_found_title"], parts["found_not_drawn"])
            + frame_html(t["disc_not_found_title"], parts["drawn_not_found"])
        )


def estimate_discovery(
    scorecard: Scorecard,
    data: IndicatorData | pd.DataFrame,
    drawn: pd.DataFrame,
    *,
    progress: Callable[[str], None] | None = None,
) -> DiscoveryResults:
    """Discover the undrawn arrows (:func:`bms_eval.estimation.discovery.discover`) and
    set them beside the drawn arrows' link table ``drawn``."""
    found = discover(scorecard, data, progress=progress)
    return DiscoveryResults(found, scorecard, drawn, scorecard.language)
