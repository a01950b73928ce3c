"""``bms-eval import ssb FILE | --table ID [--select DIM=CODES] [--changes FILE] [--out FILE]``."""

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
    s.add_argument("file", metavar="FILE", nargs="?", help="the JSON-stat file (or --table)")
    s.add_argument(
        "--table",
        metavar="ID",
        help="fetch the statbank table with this id from SSB's API instead of a file "
        "(split into queries within the API's cell limit, its rate limit kept, answers "
        "cached with their date)",
    )
    s.add_argument(
        "--api",
        metavar="URL",
        default=None,
        help="with --table: the statbank API's root (default: SSB's PxWebApi 2)",
    )
    s.add_argument(
        "--cache",
        metavar="DIR",
        help="with --table: where answers are kept (default: ~/.cache/bms-eval/statbank)",
    )
    s.add_argument(
        "--refresh",
        action="store_true",
        help="with --table: ask the statbank again even where the cache has the answer",
    )
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
        help="the value to keep of a further dimension with several values (repeatable); "
        "with --table also the units, years or contents to fetch (DIM=CODE,CODE,…)",
    )
    s.add_argument("--out", metavar="FILE", help="tidy CSV to write (default: standard output)")
    s.set_defaults(handler=run)


def _selection(items: list[str]) -> dict[str, list[str]]:
    out = {}
    for item in items:
        if "=" not in item:
            print(f"bms-eval import ssb: --select takes DIM=CODE, not {item!r}", file=sys.stderr)
            raise SystemExit(2)
        dim, codes = item.split("=", 1)
        out[dim.strip()] = [c.strip() for c in codes.split(",") if c.strip()]
    return out


def _usage(message: str) -> None:
    print(f"bms-eval import ssb: {message}", file=sys.stderr)
    raise SystemExit(2)


def _fetched(args: argparse.Namespace):
    """The statbank table of ``--table`` as tidy rows (exit 1 with one line when the
    statbank cannot give it)."""
    from bms_eval.inputs.statbank import DEFAULT_API, Statbank, StatbankError
    from bms_eval.inputs.statbank_table import fetch_table

    statbank = Statbank(
        api=args.api or DEFAULT_API,
        cache=Path(args.cache) if args.cache else None,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
        refresh=args.refresh,
    )
    try:
        return fetch_table(args.table, _selection(args.select), statbank)
    except StatbankError as exc:
        found = ProblemList(f"statbank table {args.table}")
        found.error("", str(exc), kind="statbank")
        raise InputError(list(found)) from None


def run(args: argparse.Namespace) -> int:
    """Convert; raise InputError with every problem if the extract cannot be used."""
    if (args.file is None) == (args.table is None):
        _usage("give either a JSON-stat FILE or --table ID (one of the two)")
    if args.table is None and (args.api or args.cache or args.refresh):
        _usage("--api, --cache and --refresh go with --table")
    check_given(args.out)
    if args.out:
        sources = [Path(args.file)] if args.file else []
        sources += [Path(args.changes)] if args.changes else []
        check_output_file(Path(args.out), sources)
    if args.table is not None:
        frame, problems = _fetched(args)
    else:
        single = {}
        for dim, codes in _selection(args.select).items():
            if len(codes) != 1:
                _usage(f"--select {dim}: one code for a file's dimension")
            single[dim] = codes[0]
        frame, problems = read_jsonstat(args.file, single)
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
