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
#: The fewest simulated panels per design that give a power worth reporting.
MIN_DRAWS = 20
#: The most draws, years and units a plan takes, and the most cells (units ×
#: years) of a design: a plan beyond them would run for days or fill the memory
#: (docs/commands.md). Whatever reaches a design comes through here — the command
#: line, a notebook's parameters, a manifest that ``verify`` reads.
MAX_DRAWS = 100_000
MAX_YEARS = 500
MAX_UNITS = 100_000
MAX_CELLS = 5_000_000
#: Seeds are those numpy takes (0 to 2**32 − 1, here as for the analysis).
MAX_SEED = 2**32 - 1


class PlanOptionError(ValueError):
    """An option of the plan is out of range (the command's wrong usage).

    Parameters
    ----------
    option
        The option's name (a field of :class:`PlanOptions`), None for a rule on
        several options.
    rule
        What is wrong, said after the option's name.
    """

    def __init__(self, option: str | None, rule: str) -> None:
        self.option, self.rule = option, rule
        super().__init__(f"{option} {rule}" if option else rule)

    def as_command_option(self, prefix: str = "") -> str:
        """The message naming the command-line option (``--years``, ``--plan-years``)."""
        return f"--{prefix}{self.option} {self.rule}" if self.option else self.rule


def _whole(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise PlanOptionError(what, f"must be a whole number, not {value!r}")
    if not low <= int(value) <= high:
        raise PlanOptionError(what, f"must be between {low} and {high} (got {int(value)})")
    return int(value)


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

    def __post_init__(self) -> None:
        """Check every option's type and range.

        Raises
        ------
        PlanOptionError
            Naming the option, what it must be and what it was.
        """
        effect = self.effect
        if isinstance(effect, bool) or not isinstance(effect, int | float):
            raise PlanOptionError("effect", f"must be a number of within-unit SDs, not {effect!r}")
        if not math.isfinite(effect) or not 0 < effect <= 100:
            raise PlanOptionError(
                "effect", f"must be a positive number of within-unit SDs, not {effect}"
            )
        _whole(self.draws, "draws", MIN_DRAWS, MAX_DRAWS)
        for what, counts, low, high in (
            ("years", self.years, 3, MAX_YEARS),
            ("units", self.units, 2, MAX_UNITS),
        ):
            if counts is None:
                continue
            if not isinstance(counts, tuple | list):
                raise PlanOptionError(what, f"must be a list of whole numbers, not {counts!r}")
            for count in counts:
                _whole(count, what, low, high)
        if self.workers is not None:
            _whole(self.workers, "workers", 1, 4096)
        if self.seed is not None:
            _whole(self.seed, "seed", 0, MAX_SEED)
        scheduler = self.scheduler  # an address, or (the Python API's) a distributed.Client
        if not (scheduler is None or isinstance(scheduler, str) or hasattr(scheduler, "submit")):
            raise PlanOptionError("scheduler", f"must be an address, not {self.scheduler!r}")

    def check_cells(self, units: int, years: int) -> None:
        """Raise :class:`PlanOptionError` if a design of the plan on a history of
        ``units`` × ``years`` would hold more than :data:`MAX_CELLS` cells."""
        for n in (units, *(self.units or ())):
            for t in (years, *(self.years or ())):
                if n * t > MAX_CELLS:
                    raise PlanOptionError(
                        None,
                        f"a design of {n} units × {t} years is {n * t} cells, more than "
                        f"the {MAX_CELLS} a plan simulates; ask for fewer years or units",
                    )

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
