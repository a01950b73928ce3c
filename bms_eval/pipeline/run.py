"""``bms-eval run``: execute the notebooks, collect their results, write the report.

The command reads and checks the inputs once and computes one
:class:`~bms_eval.analysis.results.Analysis` (while the notebooks' kernel starts); the
notebooks display that analysis (:func:`bms_eval.analysis.results.notebook_analysis`)
and every output is written from it, with the figures the executed notebooks
show. Everything is written into
a work folder beside the output folder, which takes the output folder's place
only when the whole run has succeeded, and only if the output folder is empty or
holds an earlier bms-eval output (:mod:`bms_eval.outputs.folder`). When a
notebook cell fails, the output folder is left as it was and the partial run,
with the executed notebook up to the failing cell, is kept in ``<DIR>.failed/``.
"""

from __future__ import annotations

import pickle
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from bms_eval.analysis.results import PARTS, SNAPSHOT, Analysis, write_part
from bms_eval.analysis.write import write_outputs
from bms_eval.foundation.memory import release_memory
from bms_eval.inputs.validation import Inputs, load_inputs
from bms_eval.outputs.folder import OutputFolder
from bms_eval.outputs.manifest import now
from bms_eval.outputs.paths import check_output_folder
from bms_eval.pipeline.notebooks import (
    CellFailure,
    execute,
    notebooks,
    parameters_for,
    settle,
    shared_kernel,
)
from bms_eval.pipeline.producer import Producer
from bms_eval.planning.options import PlanOptions


@dataclass(frozen=True)
class RunSettings:
    """How a run is made, beside its inputs and output folder.

    Attributes
    ----------
    argv : list of str, optional
        The command line, for the manifest (this process's when not given).
    timeout : int, optional
        Seconds a notebook cell may run (no limit when not given).
    started : str, optional
        When the run is recorded as begun (ISO 8601; now when not given). ``verify``
        gives the recorded run's, so its report carries the same date.
    plan : PlanOptions, optional
        Plan as well (``run --plan``): ``plan.csv``, the report's plan section and
        the notebook ``05_design``.
    discover : bool
        Discover as well (``run --discover``): ``discovered.csv``, the report's map in
        use and the notebook ``06_discovery``.
    """

    argv: list[str] | None = None
    timeout: int | None = None
    started: str | None = None
    plan: PlanOptions | None = None
    discover: bool = False


@dataclass(frozen=True)
class RunTimes:
    """Seconds spent in each phase of a run."""

    notebooks: dict[str, float]
    collect_and_render: float
    total: float


class RunFailed(Exception):
    """A notebook failed; the partial run is kept at ``kept``."""

    def __init__(self, failure: CellFailure, kept: Path):
        self.failure, self.kept = failure, kept
        super().__init__(f"{failure}. The executed notebook up to that cell is kept in {kept}")


def _execute_notebooks(
    found: list[Path],
    parameters: Callable[[Path], dict],
    km: AsyncKernelManager,
    timeout: int | None,
    folder: OutputFolder,
    producer: Producer,
    progress: Callable[[str], None],
    start: float,
) -> tuple[list[dict], dict[str, float]]:
    """Execute the notebooks one after the other into the work folder's ``notebooks/``
    while the producer computes what they show: the manifest's record of each (name,
    parameters, seconds) and the seconds each took. ``progress`` hears of each start
    and end (with the time since the run's ``start``).

    Raises
    ------
    RunFailed
        A cell failed: the producer is stopped, its parts removed, and the run up to
        that cell kept beside the output folder.
    """
    assert folder.work is not None
    work = folder.work
    (work / "notebooks").mkdir()
    records: list[dict] = []
    times: dict[str, float] = {}
    try:
        for i, nb in enumerate(found, 1):
            params = parameters(nb)
            progress(f"[{i}/{len(found)}] {nb.name} …")
            t0 = time.perf_counter()
            execute(nb, work / "notebooks" / nb.name, params, km, timeout)
            times[nb.name] = time.perf_counter() - t0
            settle(work / "notebooks" / nb.name, work)
            shown = {**params, "output_dir": str(folder.out.resolve())}  # where it ends up
            records.append(
                {"notebook": nb.name, "parameters": shown, "seconds": round(times[nb.name], 2)}
            )
            progress(
                f"[{i}/{len(found)}] {nb.name} done in {times[nb.name]:.1f} s "
                f"(elapsed {time.perf_counter() - start:.1f} s)"
            )
        producer.finish()
    except CellFailure as failure:
        producer.stop()
        # the analysis failed for a problem of the machine (a full disk): said as
        # such, and nothing is kept (keeping the partial run would not help)
        producer.raise_machine_problem()
        shutil.rmtree(work / PARTS, ignore_errors=True)
        raise RunFailed(failure, folder.keep_failed()) from None
    return records, times


