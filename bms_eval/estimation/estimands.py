"""What an arrow's number holds fixed: its direct and its total effect
(docs/verdicts.md, "Direct and total effects").

The model of an effect ``Y`` holds every other cause the scorecard draws into ``Y``
(and the analysis' controls) fixed: its coefficient of ``X`` is ``X``'s **direct**
effect, what ``X`` does to ``Y`` other than through those causes. Where some of them
lie on a path of the scorecard from ``X`` to ``Y`` (``X → M → Y``: ``M`` a
mediator), holding them fixed also removes the part of ``X``'s effect that runs
through them; the **total** effect is the same test with the mediators left out of
``Y``'s model. Where an arrow has no mediator on the map, the two are one model.

``analysis.estimand`` says which of the two decides the verdict; both are reported.
Numbers only: which indicators a model holds fixed is given as ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from bms_eval.inputs.model import Scorecard


def _reach(edges: dict[str, set[str]], start: str, stop: str) -> set[str]:
    """Every node reached from ``start`` along ``edges`` without passing through ``stop``
    (``stop`` itself is reached but not left: a path ends where it meets it)."""
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            if node != stop:
                todo.extend(edges.get(node, ()))
    return seen


def mediators(card: Scorecard, source: str, target: str) -> frozenset[str]:
    """The indicators of ``target``'s model that lie on a scorecard path from ``source``
    to ``target``: reached from ``source`` along the links and reaching ``target``, on a
    path that meets neither end on the way (a cycle through ``Y`` back into it is not a
    path from ``X`` to ``Y``).

    Parameters
    ----------
    card : Scorecard
    source, target : str
        The arrow's indicator ids.

    Returns
    -------
    frozenset of str
        Ids of ``target``'s other causes (and controls) that the total effect leaves out.
    """
    down: dict[str, set[str]] = {}
    up: dict[str, set[str]] = {}
    for link in card.links:
        down.setdefault(link.source, set()).add(link.target)
        up.setdefault(link.target, set()).add(link.source)
    in_model = {lk.source for lk in card.links if lk.target == target} | set(card.analysis.controls)
    on_path = _reach(down, source, target) & _reach(up, target, source)
    return frozenset(on_path & in_model - {source, target})


def held_fixed(terms: Iterable[tuple[str, int]], source: str, order: Iterable[str]) -> str:
    """The ``held_fixed`` cell: the ids of the indicators a model holds fixed besides the
    tested cause (``terms``: the model's terms), ``;``-separated in ``order``."""
    ids = {ind for ind, _ in terms if ind != source}
    ranked = [i for i in order if i in ids]
    return ";".join(ranked + sorted(ids - set(ranked)))
