"""Shared fixtures: the bundled examples — read, tested, analysed and run once per
session — and running the CLI as a user would."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from bms_eval.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CARD = ROOT / "data" / "example" / "example.yaml"
EXAMPLE_DATA = ROOT / "data" / "example" / "indicators.csv"
HEIMDAL_CARD = ROOT / "data" / "heimdal" / "heimdal.yaml"
HEIMDAL_DATA = ROOT / "data" / "heimdal" / "indicators.csv"

MINI_CARD = """\
scorecard:
  name: "Mini"
perspectives:
  - id: employees
    name: Employees
  - id: users
    name: Users
indicators:
  - id: M1
    name: "Staff satisfaction"
    perspective: employees
    scale: [1, 5]
    ambition: {target: 4.0, threshold: 3.5}
  - id: B1
    name: "User satisfaction"
    perspective: users
    scale: [1, 6]
    ambition: {target: 5, threshold: 4.5}
  - id: B2
    name: "Response time (days)"
    perspective: users
    direction: down
    ambition: {target: 2, threshold: 3}
links:
  - from: M1
    to: B1
    lag: 1
    sign: "+"
"""

MINI_DATA = """\
unit,period,indicator,value
0301,2020,M1,3.9
0301,2020,B1,4.6
0301,2020,B2,2.5
0301,2021,M1,4.1
0301,2021,B1,4.8
0301,2021,B2,
1103,2020,M1,3.2
1103,2020,B1,4.1
1103,2020,B2,3.5
1103,2021,M1,3.4
1103,2021,B1,4.0
1103,2021,B2,3.1
"""


@dataclass
class CliResult:
    """What a user sees from one command."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run ``bms-eval ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliResult:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def mini(tmp_path):
    """A small valid scorecard and data file in a temporary folder."""
    card = tmp_path / "mini.yaml"
    data = tmp_path / "mini.csv"
    card.write_text(MINI_CARD, encoding="utf-8")
    data.write_text(MINI_DATA, encoding="utf-8")
    return card, data


def digest(path: Path) -> str:
    """SHA-256 of a file, to show inputs are left byte-identical."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes): to show nothing changed."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def earlier_output(folder: Path) -> Path:
    """A folder as an earlier ``bms-eval run`` leaves it: outputs and a manifest listing
    each with its SHA-256 (written here without running the notebooks)."""
    import json

    from bms_eval.outputs.folder import output_hashes

    (folder / "notebooks").mkdir(parents=True)
    (folder / "report.html").write_text("<p>last good run</p>", encoding="utf-8")
    (folder / "old-notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "notebooks" / "01_data_quality.ipynb").write_text("{}", encoding="utf-8")
    manifest = {"bms_eval_version": "0.1.0", "outputs": output_hashes(folder)}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def example_inputs():
    """The bundled example, read and checked (shared: treat as read-only)."""
    from bms_eval.inputs.validation import load_inputs

    return load_inputs(EXAMPLE_CARD, EXAMPLE_DATA)


@pytest.fixture(scope="session")
def example_links(example_inputs):
    """The example's link tests through the public ``estimate_links``."""
    from bms_eval import estimate_links

    return estimate_links(example_inputs.scorecard, example_inputs.data)


@pytest.fixture(scope="session")
def example_analysis():
    """The example analysed by ``bms_eval.analyse``, every part computed."""
    import bms_eval

    return bms_eval.analyse(EXAMPLE_CARD, EXAMPLE_DATA).compute()


@pytest.fixture(scope="session")
def example_run(tmp_path_factory):
    """The example's whole run (``run_pipeline``) in a folder of its own: read it, do
    not change it."""
    from bms_eval.pipeline.run import run_pipeline

    out = tmp_path_factory.mktemp("runs") / "example"
    run_pipeline(EXAMPLE_CARD, EXAMPLE_DATA, out)
    return out
