"""Safe YAML reading that keeps the line and key path of every value.

PyYAML's ``safe_load`` forgets where a value stood, and silently keeps the last of
two equal keys. Here the document is composed into nodes by PyYAML's safe
composer and turned into :class:`YNode` objects that remember their 1-based line
and their key path (``indicators[3].ambition.target``), so every problem can be
located. Only plain data tags are accepted: a ``!!python/...`` or custom tag is a
problem, never constructed. Alias expansion is bounded, so a "billion laughs"
document is refused instead of exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bms_eval.foundation.problems import ProblemList

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}

#: Most nodes a document may expand to (aliases included) before it is refused.
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings accepted (a scorecard needs four levels).
MAX_DEPTH = 50


@dataclass
class YNode:
    """A YAML value with its place in the file.

    Attributes
    ----------
    kind : {"map", "seq", "scalar"}
        What the node holds.
    value : Any
        ``dict[str, YNode]`` for a map, ``list[YNode]`` for a sequence, the
        safely constructed Python value for a scalar (``None`` for null).
    raw : str
        A scalar's text exactly as written (``0301`` stays ``"0301"``); empty for
        maps and sequences.
    line : int
        1-based line where the value starts.
    path : str
        Key path from the document root, e.g. ``links[2].lag``.
    place : str
        Where the value stood when it did not come from YAML lines, e.g.
        ``sheet 'links' row 7, column 'lag'`` (an Excel scorecard); empty for YAML.
    key_places : dict
        For a map read from a sheet, where each key stood (its header cell).
    """

    kind: str
    value: Any
    raw: str = ""
    line: int = 0
    path: str = ""
    key_lines: dict[str, int] = field(default_factory=dict)
    place: str = ""
    key_places: dict[str, str] = field(default_factory=dict)

    @property
    def is_null(self) -> bool:
        """Whether this is an empty or ``null`` scalar."""
        return self.kind == "scalar" and self.value is None

    @property
    def where(self) -> str:
        """``line N, key.path`` (or the sheet, row and column) for problem messages."""
        if self.place:
            return self.place
        return f"line {self.line}, {self.path}" if self.path else f"line {self.line}"

    @property
    def spot(self) -> str:
        """Where the value starts, without its key path: ``line N`` or the sheet and
        row (for "first at …")."""
        return self.place.split(", column ")[0] if self.place else f"line {self.line}"

    def key_where(self, key: str) -> str:
        """Where a key of this map stood."""
        if key in self.key_places:
            return self.key_places[key]
        return f"line {self.key_lines[key]}, {self.path + '.' if self.path else ''}{key}"


def _join(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


class _Builder:
    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, problems: ProblemList):
        self.loader = loader
        self.problems = problems
        self.count = 0
        self.too_big = False
        self.too_deep = False

    def build(self, node: yaml.Node, path: str, depth: int = 0) -> YNode | None:
        self.count += 1
        if depth > MAX_DEPTH:
            if not self.too_deep:
                self.problems.error(
                    f"line {node.start_mark.line + 1}",
                    f"lists or mappings are nested more than {MAX_DEPTH} levels deep; a "
                    "scorecard needs far fewer: check the brackets and the indentation",
                    kind="too_deep",
                )
                self.too_deep = True
            return None
        if self.count > MAX_NODES:
            if not self.too_big:
                self.problems.error(
                    f"line {node.start_mark.line + 1}",
                    f"the document expands to more than {MAX_NODES} values (through aliases); "
                    "a scorecard is far smaller: remove the repeated aliases",
                    kind="too_large",
                )
                self.too_big = True
            return None
        line = node.start_mark.line + 1
        if node.tag not in _PLAIN_TAGS:
            self.problems.error(
                f"line {line}, {path}" if path else f"line {line}",
                f"the tag {node.tag!r} is not allowed: a scorecard is read as plain data "
                "(text, numbers, lists, mappings); remove the tag",
                kind="tag",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, line, depth)
        if isinstance(node, yaml.SequenceNode):
            items = [
                self.build(child, _join(path, i), depth + 1) for i, child in enumerate(node.value)
            ]
            return YNode("seq", [c for c in items if c is not None], line=line, path=path)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            self.problems.error(
                f"line {line}, {path}" if path else f"line {line}",
                f"the value {node.value!r} does not match its tag {node.tag!r}",
                kind="tag",
            )
            return None
        return YNode("scalar", value, raw=str(node.value), line=line, path=path)

    def _mapping(self, node: yaml.MappingNode, path: str, line: int, depth: int) -> YNode:
        out: dict[str, YNode] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.error(
                    f"line {key_line}, {path}" if path else f"line {key_line}",
                    "a key must be plain text, not a list or mapping",
                    kind="key",
                )
                continue
            key = str(key_node.value)
            if key == "<<":
                self.problems.error(
                    f"line {key_line}, {_join(path, key)}",
                    "merge keys (<<) are not supported: write the keys out",
                    kind="key",
                )
                continue
            if key in out:
                self.problems.error(
                    f"line {key_line}, {_join(path, key)}",
                    f"the key {key!r} appears twice in this mapping (first at line "
                    f"{key_lines[key]}); keep one",
                    kind="duplicate_key",
                )
                continue
            child = self.build(value_node, _join(path, key), depth + 1)
            if child is not None:
                out[key] = child
                key_lines[key] = key_line
        return YNode("map", out, line=line, path=path, key_lines=key_lines)


def _syntax_hint(text: str, line: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines):
        content = lines[line - 1].strip()
        if content.endswith(": -") or content.endswith(":-"):
            return ' (a bare "-" starts a list in YAML: quote the sign, sign: "-")'
        if "\t" in lines[line - 1]:
            return " (YAML does not allow tabs for indentation: use spaces)"
    return ""


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, problems: ProblemList) -> None:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 0
    what = exc.problem or "syntax error"
    if exc.context:
        what = f"{exc.context}, {what}"
    problems.error(
        f"line {line}" if line else "",
        f"YAML syntax error: {what}{_syntax_hint(text, line)}",
        kind="syntax",
    )


def parse_yaml(text: str, problems: ProblemList) -> YNode | None:
    """Parse ``text`` into a :class:`YNode` tree, recording problems.

    Parameters
    ----------
    text : str
        The YAML document.
    problems : ProblemList
        Receives syntax errors, refused tags, duplicate keys.

    Returns
    -------
    YNode or None
        The root node, or ``None`` when the document could not be read at all.
    """
    # libyaml's parser where PyYAML has it (ten times faster; the same nodes and marks)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
    except (RecursionError, yaml.MarkedYAMLError) as exc:
        if isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" not in str(exc.problem):
            return _syntax_error(exc, text, problems)
        # Python's recursion limit, or libyaml's own limit on nesting
        problems.error(
            "",
            f"lists or mappings are nested far more than {MAX_DEPTH} levels deep (a scorecard "
            "needs four); check the brackets and the indentation",
            kind="too_deep",
        )
        return None
    except yaml.YAMLError as exc:
        problems.error("", f"YAML error: {exc}", kind="syntax")
        return None
    if root is None:
        problems.error(
            "",
            "the file is empty: a scorecard needs at least scorecard, perspectives and indicators",
            kind="empty",
        )
        return None
    try:
        return _Builder(loader, problems).build(root, "")
    finally:
        loader.dispose()
