"""The package's structure, read from its own files: cycles, layers and sizes.

Prints, for ``bms_eval``:

- every import cycle among its modules: every import made at run time counts, at
  module level or inside a function (an import under ``TYPE_CHECKING`` is read only
  by type checkers and makes no cycle);
- every import, ``TYPE_CHECKING`` ones included, that runs from a lower layer to a
  higher one, in the layer order that ``docs/design.md`` documents (:data:`LAYERS`
  below is that order);
- every module over :data:`MAX_MODULE_LINES` lines and every function over
  :data:`MAX_FUNCTION_LINES` lines;
- the count of internal imports made inside functions.

Usage: ``python benchmarks/structure.py`` — exit status 1 when any rule is broken.
``tests/test_structure.py`` runs the same checks.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "bms_eval"

#: Longest module, in lines.
MAX_MODULE_LINES = 700
#: Longest function or method, in lines (its ``def`` to its last line).
MAX_FUNCTION_LINES = 80

#: The layers, lowest first: a module may import from its own layer and the ones
#: before it, never from a later one. Each entry is a layer's name and the module
#: prefixes (dotted, under ``bms_eval``) it holds. ``docs/design.md`` explains them.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("foundation",)),
    ("outputs", ("outputs",)),
    ("inputs", ("inputs",)),
    ("estimation", ("estimation",)),
    ("simulation", ("simulation",)),
    ("narrative", ("narrative",)),
    ("planning", ("planning",)),
    ("assessment", ("assessment",)),
    ("report", ("report",)),
    ("analysis", ("analysis",)),
    ("pipeline", ("pipeline",)),
    ("cli", ("cli", "__main__", "__init__")),
)


@dataclass
class Module:
    """One module of the package: its dotted name, file and internal imports."""

    name: str
    path: Path
    imports: set[str] = field(default_factory=set)
    type_only: set[str] = field(default_factory=set)
    imports_in_functions: int = 0


def module_name(path: Path) -> str:
    """The dotted name under ``bms_eval`` (``estimation.links``; a package's ``__init__``
    is the package's own name, the top package's is ``__init__``)."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(target: str, names: list[str], modules: set[str]) -> Iterator[str]:
    """The package modules an ``import``/``from … import`` of ``target`` reaches."""
    if target == "":
        target = "__init__"
    for name in names:
        candidate = f"{target}.{name}" if target != "__init__" else name
        if candidate in modules:
            yield candidate
        elif target in modules:
            yield target


def read_modules() -> dict[str, Module]:
    """Every module of the package, with the package modules it imports."""
    paths = sorted(PACKAGE.rglob("*.py"))
    found = {module_name(p): Module(module_name(p), p) for p in paths}
    names = set(found)
    for module in found.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        in_function: set[int] = set()
        type_checking: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function.update(id(n) for n in ast.walk(node) if n is not node)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                type_checking.update(id(n) for n in ast.walk(node) if n is not node)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "bms_eval" or alias.name.startswith("bms_eval."):
                        dotted = alias.name.removeprefix("bms_eval").lstrip(".")
                        targets.extend(_resolve_dotted(dotted, names))
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module is not None
                and node.level == 0
                and (node.module == "bms_eval" or node.module.startswith("bms_eval."))
            ):
                dotted = node.module.removeprefix("bms_eval").lstrip(".")
                targets.extend(_resolve(dotted, [a.name for a in node.names], names))
            targets = [t for t in targets if t != module.name]
            if targets and id(node) in in_function:
                module.imports_in_functions += 1
            if id(node) in type_checking:
                module.type_only.update(targets)
            else:
                module.imports.update(targets)
    return found


def _resolve_dotted(dotted: str, modules: set[str]) -> list[str]:
    """The module ``import bms_eval.<dotted>`` reaches: the longest prefix that is one."""
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return [dotted or "__init__"]


def layer_of(name: str) -> int:
    """The index in :data:`LAYERS` of the layer holding a module (ValueError: none)."""
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                return index
    raise ValueError(f"module bms_eval.{name} is in no layer: add it to LAYERS")


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(modules[v].imports):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    return found


def upward_imports(modules: dict[str, Module]) -> list[str]:
    """Each import from a lower layer to a higher one, as one line."""
    lines = []
    for name, module in sorted(modules.items()):
        own = layer_of(name)
        if name == "__init__":
            continue  # the top package re-exports the public names of every layer
        for target in sorted(module.imports | module.type_only):
            if layer_of(target) > own:
                lines.append(
                    f"{name} ({LAYERS[own][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
                )
    return lines


def long_modules(modules: dict[str, Module]) -> list[str]:
    """Each module over the line limit."""
    lines = []
    for name, module in sorted(modules.items()):
        count = len(module.path.read_text(encoding="utf-8").splitlines())
        if count > MAX_MODULE_LINES:
            lines.append(f"{name}: {count} lines")
    return lines


def long_functions(modules: dict[str, Module]) -> list[str]:
    """Each function or method over the line limit."""
    lines = []
    for name, module in sorted(modules.items()):
        tree = ast.parse(module.path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    lines.append(f"{name}.{node.name} (line {node.lineno}): {length} lines")
    return lines


def main() -> int:
    modules = read_modules()
    checks = {
        "import cycles": [" → ".join(c) for c in cycles(modules)],
        "imports up a layer": upward_imports(modules),
        f"modules over {MAX_MODULE_LINES} lines": long_modules(modules),
        f"functions over {MAX_FUNCTION_LINES} lines": long_functions(modules),
    }
    total_imports = sum(len(m.imports) for m in modules.values())
    in_functions = sum(m.imports_in_functions for m in modules.values())
    lines = sum(len(m.path.read_text(encoding="utf-8").splitlines()) for m in modules.values())
    print(f"bms_eval: {len(modules)} modules, {lines} lines, {total_imports} internal imports")
    print(f"  ({in_functions} import statements inside functions)")
    print("Layers, lowest first: " + " < ".join(name for name, _ in LAYERS))
    broken = 0
    for title, found in checks.items():
        print(f"{title}: {len(found)}")
        for line in found:
            print(f"  {line}")
        broken += len(found)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
