"""The layers of DESIGN.md: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import guidelines_app

PACKAGE = Path(guidelines_app.__file__).parent


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


def _violations(prefix: str, forbidden) -> list[str]:
    found = []
    for module, path in _modules():
        if module == prefix or module.startswith(prefix + "."):
            for name in _imports(path):
                if forbidden(name):
                    found.append(f"{module} imports {name}")
    return found


def test_domain_imports_nothing_of_the_app_but_itself_and_no_framework():
    frameworks = {
        "flask",
        "flask_login",
        "flask_wtf",
        "htmx_flask",
        "sqlmodel",
        "sqlalchemy",
        "alembic",
        "git",
    }

    def forbidden(name: str) -> bool:
        if _top(name) in frameworks:
            return True
        return name.startswith("guidelines_app") and not name.startswith("guidelines_app.domain")

    assert _violations("domain", forbidden) == []


def test_only_the_store_imports_git():
    offenders = [
        f"{module} imports {name}"
        for module, path in _modules()
        if module != "store"
        for name in _imports(path)
        if _top(name) == "git"
    ]
    assert offenders == []


def test_store_imports_nothing_of_the_app():
    path = PACKAGE / "store.py"
    assert [n for n in _imports(path) if n.startswith("guidelines_app")] == []


def test_services_never_import_flask_or_the_web_layer():
    web = (
        "guidelines_app.views",
        "guidelines_app.api",
        "guidelines_app.cli",
        "guidelines_app.context",
        "guidelines_app.security",
        "guidelines_app.readiness",
    )

    def forbidden(name: str) -> bool:
        return _top(name) in {"flask", "flask_login", "flask_wtf", "htmx_flask"} or name.startswith(
            web
        )

    assert _violations("services", forbidden) == []


def test_views_api_and_cli_build_no_sql_and_call_no_git():
    def forbidden(name: str) -> bool:
        return _top(name) in {"git", "sqlalchemy", "sqlmodel"}

    offenders = (
        _violations("views", forbidden)
        + _violations("api", forbidden)
        + _violations("cli", forbidden)
    )
    assert offenders == []


def test_only_one_module_imports_htmx_flask():
    importers = [
        module
        for module, path in _modules()
        if any(_top(n) == "htmx_flask" for n in _imports(path))
    ]
    assert importers == ["views._htmx"]


def test_the_rule_checker_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import git\nfrom flask import Flask\nfrom guidelines_app.domain import errors\n"
    )
    assert {"git", "flask", "flask.Flask", "guidelines_app.domain.errors"} <= _imports(sample)