def _start_producer(
    stack: ExitStack,
    inputs: Inputs,
    settings: RunSettings,
    parts: Path,
    progress: Callable[[str], None],
) -> tuple[Analysis, Producer]:
    """Start computing the analysis beside the notebooks: the snapshot the notebooks
    and this process read (the inputs without the data's rows: they only show and
    write what the producer computes), and the producer, entered on ``stack``."""
    plan, discover = settings.plan, settings.discover
    snapshot = Analysis(
        replace(inputs, data=inputs.data.without_rows()), plan_options=plan, discover=discover
    )
    write_part(parts, SNAPSHOT, pickle.dumps(snapshot, protocol=5))
    producer = stack.enter_context(
        Producer(Analysis(inputs, plan_options=plan, discover=discover), parts, progress)
    )
    return snapshot, producer


def run_pipeline(
    scorecard: Path,
    data: Path,
    out: Path,
    progress: Callable[[str], None] = lambda _: None,
    argv: list[str] | None = None,
    inputs: Inputs | None = None,
    kernel: AsyncKernelManager | None = None,
    folder: OutputFolder | None = None,
    settings: RunSettings | None = None,
) -> RunTimes:
    """Run every notebook on the inputs and write all outputs of docs/outputs.md into ``out``.

    Parameters
    ----------
    scorecard, data : Path
        The inputs.
    out : Path
        The output folder: new, empty, or an earlier bms-eval output, replaced on
        success.
    progress : callable
        Receives a line per step.
    inputs : Inputs, optional
        The inputs already checked (read from the files when not given); the
        notebooks analyse exactly these.
    kernel : AsyncKernelManager, optional
        A kernel from :func:`~bms_eval.pipeline.notebooks.shared_kernel`, already
        warming up; one is started when not given.
    folder : OutputFolder, optional
        ``out``, already entered (locked, with its work folder); the caller then
        enters it before the kernel, so that on an interrupt the kernel stops
        before the work folder is removed.
    settings : RunSettings, optional
        The command line, a cell time limit, the recorded start, a plan.

    Raises
    ------
    bms_eval.foundation.problems.InputError
        Invalid inputs (checked before any notebook starts).
    bms_eval.outputs.paths.UsageError
        ``out`` may not be written (a file, an input inside it, a folder of
        other files, another run writing it).
    RunFailed
        A notebook cell failed.
    """
    settings = settings or RunSettings()
    start, started, plan = time.perf_counter(), settings.started or now(), settings.plan
    if inputs is None:
        inputs = load_inputs(scorecard, data)
    check_output_folder(out, [scorecard, data])
    with ExitStack() as stack:
        if folder is None:
            folder = stack.enter_context(OutputFolder(out))
        assert folder.work is not None
        work, parts = folder.work, folder.work / PARTS
        snapshot, producer = _start_producer(stack, inputs, settings, parts, progress)
        del inputs  # the producer has the rows now (its own copy where it was forked)
        release_memory()
        records, times = _execute_notebooks(
            notebooks(plan=plan is not None, discover=settings.discover),
            lambda nb: parameters_for(nb, scorecard, data, work, snapshot.trend_periods, plan),
            kernel if kernel is not None else stack.enter_context(shared_kernel()),
            settings.timeout,
            folder,
            producer,
            progress,
            start,
        )
        t0 = time.perf_counter()
        # every part and figure read into memory before the parts folder goes: the
        # manifest lists exactly the files that stay
        analysis = replace(snapshot, run_parts=parts).compute(figures=True)
        shutil.rmtree(parts, ignore_errors=True)
        write_outputs(
            analysis, work, started=started, notebooks=records, argv=settings.argv, out=folder.out
        )
        collect = time.perf_counter() - t0
        folder.commit()
        progress(f"report written in {collect:.1f} s")
    return RunTimes(times, collect, time.perf_counter() - start)
