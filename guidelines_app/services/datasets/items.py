"""Datasets and the items escalations and decisions are about."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import func
from sqlmodel import Session, col, select

from guidelines_app.domain.errors import Conflict, InvalidInput, NotFound, Problem, TooLarge
from guidelines_app.domain.markdown import is_safe_url
from guidelines_app.models import Dataset, Decision, DecisionItem, Escalation, Item
from guidelines_app.services import audit

MAX_ITEM_BYTES = 1_000_000
MAX_EXTERNAL_ID = 500
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ItemContent:
    """What an escalation or the API may say about a new item."""

    text: str | None = None
    payload: Any | None = None
    media_url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.payload is not None or self.media_url)


@dataclass
class ItemPage:
    dataset: Dataset
    item: Item
    open_url: str | None
    escalations: list[Escalation]
    decisions: list[Decision]


def _size(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def check_content(content: ItemContent) -> None:
    """TooLarge beyond 1 MB of content; InvalidInput for an unsafe media URL or bad metadata."""
    if _size(content.text) + _size(content.payload) + _size(content.meta) > MAX_ITEM_BYTES:
        raise TooLarge(f"an item's content may be at most {MAX_ITEM_BYTES // 1_000_000} MB")
    problems = []
    if content.media_url and (
        len(content.media_url) > 2000
        or not is_safe_url(content.media_url)
        or not content.media_url.startswith(("http://", "https://"))
    ):
        problems.append(Problem("must be an http(s) URL of at most 2000 characters", "media_url"))
    if not isinstance(content.meta, dict):
        problems.append(Problem("must be an object", "meta"))
    if problems:
        raise InvalidInput(problems=problems)


def check_external_id(external_id: str) -> str:
    value = (external_id or "").strip()
    if not value or len(value) > MAX_EXTERNAL_ID or _CONTROL.search(value):
        raise InvalidInput(
            problems=[
                Problem(
                    f"give the item's id in its dataset (1 to {MAX_EXTERNAL_ID} characters, "
                    "no control characters)",
                    "external_id",
                )
            ]
        )
    return value


def list_datasets(*, session: Session) -> list[tuple[Dataset, int]]:
    counts = (
        select(Item.dataset_id, func.count().label("n")).group_by(col(Item.dataset_id)).subquery()
    )
    rows = session.exec(
        select(Dataset, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.dataset_id == Dataset.id)
        .order_by(col(Dataset.slug))
    ).all()
    return [(dataset, int(n)) for dataset, n in rows]


def get_dataset(*, session: Session, slug: str) -> Dataset:
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).first()
    if dataset is None:
        raise NotFound(f"no dataset named {slug!r}")
    return dataset


def known_dataset(*, session: Session, slug: str) -> Dataset:
    """The dataset, or InvalidInput naming it (for forms, where a missing one is bad input)."""
    dataset = session.exec(select(Dataset).where(Dataset.slug == (slug or "").strip())).first()
    if dataset is None:
        raise InvalidInput(problems=[Problem(f"unknown dataset {slug!r}", "dataset")])
    return dataset


def create_dataset(
    *,
    session: Session,
    slug: str,
    name: str,
    url_template: str | None = None,
    actor_id: int | None = None,
) -> Dataset:
    slug, name = (slug or "").strip(), (name or "").strip()
    template = (url_template or "").strip() or None
    problems = []
    if not SLUG_RE.fullmatch(slug) or len(slug) > 100:
        problems.append(Problem("lowercase letters, digits and single hyphens", "slug"))
    if not name or len(name) > 200:
        problems.append(Problem("give a name of at most 200 characters", "name"))
    if template is not None and (
        len(template) > 1000
        or "{external_id}" not in template
        or not template.startswith(("http://", "https://"))
    ):
        problems.append(
            Problem("an http(s) URL containing {external_id}, at most 1000 characters", "url")
        )
    if problems:
        raise InvalidInput(problems=problems)
    if session.exec(select(Dataset.id).where(Dataset.slug == slug)).first() is not None:
        raise Conflict(f"a dataset named {slug!r} already exists")
    dataset = Dataset(slug=slug, name=name, url_template=template)
    session.add(dataset)
    session.flush()
    audit.record(
        session, actor_id=actor_id, action="dataset.create", object_type="dataset", object_id=slug
    )
    session.commit()
    return dataset


def find_item(*, session: Session, dataset_id: int, external_id: str) -> Item | None:
    return session.exec(
        select(Item).where(Item.dataset_id == dataset_id, Item.external_id == external_id)
    ).first()


def ensure_item(
    *,
    session: Session,
    dataset: Dataset,
    external_id: str,
    content: ItemContent,
    actor_id: int | None,
) -> tuple[Item, bool]:
    """The item, created with ``content`` if new (no commit). An existing snapshot is kept."""
    external_id = check_external_id(external_id)
    check_content(content)
    existing = find_item(session=session, dataset_id=dataset.id or 0, external_id=external_id)
    if existing is not None:
        return existing, False
    item = Item(
        dataset_id=dataset.id or 0,
        external_id=external_id,
        text=content.text or None,
        payload=content.payload,
        media_url=content.media_url or None,
        meta=dict(content.meta),
        created_by=actor_id,
    )
    session.add(item)
    session.flush()
    return item, True


def create_item(
    *,
    session: Session,
    dataset_slug: str,
    external_id: str,
    content: ItemContent,
    actor_id: int | None = None,
) -> tuple[Item, bool]:
    dataset = known_dataset(session=session, slug=dataset_slug)
    item, created = ensure_item(
        session=session,
        dataset=dataset,
        external_id=external_id,
        content=content,
        actor_id=actor_id,
    )
    if created:
        audit.record(
            session,
            actor_id=actor_id,
            action="item.create",
            object_type="item",
            object_id=item.id or 0,
            summary=f"{dataset.slug}/{item.external_id}"[:500],
        )
        session.commit()
    return item, created


def get_item(*, session: Session, dataset_slug: str, external_id: str) -> tuple[Dataset, Item]:
    dataset = get_dataset(session=session, slug=dataset_slug)
    item = find_item(session=session, dataset_id=dataset.id or 0, external_id=external_id)
    if item is None:
        raise NotFound(f"no item {external_id!r} in dataset {dataset_slug!r}")
    return dataset, item


def open_url(dataset: Dataset, item: Item) -> str | None:
    """The item in the labeling tool, from the dataset's URL template (http(s) only)."""
    if not dataset.url_template:
        return None
    url = dataset.url_template.replace("{external_id}", quote(item.external_id, safe=""))
    return url if is_safe_url(url) and url.startswith(("http://", "https://")) else None


