"""The folders the package ships besides code: found by package name, overridable for init."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidelines_app import config, resources
from guidelines_app.services.ops import setup

REPO = Path(__file__).resolve().parents[2]


def _repository_starter_files() -> dict[str, bytes]:
    return {
        f"{folder}/{path.name}": path.read_bytes()
        for folder, pattern in setup.STARTER_FOLDERS.items()
        for path in sorted((REPO / folder).glob(pattern))
    }


def test_an_editable_install_serves_the_repository_folders_themselves():
    """So a new migration or starter file is seen without reinstalling. Failing here means the
    installed guidelines_app.* names point at another checkout: reinstall with `make install`."""
    assert resources.migrations_dir().resolve() == REPO / "migrations"
    folders = resources.starter_folders()
    assert {name: Path(str(f)).resolve() for name, f in folders.items()} == {
        "guidelines": REPO / "guidelines",
        "taxonomies": REPO / "taxonomies",
    }


def test_the_migrations_folder_holds_the_alembic_environment_and_every_revision():
    folder = resources.migrations_dir()
    assert (folder / "env.py").is_file() and (folder / "script.py.mako").is_file()
    shipped = sorted(p.name for p in (folder / "versions").glob("*.py"))
    in_repository = sorted(p.name for p in (REPO / "migrations/versions").glob("*.py"))
    assert shipped and shipped == in_repository


def test_starter_files_default_to_the_starter_content_shipped_with_the_package():
    files = setup.starter_files()
    assert files == _repository_starter_files()
    assert "guidelines/product-review-sentiment.md" in files
    assert not any(name.endswith("__init__.py") for name in files)


def test_a_starter_dir_replaces_the_shipped_starter_content(tmp_path):
    (tmp_path / "guidelines").mkdir()
    (tmp_path / "guidelines/house-style.md").write_bytes(b"# House style\n")
    (tmp_path / "guidelines/notes.txt").write_bytes(b"not a guideline")
    assert setup.starter_files(tmp_path) == {"guidelines/house-style.md": b"# House style\n"}


def test_the_starter_dir_setting_is_empty_by_default_and_read_from_the_environment(tmp_path):
    default = config.load({"GUIDELINES_DATA_DIR": str(tmp_path)})
    assert default["STARTER_DIR"] == ""
    assert setup.starter_files(default["STARTER_DIR"]) == _repository_starter_files()
    chosen = config.load(
        {"GUIDELINES_DATA_DIR": str(tmp_path), "GUIDELINES_STARTER_DIR": str(tmp_path / "s")}
    )
    assert chosen["STARTER_DIR"] == str(tmp_path / "s")


def test_a_package_missing_from_the_installation_says_how_to_reinstall(monkeypatch):
    monkeypatch.setattr(resources, "MIGRATIONS_PACKAGE", "guidelines_app.not_shipped")
    with pytest.raises(resources.ResourceMissing, match=r"not_shipped is not installed.*reinstall"):
        resources.migrations_dir()
