"""What an installation holds, for the home page and ``guidelines check``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from guidelines_app.services import accounts, decisions, escalations
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.store import ContentStore, StoreError


@dataclass
class Summary:
    guidelines: int = 0
    taxonomies: int = 0
    users: int = 0
    content_revision: str | None = None
    content_error: str | None = None
    extra: dict[str, int] = field(default_factory=dict)


def summary(*, session: Session, store: ContentStore) -> Summary:
    result = Summary(users=accounts.count_users(session=session))
    try:
        result.content_revision = store.head()
        result.guidelines = len([p for p in store.list_files("guidelines/") if p.endswith(".md")])
        result.taxonomies = len([p for p in store.list_files("taxonomies/") if p.endswith(".yaml")])
    except StoreError as error:
        result.content_error = str(error)
    result.extra["open escalations"] = escalations.open_count(session=session)
    result.extra["decisions"] = decisions.count(session=session)
    result.extra["annotation batches"] = annotation_batches.count_batches(session=session)
    return result
