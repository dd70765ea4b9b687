"""API bodies of datasets and items.

``XCreate`` is a request body, ``XPublic`` what the API answers; ``of(row, ...)`` builds
the answer from a table row, so the field list is written here once.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, JsonValue, RootModel

from guidelines_app.models.cases import Item
from guidelines_app.models.schemas.common import Public, RequestBody, Timestamp


class DatasetCreate(RequestBody):
    slug: str = Field(description="lowercase letters, digits and dashes")
    name: str
    url_template: str | None = Field(
        default=None, description="a link to an item, with {external_id} in it"
    )


class DatasetPublic(Public):
    """The dataset."""

    slug: str
    name: str


class DatasetSummary(DatasetPublic):
    url_template: str | None
    items: int = Field(description="how many items the dataset has")


class DatasetList(RootModel[list[DatasetSummary]]):
    """The datasets with their item counts (a JSON array)."""


class ItemContent(RequestBody):
    """A snapshot of an item's content, kept the first time the item is seen (1 MB at most)."""

    text: str | None = None
    payload: JsonValue = Field(default=None, description="any JSON value")
    media_url: str | None = None
    meta: dict[str, JsonValue] | None = None


class ItemCreate(ItemContent):
    dataset: str
    external_id: str


class ItemPublic(Public):
    """An item with the snapshot of its content."""

    id: int
    dataset: str
    external_id: str
    text: str | None
    payload: JsonValue
    media_url: str | None
    meta: dict[str, JsonValue]
    created_at: Timestamp

    @classmethod
    def fields_of(cls, item: Item, dataset: str) -> dict[str, Any]:
        return {
            "id": item.id or 0,
            "dataset": dataset,
            "external_id": item.external_id,
            "text": item.text,
            "payload": item.payload,
            "media_url": item.media_url,
            "meta": item.meta,
            "created_at": item.created_at,
        }

    @classmethod
    def of(cls, item: Item, dataset: str) -> ItemPublic:
        return cls(**cls.fields_of(item, dataset))


class ItemDetail(ItemPublic):
    """The item, with the ids of its escalations and decisions."""

    escalations: list[int] = Field(description="ids of the item's escalations")
    decisions: list[int] = Field(description="ids of the decisions linked to the item")
