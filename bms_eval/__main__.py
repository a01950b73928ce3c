"""``python -m bms_eval`` runs the command line."""

from bms_eval.cli.main import entry_point

entry_point()
