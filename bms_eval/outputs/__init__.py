"""How bms-eval writes files (docs/design.md, docs/outputs.md): the rules of an
output folder and its lock (:mod:`~bms_eval.outputs.folder`), checks of output paths
and atomic writes (:mod:`~bms_eval.outputs.paths`), strict JSON
(:mod:`~bms_eval.outputs.json_files`) and the manifest's records
(:mod:`~bms_eval.outputs.manifest`). Every writer above this layer uses these."""
