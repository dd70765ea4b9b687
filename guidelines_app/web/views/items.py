"""Datasets and their items: the concrete cases escalations and decisions are about."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from guidelines_app.domain.errors import Conflict, InvalidInput
from guidelines_app.models import Role
from guidelines_app.services import datasets
from guidelines_app.web import context, security
from guidelines_app.web.views.decisions import messages

bp = Blueprint("items", __name__, url_prefix="/datasets")


def _index(
    status: int = 200, errors: list[str] | None = None, form: dict | None = None
) -> ResponseReturnValue:
    found = datasets.list_datasets(session=context.db_session())
    return (
        render_template(
            "items/datasets.html", datasets=found, errors=errors or [], form=form or {}
        ),
        status,
    )


@bp.get("")
@security.requires(Role.VIEWER)
def index() -> ResponseReturnValue:
    return _index()


@bp.post("")
@security.requires(Role.LEAD)
def create_dataset() -> ResponseReturnValue:
    form = {key: request.form.get(key, "") for key in ("slug", "name", "url_template")}
    try:
        dataset = datasets.create_dataset(
            session=context.db_session(),
            slug=form["slug"],
            name=form["name"],
            url_template=form["url_template"],
            actor_id=current_user.user_id,
        )
    except InvalidInput as error:
        return _index(422, messages(error), form)
    except Conflict as error:
        return _index(409, [error.message], form)
    flash(f"Dataset {dataset.slug} created.", "success")
    return redirect(url_for("items.index"))


@bp.get("/<slug>/items/<path:external_id>")
@security.requires(Role.VIEWER)
def show(slug: str, external_id: str) -> ResponseReturnValue:
    page = datasets.item_page(
        session=context.db_session(), dataset_slug=slug, external_id=external_id
    )
    return render_template("items/show.html", page=page, text=datasets.item_text(page.item))
