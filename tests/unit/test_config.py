from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidelines_app import config, create_app


def test_check_refuses_a_default_secret_key_outside_debug_and_tests():
    for key in ("dev", "", "test", "short"):
        with pytest.raises(config.ConfigError, match="SECRET_KEY"):
            config.check({"SECRET_KEY": key, "DATABASE_URL": "sqlite://"})


def test_check_accepts_the_default_secret_key_in_debug_and_tests():
    config.check({"SECRET_KEY": "dev", "TESTING": True, "DATABASE_URL": "sqlite://"})
    config.check({"SECRET_KEY": "dev", "DEBUG": True, "DATABASE_URL": "sqlite://"})


def test_check_refuses_an_unsupported_database_url():
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        config.check({"SECRET_KEY": "x" * 40, "DATABASE_URL": "mysql://x"})


def test_create_app_refuses_a_default_secret_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDELINES_SECRET_KEY", "dev")
    monkeypatch.setenv("GUIDELINES_DATA_DIR", str(tmp_path))
    with pytest.raises(config.ConfigError):
        create_app()


def test_environment_variables_override_defaults(tmp_path):
    settings = config.load(
        {
            "GUIDELINES_DATA_DIR": str(tmp_path),
            "GUIDELINES_SESSION_COOKIE_SECURE": "true",
            "GUIDELINES_LOGIN_MAX_FAILURES": "4",
        }
    )
    assert settings["DATA_DIR"] == str(tmp_path.resolve())
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path.resolve() / 'guidelines.sqlite3'}"
    assert settings["CONTENT_REPO"] == str(tmp_path.resolve() / "content.git")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["LOGIN_MAX_FAILURES"] == 4


def test_malformed_numbers_and_booleans_are_named_in_the_error(tmp_path):
    with pytest.raises(config.ConfigError, match="GUIDELINES_LOGIN_MAX_FAILURES"):
        config.load({"GUIDELINES_DATA_DIR": str(tmp_path), "GUIDELINES_LOGIN_MAX_FAILURES": "ten"})
    with pytest.raises(config.ConfigError, match="GUIDELINES_SESSION_COOKIE_SECURE"):
        config.load(
            {"GUIDELINES_DATA_DIR": str(tmp_path), "GUIDELINES_SESSION_COOKIE_SECURE": "maybe"}
        )


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path):
    first = config.load({"GUIDELINES_DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    second = config.load({"GUIDELINES_DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 48
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_nothing_is_written_before_the_data_folder_exists(tmp_path):
    settings = config.load({"GUIDELINES_DATA_DIR": str(tmp_path / "not-yet")})
    assert not (tmp_path / "not-yet").exists()
    assert settings["SECRET_KEY"].startswith("ephemeral-")


def test_readme_documents_every_environment_variable():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(GUIDELINES_[A-Z_]+)`", readme))
    assert set(config.ENVIRONMENT) <= documented
