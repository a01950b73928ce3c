"""``bms-eval run [SCORECARD DATA] [--out DIR]``: notebooks, outputs and the report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bms_eval.cli.arguments import add_inputs, add_language
from bms_eval.cli.messages import positive_whole, print_problems
from bms_eval.cli.plan import add_plan_options, checked_plan_options
from bms_eval.foundation.resources import example
from bms_eval.inputs.validation import load_inputs
from bms_eval.outputs.paths import UsageError, check_given, check_output_folder
from bms_eval.planning.options import PlanOptionError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "run",
        help="the whole analysis: notebooks, links.csv, status.csv, report.html, …",
        description="Execute every notebook with papermill on SCORECARD and DATA (the bundled "
        "example when both are left out) and write report.html, links.csv, status.csv, "
        "results.json, manifest.json and notebooks/ into DIR: a new or empty folder, or one "
        "holding only an earlier bms-eval output, which is replaced only when the run "
        "succeeds. Any other folder is refused, never deleted.",
    )
    add_inputs(p, optional=True)
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: reports/<scorecard file's stem>/)"
    )
    add_language(p, "write the report and every text")
    p.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive,
        help="stop the run when a notebook cell takes longer than this (default: no limit)",
    )
    p.add_argument(
        "--plan",
        action="store_true",
        help="plan as well (as bms-eval plan): plan.csv, the report's section on what these "
        "data can show, and the notebook 05_design; set with the --plan-… options",
    )
    add_plan_options(p, "plan-")
    p.add_argument(
        "--discover",
        action="store_true",
        help="discover as well: every arrow the scorecard does not draw, tested with a "
        "holdout (discovered.csv, the report's map in use and the notebook 06_discovery)",
    )
    p.set_defaults(handler=run)


_positive = positive_whole("a whole number of seconds")


def default_output(scorecard: Path) -> Path:
    """``reports/<scorecard file's stem>/`` (docs/commands.md)."""
    return Path("reports") / scorecard.stem


def run(args: argparse.Namespace) -> int:
    """Run the pipeline; exit 2 for one input without the other or an unusable --out."""
    from bms_eval.inputs.validation import in_language
    from bms_eval.outputs.folder import OutputFolder
    from bms_eval.pipeline.notebooks import shared_kernel

    if (args.scorecard is None) != (args.data is None):
        print(
            "bms-eval run: give both SCORECARD and DATA, or neither for the bundled example",
            file=sys.stderr,
        )
        return 2
    check_given(args.out)
    check_given(args.plan_scheduler, "--plan-scheduler")
    plan = checked_plan_options(args, "plan-") if args.plan else None
    scorecard, data = (Path(args.scorecard), Path(args.data)) if args.scorecard else example()
    out = Path(args.out) if args.out else default_output(scorecard)
    check_output_folder(out, [scorecard, data])

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    # the folder is entered first, so on an interrupt the kernel is stopped
    # before the work folder is removed; the kernel starts before the inputs are
    # read, which it outlasts (invalid input stops it again: exit 1)
    with OutputFolder(out) as folder, shared_kernel() as kernel:
        checked = [in_language(load_inputs(scorecard, data), args.language)]
        if plan is not None:
            try:
                plan.check_cells(*checked[0].data.grid_shape)
            except PlanOptionError as exc:
                raise UsageError(exc.as_command_option("plan-")) from None
        if checked[0].warnings:
            print_problems(checked[0].warnings)
        # papermill and nbformat take a while to import: only this command needs
        # them, and the kernel warms up meanwhile
        from bms_eval.pipeline.run import RunFailed, RunSettings, run_pipeline

        try:
            times = run_pipeline(
                scorecard,
                data,
                out,
                progress,
                inputs=checked.pop(),
                kernel=kernel,
                folder=folder,
                settings=RunSettings(
                    argv=sys.argv, timeout=args.timeout, plan=plan, discover=args.discover
                ),
            )
        except RunFailed as exc:
            print(f"bms-eval run: {exc}", file=sys.stderr)
            return 1
    print(f"Wrote {out}/report.html and the other outputs in {times.total:.1f} s.")
    return 0
