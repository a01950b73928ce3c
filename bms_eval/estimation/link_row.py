"""One row of the link tests as estimation fills it: a typed record, built in one
place (:meth:`bms_eval.estimation.target_tests.TargetRun.rows`).

A test that could not be run leaves its fields :data:`UNSET`; :meth:`LinkRow.as_dict`
leaves them out, so the table shows those cells empty. The columns of ``links.csv``
that are decided after every row is known (the adjusted p-values, the verdicts, the
influence and the cautions) are added to the table by
:mod:`bms_eval.estimation.links`; the sentences by :mod:`bms_eval.narrative.reasons`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.influence import SHIFT_COLUMNS

if TYPE_CHECKING:
    from bms_eval.estimation.direction import DirectionFit


class _Unset:
    """The type of :data:`UNSET`."""

    def __repr__(self) -> str:
        return "UNSET"


#: A field whose test was not run (its cell stays empty).
UNSET: Any = _Unset()

#: Fields whose column has another name in the table.
_COLUMN_OF = {
    "source": "from",
    "target": "to",
    **{f"{kind}_shift": column for kind, column in SHIFT_COLUMNS.items()},
}


@dataclass
class LinkRow:
    """One link and lag: the static within test, the side tests and the direction tests.

    Attributes
    ----------
    source, target : str
        The arrow's indicator ids (the columns ``from`` and ``to``).
    lag : int
    sign : str
        The expected sign, ``+`` or ``-``.
    n_obs, n_units : int
        The sample of the model that tested the link (0 where none could).
    problem : NotEstimable or None
        Why the static test could not be run.
    note_keys : tuple of str
        What the fit changed from the requested model (``note.fit_<key>``).
    alone_because : NotEstimable or None
        Why the cause was estimated alone, not in the effect's joint model.
    static_shift, forward_shift, reverse_shift, between_shift : tuple or None
        The unit whose leaving out moves that estimate most, and by how much.

    The other fields are the columns of ``links.csv`` of the same name
    (docs/outputs.md).
    """

    source: str
    target: str
    lag: int
    sign: str
    n_obs: int = 0
    n_units: int = 0
    problem: NotEstimable | None = None
    note_keys: tuple[str, ...] = ()
    alone_because: NotEstimable | None = None
    period_effects: bool = UNSET
    # what the model holds fixed besides the cause (ids, ``;``-separated), and the
    # periods its lags cost (bms_eval.estimation.estimands)
    held_fixed: str = ""
    periods_lost: str = ""  # ``;``-separated periods
    # an arrow with several lags judged as one: its cumulative effect over ``lags``
    cumulative: bool = False
    lags: tuple[int, ...] = UNSET
    # the static within test
    estimate: float = UNSET
    std_error: float = UNSET
    p_value: float = UNSET
    ci_low: float = UNSET
    ci_high: float = UNSET
    std_estimate: float = UNSET
    std_ci_low: float = UNSET
    std_ci_high: float = UNSET
    mde_std: float = UNSET
    inference: str = UNSET
    draws: int = UNSET
    enumerated: bool = UNSET
    # the between and placebo tests
    between_estimate: float = UNSET
    between_std_error: float = UNSET
    between_p_value: float = UNSET
    lead_estimate: float = UNSET
    lead_p_value: float = UNSET
    # how the deciding estimate was made: ``within`` or ``staggered_did``
    method: str = "within"
    # a reform arrow's (bms_eval.estimation.staggered)
    pretrend_p_value: float = UNSET
    sensitivity_mbar: float = UNSET
    event_study: list[dict[str, float]] = UNSET
    # the direction tests
    direction_method: str = UNSET
    direction_problem: NotEstimable | None = UNSET
    forward_estimate: float = UNSET
    forward_std_error: float = UNSET
    forward_p_value: float = UNSET
    forward_std_estimate: float = UNSET
    forward_inference: str = UNSET
    reverse_estimate: float = UNSET
    reverse_std_error: float = UNSET
    reverse_p_value: float = UNSET
    persistence_effect: float = UNSET
    persistence_cause: float = UNSET
    lag1_forward_p_value: float = UNSET
    lag1_reverse_p_value: float = UNSET
    # the robustness designs' direction tests (bms_eval.estimation.unit_designs):
    # columns ``<design>_<forward|reverse>_<estimate|std_error|p_value|std_estimate>``
    # and ``<design>_needed_p_value``
    designs: dict[str, float] = field(default_factory=dict)
    design_problems: dict[str, NotEstimable] = field(default_factory=dict)
    # the unit that moves each estimate most (bms_eval.estimation.influence)
    static_shift: tuple[int, float] | None = UNSET
    forward_shift: tuple[int, float] | None = UNSET
    reverse_shift: tuple[int, float] | None = UNSET
    between_shift: tuple[int, float] | None = UNSET

    def set_design(
        self, kind: str, forward: DirectionFit, reverse: DirectionFit, needed_p_value: float
    ) -> None:
        """The forward and reverse tests under the robustness design ``kind``, and the
        p-value of the test whether its unit-specific terms are needed."""
        self.designs[f"{kind}_needed_p_value"] = needed_p_value
        for side, fit in (("forward", forward), ("reverse", reverse)):
            for what in ("estimate", "std_error", "p_value", "std_estimate"):
                self.designs[f"{kind}_{side}_{what}"] = getattr(fit, what)

    def as_dict(self) -> dict[str, Any]:
        """The row for the table: its set fields by their column names (the designs'
        numbers each in its column; their problems as ``<design>_problem``)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "designs":
                out.update(value)
            elif f.name == "design_problems":
                out.update({f"{kind}_problem": problem for kind, problem in value.items()})
            elif value is not UNSET:
                out[_COLUMN_OF.get(f.name, f.name)] = value
        return out
