"""``bms-eval plan SCORECARD DATA [--effect E] [--years N…] [--units N…] [--draws N]
[--workers N] [--scheduler ADDR] [--out DIR]``: what these data can ever show."""

from __future__ import annotations

import argparse
import math
import sys
from contextlib import ExitStack
from pathlib import Path

from bms_eval.cli.arguments import add_inputs, add_language, add_quiet
from bms_eval.cli.messages import positive_whole, print_problems
from bms_eval.inputs.validation import load_inputs
from bms_eval.outputs.paths import UsageError, check_given, check_output_folder
from bms_eval.planning.options import (
    DEFAULT_DRAWS,
    DEFAULT_EFFECT,
    MAX_SEED,
    PlanOptionError,
    PlanOptions,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "plan",
        help="power per arrow now, and the years or units that would reach 80 %%",
        description="Fit a data-generating model to the history (variance components, "
        "persistence, cross-correlations, missing pattern), simulate panels with every "
        "arrow's effect set to --effect within-unit SDs, run the link tests the verdicts use "
        "on each, and report per arrow the power now, the effect found with 80 % power, and "
        "the fewest further years (and units) that reach 80 %. Writes plan.csv to standard "
        "output, or plan.csv, plan.png and manifest.json into --out DIR (a new or empty "
        "folder, or an earlier bms-eval plan output).",
    )
    add_inputs(p)
    add_plan_options(p)
    p.add_argument(
        "--seed",
        type=_seed,
        help=f"random seed, 0 to {MAX_SEED} (default: the scorecard's analysis seed)",
    )
    p.add_argument("--out", metavar="DIR", help="write plan.csv, plan.png and manifest.json here")
    add_language(p, "the figure")
    add_quiet(p)
    p.set_defaults(handler=run)


def add_plan_options(p: argparse.ArgumentParser, prefix: str = "") -> None:
    """The plan's options (``--effect``, ``--years``, …; with ``prefix`` ``plan-``, as
    ``run`` takes them: ``--plan-effect``, …)."""
    p.add_argument(
        f"--{prefix}effect",
        type=_positive_float,
        default=DEFAULT_EFFECT,
        metavar="E",
        help=f"the effect planted on every arrow, in within-unit SDs (default {DEFAULT_EFFECT:g})",
    )
    p.add_argument(
        f"--{prefix}years",
        type=_whole,
        nargs="+",
        metavar="N",
        help="total years of the designs to try (default: 2, 5 and 10 more than now)",
    )
    p.add_argument(
        f"--{prefix}units",
        type=_whole,
        nargs="+",
        metavar="N",
        help="total units of designs to try",
    )
    p.add_argument(
        f"--{prefix}draws",
        type=_whole,
        default=DEFAULT_DRAWS,
        metavar="N",
        help=f"simulated panels per design (default {DEFAULT_DRAWS})",
    )
    p.add_argument(
        f"--{prefix}workers", type=_whole, metavar="N", help="local processes (default: every core)"
    )
    p.add_argument(
        f"--{prefix}scheduler",
        metavar="ADDR",
        help="a Dask scheduler (tcp://host:8786): simulate on its workers "
        "(needs pip install 'bms-eval[dask]')",
    )


def plan_options(args: argparse.Namespace, prefix: str = "") -> PlanOptions:
    """The :class:`PlanOptions` of parsed arguments (see :func:`add_plan_options`)."""
    key = prefix.replace("-", "_")
    years, units = getattr(args, f"{key}years"), getattr(args, f"{key}units")
    return PlanOptions(
        effect=getattr(args, f"{key}effect"),
        years=None if years is None else tuple(years),
        units=None if units is None else tuple(units),
        draws=getattr(args, f"{key}draws"),
        workers=getattr(args, f"{key}workers"),
        scheduler=getattr(args, f"{key}scheduler"),
        seed=getattr(args, f"{key}seed", None),
    )


_whole = positive_whole("a whole number")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a whole number from 0 to {MAX_SEED}, not {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"a positive number of within-unit SDs, not {text!r}")
    return value


class ProgressBar:
    """Draws done, time so far and time left, on standard error: one bar redrawn at a
    terminal, elsewhere (a log) a line per tenth of a design's draws."""

    def __init__(self, stream=sys.stderr):
        from bms_eval.planning.power import progress_lines

        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.lines = progress_lines(lambda text: print(text, file=stream, flush=True))

    def __call__(self, label: str, done: int, total: int, seconds: float) -> None:
        if not self.tty:
            self.lines(label, done, total, seconds)
            return
        width = 24
        filled = round(width * done / max(total, 1))
        bar = "█" * filled + "░" * (width - filled)
        line = f"[{label}] {bar} {done}/{total} draws · {seconds:.0f} s"
        if done < total:
            line += f" · about {seconds / done * (total - done):.0f} s left"
        print("\r" + line, end="\n" if done == total else "", file=self.stream, flush=True)


def checked_plan_options(args: argparse.Namespace, prefix: str = "") -> PlanOptions:
    """:func:`plan_options`, with the scheduler reached at once: an option out of range
    or a scheduler that cannot be used is wrong usage, said before any work starts.

    Raises
    ------
    UsageError
        Naming the option and what is wrong with it.
    """
    from bms_eval.planning.backends import SchedulerError, check_scheduler

    try:
        options = plan_options(args, prefix)
        if options.scheduler is not None:
            check_scheduler(options.scheduler)
    except PlanOptionError as exc:
        raise UsageError(exc.as_command_option(prefix)) from None
    except SchedulerError as exc:
        raise UsageError(str(exc)) from None
    return options


def run(args: argparse.Namespace) -> int:
    """Plan; exit 1 on invalid input, 2 on wrong usage (an unusable --out or scheduler)."""
    from bms_eval.inputs.validation import in_language
    from bms_eval.planning.backends import SchedulerError
    from bms_eval.planning.power import plan_for

    check_given(args.out)
    check_given(args.scheduler, "--scheduler")
    options = checked_plan_options(args)
    scorecard, data = Path(args.scorecard), Path(args.data)
    with ExitStack() as stack:
        folder = None
        if args.out:
            from bms_eval.outputs.folder import OutputFolder

            check_output_folder(Path(args.out), [scorecard, data])
            # entered before the work: a folder that may not be written is refused at once
            folder = stack.enter_context(OutputFolder(Path(args.out)))
        inputs = in_language(load_inputs(scorecard, data), args.language)
        if inputs.warnings and not args.quiet:
            print_problems(inputs.warnings)
        try:
            found = plan_for(
                inputs.scorecard, inputs.data, options, None if args.quiet else ProgressBar()
            )
        except PlanOptionError as exc:
            raise UsageError(exc.as_command_option()) from None
        except SchedulerError as exc:
            raise UsageError(str(exc)) from None
        except ValueError as exc:  # the history cannot be modelled
            print(f"bms-eval plan: {exc}", file=sys.stderr)
            return 1
        if folder is not None:
            from bms_eval.analysis.plan_folder import write_plan_folder

            write_plan_folder(found, inputs, folder, argv=sys.argv)
        else:
            found.to_csv(sys.stdout)
    if not args.quiet:
        print(found.summary(), file=sys.stderr)
        where = f" into {args.out}" if args.out else ""
        print(f"\nPlanned{where} in {found.seconds:.1f} s.", file=sys.stderr)
    return 0
