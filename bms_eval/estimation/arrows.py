"""One verdict per arrow: how the verdicts of an arrow's lags roll up.

``links.csv`` has one row per arrow and lag; a reader counts arrows. Everywhere a
summary counts verdicts — the report's summary and headline, the command line's
table, ``results.json``'s ``summary``, the strategy map, the chain's breaks — an
arrow tested at several lags counts once, with the verdict of **the lag with the
strongest evidence**, and the other lags listed beside it:

1. Kinds of evidence rank from a forward finding (``reciprocal``, ``supported``,
   ``contradicted``: the forward test < alpha), to ``reverse``, ``between_only``,
   ``no_effect``, ``inconclusive`` and ``insufficient_data``. The lag with the
   highest-ranking kind decides.
2. Among lags of the same kind, the smallest adjusted p-value of the test behind
   that kind decides (the forward test for a forward finding — the direction
   test's, else the static one's; the reverse test for ``reverse``; the between
   test for ``between_only``); for ``no_effect`` the narrowest interval (the
   smallest largest-absolute bound of the standardized effect).
3. Ties go to the shorter lag.

So an arrow ``supported`` at lag 1 (p 0.003) and ``contradicted`` at lag 0
(p 0.04) counts as supported, with "lag 0: contradicted" listed; its cautions
are those of the deciding lag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bms_eval.estimation.verdicts import VERDICTS, caution_keys, direction_checked

#: The roll-up rule's name in ``results.json`` (``summary.roll_up``).
ROLL_UP = "strongest_evidence"

#: Kinds of evidence, strongest first (rule 1).
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
        Every other lag tested, with its verdict, by lag.
    """

    source: str
    target: str
    verdict: str
    lag: int
    cautions: tuple[str, ...]
    others: tuple[tuple[int, str], ...]

    @property
    def key(self) -> str:
        """``FROM>TO``."""
        return f"{self.source}>{self.target}"

    def as_dict(self) -> dict:
        """The arrow as in ``results.json``'s ``summary.by_arrow``."""
        return {
            "link": self.key,
            "verdict": self.verdict,
            "lag": self.lag,
            "cautions": list(self.cautions),
            "other_lags": [{"lag": lag, "verdict": v} for lag, v in self.others],
        }


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
