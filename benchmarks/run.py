"""Benchmark: ``bms-eval run`` on the bundled example against papermill's floor.

The floor is the time papermill needs to execute as many empty notebooks as the
run has, each in its own kernel as papermill does by default. Both vary from run
to run (a kernel's start and stop take 0.5–1.5 s), so each is measured several
times in this one session and the medians are compared: ``bms-eval run`` as a
whole process, at most 1.5 × the floor (the issue on speed). One run's phases are printed as well
(each notebook's wait: the analysis is computed beside them).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from bms_eval.foundation.resources import example
from bms_eval.pipeline.notebooks import KERNEL_ARGUMENTS, notebooks
from bms_eval.pipeline.run import run_pipeline


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


FLOOR_REPEATS, RUN_REPEATS = 5, 5


def whole_process(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("bms-eval")), "run", "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = len(notebooks(plan=False, discover=False))
        times = run_pipeline(*example(), folder / "example")
        # the floor and the command take turns, so a slow spell falls on both alike
        floors, runs = [], []
        for i in range(max(FLOOR_REPEATS, RUN_REPEATS)):
            if i < FLOOR_REPEATS:
                floors.append(floor(n, folder))
            if i < RUN_REPEATS:
                runs.append(whole_process(folder / "cli"))
    empty, process = statistics.median(floors), statistics.median(runs)
    print(
        f"papermill floor: {n} empty notebooks, median of {FLOOR_REPEATS}: {empty:6.2f} s "
        f"(runs {min(floors):.2f}–{max(floors):.2f} s)"
    )
    for phase, seconds in times.notebooks.items():
        print(f"  {phase:<40} {seconds:6.2f} s")
    print(f"  collect outputs and render the report    {times.collect_and_render:6.2f} s")
    print(f"run_pipeline in total                    {times.total:6.2f} s")
    print(
        f"bms-eval run as a whole process, median of {RUN_REPEATS}: {process:6.2f} s "
        f"(runs {min(runs):.2f}–{max(runs):.2f} s)"
    )
    print(f"ratio bms-eval run / papermill floor: {process / empty:.2f} (at most 1.5)")
    print(f"ratio of the fastest runs:            {min(runs) / min(floors):.2f}")


if __name__ == "__main__":
    main()
