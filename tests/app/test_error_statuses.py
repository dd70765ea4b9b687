"""Errors are nouns; the web maps them to statuses in one table, the CLI to exit code 2."""

from __future__ import annotations

import shutil

import pytest

import guidelines_app.web  # noqa: F401  (every error class of the app is imported by now)
from guidelines_app import create_app
from guidelines_app.db import session_scope
from guidelines_app.domain import errors as domain_errors
from guidelines_app.domain.errors import AppError, InvalidInput
from guidelines_app.models import Role
from guidelines_app.services import accounts, ops
from guidelines_app.services.documents import EditConflict
from guidelines_app.services.escalations import TransitionConflict
from guidelines_app.services.guidelines.guideline import SectionsStillReferenced
from guidelines_app.store import (
    InvalidArgument,
    InvalidPath,
    NoChange,
    PathNotFound,
    ReleaseExists,
    RevisionNotFound,
    StoreError,
    StoreUnavailable,
    WriteConflict,
)
from guidelines_app.web.errors import STATUS, status_of
from tests.conftest import app_config
from tests.factories import make_user


def _bare(cls: type[BaseException]) -> BaseException:
    """An instance without running ``__init__``: only the class matters to the mapping."""
    return cls.__new__(cls)


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


@pytest.mark.parametrize(("cls", "status"), sorted(STATUS.items(), key=lambda kv: kv[0].__name__))
def test_each_class_of_the_table_and_its_subclasses_answer_with_its_status(cls, status):
    assert status_of(_bare(cls)) == status
    subclass = type(f"Some{cls.__name__}", (cls,), {})
    assert status_of(_bare(subclass)) == status


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (StoreError, 409),
        (StoreUnavailable, 503),
        (RevisionNotFound, 404),
        (PathNotFound, 404),
        (NoChange, 409),
        (ReleaseExists, 409),
        (WriteConflict, 409),
        (InvalidArgument, 422),
        (InvalidPath, 422),
        (EditConflict, 409),
        (TransitionConflict, 409),
        (SectionsStillReferenced, 422),
        (ops.SetupError, 409),
        (ops.SchemaError, 409),
        (accounts.RateLimited, 429),
        (accounts.LastAdmin, 409),
        (accounts.LoginRejected, 400),
    ],
)
def test_git_and_service_errors_answer_as_the_noun_they_are(cls, status):
    assert issubclass(cls, AppError)
    assert status_of(_bare(cls)) == status


def test_an_error_outside_the_app_is_a_500():
    assert status_of(RuntimeError("boom")) == 500
    assert status_of(KeyError("x")) == 500


def test_every_domain_noun_has_a_status_of_its_own():
    nouns = [
        value
        for value in vars(domain_errors).values()
        if isinstance(value, type) and issubclass(value, AppError)
    ]
    assert set(nouns) <= set(STATUS)


def test_no_error_class_of_the_app_carries_an_http_status():
    carrying = [
        cls.__module__ + "." + cls.__qualname__
        for cls in _all_subclasses(AppError) | {AppError}
        if cls.__module__.startswith("guidelines_app") and "status" in vars(cls)
    ]
    assert carrying == []


def test_store_errors_are_still_value_errors_where_they_were():
    assert issubclass(InvalidPath, ValueError) and issubclass(InvalidPath, InvalidInput)
    assert InvalidPath("'..' is not allowed").message == "'..' is not allowed"


def test_a_missing_content_repository_answers_503_on_a_page_and_in_the_api(app, content_repo):
    user = make_user(app, "lena", Role.LEAD)
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        _token, secret = accounts.create_api_token(session=session, user_id=user.id, name="t")
    client = app.test_client()
    client.post("/login", data={"username": "lena", "password": "correct horse battery"})
    shutil.rmtree(content_repo)
    page = client.get("/guidelines")
    assert page.status_code == 503
    assert b"Content repository unavailable" in page.data and b"guidelines check" in page.data
    api = app.test_client().get("/api/v1/taxonomies", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 503
    assert api.get_json()["error"]["status"] == 503


def test_a_missing_guideline_answers_404_and_a_bad_revision_404(as_viewer):
    assert as_viewer.get("/guidelines/no-such-guideline").status_code == 404
    missing = as_viewer.get("/guidelines/product-review-sentiment?rev=" + "0" * 40)
    assert missing.status_code == 404


def test_the_cli_answers_a_git_error_with_exit_code_2(tmp_path, database_url, content_repo):
    app = create_app(app_config(tmp_path, database_url, content_repo))
    try:
        shutil.rmtree(content_repo)
        result = app.test_cli_runner().invoke(args=["report", "product-review-sentiment"])
        assert result.exit_code == 2, result.output
        assert "does not exist" in result.output
    finally:
        app.extensions["guidelines.engine"].dispose()
