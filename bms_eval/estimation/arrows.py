"""One verdict per arrow (docs/verdicts.md, "One verdict per arrow").

``links.csv`` has one row per arrow and lag; a reader counts arrows. Everywhere a
summary counts verdicts — the report's summary and headline, the command line's
table, ``results.json``'s ``summary``, the strategy map, the chain's breaks — an
arrow counts once:

- An arrow with one lag has that lag's verdict.
- An arrow with several lags is judged by **its cumulative effect over them**: the
  sum of its lags' coefficients, tested as one (the static model written so that the
  sum is one coefficient; the forward direction test's coefficients at those lags
  summed in the equation that holds them all:
  :meth:`~bms_eval.estimation.target_tests.TargetRun.arrow_row`). Its lag rows keep
  their own coefficients as evidence and take the arrow's verdict, cautions and
  influence (:func:`judged_as_arrows`); each lag's coefficient holds the cause at
  the other lags fixed, so none is a verdict of its own.

A link table without the cumulative test (written by an earlier version) rolls up by
the lag with the strongest evidence (:func:`strength`): a forward finding before
``reverse``, ``between_only``, ``no_effect``, ``inconclusive`` and
``insufficient_data``; within a kind the smallest adjusted p-value of the test behind
it (the narrowest interval for ``no_effect``); ties to the shorter lag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bms_eval.estimation.columns import CUMULATIVE_NUMBERS
from bms_eval.estimation.verdicts import VERDICTS, caution_keys, direction_checked

#: The roll-up rule's name in ``results.json`` (``summary.roll_up``).
ROLL_UP = "cumulative_over_lags"

#: Kinds of evidence, strongest first (a table without the cumulative test).
KINDS: tuple[tuple[str, ...], ...] = (
    ("reciprocal", "supported", "contradicted"),
    ("reverse",),
    ("between_only",),
    ("no_effect",),
    ("inconclusive",),
    ("insufficient_data",),
)


@dataclass(frozen=True)
class ArrowVerdict:
    """The rolled-up verdict of one arrow.

    Attributes
    ----------
    source, target : str
        The arrow's indicator ids.
    verdict : str
        The deciding lag's verdict.
    lag : int
        The deciding lag.
    cautions : tuple of str
        The deciding lag's cautions (docs/verdicts.md).
    others : tuple of (int, str)
        Every other lag tested, with its verdict, by lag (none for an arrow judged by
        its cumulative effect).
    lags : tuple of int
        Every lag tested.
    cumulative : dict of str to float or None
        An arrow with several lags: its cumulative test's numbers
        (:data:`CUMULATIVE_NUMBERS`); empty for an arrow with one lag.
    """

    source: str
    target: str
    verdict: str
    lag: int
    cautions: tuple[str, ...]
    others: tuple[tuple[int, str], ...]
    lags: tuple[int, ...] = ()
    cumulative: dict[str, float | None] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``FROM>TO``."""
        return f"{self.source}>{self.target}"

    def as_dict(self) -> dict:
        """The arrow as in ``results.json``'s ``summary.by_arrow``: an arrow with several
        lags is judged by its cumulative effect (``judged_by: cumulative``, its numbers
        as ``cumulative_<name>``), one with one lag by that lag."""
        out = {
            "link": self.key,
            "verdict": self.verdict,
            "lag": self.lag,
            "lags": list(self.lags or (self.lag,)),
            "judged_by": "cumulative" if self.cumulative else "lag",
            "cautions": list(self.cautions),
            "other_lags": [{"lag": lag, "verdict": v} for lag, v in self.others],
        }
        out.update({f"cumulative_{k}": v for k, v in self.cumulative.items()})
        return out


#: What each lag row of an arrow with several lags takes from the arrow's cumulative
#: row: the arrow is judged once, its lags' coefficients stay beside it as evidence.
ARROW_JUDGEMENT = (
    "verdict",
    "cautions",
    "influential_unit",
    "estimate_without",
    "verdict_without",
    "fragile",
)


