"""One analysis, computed once and shown many times: :func:`analyse` and
:class:`Analysis` (:mod:`~bms_eval.analysis.results`), every output of a run written
from it (:mod:`~bms_eval.analysis.write`), and a plan's folder
(:mod:`~bms_eval.analysis.plan_folder`)."""
