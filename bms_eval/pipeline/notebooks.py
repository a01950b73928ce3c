"""Finding, parameterising and executing the notebooks with papermill.

Notebooks are found by glob (``NN_name.ipynb`` in ``notebooks/``), never from a
hand-kept list. Each gets the parameters it declares, passed as typed Python
values through papermill's API (the command line's ``-p`` would turn ``007``
into 7), with the kernel named (``python3``). The kernel works in the folder the
executed notebook goes to (``notebooks/`` in the run's work folder), so the
notebooks find the run's analysis at ``..`` and no user's path is written into
code.
Figures are shown as PNG by :func:`bms_eval.report.notebook.show_png`, so
``MPLBACKEND`` in the environment cannot make them disappear.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from bms_eval.assessment.status import TREND_PERIODS
from bms_eval.foundation.resources import notebook_dir
from bms_eval.outputs.paths import shown_path
from bms_eval.pipeline.kernel_client import stop_clients
from bms_eval.planning.options import PlanOptions

KERNEL = "python3"
#: Kernel start options: ipykernel's transport warning is noise for a local run.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)

#: What the notebooks import (and what reading the analysis's parts loads), imported
#: while the run does other work. The notebooks render nothing: no matplotlib.
WARM_UP = (
    "import bms_eval.analysis.results, bms_eval.assessment, bms_eval.report.notebook, "
    "bms_eval.narrative.link_results, bms_eval.assessment.status, IPython.display"
)

#: Run in the kernel before each notebook.
RESET = "%reset -f\nimport bms_eval.foundation.memory\nbms_eval.foundation.memory.release_memory()"

#: The notebook of the plan: run by ``bms-eval run --plan`` only.
PLAN_NOTEBOOK = "05_design"
#: The notebook of the discovery: run by ``bms-eval run --discover`` only.
DISCOVERY_NOTEBOOK = "06_discovery"

#: Parameters beyond the common three, per notebook stem.
EXTRA_PARAMETERS: dict[str, tuple[str, ...]] = {
    "02_scorecard_status": ("trend_periods",),
    PLAN_NOTEBOOK: ("effect", "draws", "years", "units"),
}


def notebooks(folder: Path | None = None, plan: bool = True, discover: bool = True) -> list[Path]:
    """The pipeline's notebooks in run order (``01_…``, ``02_…``), from ``folder`` or
    the package's (:func:`bms_eval.foundation.resources.notebook_dir`); without ``plan``, not
    the plan's (:data:`PLAN_NOTEBOOK`); without ``discover``, not the discovery's
    (:data:`DISCOVERY_NOTEBOOK`)."""
    found = sorted(p for p in (folder or notebook_dir()).glob("[0-9][0-9]_*.ipynb"))
    left_out = {PLAN_NOTEBOOK} if not plan else set()
    left_out |= {DISCOVERY_NOTEBOOK} if not discover else set()
    return [p for p in found if p.stem not in left_out]


def parameters_for(
    notebook: Path,
    scorecard: Path,
    data: Path,
    output_dir: Path,
    trend_periods: int = TREND_PERIODS,
    plan: PlanOptions | None = None,
) -> dict[str, object]:
    """Exactly the parameters ``notebook`` declares, as typed values (the plan's as
    the notebook takes them: designs as text, ``"12 15"``)."""
    options = plan or PlanOptions()
    extra: dict[str, object] = {
        "trend_periods": trend_periods,
        "effect": float(options.effect),
        "draws": int(options.draws),
        "years": " ".join(str(y) for y in options.years or ()),
        "units": " ".join(str(u) for u in options.units or ()),
    }
    return {
        "scorecard_path": shown_path(scorecard.resolve()),
        "data_path": shown_path(data.resolve()),
        # seen from the executed notebook's folder, ``notebooks/`` inside it, where its
        # kernel runs (:func:`execute`): no path of the user's in the code, where braces
        # or bytes that are not UTF-8 could not go
        "output_dir": "..",
        **{name: extra[name] for name in EXTRA_PARAMETERS.get(notebook.stem, ())},
    }


@contextmanager
def shared_kernel(
    folder: Path | None = None, warm_up: str = WARM_UP
) -> Iterator[AsyncKernelManager]:
    """One ``python3`` kernel, started in ``folder``, for every notebook of a run.

    Starting a kernel and importing pandas and matplotlib costs more than the
    analysis of a typical scorecard; the notebooks run one after another in the
    same kernel, and :func:`execute` clears the namespace before each one, so no
    notebook can lean on another's variables. The kernel starts importing the
    package at once (``warm_up``), while the caller checks the inputs and loads
    papermill. It is an asynchronous manager so that nbclient, waiting for a
    cell's reply, also notices a kernel that died (a synchronous client blocks
    the loop that would check, and the run would wait for ever).
    """
    km = AsyncKernelManager(kernel_name=KERNEL)
    km.client_class = "bms_eval.pipeline.kernel_client.QuickReadyClient"
    cwd = str(folder or notebook_dir())
    run_sync(km.start_kernel)(cwd=cwd, extra_arguments=list(KERNEL_ARGUMENTS))
    try:
        if warm_up:
            # sent on the shell socket alone: the kernel runs it as soon as it is up
            # (ZMQ queues the request), and no client stays open listening for output
            session, shell = km.session, km.connect_shell()
            try:
                session.send(
                    shell,
                    "execute_request",
                    {
                        "code": warm_up,
                        "silent": True,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": False,
                    },
                )
            finally:
                shell.close(linger=5000)
        yield km
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def _reset(km: AsyncKernelManager, notebook: str, folder: Path) -> None:
    """Clear the kernel's namespace and move it into ``folder`` (where the executed
    notebook goes), given as the bytes of its name: any path the system takes."""
    from queue import Empty

    client = km.client()
    client.start_channels()
    try:
        # the namespace cleared, and what it held given back to the system; the shell
        # reply is enough (ZMQ queues the request until the channel is connected, and
        # waiting on IOPub can miss a fast kernel's messages)
        move = f"\nimport os\nos.chdir(bytes.fromhex({os.fsencode(folder).hex()!r}))"
        msg_id = client.execute(RESET + move, store_history=False)
        waited = 0
        while True:
            try:
                reply = run_sync(client.get_shell_msg)(timeout=1)
            except Empty:
                waited += 1
                if waited >= 60 or not run_sync(km.is_alive)():
                    raise KernelDied(notebook) from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    finally:
        client.stop_channels()
    content = reply["content"]
    if content.get("status") != "ok":  # a bug of ours, not of the user's data
        raise RuntimeError(
            f"resetting the kernel before {notebook} failed: "
            f"{content.get('ename', '')}: {content.get('evalue', '')}"
        )


class CellFailure(Exception):
    """A notebook cell raised: which notebook, which cell (1-based, in the executed
    notebook), its source and the error."""

    def __init__(self, notebook: str, cell: int, source: str, error: str):
        self.notebook, self.cell, self.source, self.error = notebook, cell, source, error
        first = source.strip().splitlines()[0] if source.strip() else ""
        where = f"notebook {notebook}, cell {cell} ({first[:60]!r})" if cell else notebook
        super().__init__(f"{where} failed: {error}")


def execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, object],
    km: AsyncKernelManager | None = None,
    timeout: int | None = None,
) -> None:
    """Execute one notebook into ``output`` (kept, partial, when a cell fails).

    Parameters
    ----------
    notebook, output : Path
        The notebook and where its executed copy goes.
    parameters : dict
        Typed values for its ``parameters`` cell.
    km : AsyncKernelManager, optional
        A running kernel (see :func:`shared_kernel`); its namespace is cleared
        first. Without one, papermill starts a kernel of its own.
    timeout : int, optional
        Seconds a cell may run before it is interrupted and the run fails
        (no limit when not given).

    Raises
    ------
    CellFailure
        Naming the notebook and the cell.
    KernelDied
        The kernel stopped while the notebook ran.
    """
    import papermill  # a second to import (nbformat, jsonschema): only when executing
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if km is not None:
        _reset(km, notebook.name, output.parent)

    try:
        _execute_notebook(papermill, notebook, output, parameters, km, timeout)
    except DeadKernelError:
        raise KernelDied(notebook.name) from None
    except CellTimeoutError:
        raise CellFailure(
            notebook.name, 0, "", f"a cell ran longer than the {timeout} s allowed (--timeout)"
        ) from None
    except papermill.PapermillExecutionError as exc:
        raise CellFailure(
            notebook.name, exc.cell_index + 1, exc.source, f"{exc.ename}: {exc.evalue}"
        ) from None
    finally:
        # nbclient leaves the client it made running for a kernel it was given: its
        # heartbeat thread and sockets would outlive the run
        stop_clients()


class KernelDied(CellFailure):
    """The kernel stopped while a notebook ran (killed, most often for lack of memory)."""

    def __init__(self, notebook: str):
        super().__init__(
            notebook,
            0,
            "",
            "the kernel stopped while it ran (the system may have ended it for lack of "
            "memory: the data or the number of indicators may be too large for this machine)",
        )


def _execute_notebook(
    papermill: ModuleType,
    notebook: Path,
    output: Path,
    parameters: dict[str, object],
    km: AsyncKernelManager | None,
    timeout: int | None,
) -> None:
    # papermill formats both paths with the parameters (a brace in a user's folder name
    # would be read as a field) and records them in the notebook (which is UTF-8 text):
    # it is given the output by its name alone, from inside its folder, and the input
    # with its braces doubled
    with contextlib.chdir(output.parent):
        papermill.execute_notebook(
            str(notebook).replace("{", "{{").replace("}", "}}"),
            output.name,
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=".",
            progress_bar=False,
            log_output=False,
            km=km,
            # saved once at the end (and on failure), not after every cell
            request_save_on_cell_execute=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
            execution_timeout=timeout,
        )


#: Notebook and cell metadata that only say when and how long: left out of the
#: executed notebooks, so the same run gives the same bytes (the manifest keeps the
#: run's times).
VOLATILE = ("start_time", "end_time", "duration")


def settle(executed: Path, work: Path) -> None:
    """Make an executed notebook the same whenever and wherever the run is repeated:
    the work folder it ran in is written as ``..`` (the output folder, seen from
    ``notebooks/`` inside it), and the execution times are left out (papermill's
    per-notebook and per-cell times, the kernel's message times), and the cell
    papermill adds for the parameters gets a fixed id."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in VOLATILE:
        meta.pop(key, None)
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.get("metadata", {}).pop("execution", None)
        for key in VOLATILE:
            cell.get("metadata", {}).get("papermill", {}).pop(key, None)
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    for folder in {str(work.resolve()), str(work)}:
        text = text.replace(json.dumps(folder)[1:-1], "..")
    executed.write_text(text, encoding="utf-8")
