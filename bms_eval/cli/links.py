"""``bms-eval links SCORECARD DATA [--out FILE]``: the link tests alone, no notebooks."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from bms_eval.cli.arguments import add_inputs, add_language, add_quiet
from bms_eval.cli.messages import print_problems
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.publication_table import CHOICES
from bms_eval.outputs.paths import check_given, check_output_file, write_atomically

#: What each layout option of ``--table`` chooses (its values: ``CHOICES``).
TABLE_HELP = {
    "columns": "one column per effect indicator or per arrow",
    "uncertainty": "standard errors or intervals below each estimate",
    "marks": "stars, p-values, or nothing",
    "p": "the p-value the marks use (adjusted over the run, or each test's own)",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "links",
        help="test every link of the scorecard, write links.csv",
        description="Test every assumed cause-and-effect link of the scorecard on the data "
        "(fixed effects, clustered or wild-bootstrap inference, side tests, verdicts) and "
        "write links.csv to FILE or standard output.",
    )
    add_inputs(p)
    p.add_argument(
        "--out",
        metavar="FILE",
        help="write links.csv here (default: standard "
        "output); the file is replaced only when the run succeeds",
    )
    add_language(p, "write the reasons and the summary")
    p.add_argument(
        "--table",
        choices=("latex", "markdown", "html"),
        help="write a regression table for a paper instead of links.csv: one column per "
        "effect indicator, estimates with standard errors and stars (adjusted p)",
    )
    for name, allowed in CHOICES.items():
        p.add_argument(
            f"--table-{name}",
            choices=allowed,
            default=allowed[0],
            help=f"with --table: {TABLE_HELP[name]} (default: {allowed[0]})",
        )
    add_quiet(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the link tests; raise InputError on invalid input, UsageError on a bad --out."""
    try:
        return _test_links(args)
    finally:
        gc.unfreeze()


def _test_links(args: argparse.Namespace) -> int:
    from bms_eval.inputs.validation import in_language
    from bms_eval.narrative.link_results import estimate_links  # the solvers: only for this command

    # what is imported lives as long as the process: the collector need not walk it
    # again (each full pass, e.g. when the data's memory is given back, took 20 ms)
    gc.freeze()
    check_given(args.out)
    if args.out:
        check_output_file(Path(args.out), [Path(args.scorecard), Path(args.data)])
    inputs = in_language(load_inputs(args.scorecard, args.data), args.language)
    if inputs.warnings and not args.quiet:
        print_problems(inputs.warnings)

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    results = estimate_links(inputs.scorecard, inputs.data, progress=progress)

    def write(target) -> None:
        if args.table is None:
            results.to_csv(target)
            return
        layout = {name: getattr(args, f"table_{name}") for name in CHOICES}
        target.write(results.table(args.table, **layout))

    if args.out:
        write_atomically(Path(args.out), write)
    else:
        write(sys.stdout)
    if not args.quiet:
        print(results.summary(), file=sys.stderr)
        if args.out:
            print(
                f"\nWrote {args.out} ({len(results.to_frame())} rows) in {results.seconds:.1f} s.",
                file=sys.stderr,
            )
    return 0
