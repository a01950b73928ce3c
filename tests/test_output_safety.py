"""Lose nothing: outputs never replace a user's files, inputs are never written over,
interrupted and concurrent runs leave earlier outputs intact and no work folders behind."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bms_eval.outputs.folder import (
    MARKER,
    OutputFolder,
    remove_stale_work,
    why_not_replaceable,
)
from bms_eval.outputs.paths import UsageError, write_atomically
from tests.conftest import ROOT, earlier_output, folder_bytes
from tests.test_ssb import jsonstat

BMS_EVAL = Path(sys.executable).with_name("bms-eval")


def _user_folder(tmp_path: Path, mini) -> Path:
    """A user's folder: scorecard, data and a thesis."""
    folder = tmp_path / "work"
    folder.mkdir()
    for src in mini:
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "thesis.docx").write_bytes(b"PK\x03\x04 my thesis")
    return folder


# --- data loss: run --------------------------------------------------------------------------


def test_run_refuses_a_folder_of_the_users_files(cli, tmp_path, mini):
    folder = _user_folder(tmp_path, mini)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "thesis.docx").write_bytes(b"chapter 1")
    before = folder_bytes(other)
    result = cli("run", folder / "mini.yaml", folder / "mini.csv", "--out", other)
    assert result.code == 2
    assert "thesis.docx" in result.err and "nothing of yours is deleted" in result.err
    assert folder_bytes(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "mini.csv", "mini.yaml", "work"]


def test_run_out_dot_from_the_users_folder(cli, tmp_path, mini, monkeypatch):
    folder = _user_folder(tmp_path, mini)
    before = folder_bytes(folder)
    monkeypatch.chdir(folder)
    result = cli("run", "mini.yaml", "mini.csv", "--out", ".")
    assert result.code == 2 and "holds the input" in result.err
    assert folder_bytes(folder) == before


def test_run_out_an_existing_file(cli, tmp_path, mini):
    card, data = mini
    other = tmp_path / "notes.csv"
    other.write_text("mine\n", encoding="utf-8")
    for target in (data, other):
        before = target.read_bytes()
        result = cli("run", card, data, "--out", target)
        assert result.code == 2, target
        assert target.is_file() and target.read_bytes() == before
    assert not list(tmp_path.glob(".*"))


def test_run_refuses_an_earlier_output_the_user_added_to_or_edited(tmp_path):
    out = earlier_output(tmp_path / "out")
    assert why_not_replaceable(out) is None
    (out / "my-notes.txt").write_text("keep me", encoding="utf-8")
    assert "my-notes.txt" in why_not_replaceable(out)
    (out / "my-notes.txt").unlink()
    (out / "report.html").write_text("<p>annotated by hand</p>", encoding="utf-8")
    assert "changed after bms-eval wrote it" in why_not_replaceable(out)
    before = folder_bytes(out)
    with pytest.raises(UsageError), OutputFolder(out):
        pass
    assert folder_bytes(out) == before


def test_run_refuses_links_and_foreign_manifests(tmp_path):
    out = earlier_output(tmp_path / "out")
    (out / "data.csv").symlink_to(tmp_path)
    assert "not a plain file" in why_not_replaceable(out)
    (out / "data.csv").unlink()
    (out / "manifest.json").write_text('{"name": "my project"}', encoding="utf-8")
    assert "not one bms-eval wrote" in why_not_replaceable(out)
    link = tmp_path / "link"
    link.symlink_to(out)
    assert "symbolic link" in why_not_replaceable(link)


def test_version_0_1_outputs_are_recognised_by_their_names(tmp_path):
    out = tmp_path / "old"
    (out / "notebooks").mkdir(parents=True)
    for name in ("report.html", "links.csv", "status.csv", "results.json"):
        (out / name).write_text("x", encoding="utf-8")
    (out / "notebooks" / "03_link_tests.ipynb").write_text("{}", encoding="utf-8")
    (out / "manifest.json").write_text('{"bms_eval_version": "0.1.0"}', encoding="utf-8")
    assert why_not_replaceable(out) is None
    (out / "thesis.docx").write_text("x", encoding="utf-8")
    assert "thesis.docx" in why_not_replaceable(out)


