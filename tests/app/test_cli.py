from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from guidelines_app import create_app
from guidelines_app.db import make_engine
from guidelines_app.store import ContentStore
from tests.databases import BACKENDS, postgres_schema_url


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):
    """An app on an empty database and no content repository yet."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATA_DIR": str(tmp_path / "data"),
        "PASSWORD_HASH_PROFILE": "fast",
    }
    if request.param == "postgresql":
        config["DATABASE_URL"] = postgres_schema_url("cli_tests")
    app = create_app(config)
    yield app
    app.extensions["guidelines.engine"].dispose()


def _commits(repo: Path) -> int:
    out = subprocess.run(
        ["git", f"--git-dir={repo}", "rev-list", "--count", "main"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def test_init_creates_database_and_seeds_content_then_changes_nothing(fresh):
    runner = fresh.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "Initialised." in first.output
    repo = Path(fresh.config["CONTENT_REPO"])
    store = ContentStore(repo)
    assert any(p.endswith(".md") for p in store.list_files("guidelines/"))
    assert any(p.endswith(".yaml") for p in store.list_files("taxonomies/"))
    assert (Path(fresh.config["DATA_DIR"]) / "secret_key").is_file()
    head = store.head()
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0
    assert "Nothing to do" in second.output
    assert store.head() == head and _commits(repo) == 1


def test_init_refuses_a_content_path_that_is_not_a_git_repository(fresh):
    repo = Path(fresh.config["CONTENT_REPO"])
    repo.mkdir(parents=True)
    (repo / "notes.txt").write_text("mine")
    result = fresh.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 2
    assert "not a bare git repository" in result.output
    assert (repo / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in repo.iterdir()) == ["notes.txt"]


def test_init_refuses_a_database_at_an_unknown_migration(fresh):
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    engine = make_engine(fresh.config["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    result = runner.invoke(args=["init"])
    assert result.exit_code == 2
    assert "unknown to this version" in result.output
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == "from_the_future"
        )
    engine.dispose()


def test_commands_that_need_a_database_say_to_run_init_first(fresh):
    result = fresh.test_cli_runner().invoke(args=["user", "list"])
    assert result.exit_code == 2
    assert "guidelines init" in result.output


def test_demo_prints_accounts_with_passwords_and_is_idempotent(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "ada" in first.output and "alan" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert first.output.splitlines()[-7:] == again.output.splitlines()[-7:]
    credentials = Path(fresh.config["DATA_DIR"]) / "demo-accounts.json"
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"


def test_user_commands(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    created = runner.invoke(
        args=["user", "create", "ada", "--role", "lead", "--password-stdin"],
        input="a long password\n",
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(args=["user", "list"])
    assert "ada" in listed.output and "lead" in listed.output
    assert runner.invoke(args=["user", "set-role", "ada", "admin"]).exit_code == 0
    assert "admin" in runner.invoke(args=["user", "list"]).output
    last = runner.invoke(args=["user", "disable", "ada"])
    assert last.exit_code == 2 and "ada is the last active admin" in last.output
    second = runner.invoke(
        args=["user", "create", "bob", "--role", "admin", "--password-stdin"],
        input="another long password\n",
    )
    assert second.exit_code == 0, second.output
    assert runner.invoke(args=["user", "disable", "ada"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["user", "list"]).output
    token = runner.invoke(args=["user", "token", "ada", "--name", "ci"])
    assert token.exit_code == 2 and "disabled" in token.output
    assert runner.invoke(args=["user", "enable", "ada"]).exit_code == 0
    token = runner.invoke(args=["user", "token", "ada", "--name", "ci"])
    assert token.exit_code == 0 and token.output.startswith("gl_")


def test_user_create_rejects_bad_input_with_exit_code_2(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    weak = runner.invoke(args=["user", "create", "bob", "--password-stdin"], input="short\n")
    assert weak.exit_code == 2 and "at least 10" in weak.output
    bad_name = runner.invoke(
        args=["user", "create", "Bob Smith", "--password-stdin"], input="long enough pw\n"
    )
    assert bad_name.exit_code == 2 and "username" in bad_name.output
    no_terminal = runner.invoke(args=["user", "create", "bob"])
    assert no_terminal.exit_code == 2 and "--password-stdin" in no_terminal.output
    bad_role = runner.invoke(
        args=["user", "create", "bob", "--role", "king", "--password-stdin"],
        input="long enough pw\n",
    )
    assert bad_role.exit_code == 2
    unknown = runner.invoke(args=["user", "set-role", "ghost", "lead"])
    assert unknown.exit_code == 2 and "ghost" in unknown.output


def test_check_reports_a_clean_installation(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "All consistent." in result.output


def test_check_explains_a_missing_content_repository(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    repo = Path(fresh.config["CONTENT_REPO"])
    repo.rename(repo.with_name("moved.git"))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "content:" in result.output and str(repo) in result.output


def test_check_repair_upgrades_a_database_that_is_behind(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    found = runner.invoke(args=["check"])
    assert found.exit_code == 1 and "--repair" in found.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: database migrated" in repaired.output


def test_demo_replays_a_dated_history_with_releases_by_two_leads(fresh):
    from datetime import UTC, datetime, timedelta

    runner = fresh.test_cli_runner()
    runner.invoke(args=["init"])
    assert runner.invoke(args=["demo"]).exit_code == 0
    store = ContentStore(Path(fresh.config["CONTENT_REPO"]))
    for slug in ("product-review-sentiment", "news-entities", "chatbot-preference"):
        releases = store.releases(f"guidelines/{slug}.md")
        assert [r.version for r in releases][:3] == [1, 2, 3]  # later demo steps may add more
        dates = [r.tagged_at for r in releases]
        assert dates == sorted(dates) and len(set(dates[:3])) == 3
        assert datetime.now(UTC) - dates[0] > timedelta(weeks=11)
        authors = {c.author_name for c in store.history(f"guidelines/{slug}.md")}
        assert {"Ada Lovelace", "Grace Hopper"} <= authors
    assert len(store.releases("taxonomies/news-entities.yaml")) == 2
