"""``bms-eval import ssb FILE [--changes FILE] [--select DIM=CODE] [--out FILE]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bms_eval.cli.messages import print_problems
from bms_eval.foundation.problems import InputError, ProblemList
from bms_eval.inputs.ssb import apply_code_changes, read_code_changes, read_jsonstat
from bms_eval.outputs.paths import check_given, check_output_file, write_atomically


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``import`` with its source ``ssb``."""
    p = sub.add_parser(
        "import",
        help="convert a statistics extract to tidy indicator data",
        description="Convert a statistics extract to tidy indicator data.",
    )
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True
    s = sources.add_parser(
        "ssb",
        help="an SSB statbank extract in JSON-stat 2.0",
        description="Convert a Statistics Norway statbank extract (JSON-stat 2.0) to tidy "
        "data: the geo dimension becomes unit (codes kept as text), time becomes period, "
        "ContentsCode becomes indicator. Cells marked '.', '..', '...' or ':' are missing.",
    )
    s.add_argument("file", metavar="FILE", help="the JSON-stat file")
    s.add_argument(
        "--changes",
        metavar="FILE",
        help="municipality-number changes (oldCode, "
        "newCode, changeOccurred; CSV or SSB's JSON codeChanges): renumberings are "
        "followed to the newest code, mergers and splits reported",
    )
    s.add_argument(
        "--select",
        metavar="DIM=CODE",
        action="append",
        default=[],
        help="the value to keep of a further dimension with several values (repeatable)",
    )
    s.add_argument("--out", metavar="FILE", help="tidy CSV to write (default: standard output)")
    s.set_defaults(handler=run)


def _selection(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            print(f"bms-eval import ssb: --select takes DIM=CODE, not {item!r}", file=sys.stderr)
            raise SystemExit(2)
        dim, code = item.split("=", 1)
        out[dim.strip()] = code.strip()
    return out


def run(args: argparse.Namespace) -> int:
    """Convert; raise InputError with every problem if the extract cannot be used."""
    check_given(args.out)
    if args.out:
        sources = [Path(args.file)] + ([Path(args.changes)] if args.changes else [])
        check_output_file(Path(args.out), sources)
    frame, problems = read_jsonstat(args.file, _selection(args.select))
    all_problems = list(problems)
    if frame is not None and args.changes:
        changes, change_problems = read_code_changes(args.changes)
        all_problems += list(change_problems)
        if changes is not None:
            found = ProblemList(str(args.file))
            frame = apply_code_changes(frame, changes, found)
            all_problems += list(found)
    if frame is None or any(p.severity == "error" for p in all_problems):
        raise InputError(all_problems)
    print_problems(all_problems)
    if args.out:
        write_atomically(
            Path(args.out), lambda h: frame.to_csv(h, index=False, lineterminator="\n")
        )
    else:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    print(
        f"{frame['unit'].nunique()} units, {frame['period'].min()}–{frame['period'].max()}, "
        f"{frame['indicator'].nunique()} indicator(s), {len(frame)} rows "
        f"({int(frame['value'].isna().sum())} missing)",
        file=sys.stderr,
    )
    return 0