def test_a_file_added_during_the_run_is_kept(tmp_path):
    out = earlier_output(tmp_path / "out")
    with OutputFolder(out) as folder:
        (folder.work / "report.html").write_text("new", encoding="utf-8")
        (out / "added-meanwhile.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(UsageError):
            folder.commit()
    assert (out / "added-meanwhile.txt").read_text(encoding="utf-8") == "mine"
    assert not list(tmp_path.glob(".out.*"))


def test_commit_swaps_in_the_new_output(tmp_path):
    out = earlier_output(tmp_path / "out")
    with OutputFolder(out) as folder:
        (folder.work / "report.html").write_text("new", encoding="utf-8")
        folder.commit()
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock, no work folder


def test_a_failed_folder_the_user_made_is_not_replaced(tmp_path):
    out = tmp_path / "out"
    users = tmp_path / "out.failed"
    users.mkdir()
    (users / "mine.txt").write_text("mine", encoding="utf-8")
    with OutputFolder(out) as folder:
        kept = folder.keep_failed()
    assert kept.name == "out.failed-2" and (kept / MARKER).is_file()
    assert (users / "mine.txt").read_text(encoding="utf-8") == "mine"
    with OutputFolder(out) as folder:
        assert folder.keep_failed() == kept  # its own earlier failed run is replaced


# --- data loss: single files -----------------------------------------------------------------


def test_links_never_writes_over_an_input(cli, tmp_path, mini):
    card, data = mini
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    soft = tmp_path / "soft.csv"
    soft.symlink_to(data)
    before = {p: p.read_bytes() for p in (card, data)}
    for target in (data, card, hard, soft):
        result = cli("links", card, data, "--out", target)
        assert result.code == 2 and "never writes over its inputs" in result.err, target
    assert {p: p.read_bytes() for p in (card, data)} == before


def test_links_out_a_folder_or_under_a_file(cli, tmp_path, mini):
    card, data = mini
    folder = tmp_path / "results"
    folder.mkdir()
    assert cli("links", card, data, "--out", folder).code == 2
    result = cli("links", card, data, "--out", data / "links.csv")
    assert result.code == 2 and "is a file, not a folder" in result.err


def test_import_ssb_never_writes_over_its_input(cli, tmp_path):
    victim = tmp_path / "victim.json"
    victim.write_text(json.dumps(jsonstat(["0301"], ["2020"], ["A"], [1.0])), encoding="utf-8")
    before = victim.read_bytes()
    result = cli("import", "ssb", victim, "--out", victim)
    assert result.code == 2 and victim.read_bytes() == before


def test_single_files_are_written_whole_with_ordinary_permissions(tmp_path):
    target = tmp_path / "links.csv"
    target.write_text("old", encoding="utf-8")

    def fail(handle):
        handle.write("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        write_atomically(target, fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.csv"]
    write_atomically(target, lambda h: h.write("new"))
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


# --- the machine: full disks, broken pipes ---------------------------------------------------


def test_a_full_disk_is_one_line_not_a_bug(cli, tmp_path, mini, monkeypatch):
    card, data = mini

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "links.csv"))

    monkeypatch.setattr(os, "fsync", full)
    result = cli("links", card, data, "--out", tmp_path / "links.csv", "--quiet")
    assert result.code == 1
    assert "disk is full" in result.err and "links.csv" in result.err
    assert "bug" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_read_only_place_is_one_line_not_a_bug(cli, mini):
    card, data = mini
    result = cli("links", card, data, "--out", "/proc/links.csv", "--quiet")
    assert result.code == 1 and "/proc" in result.err and "bug" not in result.err


