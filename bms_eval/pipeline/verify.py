"""``bms-eval verify DIR``: does a report still stand? An auditor's check.

A run's ``manifest.json`` records the inputs (path and SHA-256 of the bytes
analysed), the settings, the versions and the SHA-256 of every output. Verifying
a folder checks three things, file by file:

1. **the inputs**: each recorded input is still there with the same hash;
2. **the folder**: each output is still there as the run wrote it;
3. **the re-run**: the analysis run again from the manifest (same inputs,
   language and run date) in a temporary folder gives byte-identical outputs.

Runs are deterministic (seeded bootstrap, executed notebooks without execution
times or temporary paths, the report dated by the run), so any difference means
something changed: an input, an output, or the software (the manifest's versions
and source commit say which was used).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bms_eval.foundation.problems import ProblemList
from bms_eval.foundation.regular_files import UnreadableFile, read_regular
from bms_eval.foundation.version import __version__
from bms_eval.inputs.model import LANGUAGES
from bms_eval.outputs.folder import MANIFEST, MANIFEST_LIMIT, file_sha256, output_hashes
from bms_eval.planning.options import PlanOptionError, PlanOptions

#: What a checked file can be found to be.
SAME, CHANGED, MISSING, NEW = "as recorded", "changed", "missing", "not in the manifest"
IDENTICAL, DIFFERS = "identical", "differs"


@dataclass
class Verification:
    """The outcome of :func:`verify`: ``(name, path, state)`` of every input,
    ``(file, state)`` of every output in the folder and of the re-run."""

    inputs: list[tuple[str, str, str]] = field(default_factory=list)
    folder: list[tuple[str, str]] = field(default_factory=list)
    rerun: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether everything is as recorded and the re-run identical."""
        return (
            all(state == SAME for _, _, state in self.inputs)
            and all(state == SAME for _, state in self.folder)
            and bool(self.rerun)
            and all(state == IDENTICAL for _, state in self.rerun)
        )

    def lines(self) -> list[str]:
        """The outcome as text, one line per file."""
        width = max(
            [len(n) for n, _, _ in self.inputs]
            + [len(f) for f, _ in self.folder]
            + [len(f) for f, _ in self.rerun]
            + [4]
        )
        out = ["Inputs (against the manifest):"]
        out += [f"  {n:<{width}}  {state}: {p}" for n, p, state in self.inputs]
        out.append("Outputs in the folder (against the manifest):")
        out += [f"  {f:<{width}}  {state}" for f, state in self.folder]
        if self.rerun:
            out.append("Run again from the manifest (against the recorded outputs):")
            out += [f"  {f:<{width}}  {state}" for f, state in self.rerun]
        out += self.notes
        return out


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ManifestInvalid(ValueError):
    """A manifest that is not as bms-eval writes it; the message names the key."""


def _mapping(value: object, key: str) -> dict:
    if not isinstance(value, dict):
        raise ManifestInvalid(f"{key} must be an object")
    return value


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise ManifestInvalid(f"{key} must be a text")
    return value


def _path_hex(value: object) -> bool:
    """Whether ``value`` is a path's bytes in hex (no NUL, as the system forbids)."""
    return (
        isinstance(value, str)
        and re.fullmatch(r"(?:[0-9a-f]{2})+", value) is not None
        and b"\x00" not in bytes.fromhex(value)
    )


def checked_manifest(manifest: object) -> dict:
    """``manifest`` (parsed JSON) checked as user input is: every key ``verify`` uses
    has the type and form bms-eval writes, so an edited manifest is reported, not
    followed.

    Raises
    ------
    ManifestInvalid
        Naming the first key that is not as bms-eval writes it.
    """
    doc = _mapping(manifest, "the manifest")
    inputs = _mapping(doc.get("inputs"), "inputs")
    for role in ("scorecard", "data"):
        record = _mapping(inputs.get(role), f"inputs.{role}")
        _text(record.get("path"), f"inputs.{role}.path")
        if "path_bytes" in record and not _path_hex(record["path_bytes"]):
            raise ManifestInvalid(f"inputs.{role}.path_bytes must be the path's bytes in hex")
        if not _SHA256.match(str(record.get("sha256"))):
            raise ManifestInvalid(f"inputs.{role}.sha256 must be a SHA-256 in hex")
    outputs = _mapping(doc.get("outputs"), "outputs")
    for name, digest in outputs.items():
        parts = name.split("/")
        if not name or name.startswith("/") or ".." in parts or "\x00" in name:
            raise ManifestInvalid(f"outputs: {name!r} is not a file inside the folder")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise ManifestInvalid(f"outputs.{name} must be a SHA-256 in hex")
    parameters = _mapping(doc.get("parameters", {}), "parameters")
    language = parameters.get("language")
    if language is not None and language not in LANGUAGES:
        raise ManifestInvalid(f"parameters.language must be one of {', '.join(LANGUAGES)}")
    for key in ("scorecard", "data"):
        if key in parameters:
            _text(parameters[key], f"parameters.{key}")
    if parameters.get("plan") is not None:
        _mapping(parameters["plan"], "parameters.plan")
        try:
            recorded_plan(parameters["plan"])
        except (PlanOptionError, TypeError, ValueError) as exc:
            raise ManifestInvalid(f"parameters.plan: {exc}") from None
    if not isinstance(parameters.get("discover", False), bool):
        raise ManifestInvalid("parameters.discover must be true or false")
    if "started" in doc:
        try:
            datetime.fromisoformat(_text(doc["started"], "started"))
        except ValueError:
            raise ManifestInvalid("started must be a date and time (ISO 8601)") from None
    return doc


