"""The import map of docs/architecture.md, checked: layers only import downwards, the store is
persistence only, no import cycles inside `mt`, SQL only in the store, no rules in the web app.

Imports are read with `ast` from the source (function-level imports included), so a lazy import
inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Layer of each top-level module or package of `mt` (docs/architecture.md): lower never
# imports higher. `mt.store` is persistence and sits below every service.
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        [
            "errors",
            "types",
            "textsafe",
            "csvsafe",
            "permissions",
            "redact",
            "names",
            "limits",
            "web_origins",
        ],
        0,
    ),
    **dict.fromkeys(
        [
            "segment",
            "metrics",
            "textdiff",
            "keystrokes",
            "timing",
            "intervals",
            "checkpoint",
            "formats",
            "qa",
            "engines",
            "models",
        ],
        1,
    ),
    "store": 2,
    **dict.fromkeys(
        [
            "drafting",
            "revising",
            "exchange",
            "tm",
            "termbase",
            "desk",
            "grid",
            "scoring",
            "report",
            "confidence",
            "attribution",
            "productivity",
            "aids",
            "editing",
            "batch",
            "distributed",
            "adapt",
        ],
        3,
    ),
    **dict.fromkeys(["cli", "commands"], 4),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every `mt...` module `path` imports, at any depth of the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] in ("mt", "ui"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if base.split(".")[0] in ("mt", "ui"):
                found.update(f"{base}.{a.name}" for a in node.names)
                found.add(base)
    return found


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _existing(name: str, modules: set[str]) -> str | None:
    """The longest prefix of `name` that is a module of the project (`from a import b`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


MT = {_module_name(p): p for p in _sources("mt")}


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_top_level_part_of_mt_has_a_layer():
    tops = {_top(m) for m in MT} - {""}
    assert tops - set(LAYERS) == set(), "add new modules to LAYERS and docs/architecture.md"


def test_layers_import_only_downwards():
    wrong = []
    for name, path in MT.items():
        if not _top(name):
            continue
        for target in _imports(path):
            target = _existing(target, set(MT))
            if target is None or not _top(target) or _top(target) == _top(name):
                continue
            if LAYERS[_top(target)] > LAYERS[_top(name)]:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_store_imports_only_leaves():
    wrong = []
    for name, path in MT.items():
        if not name.startswith("mt.store"):
            continue
        for target in _imports(path):
            target = _existing(target, set(MT))
            if target and _top(target) not in ("", "store") and LAYERS[_top(target)] > 0:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_cycles_inside_mt():
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in MT.items():
        for target in _imports(path):
            target = _existing(target, set(MT))
            # A package's __init__ is imported with each of its modules; not an edge of its own.
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("folder", ["mt", "ui"])
def test_sql_only_in_the_store(folder):
    outside = [
        str(p.relative_to(ROOT))
        for p in _sources(folder)
        if not str(p.relative_to(ROOT)).startswith("mt/store/")
        and any(t == "sqlalchemy" or t.startswith("sqlalchemy.") for t in _third_party(p))
    ]
    assert outside == []


def _third_party(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def test_modules_over_500_lines_say_why():
    """A module over 500 lines opens with a paragraph "Why one module (...)" in its docstring."""
    long = []
    for path in [*_sources("mt"), *_sources("ui")]:
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > 500 and "\nWhy one module (" not in docstring:
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert long == []
