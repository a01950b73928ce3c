"""Hostile inputs: the fast probes of ``benchmarks/hostile.py`` (each a command run as
a user would run it: it ends in time, exits as it should, prints no traceback and
changes no file outside ``--out``), and the principles behind them, one at a time in
process: every wait has a timeout, every read of a user path is of a regular file
with a size cap, the lock is made exclusively and removed only by its maker, a
manifest is checked like user input, text a spreadsheet would run is neutralised."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bms_eval.foundation.file_locks import holder_gone, try_lock
from bms_eval.foundation.frames import spreadsheet_safe
from bms_eval.foundation.regular_files import UnreadableFile, read_regular
from bms_eval.inputs.text_files import is_utf16
from bms_eval.outputs.folder import LOCK_HEADER, OutputFolder
from bms_eval.outputs.paths import UsageError
from bms_eval.pipeline.verify import ManifestInvalid, checked_manifest
from bms_eval.planning.backends import SchedulerError, _check_greets
from bms_eval.planning.options import MAX_YEARS, PlanOptionError, PlanOptions
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import hostile

MOUNTING = hostile.can_mount()


@pytest.mark.parametrize("probe", [p for p in hostile.PROBES if p.fast], ids=lambda p: p.name)
def test_probe(probe):
    if probe.mounts and not MOUNTING:
        pytest.skip("needs to mount a tmpfs (root)")
    found = hostile.run_probe(probe, MOUNTING)
    assert found.failure is None, f"{found.failure}\n{found.output[-2000:]}"


def test_every_problem_of_the_issue_has_a_probe_and_a_fast_one_where_it_can():
    problems = {p.problem for p in hostile.PROBES}
    assert problems >= set(range(1, 16)) - {7}  # 7 (non-UTF-8 names) shares 6's run
    fast = {p.problem for p in hostile.PROBES if p.fast}
    assert fast == problems


# --- the probe harness fails when it should ----------------------------------------


def test_the_harness_sees_a_changed_file_a_hang_and_a_traceback(tmp_path):
    (tmp_path / "a").write_text("1")
    (tmp_path / "link").symlink_to("a")
    before = hostile.snapshot(tmp_path)
    (tmp_path / "a").write_text("2")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("mine")
    assert hostile._changed(before, hostile.snapshot(tmp_path), "out") == ["a"]
    probe = hostile.Probe("p", 1, lambda f, s: [], (0,), "done", timeout=1)
    assert hostile._judge(probe, None, "", True).startswith("hang")
    assert hostile.kind(hostile._judge(probe, 1, "Traceback (most recent call last)", True)) == (
        "internal errors"
    )
    assert "expected (0,)" in hostile._judge(probe, 2, "x", True)
    assert "does not say" in hostile._judge(probe, 0, "other", True)
    assert hostile._judge(probe, 0, "Done.", True) is None
    assert [hostile._runs_as_formula(c) for c in ("=1", "@A", "+2", "-3", "-3+x", "+", "a")] == [
        True,
        True,
        False,
        False,
        True,
        False,
        False,
    ]


# --- every wait has a timeout ------------------------------------------------------


def test_a_scheduler_that_accepts_and_stays_silent_is_refused_in_time():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    start = time.monotonic()
    try:
        with pytest.raises(SchedulerError, match="did not greet"):
            _check_greets(f"tcp://127.0.0.1:{server.getsockname()[1]}", 0.5)
    finally:
        for s in [*held, server]:
            s.close()
    assert time.monotonic() - start < 3


def test_a_scheduler_that_sends_something_else_is_refused():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer() -> None:
        conn = server.accept()[0]
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n<html>")
        time.sleep(1)
        conn.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(SchedulerError):
            _check_greets(f"tcp://127.0.0.1:{server.getsockname()[1]}", 2)
    finally:
        server.close()


# --- reads of user paths: regular files, capped ------------------------------------


def test_only_regular_files_are_read_and_never_past_the_cap(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(UnreadableFile):
        read_regular(fifo, 100)  # opened without blocking, refused as not a file
    assert time.monotonic() - start < 2
    with pytest.raises(UnreadableFile):
        read_regular(Path("/dev/zero"), 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFile):
        read_regular(big, 100)
    small = tmp_path / "small"
    small.write_bytes(b"x" * 100)
    assert read_regular(small, 100) == b"x" * 100


def test_utf16_text_is_recognised_with_or_without_its_mark():
    text = "unit,period,indicator,value\nE01,2015,X,1\n"
    assert is_utf16(text.encode("utf-16"))
    assert is_utf16(text.encode("utf-16-le"))
    assert is_utf16(text.encode("utf-16-be"))
    assert not is_utf16(text.encode("utf-8"))
    assert not is_utf16("Ø1,Å,æ\n".encode("cp1252"))


# --- the output lock ---------------------------------------------------------------


def test_a_lock_left_by_a_killed_run_is_removed_one_held_or_foreign_is_not(tmp_path):
    out = tmp_path / "out"
    lock = tmp_path / ".out.lock"
    lock.write_text(f"{LOCK_HEADER}999999\n", encoding="ascii")  # no process holds it
    with OutputFolder(out) as folder:
        (folder.work / "x.txt").write_text("x")
        assert lock.read_text(encoding="ascii") == f"{LOCK_HEADER}{os.getpid()}\n"
    assert not lock.exists()
    # held by a live process: busy, and the file stays
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_WRONLY | os.O_CREAT)\n"
            f"os.write(fd, b'{LOCK_HEADER}1\\n'); fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not holder_gone(lock)
        with pytest.raises(UsageError, match="another bms-eval run"):
            OutputFolder(out).__enter__()
        assert lock.exists()
    finally:
        holder.kill()
        holder.wait()
    assert holder_gone(lock)
    # a user's file of that name: refused, untouched
    lock.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not a lock file bms-eval made"):
        OutputFolder(out).__enter__()
    assert lock.read_text(encoding="utf-8") == "my notes\n"


def test_try_lock_is_exclusive_between_open_files(tmp_path):
    path = tmp_path / "f"
    path.write_text("")
    a, b = os.open(path, os.O_RDONLY), os.open(path, os.O_RDONLY)
    try:
        assert try_lock(a)
        assert not try_lock(b)
        assert not try_lock(b, shared=True)
    finally:
        os.close(a)
        os.close(b)
    assert holder_gone(path)


# --- a manifest is user input ------------------------------------------------------


def _manifest(edit: str | None = None, value: object = None) -> dict:
    """A manifest as bms-eval writes it, with the key at the dotted path ``edit`` set
    to ``value`` (by the probes' own editor, ``hostile._set``)."""
    doc = {
        "bms_eval_version": "0.3.0",
        "started": "2026-01-01T00:00:00+00:00",
        "inputs": {
            "scorecard": {"path": "c.yaml", "sha256": "a" * 64},
            "data": {"path": "d.csv", "sha256": "b" * 64, "path_bytes": "642e637376"},
        },
        "outputs": {"report.html": "c" * 64, "figures/map.png": "d" * 64},
        "parameters": {"language": "nn", "plan": {"draws": 200, "years": [20, 25]}},
    }
    if edit is not None:
        hostile._set(edit, value)(doc)
    return doc


def test_a_manifest_as_bms_eval_writes_it_passes():
    assert checked_manifest(_manifest()) == _manifest()


@pytest.mark.parametrize(
    "edit, value, key",
    [
        ("inputs.data.path", 7, "inputs.data.path"),
        ("inputs.scorecard.path", {}, "inputs.scorecard.path"),
        ("inputs.scorecard.path", "a\x00b", "inputs.scorecard.path"),
        ("inputs.data.path_bytes", "zz", "inputs.data.path_bytes"),
        ("inputs.data.path_bytes", "6400", "inputs.data.path_bytes"),
        ("inputs.data.sha256", "x", "inputs.data.sha256"),
        ("inputs", [], "inputs"),
        ("outputs", {"../secret": "c" * 64}, "outputs"),
        ("outputs", {"/etc/passwd": "c" * 64}, "outputs"),
        ("outputs", {"report.html": 5}, "outputs.report.html"),
        ("parameters", [], "parameters"),
        ("parameters.language", "xx", "parameters.language"),
        ("parameters.language", 7, "parameters.language"),
        ("parameters.plan", "yes", "parameters.plan"),
        ("parameters.plan", {"draws": "many"}, "parameters.plan"),
        ("parameters.plan", {"years": ["a"]}, "parameters.plan"),
        ("parameters.plan", {"years": [10**6]}, "parameters.plan"),
        ("parameters.plan", {"seed": -1}, "parameters.plan"),
        ("parameters.data", 3, "parameters.data"),
        ("started", "yesterday", "started"),
    ],
)
def test_an_edited_manifest_is_reported_by_its_key(edit, value, key):
    with pytest.raises(ManifestInvalid, match=key.replace(".", r"\.")):
        checked_manifest(_manifest(edit, value))


def test_a_manifest_that_is_not_an_object_is_reported():
    for doc in ([], "x", None, 3):
        with pytest.raises(ManifestInvalid):
            checked_manifest(doc)


# --- plan options are bounded ------------------------------------------------------


def test_plan_options_name_the_option_as_the_command_spells_it():
    with pytest.raises(PlanOptionError) as caught:
        PlanOptions(years=(MAX_YEARS + 1,))
    assert caught.value.option == "years"
    assert caught.value.as_command_option("plan-").startswith("--plan-years must be between")
    with pytest.raises(PlanOptionError, match="draws"):
        PlanOptions(draws=10**9)
    with pytest.raises(PlanOptionError, match="effect"):
        PlanOptions(effect=float("nan"))
    with pytest.raises(PlanOptionError, match="a design of"):
        PlanOptions(units=(100_000,), years=(100,)).check_cells(10, 10)


# --- text a spreadsheet would run ---------------------------------------------------


def test_cells_a_spreadsheet_would_run_get_a_quote_numbers_and_signs_do_not():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+2", "-3", "-3+cmd", "+", "ok"],
            "value": np.array([-1.0, 2.0, 3.0, -4.0, 5.0, 6.0, 7.0]),
            "tab": ["\tx", "\rx", "a", "b", "c", "d", "e"],
        }
    )
    safe = spreadsheet_safe(frame)
    assert list(safe["name"]) == [
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)",
        "+2",
        "-3",
        "'-3+cmd",
        "+",
        "ok",
    ]
    assert list(safe["tab"][:2]) == ["'\tx", "'\rx"]
    assert safe["value"].equals(frame["value"])
    assert frame["name"].iloc[0].startswith("=")  # the caller's frame is not changed
    plain = frame[["value"]]
    assert spreadsheet_safe(plain) is plain