def _manifest(folder: Path) -> dict:
    """The folder's manifest, read (a regular file, at most :data:`MANIFEST_LIMIT`)
    and checked (:func:`checked_manifest`).

    Raises
    ------
    bms_eval.foundation.problems.InputError
        No manifest, or one that cannot be read or is not as bms-eval writes it.
    """
    path = folder / MANIFEST
    problems = ProblemList(str(path))
    try:
        manifest = checked_manifest(json.loads(read_regular(path, MANIFEST_LIMIT)))
    except UnreadableFile as exc:
        if not path.exists() and not path.is_symlink():
            problems.error(
                "", "no manifest here: verify needs a folder written by bms-eval run", kind="io"
            )
        else:
            problems.error("", f"cannot read the manifest: {exc}", kind="io")
    except (ValueError, RecursionError) as exc:  # JSON's errors, and ManifestInvalid
        why = str(exc) if isinstance(exc, ManifestInvalid) else "it is not valid JSON"
        problems.error(
            "",
            f"not a manifest bms-eval wrote ({why}); was it edited?",
            kind="manifest",
        )
    problems.raise_if_errors()
    return manifest


def recorded_plan(record: dict | None) -> PlanOptions | None:
    """The plan options a manifest records (``parameters.plan``), if any; the workers
    and the scheduler are left to this machine (they change the time, not the plan).

    Raises
    ------
    PlanOptionError
        An option out of range or of the wrong type.
    """
    if not record:
        return None
    known = {f.name for f in dataclasses.fields(PlanOptions)} - {"workers", "scheduler"}
    values = {k: v for k, v in record.items() if k in known}
    for key in ("years", "units"):
        if values.get(key) is not None:
            if not isinstance(values[key], list):
                raise PlanOptionError(key, "must be a list of whole numbers")
            values[key] = tuple(values[key])
    return PlanOptions(**values)


def _recorded_inputs(manifest: dict, found: Verification) -> dict[str, Path]:
    """The run's input files as recorded (by their bytes where the name was not UTF-8),
    each compared with its recorded hash in ``found.inputs``."""
    paths = {}
    for role in ("scorecard", "data"):
        recorded = manifest["inputs"][role]
        path = Path(
            os.fsdecode(bytes.fromhex(recorded["path_bytes"]))
            if "path_bytes" in recorded
            else recorded["path"]
        )
        paths[role] = path
        try:
            state = SAME if file_sha256(path) == recorded["sha256"] else CHANGED
        except UnreadableFile:  # gone, or no longer a regular file
            state = MISSING
        found.inputs.append((role, str(path), state))
    return paths


def _compared(
    recorded: dict[str, str], present: dict[str, str], same: str, differs: str
) -> list[tuple[str, str]]:
    """Each recorded output's state against ``present`` (name -> hash), then the new ones."""
    states = [
        (name, MISSING if name not in present else same if present[name] == digest else differs)
        for name, digest in recorded.items()
    ]
    return states + [(name, NEW) for name in present if name not in recorded]


def _run_again(
    manifest: dict, paths: dict[str, Path], found: Verification, progress: Callable[[str], None]
) -> None:
    """Run the recorded analysis again in a scratch folder and compare its outputs."""
    from bms_eval.inputs.validation import in_language, load_inputs
    from bms_eval.pipeline.run import RunFailed, RunSettings, run_pipeline

    parameters = manifest.get("parameters", {})
    scratch = Path(tempfile.mkdtemp(prefix="bms-eval-verify-"))
    try:
        out = scratch / "run"
        inputs = in_language(
            load_inputs(paths["scorecard"], paths["data"]), parameters.get("language")
        )
        # the files named as the run named them (the outputs quote those names)
        inputs = dataclasses.replace(
            inputs,
            scorecard=dataclasses.replace(
                inputs.scorecard, source=parameters.get("scorecard", inputs.scorecard.source)
            ),
            data=dataclasses.replace(inputs.data, file=parameters.get("data", inputs.data.file)),
        )
        settings = RunSettings(
            argv=[*sys.argv],
            started=manifest.get("started"),
            plan=recorded_plan(parameters.get("plan")),
            discover=bool(parameters.get("discover", False)),
        )
        try:
            run_pipeline(
                paths["scorecard"], paths["data"], out, progress, inputs=inputs, settings=settings
            )
        except RunFailed as exc:
            found.notes.append(f"Running it again failed: {exc}")
            return
        found.rerun = _compared(manifest["outputs"], output_hashes(out), IDENTICAL, DIFFERS)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def verify(folder: Path, progress: Callable[[str], None] = lambda _: None) -> Verification:
    """Check a run's folder against its manifest and run it again (module docstring).

    Raises
    ------
    bms_eval.foundation.problems.InputError
        No readable manifest in ``folder``.
    """
    manifest = _manifest(folder)
    found = Verification()
    paths = _recorded_inputs(manifest, found)
    found.folder = _compared(manifest["outputs"], output_hashes(folder), SAME, CHANGED)
    if manifest.get("bms_eval_version") != __version__:
        found.notes.append(
            f"The run used bms-eval {manifest.get('bms_eval_version')}; this is {__version__}."
        )
    if any(state == MISSING for _, _, state in found.inputs):
        found.notes.append("An input is missing, so the analysis cannot be run again.")
        return found
    _run_again(manifest, paths, found, progress)
    return found
