"""Datasets and the items escalations, decisions and annotations are about."""

from __future__ import annotations

from guidelines_app.services.datasets.items import (
    MAX_EXTERNAL_ID,
    MAX_ITEM_BYTES,
    SLUG_RE,
    ItemContent,
    ItemPage,
    check_content,
    check_external_id,
    create_dataset,
    create_item,
    ensure_item,
    find_item,
    get_dataset,
    get_item,
    item_page,
    item_text,
    items_by_id,
    known_dataset,
    list_datasets,
    open_url,
)

__all__ = [
    "MAX_EXTERNAL_ID",
    "MAX_ITEM_BYTES",
    "SLUG_RE",
    "ItemContent",
    "ItemPage",
    "check_content",
    "check_external_id",
    "create_dataset",
    "create_item",
    "ensure_item",
    "find_item",
    "get_dataset",
    "get_item",
    "item_page",
    "item_text",
    "items_by_id",
    "known_dataset",
    "list_datasets",
    "open_url",
]
