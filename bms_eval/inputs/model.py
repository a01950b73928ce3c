"""The typed, frozen model of a balanced scorecard (docs/inputs.md).

Objects here are built by :func:`bms_eval.inputs.scorecard.load_scorecard` after
every check has passed, so code downstream can rely on them: ids are unique,
references resolve, lags are non-negative integers, ambitions sit on the right
side for their indicator's direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Direction = Literal["up", "down"]
Sign = Literal["+", "-"]
Effects = Literal["unit", "twoway"]
Language = Literal["en", "nb", "nn"]
Transform = Literal["none", "log"]
IndicatorKind = Literal["level", "reform"]
Estimand = Literal["direct", "total"]

DIRECTIONS: tuple[Direction, ...] = ("up", "down")
SIGNS: tuple[Sign, ...] = ("+", "-")
EFFECTS: tuple[Effects, ...] = ("unit", "twoway")
LANGUAGES: tuple[Language, ...] = ("en", "nb", "nn")
RESULT_LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
TRANSFORMS: tuple[Transform, ...] = ("none", "log")
INDICATOR_KINDS: tuple[IndicatorKind, ...] = ("level", "reform")
#: Which effect decides an arrow's verdict (docs/verdicts.md, "Direct and total effects").
ESTIMANDS: tuple[Estimand, ...] = ("direct", "total")

#: Fewest wild-bootstrap draws allowed (docs/verdicts.md).
MIN_BOOTSTRAP_DRAWS = 999
#: Most wild-bootstrap draws accepted: the weights of 49 units × 99 999 draws take
#: 40 MB; more would change p-values only in digits no one reads.
MAX_BOOTSTRAP_DRAWS = 99_999
#: Longest lag accepted, in periods (the data span at most 200 periods).
MAX_LAG = 50


@dataclass(frozen=True)
class Perspective:
    """A balanced-scorecard perspective (economy, users, employees, …)."""

    id: str
    name: str
    line: int = 0


@dataclass(frozen=True)
class Goal:
    """A focus goal or strategic focus area within a perspective."""

    id: str
    perspective: str
    text: str = ""
    result_level: int | None = None
    line: int = 0


@dataclass(frozen=True)
class SuccessFactor:
    """A critical success factor serving a goal."""

    id: str
    goal: str | None
    text: str = ""
    line: int = 0


@dataclass(frozen=True)
class Ambition:
    """Ambition level: green at/over ``target``, yellow at/over ``threshold``.

    "Over" respects the indicator's direction: for ``direction: down`` lower values
    are better, so green means at or *below* the target.
    """

    target: float
    threshold: float | None = None


@dataclass(frozen=True)
class Indicator:
    """A measured indicator with its direction, scale and ambition."""

    id: str
    name: str
    perspective: str
    direction: Direction = "up"
    success_factor: str | None = None
    scale: tuple[float, float] | None = None
    ambition: Ambition | None = None
    result_level: int | None = None
    #: ``log``: the link tests use the natural logarithm of the values (all > 0);
    #: the status and the ambitions stay on the original scale
    transform: Transform = "none"
    #: ``reform``: 0 before a unit adopts it and 1 from then on (absorbing); arrows
    #: from it are tested as staggered difference-in-differences (docs/verdicts.md)
    kind: IndicatorKind = "level"
    line: int = 0
    #: the goal it serves when given directly (else through its success factor)
    goal: str | None = None
    #: the data's name for it when that is not its id (``column:``)
    column: str | None = None
    #: where it was declared: ``line 12`` or ``sheet 'indicators' row 4``
    place: str = ""

    @property
    def data_name(self) -> str:
        """The indicator's name in the data file: its ``column``, else its id."""
        return self.column or self.id

    @property
    def model_name(self) -> str:
        """The name as the link tests see the indicator: ``log(name)`` when logged."""
        return f"log({self.name})" if self.transform == "log" else self.name

    def better(self, a: float, b: float) -> bool:
        """Whether value ``a`` is at least as good as ``b`` for this direction."""
        return a >= b if self.direction == "up" else a <= b


