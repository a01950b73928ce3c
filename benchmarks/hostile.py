"""Hostile probes: the command used as a careless or hostile user would use it.

Each probe writes its inputs into a fresh folder, runs ``bms-eval`` there as a user
would (a process of its own, with a time limit, sometimes under an address-space
limit, sent signals, or against a server that accepts and never answers) and checks
four things: the command ends in time (no hang), it exits as it should, it prints no
traceback and no "internal error", and no file outside its ``--out`` folder was
created, changed or removed (the folder is hashed before and after; a symbolic link
or a FIFO is compared as what it is, never followed or opened). Some probes check a
further fact (the file a symbolic link points to untouched, a verdict's reason).

The probes follow the list of problems of the issue on hostile inputs; ``problem``
numbers them as it does. Probes that need to mount a tmpfs (a full disk, a mount
point) run only as root where mounting is allowed, and are skipped otherwise.
``fast`` probes run in ``make test`` (tests/test_hostile.py); all run with::

    python benchmarks/hostile.py            # every probe, a table and the counts
    python benchmarks/hostile.py --fast     # the probes make test runs
    python benchmarks/hostile.py -k lock    # those whose name holds "lock"
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example"
BMS_EVAL = str(Path(sys.executable).with_name("bms-eval"))
#: The address-space limit of the issue's memory probes (bytes).
TWO_GB = 2 * 2**30
#: Texts that betray an unhandled error.
CRASH_TEXTS = ("Traceback (most recent call last)", "bms-eval: internal error")

Setup = Callable[[Path, contextlib.ExitStack], list[list[str]]]


@dataclass(frozen=True)
class Probe:
    """One hostile use. ``setup`` writes the inputs into the folder and returns the
    commands (arguments after ``bms-eval``); the earlier ones must succeed, the last
    must exit with one of ``exits`` and print ``says`` (case-insensitive, if given).
    ``out``: the folder the command may write (relative to the probe's folder).
    ``check``: a further fact, as a failure text or None. ``signals``: (seconds after
    the start, signal) sent to the last command."""

    name: str
    problem: int
    setup: Setup
    exits: tuple[int, ...]
    says: str = ""
    out: str = "out"
    timeout: float = 60
    fast: bool = True
    mounts: bool = False
    address_space: int | None = None
    signals: tuple[tuple[float, int], ...] = ()
    check: Callable[[Path, str], str | None] | None = None


@dataclass
class Outcome:
    """What a probe found: ``failure`` is None when the command held."""

    probe: Probe
    failure: str | None
    seconds: float
    skipped: str = ""
    output: str = field(default="", repr=False)


# --- inputs -------------------------------------------------------------------------

MINI_CARD = """\
scorecard: {name: '%s'}
perspectives:
  - {id: employees, name: Employees}
  - {id: users, name: Users}
indicators:
  - {id: X, name: '%s', perspective: employees}
  - {id: Y, name: Satisfaction, perspective: users}
links:
  - {from: X, to: Y, lag: [0, 1], sign: "+"}
"""


def mini(
    folder: Path,
    *,
    name: str = "Mini",
    x_name: str = "Training",
    y_is_x: bool = False,
    units: tuple[str, ...] = (),
) -> tuple[str, str]:
    """A small scorecard (X -> Y) and 20 units × 8 years of data; returns their names."""
    (folder / "mini.yaml").write_text(MINI_CARD % (name, x_name), encoding="utf-8")
    rows = ["unit,period,indicator,value"]
    names = list(units) + [f"u{i:02d}" for i in range(20 - len(units))]
    for i, unit in enumerate(names):
        for t in range(8):
            x = ((i * 7 + t * 3) % 11) / 2 + t * 0.1
            y = x if y_is_x else 0.5 * x + ((i * 5 + t * 13) % 7) / 3
            rows += [f"{unit},{2010 + t},X,{x:.3f}", f"{unit},{2010 + t},Y,{y:.3f}"]
    (folder / "mini.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return "mini.yaml", "mini.csv"


def example(folder: Path) -> tuple[str, str]:
    """The bundled example, copied into the folder."""
    for name in ("example.yaml", "indicators.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    return "example.yaml", "indicators.csv"


def tmpfs(stack: contextlib.ExitStack, where: Path, size: str) -> None:
    """Mount a tmpfs of ``size`` at ``where`` until the probe ends."""
    where.mkdir(exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        check=True,
        capture_output=True,
    )
    stack.callback(subprocess.run, ["umount", "-l", str(where)], capture_output=True)


def silent_server(stack: contextlib.ExitStack) -> int:
    """A TCP server that accepts every connection and never sends a byte; its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    stack.callback(lambda: [s.close() for s in [*held, server]])
    return server.getsockname()[1]


def http_server(stack: contextlib.ExitStack) -> int:
    """An HTTP server that answers every request with a page; its port."""
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stack.callback(server.shutdown)
    return server.server_address[1]


BASE_MANIFEST = {
    "bms_eval_version": "0",
    "started": "2026-01-01T00:00:00+00:00",
    "inputs": {
        "scorecard": {"path": "mini.yaml", "sha256": "0" * 64},
        "data": {"path": "mini.csv", "sha256": "0" * 64},
    },
    "outputs": {"report.html": "0" * 64},
    "parameters": {"language": "en"},
}


def manifest(edit: Callable[[dict], object]) -> Setup:
    """A report folder whose manifest is bms-eval's form with one key edited."""

    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        doc = json.loads(json.dumps(BASE_MANIFEST))
        doc = edit(doc) or doc
        (folder / "out").mkdir()
        text = doc if isinstance(doc, str) else json.dumps(doc)
        (folder / "out" / "manifest.json").write_text(text, encoding="utf-8")
        return [["verify", "out"]]

    return setup


def _set(path: str, value: object) -> Callable[[dict], None]:
    def edit(doc: dict) -> None:
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


# --- the probes ---------------------------------------------------------------------


def _full_disk_run(folder: Path, stack: contextlib.ExitStack) -> list[list[str]]:
    card, data = example(folder)
    tmpfs(stack, folder / "full", "2m")
    return [["run", card, data, "--out", "full/out"]]


def _full_disk_template(folder: Path, stack: contextlib.ExitStack) -> list[list[str]]:
    tmpfs(stack, folder / "full", "64k")
    with contextlib.suppress(OSError), open(folder / "full" / "filler", "wb") as handle:
        handle.write(b"\0" * 2**20)
    return [["template", "full/t.xlsx"]]


def _nothing_left(sub: str) -> Callable[[Path, str], str | None]:
    def check(folder: Path, _: str) -> str | None:
        left = sorted(p.name for p in (folder / sub).iterdir() if p.name != "filler")
        return f"left behind in {sub}: {left}" if left else None

    return check


def _planted_lock(kind: str, command: str) -> Setup:
    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        card, data = mini(folder)
        (folder / "victim.txt").write_text("the user's own file\n", encoding="utf-8")
        if kind == "link":
            (folder / ".out.lock").symlink_to("victim.txt")
        else:
            (folder / ".out.lock").write_text("the user's own file\n", encoding="utf-8")
        extra = ["--draws", "20", "--years", "10"] if command == "plan" else []
        return [[command, card, data, "--out", "out", *extra]]

    return setup


def _scheduler(kind: str) -> Setup:
    def setup(folder: Path, stack: contextlib.ExitStack) -> list[list[str]]:
        card, data = mini(folder)
        port = silent_server(stack) if kind == "silent" else http_server(stack)
        return [["plan", card, data, "--draws", "20", "--scheduler", f"tcp://127.0.0.1:{port}"]]

    return setup


def _fifo_manifest(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    (folder / "out").mkdir()
    os.mkfifo(folder / "out" / "manifest.json")
    return [["verify", "out"]]


def _zero_manifest(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    (folder / "out").mkdir()
    (folder / "out" / "manifest.json").symlink_to("/dev/zero")
    return [["verify", "out"]]


def _limited(command: str) -> Setup:
    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        card, data = example(folder)
        extra = {"links": ["--out", "out/links.csv", "--quiet"]}.get(command, [])
        if command == "links":
            (folder / "out").mkdir()
        return [[command, card, data, *extra]]

    return setup


ODD = "proj{2024}/o{{x}}\udcff"  # braces, and a byte that is not UTF-8 (surrogate-escaped)


def _odd_names(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    card, data = example(folder)
    odd_card = "c{}\udcff.yaml"
    os.rename(folder / card, folder / odd_card)
    return [["run", odd_card, data, "--out", ODD], ["verify", ODD]]


def _has_report(folder: Path, _: str) -> str | None:
    report = folder / ODD / "report.html"
    return None if report.is_file() else f"no report at {os.fsencode(report)!r}"


SSB_TABLE = {
    "version": "2.0",
    "class": "dataset",
    "id": ["Region", "ContentsCode", "Tid"],
    "size": [1, 1, 2],
    "dimension": {
        name: {"label": name, "category": {"index": {c: i for i, c in enumerate(codes)}}}
        for name, codes in (
            ("Region", ["0301"]),
            ("ContentsCode", ["K1"]),
            ("Tid", ["2020", "2021"]),
        )
    },
    "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
    "value": [1.0, 2.0],
}


def _deep_json(flag: str) -> Setup:
    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="ascii")
        if flag:
            (folder / "table.json").write_text(json.dumps(SSB_TABLE), encoding="ascii")
            return [["import", "ssb", "table.json", flag, "deep.json"]]
        return [["import", "ssb", "deep.json"]]

    return setup


def _args(*argv: str) -> Setup:
    """A command on the mini inputs: SCORECARD and DATA in ``argv`` stand for them."""

    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        card, table = mini(folder)
        return [[{"SCORECARD": card, "DATA": table}.get(a, a) for a in argv]]

    return setup


def _mount_point(folder: Path, stack: contextlib.ExitStack) -> list[list[str]]:
    card, data = mini(folder)
    tmpfs(stack, folder / "out", "8m")
    return [["run", card, data, "--out", "out"]]


def _formula_xlsx(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    import openpyxl

    mini(folder)
    book = openpyxl.Workbook()
    sheet = book.active
    lines = (folder / "mini.csv").read_text(encoding="utf-8").splitlines()
    for line in lines:
        sheet.append([float(c) if c.replace(".", "").isdigit() else c for c in line.split(",")])
    sheet["D5"] = "=D2*2"  # a formula openpyxl saves without a value
    book.save(folder / "mini.xlsx")
    return [["validate", "mini.yaml", "mini.xlsx"]]


def _utf16(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    mini(folder)
    text = (folder / "mini.csv").read_text(encoding="utf-8")
    (folder / "mini16.csv").write_text(text, encoding="utf-16")
    return [["validate", "mini.yaml", "mini16.csv"]]


def _doctype_xlsx(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    import zipfile

    mini(folder)
    with zipfile.ZipFile(folder / "bomb.xlsx", "w") as book:
        book.writestr(
            "[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
        )
        book.writestr("xl/workbook.xml", "<workbook/>")
    return [["validate", "mini.yaml", "bomb.xlsx"]]


def _controls(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    mini(folder, units=("u\x1b[31mred", "u\x07bell"))
    return [["validate", "mini.yaml", "mini.csv"]]


def _no_raw_controls(_: Path, output: str) -> str | None:
    raw = sorted({hex(ord(c)) for c in output if ord(c) < 32 and c not in "\n\t"})
    return f"control characters printed raw: {raw}" if raw else None


def _user_folder(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    card, data = mini(folder)
    (folder / "out").mkdir()
    (folder / "out" / "thesis.docx").write_text("the user's own work", encoding="utf-8")
    return [["plan", card, data, "--out", "out", "--draws", "100000"]]


def _reason(verdict: str, text: str) -> Callable[[Path, str], str | None]:
    def check(folder: Path, _: str) -> str | None:
        import csv

        with open(folder / "out" / "links.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        bad = [r for r in rows if r["verdict"] != verdict or text not in r["reason"]]
        return f"{len(bad)} rows not {verdict} with {text!r}" if bad or not rows else None

    return check


def _runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would run ``cell`` as a formula: it starts with ``=`` or
    ``@``, or with a sign that is not a number's own (``+2`` opens as the number 2,
    ``+`` alone as text)."""
    if cell[:1] in ("=", "@", "\t", "\r"):
        return True
    if cell[:1] in ("+", "-") and len(cell) > 1:
        try:
            float(cell)
        except ValueError:
            return True
    return False


def _no_formula_cells(folder: Path, _: str) -> str | None:
    import csv

    with open(folder / "out" / "links.csv", encoding="utf-8", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    bad = [c for c in cells if _runs_as_formula(c)]
    return f"cells a spreadsheet runs: {bad[:3]}" if bad else None


def _links(data: Callable[[Path], tuple[str, str]]) -> Setup:
    def setup(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
        card, table = data(folder)
        (folder / "out").mkdir()
        return [["links", card, table, "--out", "out/links.csv", "--quiet"]]

    return setup


def _run_example(folder: Path, _: contextlib.ExitStack) -> list[list[str]]:
    card, data = example(folder)
    return [["run", card, data, "--out", "out"]]


INT, TERM = signal.SIGINT, signal.SIGTERM

PROBES: list[Probe] = [
    Probe(
        "full disk mid-run",
        1,
        _full_disk_run,
        (1,),
        "disk is full",
        timeout=150,
        mounts=True,
        out="full/out",
        check=_nothing_left("full"),
    ),
    Probe(
        "full disk: template",
        1,
        _full_disk_template,
        (1,),
        "t.xlsx",
        mounts=True,
        out="full/t.xlsx",
        check=_nothing_left("full"),
    ),
    Probe("lock is a symbolic link: run", 2, _planted_lock("link", "run"), (2,), ".out.lock"),
    Probe("lock is a user's file: run", 2, _planted_lock("file", "run"), (2,), ".out.lock"),
    Probe("lock is a symbolic link: plan", 2, _planted_lock("link", "plan"), (2,), ".out.lock"),
    Probe(
        "scheduler accepts, never answers", 3, _scheduler("silent"), (2,), "scheduler", timeout=60
    ),
    Probe(
        "scheduler is an HTTP server",
        3,
        _scheduler("http"),
        (2,),
        "scheduler",
        timeout=60,
        fast=False,
    ),
    Probe(
        "run --plan, scheduler closed",
        3,
        _args(
            "run",
            "SCORECARD",
            "DATA",
            "--out",
            "out",
            "--plan",
            "--plan-scheduler",
            "tcp://127.0.0.1:1",
        ),
        (2,),
        "scheduler",
    ),
    Probe("verify: manifest is a FIFO", 4, _fifo_manifest, (1,), "manifest", timeout=30),
    Probe("verify: manifest links to /dev/zero", 4, _zero_manifest, (1,), "manifest", timeout=30),
    Probe("validate under 2 GB", 5, _limited("validate"), (0,), "valid", address_space=TWO_GB),
    Probe("links under 2 GB", 5, _limited("links"), (0,), address_space=TWO_GB),
    Probe(
        "run and verify: braces, non-UTF-8 names, 2 GB",
        6,
        _odd_names,
        (0,),
        "identical",
        out="proj{2024}",
        timeout=300,
        address_space=TWO_GB,
        check=_has_report,
    ),
    Probe(
        "verify: inputs path a number",
        8,
        manifest(_set("inputs.data.path", 7)),
        (1,),
        "inputs.data.path",
    ),
    Probe(
        "verify: inputs path an object",
        8,
        manifest(_set("inputs.scorecard.path", {})),
        (1,),
        "inputs.scorecard.path",
    ),
    Probe(
        "verify: plan draws a word",
        8,
        manifest(_set("parameters.plan", {"draws": "many"})),
        (1,),
        "parameters.plan",
        fast=False,
    ),
    Probe(
        "verify: plan years words",
        8,
        manifest(_set("parameters.plan", {"years": ["a"]})),
        (1,),
        "parameters.plan",
    ),
    Probe(
        "verify: plan a word",
        8,
        manifest(_set("parameters.plan", "yes")),
        (1,),
        "parameters.plan",
        fast=False,
    ),
    Probe(
        "verify: plan years unbounded",
        8,
        manifest(_set("parameters.plan", {"years": [1_000_000]})),
        (1,),
        "parameters.plan",
        fast=False,
    ),
    Probe(
        "verify: language unknown",
        8,
        manifest(_set("parameters.language", "xx")),
        (1,),
        "parameters.language",
        fast=False,
    ),
    Probe(
        "verify: language a number",
        8,
        manifest(_set("parameters.language", 7)),
        (1,),
        "parameters.language",
    ),
    Probe(
        "verify: parameters a list",
        8,
        manifest(_set("parameters", [])),
        (1,),
        "parameters",
        fast=False,
    ),
    Probe(
        "verify: outputs outside the folder",
        8,
        manifest(_set("outputs", {"../../etc/passwd": "0" * 64})),
        (1,),
        "outputs",
    ),
    Probe("verify: nested 100 000 deep", 8, manifest(lambda _: "[" * 100_000), (1,), "manifest"),
    Probe("import ssb: nested 100 000 deep", 9, _deep_json(""), (1,), "nested"),
    Probe(
        "import ssb --changes: nested deep", 9, _deep_json("--changes"), (1,), "nested", fast=False
    ),
    Probe("--help", 10, lambda f, s: [["--help"]], (0,), "usage"),
    Probe("plan --help", 10, lambda f, s: [["plan", "--help"]], (0,), "80 %"),
    Probe(
        "plan --years 1000000",
        11,
        _args("plan", "SCORECARD", "DATA", "--years", "1000000"),
        (2,),
        "--years",
    ),
    Probe(
        "plan --units 100000000",
        11,
        _args("plan", "SCORECARD", "DATA", "--units", "100000000"),
        (2,),
        "--units",
        fast=False,
    ),
    Probe(
        "run --plan --plan-years 1000000",
        11,
        _args("run", "SCORECARD", "DATA", "--out", "out", "--plan", "--plan-years", "1000000"),
        (2,),
        "--plan-years",
    ),
    Probe("--out at an empty mount point", 12, _mount_point, (2,), "mount point", mounts=True),
    Probe(
        "SIGINT while loading",
        13,
        _limited("validate"),
        (130,),
        "interrupted",
        signals=((0.3, INT),),
    ),
    Probe(
        "SIGINT and SIGTERM mid-run",
        13,
        _run_example,
        (130,),
        "interrupted",
        signals=((5.0, INT), (5.05, TERM)),
        timeout=120,
        fast=False,
    ),
    Probe("data xlsx: formula without a saved value", 14, _formula_xlsx, (1,), "formula"),
    Probe("UTF-16 CSV", 15, _utf16, (1,), "UTF-16"),
    Probe("xlsx with a DOCTYPE", 15, _doctype_xlsx, (1,), "bomb.xlsx"),
    Probe("ESC and BEL in unit ids", 15, _controls, (0, 1), check=_no_raw_controls),
    Probe("plan --seed -1", 15, _args("plan", "SCORECARD", "DATA", "--seed", "-1"), (2,), "--seed"),
    Probe("plan --out a user's folder", 15, _user_folder, (2,), "out", timeout=20),
    Probe(
        "effect a copy of its cause",
        15,
        _links(lambda f: mini(f, y_is_x=True)),
        (0,),
        check=_reason("insufficient_data", "cause of itself"),
    ),
    Probe(
        "formulas in names and units",
        15,
        _links(
            lambda f: mini(
                f,
                name='=HYPERLINK("http://x","y")',
                x_name="=1+1",
                units=("=1+1", "@SUM(A1)", "+2", "-3+cmd", "-4"),
            )
        ),
        (0,),
        check=_no_formula_cells,
    ),
]


# --- running ------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every path under ``folder``: its type and content (a file's hash, a link's
    target); FIFOs and devices by type alone, mounted file systems not entered."""
    seen: dict[str, tuple] = {}
    device = folder.stat().st_dev
    for top, dirs, files in os.walk(folder):
        for name in list(dirs):
            path = Path(top, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or info.st_dev != device:
                dirs.remove(name)
                files.append(name)
            else:
                seen[str(path.relative_to(folder))] = ("folder",)
        for name in files:
            path = Path(top, name)
            info = path.lstat()
            key = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                seen[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[key] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                seen[key] = ("other", stat.S_IFMT(info.st_mode))
    return seen


def _changed(before: dict, after: dict, out: str) -> list[str]:
    """Paths outside ``out`` created, changed or removed."""

    def inside(key: str) -> bool:
        return key == out or key.startswith(out + os.sep)

    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k) and not inside(k))


def can_mount() -> bool:
    """Whether this process may mount a tmpfs (root, in a namespace that allows it)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tmp], capture_output=True
        )
        if done.returncode != 0:
            return False
        subprocess.run(["umount", tmp], capture_output=True)
    return True


def _command(argv: list[str], folder: Path, probe: Probe, last: bool) -> tuple[int | None, str]:
    """Run one command; its exit status (None: still running at the time limit) and
    its output."""

    def limit() -> None:
        if probe.address_space:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (probe.address_space, probe.address_space))

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [BMS_EVAL, *argv],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        preexec_fn=limit,
        start_new_session=True,
    )
    if last and probe.signals:
        start = time.monotonic()
        for after, sig in probe.signals:
            time.sleep(max(0.0, after - (time.monotonic() - start)))
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, sig)
    try:
        output, _ = proc.communicate(timeout=probe.timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return None, output.decode("utf-8", "replace")
    return proc.returncode, output.decode("utf-8", "replace")


def run_probe(probe: Probe, mounting: bool | None = None) -> Outcome:
    """Set up and run one probe in a fresh folder; what it found."""
    if probe.mounts and not (can_mount() if mounting is None else mounting):
        return Outcome(probe, None, 0.0, skipped="needs to mount a tmpfs (root)")
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="bms-eval-hostile-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(tmp)
        commands = probe.setup(folder, stack)
        before = snapshot(folder)
        failure, output = None, ""
        for i, argv in enumerate(commands):
            last = i == len(commands) - 1
            code, output = _command(argv, folder, probe, last)
            failure = _judge(probe, code, output, last)
            if failure:
                break
        if failure is None:
            changed = _changed(before, snapshot(folder), probe.out)
            if changed:
                failure = f"files changed outside {probe.out}: {changed[:5]}"
        if failure is None and probe.check is not None:
            failure = probe.check(folder, output)
    return Outcome(probe, failure, time.perf_counter() - start, output=output)


def _judge(probe: Probe, code: int | None, output: str, last: bool) -> str | None:
    if code is None:
        return f"hang: still running after {probe.timeout:.0f} s"
    crash = [t for t in CRASH_TEXTS if t.lower() in output.lower()]
    if crash:
        return f"internal error: {crash[0]!r} in the output"
    exits = probe.exits if last else (0,)
    if code not in exits:
        tail = output.strip().splitlines()[-1:] or [""]
        return f"exit {code}, expected {exits}: {tail[0][:160]}"
    if last and probe.says and probe.says.lower() not in output.lower():
        return f"does not say {probe.says!r}: {output.strip()[:200]}"
    return None


def kind(failure: str) -> str:
    """The class of a failure, as the summary counts them."""
    for prefix, name in (
        ("hang", "hangs"),
        ("internal", "internal errors"),
        ("files changed", "files changed"),
    ):
        if failure.startswith(prefix):
            return name
    return "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true", help="only the probes make test runs")
    parser.add_argument("-k", default="", help="only probes whose name holds this text")
    args = parser.parse_args()
    chosen = [p for p in PROBES if (p.fast or not args.fast) and args.k in p.name]
    mounting = can_mount()
    counts = {"handled": 0, "failed": 0, "skipped": 0}
    kinds: dict[str, int] = {}
    print(f"{'problem':>7}  {'probe':<48} {'result':<8} {'seconds':>7}")
    for probe in chosen:
        found = run_probe(probe, mounting)
        result = "skipped" if found.skipped else "failed" if found.failure else "handled"
        counts[result] += 1
        print(f"{probe.problem:>7}  {probe.name:<48} {result:<8} {found.seconds:>7.1f}")
        if found.failure:
            kinds[kind(found.failure)] = kinds.get(kind(found.failure), 0) + 1
            print(f"{'':>9}{found.failure}")
        elif found.skipped:
            print(f"{'':>9}{found.skipped}")
    print(
        f"\n{len(chosen)} probes: {counts['handled']} handled, {counts['failed']} failed, "
        f"{counts['skipped']} skipped; hangs {kinds.get('hangs', 0)}, internal errors "
        f"{kinds.get('internal errors', 0)}, files changed outside --out "
        f"{kinds.get('files changed', 0)}"
    )
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
