"""The JSON API's contract: its routes, field names and statuses, its bearer-token rules."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from guidelines_app.db import session_scope
from guidelines_app.models import BatchFigures, Role
from guidelines_app.services import annotations
from guidelines_app.web import context, security
from tests.app.api_world import (
    TokenClient,
    call_every_endpoint,
    field_names,
    make_world,
    sentiment_csv,
    upload,
)

#: The field names and statuses every endpoint answered with when this file was recorded.
#: Outside tools read these: a change here is a change of the public API, made on purpose.
RECORDED = Path(__file__).with_name("api_fields.json")


def test_every_endpoint_answers_with_the_fields_and_statuses_it_always_had(app):
    calls = call_every_endpoint(make_world(app))
    answered = [
        {
            "method": c.method,
            "rule": c.rule,
            "status": c.status,
            "fields": [] if c.rule.endswith("openapi.json") else sorted(field_names(c.body)),
        }
        for c in calls
    ]
    assert answered == json.loads(RECORDED.read_text(encoding="utf-8"))


def test_openapi_document_is_public_and_lists_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    api_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    documented = set(document["paths"])
    flask_style = {path.replace("{", "<").replace("}", ">") for path in documented}
    assert api_rules <= flask_style | documented


def test_api_refuses_cookie_sessions(as_viewer):
    response = as_viewer.get("/api/v1/me")
    assert response.status_code == 401


def test_api_rejects_malformed_authorization_headers(client):
    for header in ("Bearer", "Basic abc", "Bearer    ", "bearer nope"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["message"]


def test_api_unknown_route_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json


def test_openapi_route_is_declared_public(app):
    assert security.least_role(app, "api.openapi") == security.PUBLIC


def _figures_kept(app, batch_id: int) -> list[str]:
    """The dimensions whose figures are stored for a batch, read without computing any."""
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = session.exec(select(BatchFigures).where(BatchFigures.batch_id == batch_id))
        return sorted(row.dimension for row in rows)


def test_a_batch_uploaded_through_the_api_has_its_figures_computed_at_once(app):
    lead = TokenClient(app, "lena", Role.LEAD)
    response = upload(lead, sentiment_csv())
    assert response.status_code == 201, response.json
    assert _figures_kept(app, response.json["id"]) == [""]


def test_the_cli_and_the_upload_job_import_through_the_same_use_case(app, runner, tmp_path):
    path = tmp_path / "cli.csv"
    path.write_bytes(sentiment_csv())
    result = runner.invoke(args=["import", str(path), "--dataset", "reviews"])
    assert result.exit_code == 0, result.output
    assert "computing agreement..." in result.output
    assert _figures_kept(app, 1) == [""]

    job_file = tmp_path / "job.upload"
    job_file.write_bytes(sentiment_csv(n_items=5))
    options = annotations.ImportOptions(dataset="reviews", file_name="job.csv")
    with app.app_context():
        with session_scope(context.engine()) as session:
            job_id = annotations.create_job(session=session, options=options).id
        annotations.run_job(
            engine=context.engine(),
            store=context.store(),
            job_id=job_id,
            path=job_file,
            options=options,
        )
        with session_scope(context.engine(), write=False) as session:
            job = annotations.get_job(session, job_id)
    assert (job.status, job.batch_id) == ("done", 2)
    assert _figures_kept(app, 2) == [""]
