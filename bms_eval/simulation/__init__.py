"""Panels simulated with a known truth: :func:`~bms_eval.simulation.truth.simulate`
(effects the user sets) and the planner's model of a history and its generator
(:mod:`~bms_eval.simulation.history`, :mod:`~bms_eval.simulation.generate`)."""
