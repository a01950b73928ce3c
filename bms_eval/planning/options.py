"""What a plan is asked for (``bms-eval plan``'s options, ``run --plan``), apart from
the planner itself so that an analysis can carry it without loading the planner."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from bms_eval.narrative.texts import Texts

#: Power the planner aims for: the designs it looks for reach it.
TARGET_POWER = 0.8
#: The effect planted on every arrow by default, in within-unit SDs.
DEFAULT_EFFECT = 0.2
#: Simulated panels per design by default.
DEFAULT_DRAWS = 500


@dataclass(frozen=True)
class PlanOptions:
    """The options of :func:`bms_eval.planning.plan` (see there)."""

    effect: float = DEFAULT_EFFECT
    years: tuple[int, ...] | None = None
    units: tuple[int, ...] | None = None
    draws: int = DEFAULT_DRAWS
    workers: int | None = None
    scheduler: str | None = None
    seed: int | None = None

    def as_dict(self) -> dict:
        """JSON-ready (the manifest's record; the workers and scheduler change only
        the time a plan takes, not its results)."""
        out = asdict(self)
        for key in ("years", "units"):
            out[key] = None if out[key] is None else list(out[key])
        return out


def further_needed(value: object) -> int | None:
    """A plan's further years or units needed as a number, None where no design tried
    reached the target (an empty cell: None, NaN or pandas' NA)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else int(number)


def further_text(value: object, t: Texts, tried: bool = True) -> str:
    """Further years or units needed as a reader sees them, in ``t``'s language: ``+5``;
    "none needed" (80 % power already); "not reached" (no design tried reaches it);
    "not tried" (``tried`` false: no design with more of them was simulated)."""
    number = further_needed(value)
    if number is None:
        return t["plan.not_reached"] if tried else t["plan.not_tried"]
    return f"+{number}" if number else t["plan.none_needed"]
