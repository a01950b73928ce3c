"""Benchmark: time and peak memory of whole commands on a KOSTRA-wide table.

356 units × 20 years × 1 000 indicators (7.12 M tidy rows, a 156 MB CSV), a
scorecard with 100 links (lags 0 and 1). Each command runs as a user would run
it, in its own process; its memory (proportional set size: shared pages split
between the processes sharing them) is sampled every 50 ms from ``/proc`` over
the whole process tree (``run`` starts a kernel and forks a producer, ``links``
forks workers), and the largest sum and the largest single process are printed
with the wall time. A file with the same
rows of which every tenth value is text (712 000 bad rows) shows that counting
bad rows stays near the speed of reading a valid file; a wide file of one year
× 20 000 indicator columns (7.12 M cells), that reading very wide tables stays
bounded too.

``run`` is measured twice: as above, and inside a memory cgroup limited to
2 GiB for the whole process tree (where the machine lets root make one; cgroup
v1 or v2), which kills the run if the sum of its processes' memory goes past
the limit: its exit status and the cgroup's count of out-of-memory kills are
printed.

Run with ``make benchmark`` (Linux: reads ``/proc``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

UNITS, YEARS, INDICATORS, LINKS = 356, 20, 1000, 100
#: Indicator columns of the wide table (a year of a very wide extract).
WIDE_COLUMNS = 20_000
BMS_EVAL = str(Path(sys.executable).with_name("bms-eval"))
#: The memory limits of the issue this benchmark answers (MB).
LIMITS = {"validate": 1536, "links": 1536, "run": 2048}


def write_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """The scorecard, the valid table and the table with bad rows."""
    rng = np.random.default_rng(1)
    units = np.array([f"{3000 + i:04d}" for i in range(UNITS)])
    ids = np.array([f"K{i:04d}" for i in range(INDICATORS)])
    n = UNITS * YEARS * INDICATORS
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units, YEARS * INDICATORS),
            "period": np.tile(np.repeat(np.arange(2005, 2005 + YEARS), INDICATORS), UNITS),
            "indicator": np.tile(ids, UNITS * YEARS),
            "value": np.round(rng.normal(50, 10, n), 2),
        }
    )
    tidy = folder / "kostra.csv"
    frame.to_csv(tidy, index=False)
    bad = folder / "kostra_bad.csv"
    frame["value"] = frame["value"].astype(str)
    frame.loc[::10, "value"] = "abc"
    frame.to_csv(bad, index=False)
    lines = ["scorecard:", "  name: KOSTRA-wide", "perspectives:", "  - id: p", "indicators:"]
    for i in ids:
        lines += [f"  - id: {i}", "    perspective: p"]
    lines.append("links:")
    for k in range(1, LINKS + 1):
        lines += [f"  - from: K{k - 1:04d}", f"    to: K{k:04d}", "    lag: [0, 1]"]
    card = folder / "kostra.yaml"
    card.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return card, tidy, bad


def write_wide(folder: Path) -> Path:
    """One year of 356 units × 20 000 indicator columns (7.12 M cells), wide."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        np.round(rng.normal(50, 10, (UNITS, WIDE_COLUMNS)), 2),
        # the scorecard's 1 000 indicators, then 19 000 it does not know (warned about)
        columns=[f"K{i:04d}" if i < INDICATORS else f"X{i:05d}" for i in range(WIDE_COLUMNS)],
    )
    frame.insert(0, "period", 2024)
    frame.insert(0, "unit", [f"{3000 + i:04d}" for i in range(UNITS)])
    wide = folder / "wide.csv"
    frame.to_csv(wide, index=False)
    return wide


def _tree(root: int) -> list[int]:
    """The process and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _memory_mb(pid: int) -> float:
    """The process's proportional set size (PSS): its private pages plus its share of
    the pages it shares. Forked workers share the parent's data until they write to
    it; summing resident sizes would count those pages once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


#: The memory cgroup's limit for ``run`` (bytes).
CGROUP_LIMIT = 2 * 2**30


