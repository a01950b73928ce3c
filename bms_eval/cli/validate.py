"""``bms-eval validate SCORECARD DATA``: check both inputs and summarise them."""

from __future__ import annotations

import argparse
import math

from bms_eval.cli.arguments import add_inputs
from bms_eval.cli.messages import print_problems
from bms_eval.foundation.problems import InputError
from bms_eval.inputs.validation import check_inputs, coverage, outlier_warnings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "validate",
        help="check a scorecard and its data, print every problem",
        description="Check a scorecard (YAML or .xlsx) and an indicator data file "
        "(alone and against each other) and print every problem found, one "
        "per line. Exit status 0 when valid, 1 when not.",
    )
    add_inputs(p)
    p.add_argument(
        "--all",
        action="store_true",
        dest="show_all",
        help="print every problem, not only the first 20 of each kind per file",
    )
    p.set_defaults(handler=run)


def _fmt(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:g}"


def run(args: argparse.Namespace) -> int:
    """Validate and print a summary; raise InputError if invalid."""
    card, data, problems = check_inputs(args.scorecard, args.data)
    if any(p.severity == "error" for p in problems) or card is None or data is None:
        if args.show_all:
            print_problems(problems, per_kind=10**9)
            return 1
        raise InputError(problems)
    problems = [*problems, *outlier_warnings(card, data)]
    print_problems(problems)
    periods = data.periods
    print(
        f"Scorecard  {card.name} ({card.source}): {len(card.perspectives)} perspectives, "
        f"{len(card.indicators)} indicators, {len(card.links)} links"
    )
    print(
        f"Data       {data.file} ({data.layout}, {len(data.frame)} rows): "
        f"{len(data.units)} units, periods {periods[0]}–{periods[-1]} ({len(periods)})"
    )
    table = coverage(card, data)
    width = max(len("indicator"), *(len(i) for i in table["indicator"]))
    print(
        f"\n{'indicator':<{width}}  {'values':>6}  {'coverage':>8}  {'units':>5}  "
        f"{'periods':<9}  {'min':>8}  {'max':>8}  name"
    )
    for row in table.itertuples(index=False):
        span = f"{row.first}–{row.last}" if row.observed else "—"
        print(
            f"{row.indicator:<{width}}  {row.observed:>6}  {row.coverage:>8.0%}  "
            f"{row.units:>5}  {span:<9}  {_fmt(row.min):>8}  {_fmt(row.max):>8}  {row.name}"
        )
    n_warn = len(problems)
    print(f"\nValid: no errors{f', {n_warn} warning(s) above' if n_warn else ''}.")
    return 0
