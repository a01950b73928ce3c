"""Babel extraction methods for the text keys bms-eval uses.

The catalogs' message ids are symbolic keys (:mod:`bms_eval.narrative.texts`), used as
``t["key"]``, ``t.format("key", …)`` or ``texts[...]`` in Python, and as
``t.key`` in the report template. ``babel.cfg`` maps these methods to the code
and the template, so ``pybabel extract -F babel.cfg -o keys.pot .`` lists every
key in use; a key built at run time from a fixed prefix (``f"verdict.{v}"``) is
listed as its family, ``verdict.*``. The tests compare the list with the
catalogs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import IO, Any

#: Names under which the code holds a :class:`~bms_eval.narrative.texts.Texts`.
TEXTS_NAMES = frozenset({"t", "texts", "_texts", "labels"})

Extracted = tuple[int, None, str, list[str]]


def _is_texts(node: ast.AST, names: frozenset[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return node.attr in names
    if isinstance(node, ast.Call):  # Texts(language)["key"], self._texts(language)[...]
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in {"Texts", "_texts"}
    return False


def _keys(node: ast.AST) -> list[str]:
    """Literal keys (both of ``"a" if … else "b"``), or a family ``prefix*`` for an
    f-string that starts with a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
            return [first.value + "*"]
    return []


def extract_python(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict
) -> Iterator[Extracted]:
    """Keys used by Python code: ``t[...]`` and ``t.format(...)`` (Babel's signature)."""
    tree = ast.parse(fileobj.read())
    # inside the Texts class itself, its own methods read keys as self[...]
    defines_texts = any(isinstance(n, ast.ClassDef) and n.name == "Texts" for n in tree.body)
    names = TEXTS_NAMES | {"self"} if defines_texts else TEXTS_NAMES
    for node in ast.walk(tree):
        keys: list[str] = []
        if isinstance(node, ast.Subscript) and _is_texts(node.value, names):
            keys = _keys(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and _is_texts(node.func.value, names)
            and node.args
        ):
            keys = _keys(node.args[0])
        for key in keys:
            yield node.lineno, None, key, []


_TEMPLATE_KEY = re.compile(r"\bt\.([A-Za-z_][A-Za-z0-9_]*)")


def extract_template(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict
) -> Iterator[Extracted]:
    """Keys the report template reads as ``t.key`` (Babel's signature)."""
    for lineno, line in enumerate(fileobj.read().decode("utf-8").splitlines(), 1):
        for match in _TEMPLATE_KEY.finditer(line):
            yield lineno, None, match.group(1), []
