"""The ``bms-eval`` command: argument parsing and the guard that keeps tracebacks away.

Each subcommand lives in a module of its own that offers ``add_parser`` and
``run``. Exit status (docs/commands.md): 0 success, 1 invalid input or a problem
of the machine (a full disk, a read-only folder: one line naming the file),
2 wrong usage, 130 interrupted (Ctrl-C, SIGINT), 143 terminated (SIGTERM). An
interrupted command stops its kernel, removes its work folder and leaves earlier
outputs as they were. An unexpected internal failure is reported in one line
with exit status 1; ``--debug`` shows its traceback.
"""

from __future__ import annotations

import argparse
import errno
import gc
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from bms_eval.cli import import_ssb, links, plan, run, template, validate, verify
from bms_eval.cli.messages import print_problems
from bms_eval.cli.terminal import safe_terminal
from bms_eval.foundation.memory import reserve_little
from bms_eval.foundation.problems import InputError
from bms_eval.foundation.version import __version__
from bms_eval.outputs.paths import UsageError

SUBCOMMANDS = (validate, links, run, plan, import_ssb, template, verify)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so every clean-up runs."""


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


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt and SIGTERM :class:`Terminated`; once one has
    arrived, further ones are ignored so the clean-up it starts, and the message that
    follows, can finish. The handlers before are restored only when the command has
    said its last word (:func:`main`), so a second signal never cuts that short."""

    def ignore(_signum: int, _frame: object) -> None:
        """A later signal, during the clean-up (a Python handler, not ``SIG_IGN``: a
        signal already pending when the handler changes would otherwise raise
        "ignored due to race condition" in the middle of the clean-up)."""

    def stop(signum: int, _frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, ignore)
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    with suppress(ValueError):  # not the main thread (a test runner's worker)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop)
    yield


@contextmanager
def _handlers_restored() -> Iterator[None]:
    """The SIGINT and SIGTERM handlers as they were before, once the command ends."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        with suppress(ValueError, TypeError):  # not the main thread
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _os_problem(exc: OSError) -> str:
    where = exc.filename or "the output"
    if exc.errno == errno.ENOSPC:
        what = "the disk is full; free some space or write elsewhere (--out)"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        what = f"cannot write here ({exc.strerror}); choose a folder you may write to (--out)"
    elif exc.errno == errno.ENOENT:
        what = (
            "cannot be created there (the place does not exist or holds no files); "
            "choose another (--out)"
        )
    elif exc.errno == errno.EDQUOT:
        what = "your disk quota is used up; free some space or write elsewhere (--out)"
    else:
        what = exc.strerror or str(exc)
    return f"bms-eval: {where}: {what}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    reserve_little()
    with safe_terminal(), _handlers_restored():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on wrong usage
    try:
        with _signals_as_exceptions():
            return int(args.handler(args))
    except InputError as exc:
        print_problems(exc.problems)
        return 1
    except UsageError as exc:
        print(f"bms-eval {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bms-eval: interrupted; earlier outputs are as they were", file=sys.stderr)
        return 130
    except Terminated:
        print("bms-eval: terminated; earlier outputs are as they were", file=sys.stderr)
        return 143
    except BrokenPipeError:
        # the reader of standard output went away (e.g. `| head`): nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print("bms-eval: standard output was closed before everything was written", file=sys.stderr)
        return 1
    except MemoryError:
        print(
            "bms-eval: out of memory; the data are too large for this machine "
            "(see the README's limits), or close other programs and try again",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(_os_problem(exc), file=sys.stderr)
        return 1
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"bms-eval: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "bms-eval, not in your files; rerun with --debug and report the traceback.",
            file=sys.stderr,
        )
        return 1


def entry_point() -> None:
    """The installed ``bms-eval`` script: run the command, then exit the process.

    Everything imported or computed is left to the process' end: the collector's
    last full pass over it would add about a tenth of a second to every command.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    entry_point()