def several_lag_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows of a link table (with its cumulative rows) are lags of an arrow
    judged by its cumulative effect (a boolean mask)."""
    if "cumulative" not in frame or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    cumulative = frame["cumulative"].fillna(False).astype(bool).to_numpy()
    arrows = set(zip(frame["from"][cumulative], frame["to"][cumulative], strict=True))
    keys = zip(frame["from"], frame["to"], strict=True)
    return np.array([k in arrows for k in keys], dtype=bool) & ~cumulative


def judged_as_arrows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a decided link table into its link-lag rows and the cumulative rows of the
    arrows with several lags; each such arrow's lag rows take its judgement
    (:data:`ARROW_JUDGEMENT`, their own verdict kept as ``lag_verdict``, not written to
    ``links.csv``), its cumulative numbers (``cumulative_…``) and its lags
    (``arrow_lags``, ``;``-separated)."""
    if "cumulative" not in frame:
        return frame, frame.iloc[0:0]
    cumulative = frame["cumulative"].fillna(False).astype(bool).to_numpy()
    arrows = frame[cumulative].reset_index(drop=True)
    lags = frame[~cumulative].reset_index(drop=True)
    if arrows.empty:
        return lags, arrows
    by_arrow = {(r["from"], r["to"]): r for r in arrows.to_dict("records")}
    keys = list(zip(lags["from"], lags["to"], strict=True))
    lags["lag_verdict"] = [
        v if k in by_arrow else None for k, v in zip(keys, lags["verdict"], strict=True)
    ]
    lags["arrow_lags"] = [
        ";".join(map(str, by_arrow[k]["lags"])) if k in by_arrow else "" for k in keys
    ]
    for column in ARROW_JUDGEMENT:
        if column in arrows:
            own = lags[column].astype(object)
            lags[column] = [
                by_arrow[k][column] if k in by_arrow else v for k, v in zip(keys, own, strict=True)
            ]
    for name in CUMULATIVE_NUMBERS:
        lags[f"cumulative_{name}"] = [
            by_arrow[k].get(name, math.nan) if k in by_arrow else math.nan for k in keys
        ]
    return lags, arrows


def _finite(row: Mapping[str, object], key: str) -> float | None:
    value = _number(row, key)
    return value if math.isfinite(value) else None


def _number(row: Mapping[str, object], key: str) -> float:
    value = row.get(key)
    if isinstance(value, int | float) and math.isfinite(float(value)):
        return float(value)
    return math.inf


def strength(row: Mapping[str, object]) -> tuple[int, float, int]:
    """The sort key of a link-table row under the roll-up rule (smaller: stronger)."""
    verdict = str(row.get("verdict"))
    kind = next((i for i, kinds in enumerate(KINDS) if verdict in kinds), len(KINDS))
    if kind == 0:
        size = _number(row, "forward_p_adjusted" if direction_checked(row) else "p_adjusted")
    elif verdict == "reverse":
        size = _number(row, "reverse_p_adjusted")
    elif verdict == "between_only":
        size = _number(row, "between_p_value")
    elif verdict == "no_effect":
        size = max(abs(_number(row, "std_ci_low")), abs(_number(row, "std_ci_high")))
    else:
        size = 0.0
    return kind, size, int(row.get("lag") or 0)  # type: ignore[call-overload]


def roll_up(links) -> list[ArrowVerdict]:
    """One verdict per arrow, in the order the arrows first appear in ``links`` (a
    link table: a DataFrame or a list of row dicts)."""
    rows = links.to_dict("records") if hasattr(links, "to_dict") else list(links)
    by_arrow: dict[tuple[str, str], list[Mapping[str, object]]] = {}
    for row in rows:
        by_arrow.setdefault((str(row["from"]), str(row["to"])), []).append(row)
    out = []
    for (source, target), lags in by_arrow.items():
        first = lags[0]
        if first.get("arrow_lags"):  # judged by the cumulative effect
            out.append(
                ArrowVerdict(
                    source,
                    target,
                    str(first["verdict"]),
                    min(int(r["lag"]) for r in lags),  # type: ignore[call-overload]
                    caution_keys(first.get("cautions")),
                    (),
                    tuple(sorted(int(r["lag"]) for r in lags)),  # type: ignore[call-overload]
                    {k: _finite(first, f"cumulative_{k}") for k in CUMULATIVE_NUMBERS},
                )
            )
            continue
        best = min(lags, key=strength)
        others = sorted(
            (int(r["lag"]), str(r["verdict"]))  # type: ignore[call-overload]
            for r in lags
            if r is not best
        )
        out.append(
            ArrowVerdict(
                source,
                target,
                str(best["verdict"]),
                int(best["lag"]),  # type: ignore[call-overload]
                caution_keys(best.get("cautions")),
                tuple(others),
                tuple(sorted(int(r["lag"]) for r in lags)),  # type: ignore[call-overload]
            )
        )
    return out


def arrow_verdicts(links) -> dict[tuple[str, str], str]:
    """One verdict per arrow ``(from, to)`` (the module's roll-up rule)."""
    return {(a.source, a.target): a.verdict for a in roll_up(links)}


def verdict_counts(arrows: list[ArrowVerdict]) -> dict[str, int]:
    """How many of the rolled-up ``arrows`` got each verdict, in the order of docs/verdicts.md."""
    counts = dict.fromkeys(VERDICTS, 0)
    for arrow in arrows:
        counts[arrow.verdict] += 1
    return counts


def arrow_counts(links) -> dict[str, int]:
    """How many arrows got each verdict, in the order of docs/verdicts.md (a link with several
    lags counts once, by the module's roll-up rule)."""
    return verdict_counts(roll_up(links))


def arrow_cautions(arrows: list[ArrowVerdict]) -> list[str]:
    """The deciding lags' ``cautions`` cells (``;``-separated), one per arrow: what
    :func:`~bms_eval.estimation.verdicts.caution_counts` and
    :func:`~bms_eval.narrative.reasons.cautions_summary` count."""
    return [";".join(a.cautions) for a in arrows]
