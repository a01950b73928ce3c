"""The package's structure holds the rules docs/design.md states: no import cycle, no
import up a layer, no module over 700 lines, no function over 80 (checked by
``benchmarks/structure.py``, which prints the same facts)."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import structure


@pytest.fixture(scope="module")
def modules():
    return structure.read_modules()


def test_every_module_is_in_a_documented_layer(modules):
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for name in modules:
        structure.layer_of(name)  # raises for a module in no layer
    for layer, _ in structure.LAYERS:
        assert f"| {layer} |" in design, f"layer {layer} is not in docs/design.md"


def test_no_import_cycles(modules):
    assert structure.cycles(modules) == []


def test_no_import_runs_up_a_layer(modules):
    assert structure.upward_imports(modules) == []


def test_modules_and_functions_stay_short(modules):
    assert structure.long_modules(modules) == []
    assert structure.long_functions(modules) == []


def test_the_checks_find_what_they_look_for(tmp_path, monkeypatch):
    """A cycle, an upward import and a long function planted in a copy are found."""
    package = tmp_path / "bms_eval"
    (package / "inputs").mkdir(parents=True)
    (package / "estimation").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "inputs" / "__init__.py").write_text("", encoding="utf-8")
    (package / "estimation" / "__init__.py").write_text("", encoding="utf-8")
    (package / "inputs" / "a.py").write_text(
        "from bms_eval.estimation import b\n", encoding="utf-8"
    )
    body = "\n".join(f"    x{i} = {i}" for i in range(90))
    (package / "estimation" / "b.py").write_text(
        f"def f():\n    from bms_eval.inputs import a\n{body}\n", encoding="utf-8"
    )
    monkeypatch.setattr(structure, "PACKAGE", package)
    planted = structure.read_modules()
    assert structure.cycles(planted) == [["estimation.b", "inputs.a"]]
    assert structure.upward_imports(planted) == [
        "inputs.a (inputs) imports estimation.b (estimation)"
    ]
    assert [line.split(" ")[0] for line in structure.long_functions(planted)] == ["estimation.b.f"]
