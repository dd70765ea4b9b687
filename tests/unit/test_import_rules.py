"""The layers of DESIGN.md: who may import whom, over every module of the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import guidelines_app

PACKAGE = Path(guidelines_app.__file__).parent
FLASK = {"flask", "flask_login", "flask_wtf", "htmx_flask", "werkzeug"}
DATABASE = {"sqlmodel", "sqlalchemy", "alembic"}
GIT = {"git", "gitdb"}

#: Every top-level part of the package and the parts of the app it may import.
#: A module outside these parts fails ``test_every_module_belongs_to_a_layer``.
LAYERS: dict[str, set[str]] = {
    "__init__": {"web", "cli", "config"},
    "config": set(),
    "resources": set(),
    "db": set(),
    "cache": set(),
    "domain": {"domain"},
    "store": {"domain", "store", "cache"},
    "models": {"models", "db", "domain"},
    "search": {"search", "models", "db", "domain"},
    "services": {
        "services",
        "domain",
        "store",
        "models",
        "db",
        "cache",
        "search",
        "config",
        "resources",
    },
    "demo": {"demo", "services", "domain", "store", "models", "db"},
    "web": {"web", "services", "domain", "models", "config", "store", "db"},
    "cli": {"cli", "services", "demo", "domain", "models", "config", "web", "db", "store"},
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        yield ".".join(relative.parts), path


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


def _layer(module: str) -> str:
    return module.split(".")[0]


def _app_part(name: str) -> str | None:
    """``guidelines_app.services.x`` -> ``services``; None for anything outside the app."""
    parts = name.split(".")
    if parts[0] != "guidelines_app":
        return None
    if len(parts) > 1 and ((PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").is_file()):
        return parts[1]
    return "__init__"  # the package itself, or a name it defines (create_app)


def test_every_module_belongs_to_a_layer():
    assert [m for m, _ in _modules() if _layer(m) not in LAYERS] == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_parts_it_may(layer):
    allowed = LAYERS[layer]
    offenders = []
    for module, path in _modules():
        if _layer(module) != layer:
            continue
        for name in _imports(path):
            part = _app_part(name)
            if part is not None and part != "__init__" and part not in allowed:
                offenders.append(f"{module} imports {name}")
    assert offenders == []


def test_domain_imports_no_framework_no_database_and_no_git():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) == "domain"
        for name in _imports(path)
        if _top(name) in FLASK | DATABASE | GIT
    ]
    assert offenders == []


def test_only_the_store_imports_git():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) != "store"
        for name in _imports(path)
        if _top(name) in GIT
    ]
    assert offenders == []


def test_the_store_takes_only_the_errors_from_the_domain():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) == "store"
        for name in _imports(path)
        if _app_part(name) == "domain" and not name.startswith("guidelines_app.domain.errors")
    ]
    assert offenders == []


def test_nothing_below_the_web_and_the_cli_imports_flask():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) not in {"web", "cli", "__init__"}
        for name in _imports(path)
        if _top(name) in FLASK
    ]
    assert offenders == []


def test_web_and_cli_build_no_sql_and_call_no_git():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) in {"web", "cli"}
        for name in _imports(path)
        if _top(name) in DATABASE | GIT
    ]
    assert offenders == []


def test_only_one_module_imports_htmx_flask():
    importers = [
        module
        for module, path in _modules()
        if any(_top(n) == "htmx_flask" for n in _imports(path))
    ]
    assert importers == ["web.views._htmx"]


def test_the_rule_checker_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import git\nfrom flask import Flask\nfrom guidelines_app.domain import errors\n"
    )
    assert {"git", "flask", "flask.Flask", "guidelines_app.domain.errors"} <= _imports(sample)
    assert _app_part("guidelines_app.domain.errors") == "domain"
    assert _app_part("flask") is None


def test_features_are_reached_through_their_package_only():
    """``services.<feature>.<module>`` is the feature's own business; others use its face."""
    offenders = []
    for module, path in _modules():
        parts = module.split(".")
        own = parts[1] if parts[0] == "services" and len(parts) > 2 else None
        for name in _imports(path):
            target = name.split(".")
            if target[:2] != ["guidelines_app", "services"] or len(target) < 4:
                continue
            feature, inner = target[2], target[3]
            is_module = (PACKAGE / "services" / feature / f"{inner}.py").is_file()
            if feature != own and is_module:
                offenders.append(f"{module} imports {name}")
    assert offenders == []
