from __future__ import annotations

import shutil

from guidelines_app import create_app
from tests.conftest import app_config
from tests.factories import signed_in_client


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