def item_text(item: Item) -> str:
    """The item's content as plain text, for search and for showing beside a question."""
    if item.text:
        return item.text
    if item.payload is not None:
        return json.dumps(item.payload, ensure_ascii=False, indent=1)[:20_000]
    return item.media_url or ""


def item_page(*, session: Session, dataset_slug: str, external_id: str) -> ItemPage:
    dataset, item = get_item(session=session, dataset_slug=dataset_slug, external_id=external_id)
    escalations = list(
        session.exec(
            select(Escalation)
            .where(Escalation.item_id == item.id)
            .order_by(col(Escalation.created_at).desc())
        )
    )
    decisions = list(
        session.exec(
            select(Decision)
            .join(DecisionItem, col(DecisionItem.decision_id) == Decision.id)
            .where(DecisionItem.item_id == item.id)
            .order_by(col(Decision.id).desc())
        )
    )
    return ItemPage(dataset, item, open_url(dataset, item), escalations, decisions)


def items_by_id(*, session: Session, ids: list[int]) -> dict[int, tuple[Item, Dataset]]:
    if not ids:
        return {}
    rows = session.exec(
        select(Item, Dataset)
        .join(Dataset, col(Dataset.id) == Item.dataset_id)
        .where(col(Item.id).in_(ids))
    ).all()
    return {item.id or 0: (item, dataset) for item, dataset in rows}
