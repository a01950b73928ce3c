"""``python -m bms_eval`` runs the command line."""

import sys

from bms_eval.cli.main import main

sys.exit(main())
