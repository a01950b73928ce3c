"""The ``bms-eval`` command: argument parsing and the guard that keeps tracebacks away.

Each subcommand lives in a module of its own that offers ``add_parser`` and
``run``. Exit status (SPEC section 2): 0 success, 1 invalid input (every problem
on a line of its own), 2 wrong usage. An unexpected internal failure is reported
in one line with exit status 1; ``--debug`` shows its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bms_eval import __version__
from bms_eval.cli import import_ssb, links, run, validate
from bms_eval.cli.output import print_problems
from bms_eval.problems import InputError

SUBCOMMANDS = (validate, links, run, import_ssb)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="bms-eval",
        description="Test the cause-and-effect arrows of a balanced scorecard on the "
        "organisation's own indicator history.",
    )
    parser.add_argument("--version", action="version", version=f"bms-eval {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of an internal error"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on wrong usage
    try:
        return int(args.handler(args))
    except InputError as exc:
        print_problems(exc.problems)
        return 1
    except KeyboardInterrupt:
        print("bms-eval: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"bms-eval: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "bms-eval, not in your files; rerun with --debug and report the traceback.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
