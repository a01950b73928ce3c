"""The run's analysis, computed beside the notebooks that show it.

``bms-eval run`` hands its notebooks one :class:`~bms_eval.analysis.results.Analysis`.
Where processes can be forked (Linux, macOS), a child process computes its parts
— quality, status, link tests, assessment — and renders every figure, writing
each into the run's parts folder the moment it is done
(:func:`bms_eval.analysis.results.write_part`); the notebooks start at once and each
waits only for the part it shows. Figures are rendered by two processes, so
that both cores work while the kernel displays. Where fork is not available,
everything is computed first, in the command's own process. Either way each
part is computed exactly once and the notebooks only read it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from bms_eval.analysis.results import (
    FAILED,
    LATE_FIGURES,
    LIVE,
    Analysis,
    figure_file,
    write_part,
)
from bms_eval.foundation.file_locks import try_lock
from bms_eval.foundation.workers import can_fork, quiet_child, signals_held

#: Seconds the command waits for its analysis process to start.
STARTUP_WAIT = 60


def _render(analysis: Analysis, parts: Path, tags: Iterable[str]) -> None:
    for tag in tags:
        write_part(parts, figure_file(tag), analysis.figure(tag))


def _render_in_helper(analysis: Analysis, parts: Path, tags: list[str]) -> None:
    """A helper's work: its failure reaches the analysis process as its exit
    status (:func:`_join`; an :class:`OSError`'s number, such as a full disk's),
    which reports it; nothing is printed here."""
    try:
        _render(analysis, parts, tags)
    except BaseException as exc:
        number = exc.errno if isinstance(exc, OSError) else None
        os._exit(number if number is not None and 1 < number < 126 else 1)


def _helper(analysis: Analysis, parts: Path, tags: list[str]):
    """A forked process rendering ``tags`` (started at once)."""
    process = multiprocessing.get_context("fork").Process(
        target=_render_in_helper, args=(analysis, parts, tags), daemon=True
    )
    process.start()
    return process


def _join(process) -> None:
    process.join()
    if process.exitcode is not None and 1 < process.exitcode < 126:  # its OSError's number
        raise OSError(process.exitcode, os.strerror(process.exitcode), None)
    if process.exitcode != 0:
        raise RuntimeError(f"rendering the figures failed (exit status {process.exitcode})")


def produce(analysis: Analysis, parts: Path, progress: Callable[[str], None], fork: bool) -> None:
    """Compute every part and figure of ``analysis`` into ``parts``, in the order the
    notebooks show them; with ``fork``, figures are rendered by helper processes
    beside the link tests."""
    import bms_eval.report.figures  # noqa: F401  (loaded once, before the helpers fork)

    for name in ("quality", "status"):
        write_part(parts, f"{name}.pickle", pickle.dumps(analysis.part(name), protocol=5))
    first = analysis.data_figure_tags()
    early = _helper(analysis, parts, first) if fork else None
    if early is None:
        _render(analysis, parts, first)
    value = analysis.part("links", progress)
    write_part(parts, "links.pickle", pickle.dumps(value, protocol=5))
    # the link tests' figures do not wait for the plan or the discovery (the notebooks
    # show them first); those parts' own figures are drawn once the parts are there
    tags = analysis.figure_tags()
    rest = [t for t in tags if t not in first and t not in LATE_FIGURES]
    late = [t for t in tags if t in LATE_FIGURES]  # with a plan or a discovery
    helpers = [early] if early is not None else []
    if early is None:
        _render(analysis, parts, rest)
    elif late:
        helpers.append(_helper(analysis, parts, rest))
    for name in ("diagnostics", "plan", "discovery", "assessment"):
        value = analysis.part(name, progress)
        write_part(parts, f"{name}.pickle", pickle.dumps(value, protocol=5))
    if late:
        _render(analysis, parts, late)
    elif early is not None:
        helpers.append(_helper(analysis, parts, rest[1::2]))
        _render(analysis, parts, rest[0::2])
    for helper in reversed(helpers):
        _join(helper)


def _child(analysis: Analysis, parts: Path, report) -> None:
    """The analysis process: holds :data:`LIVE` while it lives, tells the command
    through ``report`` (a pipe, which needs no disk) that it started and, if it
    fails, why."""
    quiet_child()  # the command stops this process when it is interrupted
    with contextlib.suppress(OSError):  # (the command makes the group as well)
        os.setpgid(0, 0)  # a group of its own, with the figure helpers it forks
    live = os.open(parts / LIVE, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    try_lock(live)  # held until this process ends, however it ends
    report.send(None)
    try:
        produce(analysis, parts, lambda line: print(line, file=sys.stderr, flush=True), True)
    except BaseException as exc:  # the notebooks waiting for a part must hear of it
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        os_error = (exc.errno, exc.strerror, exc.filename) if isinstance(exc, OSError) else None
        with contextlib.suppress(OSError):
            report.send((detail, os_error))
        with contextlib.suppress(OSError):  # a full disk may refuse this too: then
            # the notebooks see the lock free, and the command has the pipe
            write_part(parts, FAILED, f"the analysis failed: {detail}".encode())
        sys.exit(1)


class Producer:
    """Computes a run's analysis into its parts folder: in a child process where
    fork is available (:meth:`start` returns at once), else in this one.

    Used as a context manager: on leaving, a child still working (the run was
    interrupted or a notebook failed) is stopped before the work folder goes,
    with the processes rendering figures for it: the child leads a process group
    of its own, and the whole group is terminated.
    """

    def __init__(self, analysis: Analysis, parts: Path, progress: Callable[[str], None]):
        self.analysis: Analysis | None = analysis
        self.parts, self.progress = parts, progress
        self.process = None
        self._done = False
        self._report = None
        #: Why the child failed, once it has: its message and, for a problem of
        #: the machine (a full disk), the error's number, text and file.
        self.failure: tuple[str, tuple | None] | None = None

    def start(self) -> None:
        """Start computing (or compute, without fork); the analysis is handed over.

        Raises
        ------
        RuntimeError
            The child process ended before it started computing.
        """
        analysis, self.analysis = self.analysis, None
        if can_fork():
            write_part(self.parts, LIVE, b"")
            context = multiprocessing.get_context("fork")
            self._report, child_end = context.Pipe(duplex=False)
            self.process = context.Process(target=_child, args=(analysis, self.parts, child_end))
            with signals_held():
                self.process.start()
                with contextlib.suppress(OSError):  # (the child makes it as well)
                    os.setpgid(self.process.pid, self.process.pid)
            child_end.close()
            if not self._report.poll(STARTUP_WAIT):
                self.stop()
                raise RuntimeError(f"the analysis process did not start within {STARTUP_WAIT} s")
            with contextlib.suppress(EOFError, OSError):
                self._report.recv()
        else:
            produce(analysis, self.parts, self.progress, fork=False)

    def _heard(self) -> None:
        """Take the child's reason for failing from the pipe, if it sent one."""
        if self._report is not None and self.failure is None:
            with contextlib.suppress(EOFError, OSError):
                if self._report.poll():
                    self.failure = self._report.recv()

    def raise_machine_problem(self) -> None:
        """Raise the child's :class:`OSError` (a full disk, a folder it may not
        write) if that is why it failed: the command reports it like its own."""
        self._heard()
        if self.failure is not None and self.failure[1] is not None:
            number, text, filename = self.failure[1]
            raise OSError(number, text, filename)

    def finish(self) -> None:
        """Wait until everything is computed (the child's end: it cannot outlive its
        reason to be waited for, since a dead child ends the wait).

        Raises
        ------
        OSError
            The child failed for a problem of the machine (a full disk).
        RuntimeError
            The child process failed otherwise (its reason, as the notebooks saw it).
        """
        if self.process is None:
            return
        self.process.join()
        self._done = self.process.exitcode == 0
        if not self._done:
            self.raise_machine_problem()
            failed = self.parts / FAILED
            if self.failure is not None:
                reason = f"the analysis failed: {self.failure[0]}"
            elif failed.exists():
                reason = failed.read_text(encoding="utf-8", errors="replace")
            else:
                reason = "the analysis process stopped (the system may have ended it)"
            raise RuntimeError(f"{reason} (exit status {self.process.exitcode})")

    def __enter__(self) -> Producer:
        self.start()
        return self

    def stop(self) -> None:
        """Stop the child and its figure helpers unless they have finished (the run
        was interrupted or a notebook failed)."""
        if self.process is None or self._done:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.join()
        self._done = True
        self._heard()

    def __exit__(self, *exc: object) -> None:
        self.stop()
