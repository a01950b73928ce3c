"""``bms-eval verify DIR``: check a run's folder against its manifest and run it again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bms_eval.outputs.paths import UsageError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "verify",
        help="check a report folder against its manifest and run the analysis again",
        description="Check DIR (written by bms-eval run) against its manifest.json: the "
        "inputs still have the recorded hashes, every output is as the run wrote it, and "
        "the analysis run again from the manifest (in a temporary folder) gives identical "
        "outputs. Prints the state of every file. Exit status 0 when everything is "
        "identical, 1 when anything differs or is missing.",
    )
    p.add_argument("folder", metavar="DIR", help="a folder written by bms-eval run")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Verify and print the outcome; 0 when identical, 1 when not."""
    from bms_eval.pipeline.verify import verify

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{args.folder}: not a folder; give a folder written by bms-eval run")

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    found = verify(folder, progress)
    print("\n".join(found.lines()))
    if found.ok:
        print(
            "Verified: the inputs and outputs are as recorded, and running again gives "
            "identical outputs."
        )
        return 0
    print("Not verified: see the files above that are not as recorded or not identical.")
    return 1
