from __future__ import annotations

import shutil
import subprocess

from guidelines_app import create_app
from tests.conftest import app_config
from tests.factories import signed_in_client

SLUG = "product-review-sentiment"


def test_missing_content_repository_is_explained_on_every_page_not_a_500(app, content_repo):
    client = signed_in_client(app, "admin")
    shutil.rmtree(content_repo)
    for path in ("/", "/account", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"content repository" in response.data and b"guidelines check" in response.data


def test_corrupt_content_repository_is_explained_not_a_500(app, content_repo):
    client = signed_in_client(app, "admin")
    (content_repo / "HEAD").write_text("garbage\n")
    response = client.get("/")
    assert response.status_code == 200
    assert b"guidelines check" in response.data


def test_uninitialised_database_answers_503_with_what_to_run(tmp_path, content_repo):
    app = create_app(app_config(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}", content_repo))
    response = app.test_client().get("/login")
    assert response.status_code == 503
    assert b"guidelines init" in response.data
    api = app.test_client().get("/api/v1/me")
    assert api.status_code == 503 and api.is_json
    app.extensions["guidelines.engine"].dispose()


def test_an_unreachable_database_answers_503_without_the_drivers_text(tmp_path, content_repo):
    url = "postgresql+psycopg://secret_role@127.0.0.1:1/secret_db?connect_timeout=2"
    app = create_app(app_config(tmp_path, url, content_repo))
    for path in ("/login", "/api/v1/me"):
        response = app.test_client().get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert "cannot be reached" in body
        assert not any(word in body for word in ("secret_role", "secret_db", "127.0.0.1", ":1"))
    app.extensions["guidelines.engine"].dispose()


def test_a_database_lost_while_serving_answers_503_in_plain_words(tmp_path, content_repo):
    database = tmp_path / "served.sqlite3"
    shutil.copyfile(_template(tmp_path, content_repo), database)
    app = create_app(app_config(tmp_path, f"sqlite:///{database}", content_repo))
    client = signed_in_client(app, "admin")
    assert client.get("/admin/users").status_code == 200
    app.extensions["guidelines.engine"].dispose()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"served.sqlite3{suffix}").unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 200)
    for path in ("/admin/users", "/api/v1/me"):
        response = client.get(path, headers={"Authorization": "Bearer x"} if "api" in path else {})
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (path, body[:500])
        assert "database file is damaged" in body and "restores it from a backup" in body
        assert "Retry-After" not in response.headers  # waiting will not cure it
        assert "served.sqlite3" not in body and "not a database" not in body
    app.extensions["guidelines.engine"].dispose()


def test_a_database_file_damaged_before_start_says_so_on_every_page(tmp_path, content_repo):
    database = tmp_path / "damaged.sqlite3"
    shutil.copyfile(_template(tmp_path, content_repo), database)
    data = bytearray(database.read_bytes())
    data[:16] = b"garbage garbage!"  # the header SQLite checks first
    database.write_bytes(bytes(data))
    app = create_app(app_config(tmp_path, f"sqlite:///{database}", content_repo))
    for path in ("/login", "/guidelines", "/api/v1/me"):
        response = app.test_client().get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (path, body[:300])
        assert "database file is damaged" in body, path
        assert "damaged.sqlite3" not in body and "not a database" not in body
    app.extensions["guidelines.engine"].dispose()


def test_a_database_file_damaged_inside_says_so_instead_of_a_500(tmp_path, content_repo):
    database = tmp_path / "pages.sqlite3"
    shutil.copyfile(_template(tmp_path, content_repo), database)
    data = bytearray(database.read_bytes())
    for offset in range(8192, len(data), 97):  # every page after the first two
        data[offset] = 0x55
    database.write_bytes(bytes(data))
    app = create_app(app_config(tmp_path, f"sqlite:///{database}", content_repo))
    response = app.test_client().get("/login")
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert "database file is damaged" in body
    app.extensions["guidelines.engine"].dispose()


def _template(tmp_path, content_repo):
    """A migrated SQLite file (the app's own ``init`` path)."""
    path = tmp_path / "template.sqlite3"
    app = create_app(app_config(tmp_path, f"sqlite:///{path}", content_repo))
    app.test_cli_runner().invoke(args=["init"])
    app.extensions["guidelines.engine"].dispose()
    return path


def test_a_missing_git_object_is_damage_shown_where_it_matters_not_a_404(app, content_repo):
    client = signed_in_client(app, "lead")
    listed = subprocess.run(
        ["git", "-C", str(content_repo), "ls-tree", "HEAD", "guidelines/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    blob = next(line.split()[2] for line in listed.splitlines() if SLUG in line)
    loose = content_repo / "objects" / blob[:2] / blob[2:]
    assert loose.exists()  # the seeded repository keeps loose objects
    loose.unlink()
    page = client.get(f"/guidelines/{SLUG}")
    assert page.status_code == 503
    body = page.get_data(as_text=True)
    assert "content repository is damaged" in body and blob[:12] in body
    assert "no guideline named" not in body
    listing = client.get("/guidelines").get_data(as_text=True)
    assert "Has problems" in listing and "is damaged" in listing
    assert "Pairwise preference" in listing  # the other guidelines are still listed
    assert client.get("/decisions").status_code == 200
    assert client.get("/guidelines/chatbot-preference").status_code == 200
    check = app.test_cli_runner().invoke(args=["check"])
    assert check.exit_code == 1 and blob[:7] in check.output
