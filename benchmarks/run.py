"""Benchmark: ``bms-eval run`` on the bundled example against papermill's floor.

Prints the run's phases (each notebook — the first includes starting the shared
kernel and its imports —, collecting outputs and rendering the report, and the
whole command as a process) next to the time papermill needs to execute the same
number of empty notebooks, each in its own kernel as papermill does by default.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from bms_eval.pipeline.notebooks import KERNEL_ARGUMENTS, notebooks
from bms_eval.pipeline.run import run_pipeline
from bms_eval.resources import example


def floor(count: int, folder: Path) -> float:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('x: str = ""  # nothing')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    start = time.perf_counter()
    for i in range(count):
        papermill.execute_notebook(
            str(path),
            str(folder / f"out{i}.ipynb"),
            parameters={"x": "y"},
            kernel_name="python3",
            cwd=str(folder),
            progress_bar=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = len(notebooks())
        empty = floor(n, folder)
        times = run_pipeline(*example(), folder / "example")
        start = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("bms-eval")), "run", "--out", str(folder / "cli")],
            check=True,
            capture_output=True,
        )
        process = time.perf_counter() - start
    print(f"papermill floor: {n} empty notebooks            {empty:6.2f} s")
    for phase, seconds in times.notebooks.items():
        print(f"  {phase:<40} {seconds:6.2f} s")
    print(f"  collect outputs and render the report    {times.collect_and_render:6.2f} s")
    print(
        f"run_pipeline in total                          {times.total:6.2f} s "
        f"({times.total / empty:.1f} × floor)"
    )
    print(
        f"bms-eval run as a whole process               {process:6.2f} s "
        f"({process / empty:.1f} × floor)"
    )


if __name__ == "__main__":
    main()
