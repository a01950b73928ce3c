"""``bms-eval template FILE.xlsx | FILE.yaml``: write a starter scorecard."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bms_eval.foundation.resources import example
from bms_eval.inputs import load_scorecard
from bms_eval.inputs.template import SUFFIXES, write_template
from bms_eval.outputs.paths import UsageError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "template",
        help="write a starter scorecard: an Excel workbook or its YAML twin",
        description="Write a starter scorecard to FILE: an Excel workbook (.xlsx, one "
        "sheet per section, lists to pick from) or the same scorecard in YAML "
        "(.yaml). It holds the bundled example (the scorecard the bundled data fit), "
        "ready to run and to change into your own. An existing file is never replaced.",
    )
    p.add_argument("file", metavar="FILE", help="the file to create: .xlsx or .yaml")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the template; wrong usage when the type is unknown or the file exists."""
    path = Path(args.file)
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(
            f"{args.file}: give a file ending in .xlsx (Excel) or .yaml, "
            f"not {path.suffix or 'no ending'!r}"
        )
    card = load_scorecard(example()[0])
    try:
        write_template(path, card)
    except FileExistsError:
        raise UsageError(
            f"{args.file} exists already; it is not replaced: choose a new file name"
        ) from None
    except OSError as exc:  # a full disk: named as the user gave the file
        raise OSError(exc.errno, exc.strerror, args.file) from None
    print(
        f"Wrote {args.file}: the example scorecard {card.name!r} to change into your own. "
        f"Check it with: bms-eval validate {args.file} DATA",
        file=sys.stderr,
    )
    return 0