def expects_worse(cause: Indicator, effect: Indicator, sign: str) -> bool:
    """Whether an arrow of this sign expects that improving ``cause`` (moving it in its
    own better direction) makes ``effect`` worse."""
    effect_rises = (cause.direction == "up") == (sign == "+")
    return effect_rises != (effect.direction == "up")


@dataclass(frozen=True)
class Link:
    """An assumed cause-and-effect arrow ``source → target`` at one or more lags.

    The YAML keys are ``from`` and ``to``; ``from`` is a Python keyword, hence
    ``source`` and ``target`` here.
    """

    source: str
    target: str
    lags: tuple[int, ...]
    sign: Sign = "+"
    rationale: str = ""
    line: int = 0
    #: ``side_effect`` as written: ``True`` declares the arrow a consequence (the
    #: cause is expected to make its target worse), ``False`` declares it a means
    #: towards an end even where its sign expects a trade-off, ``None`` when not
    #: given (then the sign decides, :mod:`bms_eval.assessment.roles`)
    side_effect: bool | None = None

    @property
    def key(self) -> str:
        """``FROM>TO``, the link's name in outputs."""
        return f"{self.source}>{self.target}"


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of the analysis (the ``analysis`` block of docs/inputs.md, with our additions)."""

    effects: Effects = "twoway"
    alpha: float = 0.05
    min_effect: float = 0.2
    controls: tuple[str, ...] = ()
    bootstrap_draws: int = 9999
    seed: int = 20050929
    estimand: Estimand = "direct"

    def fewest_draws(self) -> AnalysisOptions:
        """These options with the wild bootstrap at its fewest draws
        (:data:`MIN_BOOTSTRAP_DRAWS`): where a verdict is counted, not its digits —
        a simulated panel, a row tested again without one unit, a test shown beside
        the one that decides."""
        return replace(self, bootstrap_draws=min(self.bootstrap_draws, MIN_BOOTSTRAP_DRAWS))


@dataclass(frozen=True)
class Scorecard:
    """A whole scorecard: perspectives, goals, success factors, indicators, links.

    Attributes
    ----------
    name : str
        Shown in reports.
    language : {"en", "nb", "nn"}
        Language of report prose.
    source : str
        The file it was read from, as the user named it.
    sha256 : str
        Hash of the bytes read from ``source`` (empty when built from text).
    """

    name: str
    language: Language
    perspectives: tuple[Perspective, ...]
    indicators: tuple[Indicator, ...]
    links: tuple[Link, ...] = ()
    goals: tuple[Goal, ...] = ()
    success_factors: tuple[SuccessFactor, ...] = ()
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    source: str = ""
    sha256: str = ""

    def fewest_draws(self) -> Scorecard:
        """The scorecard with :meth:`AnalysisOptions.fewest_draws`."""
        return replace(self, analysis=self.analysis.fewest_draws())

    @property
    def reform_ids(self) -> tuple[str, ...]:
        """Ids of the indicators declared ``kind: reform``."""
        return tuple(ind.id for ind in self.indicators if ind.kind == "reform")

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with id ``indicator_id`` (``KeyError`` if unknown)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Indicator ids in the order the scorecard lists them."""
        return tuple(ind.id for ind in self.indicators)

    @property
    def model_names(self) -> dict[str, str]:
        """Indicator names by id as the link tests see them (``log(name)`` when logged):
        what their reasons and plots call each indicator."""
        return {ind.id: ind.model_name for ind in self.indicators}

    @property
    def logged_ids(self) -> tuple[str, ...]:
        """Ids of the indicators whose link tests use the logarithm (``transform: log``)."""
        return tuple(ind.id for ind in self.indicators if ind.transform == "log")

    @property
    def linked_ids(self) -> tuple[str, ...]:
        """Ids of indicators that appear in a link or as a control, in scorecard order."""
        used = {lk.source for lk in self.links} | {lk.target for lk in self.links}
        used |= set(self.analysis.controls)
        return tuple(i for i in self.indicator_ids if i in used)
