"""Imports run one way: every module imports only from its own package, the floor, or a lower capability.

The order is the README's (Layout). A new package must be placed in it; a new arrow upwards fails here
with the file and the line, and the fix is a signal (participation.core.signals) or moving code down.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "participation"

# The floor: imports no capability. Modules at the top of the package and the `core` package.
FLOOR = {"config", "database", "extensions", "privacy", "security", "suppression", "exports", "core"}
# Capabilities, lowest first: each may import the floor and the capabilities before it.
CAPABILITIES = [
    "i18n",
    "audit",
    "staff",
    "themes",
    "surveys",
    "placements",
    "moderation",
    "followup",
    "forum",
    "quarantine",
    "insights",
    "actions",
    "measurement",
    "lifecycle",
    "api",
    "site",
    "demo",
]
# The app factory and the model registry sit above everything and import what they assemble.
TOP = {"__init__", "models"}


def _layer(part: str) -> int:
    if part in FLOOR:
        return -1
    if part in TOP:
        return len(CAPABILITIES)
    return CAPABILITIES.index(part)


def _allowed(own: str, target: str) -> bool:
    return target == own or _layer(target) < _layer(own) or (own in FLOOR and target in FLOOR)


def _part_of(module: str) -> str | None:
    """The top-level part of participation a dotted module name belongs to ("surveys", "config", …)."""
    names = module.split(".")
    if names[0] != "participation":
        return None
    return names[1] if len(names) > 1 else "__init__"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    names = list(relative.parts)
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            # `from participation import config` imports the module participation.config.
            found += [
                (node.lineno, f"{base}.{alias.name}" if base == "participation" else base)
                for alias in node.names
            ]
    return found


def _arrows_against_the_order() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _part_of(_module_name(path)) if path.parent != PACKAGE else path.stem
        assert own is not None
        for line, imported in _imports(path):
            target = _part_of(imported)
            if target is not None and not _allowed(own, target):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {imported}")
    return wrong


def test_every_package_has_a_place_in_the_order() -> None:
    parts = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    parts |= {path.stem for path in PACKAGE.glob("*.py")}
    assert parts - FLOOR - TOP - set(CAPABILITIES) == set()


def test_imports_run_from_higher_layers_to_lower_ones_only() -> None:
    assert _arrows_against_the_order() == []


def test_the_readme_states_the_same_order() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("Capabilities, lowest first:"))
    assert [name.strip(" `.") for name in line.split(":", 1)[1].split(",")] == CAPABILITIES


@pytest.mark.parametrize(
    ("source", "imported", "allowed"),
    [
        ("surveys/routes.py", "participation.actions.services", False),
        ("core/floods.py", "participation.surveys.models", False),
        ("themes/services.py", "participation.insights.coding", False),
        ("forum/sessions.py", "participation.placements.services", True),
        ("demo/services.py", "participation.surveys.models", True),
        ("suppression.py", "participation.config", True),
    ],
)
def test_the_check_itself_tells_up_from_down(source: str, imported: str, allowed: bool) -> None:
    """The walk would catch the arrows the layering removed (and lets the ones it keeps pass)."""
    path = PACKAGE / source
    own = _part_of(_module_name(path)) if path.parent != PACKAGE else path.stem
    target = _part_of(imported)
    assert own is not None and target is not None
    assert _allowed(own, target) is allowed
