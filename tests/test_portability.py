"""What keeps bms-eval working on Windows, checked on the source: no POSIX-only module
at import time, explicit encodings wherever text is read or written, no call only
POSIX has outside a guard, and LF line endings kept by git everywhere."""

from __future__ import annotations

import ast
import subprocess

import pytest

from tests.conftest import ROOT

SOURCES = sorted((ROOT / "bms_eval").rglob("*.py"))
#: Modules Windows does not have.
POSIX_ONLY = {"fcntl", "resource", "pwd", "grp", "termios", "posix", "tty", "pty"}
#: Calls only POSIX has, each allowed in the functions that guard them.
GUARDED = {
    "setpgid": {"_child", "start"},  # only in a forked child / after fork
    "killpg": {"stop"},
    "sched_getaffinity": {"available_cores"},  # in a try, falls back to os.cpu_count
    "pthread_sigmask": {"signals_held", "quiet_child"},  # behind hasattr(signal, …)
}


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_posix_only_module_is_imported_at_module_level(path):
    for node in _tree(path).body:
        names = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module.split(".")[0]]
        assert not set(names) & POSIX_ONLY, f"{path.name}:{node.lineno} imports {names}"


def _calls(tree):
    """Every call with the name of the function it stands in."""
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    yield func.name, node


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_text_is_read_and_written_with_an_explicit_encoding(path):
    """Windows' default encoding is not UTF-8: every read_text, write_text and text-mode
    open names its encoding."""
    for _, call in _calls(_tree(path)):
        name = getattr(call.func, "attr", getattr(call.func, "id", ""))
        keywords = {k.arg for k in call.keywords}
        if name in ("read_text", "write_text") and isinstance(call.func, ast.Attribute):
            assert "encoding" in keywords, f"{path.name}:{call.lineno} {name} without encoding"
        if name == "open" and isinstance(call.func, ast.Name):
            mode = call.args[1] if len(call.args) > 1 else None
            mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
            text = not (isinstance(mode, ast.Constant) and "b" in str(mode.value))
            if text:
                assert "encoding" in keywords, f"{path.name}:{call.lineno} open without encoding"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_posix_only_calls_stay_where_they_are_guarded(path):
    for function, call in _calls(_tree(path)):
        name = getattr(call.func, "attr", "")
        if name in GUARDED:
            assert function in GUARDED[name], f"{path.name}:{call.lineno} {name} in {function}"


def test_git_keeps_lf_line_endings_for_every_text_file():
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--eol"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for line in listed:
        index = line.split()[0]
        assert index in ("i/lf", "i/none", "i/-text"), line
        assert "eol=lf" in line.split("\t")[0] or index == "i/-text", line
