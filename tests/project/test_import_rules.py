"""The layout rules of docs/design.md, checked by parsing every import (module level and inside functions).

Three floors: the library (everything in ``symkeras`` below), the experiments (``symkeras.experiments``) built on
the library's public API, and the course tooling and command line (``symkeras.course``, ``symkeras.grading``,
``symkeras.cli``, ``symkeras.doctor``, ``symkeras.__main__``) on top.  The package root ``symkeras/__init__.py`` is a
façade: it names the submodules and offers ``symkeras.check``, importing them only when asked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "symkeras"
GROUP_NAMES = {"trivial", "C1", "C2", "C4", "D1", "D2", "D4", "O", "Oh"}
#: Where "trivial" names the trivial *action* (representation) of a group, ``out_action="trivial"`` (invariance).
ACTION_MODULES = {"symkeras.equivariance", "symkeras.layers.sets", "symkeras.layers.base"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def floor(module: str) -> str:
    if module == "symkeras":
        return "facade"
    if module.startswith("symkeras.experiments"):
        return "experiments"
    if module.startswith(
        ("symkeras.course", "symkeras.grading", "symkeras.cli", "symkeras.doctor", "symkeras.__main__")
    ):
        return "tooling"
    return "library"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> list[tuple[str, str | None, int]]:
    """``(imported module, imported name or None, line)`` for every import in ``module`` that names symkeras."""
    tree = ast.parse(MODULES[module].read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                target = f"{source}.{alias.name}"
                # `from symkeras import groups` imports a module; `from symkeras.groups import C4` a name.
                found.append((target, None, node.lineno) if target in MODULES else (source, alias.name, node.lineno))
    return [(m, name, line) for m, name, line in found if m == "symkeras" or m.startswith("symkeras.")]


def edges() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        graph[module] = {target for target, _, _ in imports(module) if target in MODULES and target != module}
    return graph


def test_the_module_list_is_what_the_design_describes():
    for module in (
        "symkeras.groups",
        "symkeras.layers.cloned",
        "symkeras.cloning.structure",
        "symkeras.cloning.student",
        "symkeras.cloning.rebuild",
        "symkeras.cloning.finetune",
        "symkeras.data.mnist",
        "symkeras.training",
        "symkeras.settings",
        "symkeras.experiments.gcnn",
        "symkeras.experiments.cloning",
        "symkeras.experiments.bench",
        "symkeras.cli",
        "symkeras.doctor",
        "symkeras.deploy",
    ):
        assert module in MODULES, module
    for gone in ("symkeras.reproduce", "symkeras.reproduce_cloning", "symkeras.bench", "symkeras.layers._base"):
        assert gone not in MODULES, gone


@pytest.mark.parametrize("lower, forbidden", [("library", {"experiments", "tooling"}), ("experiments", {"tooling"})])
def test_each_floor_imports_only_the_floors_below_it(lower, forbidden):
    broken = [
        f"{module}:{line} imports {target}"
        for module in MODULES
        if floor(module) == lower
        for target, _, line in imports(module)
        if floor(target) in forbidden or target == "symkeras"
    ]
    assert not broken, "\n".join(broken)


def test_there_are_no_import_circles():
    graph = edges()
    graph.pop("symkeras")  # the façade imports on demand only
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_uses(tree: ast.AST, module_aliases: set[str]) -> list[tuple[str, int]]:
    """Attribute reads ``alias._name`` where ``alias`` is bound to a symkeras module."""
    return [
        (f"{node.value.id}.{node.attr}", node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in module_aliases
        and _private(node.attr)
    ]


def _module_aliases(tree: ast.AST, known: dict) -> set[str]:
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {(a.asname or a.name.split(".")[0]) for a in node.names if a.name.startswith("symkeras")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symkeras"):
            aliases |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in known}
    return aliases


def test_no_module_uses_another_modules_private_names():
    broken = []
    for module, path in MODULES.items():
        for target, name, line in imports(module):
            if name and _private(name) and target != module:
                broken.append(f"{module}:{line} imports {target}.{name}")
        tree = ast.parse(path.read_text())
        broken += [f"{module}:{line} reads {use}" for use, line in _private_uses(tree, _module_aliases(tree, MODULES))]
    assert not broken, "\n".join(broken)


def test_lessons_use_only_public_names():
    broken = []
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("symkeras"):
                broken += [
                    f"{path.name}:{node.lineno} imports {node.module}.{a.name}"
                    for a in node.names
                    if _private(a.name) or any(_private(p) for p in node.module.split("."))
                ]
                broken += [
                    f"{path.name}:{node.lineno} imports {node.module}, which does not exist"
                    for _ in [0]
                    if node.module not in MODULES
                ]
        broken += [
            f"{path.name}:{line} reads {use}" for use, line in _private_uses(tree, _module_aliases(tree, MODULES))
        ]
    assert not broken, "\n".join(broken)


def _string_constants(tree: ast.AST):
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_groups_travel_as_objects_not_names():
    """Outside ``groups.py`` the library and the experiments name a group by its object (``groups.C4``), never by a
    string literal: one place knows the names."""
    broken = []
    for module, path in MODULES.items():
        if floor(module) in ("library", "experiments") and module != "symkeras.groups":
            names = GROUP_NAMES - {"trivial"} if module in ACTION_MODULES else GROUP_NAMES
            broken += [
                f"{module}:{node.lineno} {node.value!r}"
                for node in _string_constants(ast.parse(path.read_text()))
                if node.value in names
            ]
    assert not broken, "\n".join(broken)


def test_the_checks_above_can_fail():
    """The rules are not vacuous: a private read, a group literal and the floors of real modules are all seen."""
    tree = ast.parse("from symkeras import groups\nx = groups._shape\ny = 'C4'\n")
    assert _private_uses(tree, _module_aliases(tree, MODULES)) == [("groups._shape", 2)]
    assert [n.value for n in _string_constants(tree)] == ["C4"]
    assert floor("symkeras.experiments.gcnn") == "experiments" and floor("symkeras.cloning.student") == "library"
    assert "symkeras.layers.cloned" in edges()["symkeras.layers"]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.endswith("__main__")))
def test_every_public_list_names_what_the_module_holds(module):
    """``__all__`` is what ``from m import *`` and the API reference read: every name in it exists."""
    import importlib

    loaded = importlib.import_module(module)
    missing = [name for name in getattr(loaded, "__all__", ()) if not hasattr(loaded, name)]
    assert not missing, f"{module}.__all__ names what it does not hold: {missing}"
