"""The audit trail: a run records where it wrote and what code made it, the same run
gives the same bytes wherever it is written, and ``bms-eval verify`` passes an
untouched run and names a changed output or a changed input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from bms_eval.pipeline.run import run_pipeline
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA, MINI_CARD, MINI_DATA, ROOT


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A run on copies of the example's files (so an input can be changed later)."""
    folder = tmp_path_factory.mktemp("audit")
    card, data = folder / "card.yaml", folder / "data.csv"
    shutil.copy(EXAMPLE_CARD, card)
    shutil.copy(EXAMPLE_DATA, data)
    run_pipeline(card, data, folder / "report")
    return card, data, folder / "report"


@pytest.fixture(scope="module")
def recorded_mini(tmp_path_factory):
    """A run on the small scorecard and data (a quicker re-run for the changes below)."""
    folder = tmp_path_factory.mktemp("audit_mini")
    card, data = folder / "mini.yaml", folder / "mini.csv"
    card.write_text(MINI_CARD, encoding="utf-8")
    data.write_text(MINI_DATA, encoding="utf-8")
    run_pipeline(card, data, folder / "report")
    return card, data, folder / "report"


def test_the_manifest_records_the_real_folder_the_code_and_the_notebooks(recorded):
    _, _, out = recorded
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["out"] == str(out.resolve())
    assert {n["parameters"]["output_dir"] for n in manifest["notebooks"]} == {str(out.resolve())}
    assert set(manifest["outputs"]) == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    } - {"manifest.json"}
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert manifest["source"]["commit"] == head and isinstance(manifest["source"]["modified"], bool)
    notebook = (out / "notebooks" / "01_data_quality.ipynb").read_text(encoding="utf-8")
    assert 'output_dir = \\"..\\"' in notebook and ".work-" not in notebook
    assert '"start_time"' not in notebook and "iopub" not in notebook


def test_folders_and_files_get_the_users_permissions(recorded):
    _, _, out = recorded
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask
    assert (out / "notebooks").stat().st_mode & 0o777 == 0o777 & ~mask
    assert (out / "report.html").stat().st_mode & 0o777 == 0o666 & ~mask


def test_verify_passes_an_untouched_run(cli, recorded):
    _, _, out = recorded
    result = cli("verify", out)
    assert result.code == 0, result.out
    assert "Verified" in result.out
    states = [line.split()[-1] for line in result.out.splitlines() if line.startswith("  ")]
    assert states.count("identical") == 9 and "differs" not in result.out


def test_verify_names_a_changed_output(cli, recorded_mini):
    _, _, out = recorded_mini
    status = out / "status.csv"
    kept = status.read_bytes()
    try:
        status.write_bytes(kept.replace(b"green", b"red", 1))
        result = cli("verify", out)
    finally:
        status.write_bytes(kept)
    assert result.code == 1 and "Not verified" in result.out
    lines = result.out.splitlines()
    assert any(line.split() == ["status.csv", "changed"] for line in lines)
    assert sum(line.split() == ["status.csv", "identical"] for line in lines) == 1  # the re-run


def test_verify_names_a_changed_input_and_what_it_changes(cli, recorded_mini):
    _, data, out = recorded_mini
    kept = data.read_bytes()
    try:
        lines = kept.decode("utf-8").splitlines()
        head, first = lines[0].split(","), lines[1].split(",")
        column = head.index("value")
        first[column] = str(float(first[column]) + 1)
        data.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
        result = cli("verify", out)
    finally:
        data.write_bytes(kept)
    assert result.code == 1
    assert any(
        line.split()[:3] == ["data", "changed:", str(data)] for line in result.out.splitlines()
    )
    assert "results.json" in result.out and "differs" in result.out


def test_verify_needs_a_manifest(cli, tmp_path):
    assert cli("verify", tmp_path / "nowhere").code == 2
    result = cli("verify", tmp_path)
    assert result.code == 1 and "no manifest here" in result.err
