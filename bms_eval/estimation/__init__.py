"""Estimation, numbers only: fixed-effects link tests, wild cluster bootstrap, direction
tests, influence and verdicts (docs/design.md, docs/verdicts.md).

:func:`~bms_eval.estimation.links.link_tests` gives every link's numbers and verdict;
the public :func:`bms_eval.estimate_links` adds the sentences
(:mod:`bms_eval.narrative.link_results`). Nothing here writes prose or draws.
"""
