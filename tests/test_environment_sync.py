"""environment.yml (for conda users) pins exactly what pyproject.toml pins."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)\s*==\s*([A-Za-z0-9_.\-]+)$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(specs: list[str], where: str) -> dict[str, str]:
    out = {}
    for spec in specs:
        match = PIN.match(spec.strip())
        assert match, f"{where}: {spec!r} is not pinned with =="
        out[_normal(match.group(1))] = match.group(2)
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _pins(project["dependencies"], "pyproject dependencies")
    wanted |= _pins(project["optional-dependencies"]["dev"], "pyproject dev extras")

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e ."]
    pinned = [d for d in conda if not d.startswith(("python", "pip"))]
    assert _pins(pinned, "environment.yml") == wanted


def test_lock_file_agrees_with_the_direct_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            lock[_normal(name)] = version.strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = _pins(project["dependencies"] + project["optional-dependencies"]["dev"], "pyproject")
    for name, version in direct.items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"