def test_a_broken_pipe_is_not_a_bug(mini):
    card, data = mini
    proc = subprocess.run(
        f"'{BMS_EVAL}' links '{card}' '{data}' | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr and "bug" not in proc.stderr


# --- concurrency and interrupts --------------------------------------------------------------


def test_a_second_run_into_a_locked_folder_exits_2(cli, tmp_path, mini):
    card, data = mini
    out = tmp_path / "out"
    with OutputFolder(out):
        result = cli("run", card, data, "--out", out)
        assert result.code == 2 and "another bms-eval run" in result.err
    assert not out.exists()


def test_stale_work_folders_of_dead_runs_are_removed(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".out.work-{dead_pid}-abc"
    alive = tmp_path / f".out.work-{os.getpid()}-def"
    unmarked = tmp_path / ".out.work-1-ghi"
    for folder, pid in ((stale, dead_pid), (alive, os.getpid()), (unmarked, None)):
        (folder / ".parts").mkdir(parents=True)
        if pid is not None:
            (folder / MARKER).write_text(str(pid), encoding="ascii")
    assert remove_stale_work(out) == [stale]
    assert not stale.exists() and alive.exists() and unmarked.exists()


def _start_run(out: Path, *, session: bool = True) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BMS_EVAL),
            "run",
            str(ROOT / "data/example/example.yaml"),
            str(ROOT / "data/example/indicators.csv"),
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=session,
    )


def _wait_for_notebook(out: Path, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Until the run has saved its analysis for the notebooks (the kernel is busy)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if list(out.parent.glob(f".{out.name}.work-*/.parts/analysis.pickle")):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the run did not start")


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_leaves_the_old_output_and_no_work_folder(tmp_path, sig, code):
    out = earlier_output(tmp_path / "out")
    before = folder_bytes(out)
    proc = _start_run(out)
    _wait_for_notebook(out, proc)
    # Ctrl-C reaches the whole process group (the kernel too); SIGTERM only the command
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert len(err.strip().splitlines()[-1:]) == 1 and "earlier outputs" in err
    assert "Traceback" not in err
    time.sleep(1.0)  # a kernel left running would recreate its folder now
    assert folder_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with pytest.raises(ProcessLookupError):  # nothing of the run's session is left: no kernel
        os.killpg(proc.pid, 0)


def test_run_into_a_link_or_an_impossible_place(cli, tmp_path, mini):
    card, data = mini
    target = earlier_output(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(target)
    result = cli("run", card, data, "--out", link)
    assert result.code == 2 and "symbolic link" in result.err
    result = cli("run", card, data, "--out", "/proc/bms-eval-out")
    assert result.code == 1 and "/proc/bms-eval-out" in result.err and "bug" not in result.err


@pytest.mark.slow
def test_two_runs_into_one_folder_at_once(tmp_path):
    """The second of two concurrent runs exits 2 at once; the first finishes whole."""
    out = earlier_output(tmp_path / "out")
    first = _start_run(out)
    _wait_for_notebook(out, first)
    second = _start_run(out)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2 and f"process {first.pid}" in err
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) >= {"report.html", "links.csv", "results.json"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_out_is_wrong_usage_not_the_default(cli, tmp_path, mini, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["run", *mini], ["links", *mini]):
        result = cli(*command, "--out", "")
        assert result.code == 2 and "--out is empty" in result.err
    assert not (tmp_path / "reports").exists()


def test_a_failed_write_leaves_no_folders_behind(cli, tmp_path, mini):
    card, data = mini
    target = tmp_path / "new" / "deeper" / ("y" * 300 + ".csv")  # a name too long to create
    result = cli("links", card, data, "--out", target, "--quiet")
    assert result.code == 1 and "bug" not in result.err
    assert not (tmp_path / "new").exists()


def test_a_refused_or_interrupted_run_leaves_no_new_folders(tmp_path):
    out = tmp_path / "reports" / "nested" / "out"
    with OutputFolder(out):
        pass  # left without commit, as an error or an interrupt leaves it
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_file_managers_files_do_not_make_an_output_the_users(tmp_path):
    out = earlier_output(tmp_path / "out")
    (out / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (out / "notebooks" / "Thumbs.db").write_bytes(b"\xd0\xcf")
    assert why_not_replaceable(out) is None
    (out / "notebooks" / ".ipynb_checkpoints").mkdir()
    (out / "notebooks" / ".ipynb_checkpoints" / "x.ipynb").write_text("{}", encoding="utf-8")
    assert "ipynb_checkpoints" in why_not_replaceable(out)
