"""The notebook pipeline behind ``bms-eval run``: execute, collect, report, swap in."""

import sys

# nbformat's validator imports jsonschema, which imports the optional IRI checker
# rfc3987_syntax whenever it is installed (JupyterLab's dependencies install it)
# and compiles its grammar on import: 0.8 s of every run. Notebook schemas check
# no IRI format, so the pipeline's process does without it (jsonschema treats a
# missing checker as absent). Anything that imported it already keeps it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
