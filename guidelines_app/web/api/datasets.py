"""Datasets and their items for tools: list and create datasets, read and create items."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from guidelines_app.db import saved_id
from guidelines_app.models import Role
from guidelines_app.models.schemas import (
    DatasetCreate,
    DatasetList,
    DatasetPublic,
    DatasetSummary,
    ItemContent,
    ItemCreate,
    ItemDetail,
    ItemPublic,
)
from guidelines_app.services import datasets
from guidelines_app.services.datasets import ItemContent as Content
from guidelines_app.web import context, security
from guidelines_app.web.api.operations import Answer, Param, operation

bp = Blueprint("datasets", __name__)

BAD = "Bad input: an unknown dataset, or a slug that is not one, named in problems"


def item_content(data: ItemContent) -> Content:
    """The snapshot of an item a body carries (escalating an item creates it too)."""
    return Content(
        text=data.text or None,
        payload=data.payload,
        media_url=data.media_url or None,
        meta=data.meta or {},
    )


@bp.get("/datasets")
@security.requires(Role.VIEWER)
@operation("Datasets with their item counts", {200: DatasetList})
def index() -> DatasetList:
    found = datasets.list_datasets(session=context.db_session())
    return DatasetList(
        [
            DatasetSummary(slug=d.slug, name=d.name, url_template=d.url_template, items=n)
            for d, n in found
        ]
    )


@bp.post("/datasets")
@security.requires(Role.LEAD)
@operation(
    "Create a dataset (lead)",
    {201: DatasetPublic, 409: "The slug is taken", 422: BAD},
    body=DatasetCreate,
)
def create(body: DatasetCreate) -> tuple[DatasetPublic, int]:
    dataset = datasets.create_dataset(
        session=context.db_session(),
        slug=body.slug,
        name=body.name,
        url_template=body.url_template or None,
        actor_id=current_user.user_id,
    )
    return DatasetPublic(slug=dataset.slug, name=dataset.name), 201


@bp.get("/items")
@security.requires(Role.VIEWER)
@operation(
    "One item with the ids of its escalations and decisions",
    {200: ItemDetail, 404: "No such dataset or item"},
    params=(Param("dataset", required=True), Param("external_id", required=True)),
)
def show_item() -> ItemDetail:
    page = datasets.item_page(
        session=context.db_session(),
        dataset_slug=request.args.get("dataset", ""),
        external_id=request.args.get("external_id", ""),
    )
    return ItemDetail(
        **ItemPublic.fields_of(page.item, page.dataset.slug),
        escalations=[saved_id(e) for e in page.escalations],
        decisions=[saved_id(d) for d in page.decisions],
    )


@bp.post("/items")
@security.requires(Role.ANNOTATOR)
@operation(
    "Create an item; 200 with the snapshot kept if it exists already",
    {
        201: ItemPublic,
        200: Answer("The item existed: its first snapshot", ItemPublic),
        413: "Content over 1 MB",
        422: BAD,
    },
    body=ItemCreate,
)
def create_item(body: ItemCreate) -> tuple[ItemPublic, int]:
    item, created = datasets.create_item(
        session=context.db_session(),
        dataset_slug=body.dataset,
        external_id=body.external_id,
        content=item_content(body),
        actor_id=current_user.user_id,
    )
    return ItemPublic.of(item, body.dataset), 201 if created else 200