@contextlib.contextmanager
def memory_cgroup(limit: int):
    """A new memory cgroup limited to ``limit`` bytes (no swap beyond it): yields the
    file a process writes its id into to join it, and a function returning the
    number of out-of-memory kills in it; yields None where no cgroup can be made."""
    name = f"bms-eval-benchmark-{os.getpid()}"
    v2, v1 = Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory")
    controllers = v2 / "cgroup.controllers"
    if controllers.exists() and "memory" in controllers.read_text().split():
        group, limits = v2 / name, {"memory.max": limit, "memory.swap.max": 0}
        events = "memory.events"
    elif v1.is_dir():
        group = v1 / name
        limits = {"memory.limit_in_bytes": limit, "memory.memsw.limit_in_bytes": limit}
        events = "memory.oom_control"
    else:
        yield None
        return

    def kills() -> int:
        """The ``oom_kill`` count of the group's events (v2) or OOM control (v1)."""
        for line in (group / events).read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    try:
        group.mkdir()
    except OSError:
        yield None
        return
    try:
        for key, value in limits.items():
            with contextlib.suppress(OSError):  # no swap accounting: that limit is absent
                (group / key).write_text(str(value))
        yield group / "cgroup.procs", kills
    finally:
        for _ in range(50):
            try:
                group.rmdir()
                break
            except OSError:  # its last process still exiting
                time.sleep(0.1)


def measure(
    args: list[str], cwd: Path, procs: Path | None = None
) -> tuple[float, float, float, int]:
    """Wall seconds, peak MB of the tree (sum), peak MB of one process, exit status;
    with ``procs``, the command runs in that cgroup."""

    def join() -> None:
        if procs is not None:
            procs.write_text(str(os.getpid()))

    start = time.perf_counter()
    proc = subprocess.Popen(
        [BMS_EVAL, *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=join,
    )
    total = single = 0.0
    while proc.poll() is None:
        sizes = [_memory_mb(p) for p in _tree(proc.pid)]
        total, single = max(total, sum(sizes)), max(single, max(sizes, default=0.0))
        time.sleep(0.05)
    return time.perf_counter() - start, total, single, proc.returncode


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        card, tidy, bad = write_inputs(folder)
        wide = write_wide(folder)
        print(
            f"KOSTRA-wide: {UNITS} units × {YEARS} years × {INDICATORS} indicators "
            f"({UNITS * YEARS * INDICATORS:,} rows, {tidy.stat().st_size / 2**20:.0f} MB CSV), "
            f"{LINKS} links; written in {time.perf_counter() - t0:.1f} s"
        )
        print(
            f"{'command':<28} {'exit':>4} {'seconds':>8} {'peak MB':>8} {'largest':>8} {'limit':>6}"
        )
        runs = {
            "validate": ["validate", str(card), str(tidy)],
            "validate (712 000 bad rows)": ["validate", str(card), str(bad)],
            "validate (wide, 20 000 cols)": ["validate", str(card), str(wide)],
            "links": ["links", str(card), str(tidy), "--out", "links.csv", "--quiet"],
            "run": ["run", str(card), str(tidy), "--out", "report"],
        }
        seconds = {}
        for label, args in runs.items():
            wall, total, single, code = measure(args, folder)
            seconds[label] = wall
            limit = LIMITS.get(label, 0)
            print(
                f"{label:<28} {code:>4} {wall:>8.1f} {total:>8.0f} {single:>8.0f} {limit or '':>6}"
            )
        with memory_cgroup(CGROUP_LIMIT) as group:
            label = f"run (cgroup {CGROUP_LIMIT / 2**30:.0f} GiB)"
            if group is None:
                print(f"{label:<28} not measured: no memory cgroup can be made here")
            else:
                procs, kills = group
                wall, total, single, code = measure(
                    [*runs["run"][:-1], "report-cgroup"], folder, procs
                )
                print(
                    f"{label:<28} {code:>4} {wall:>8.1f} {total:>8.0f} {single:>8.0f} "
                    f"{CGROUP_LIMIT // 2**20:>6}  out-of-memory kills: {kills()}"
                )
        ratio = seconds["validate (712 000 bad rows)"] / seconds["validate"]
        print(f"bad rows / valid file, validate time: {ratio:.2f}×")


if __name__ == "__main__":
    main()
