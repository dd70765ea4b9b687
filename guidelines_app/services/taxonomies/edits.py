"""The edit forms of a taxonomy: add, rename, move, deprecate, merge, split.

Each applies the pure domain operation to the taxonomy at the editor's base revision,
writes it back into the YAML it came from with ``update_yaml`` (only the lines of the
labels concerned change; comments, key order, quoting and folded blocks stay) and saves it
like a YAML edit: validated against history, a stale base merged or refused with both
versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.guideline import check_slug
from guidelines_app.domain.taxonomy import (
    Taxonomy,
    add_label,
    deprecate_label,
    merge_labels,
    move_label,
    parse_taxonomy,
    rename_label,
    split_label,
    update_yaml,
)
from guidelines_app.services import documents
from guidelines_app.services.documents import TAXONOMY, SaveOutcome
from guidelines_app.services.taxonomies import taxonomy as taxonomies
from guidelines_app.store import Author, ContentStore, RevisionNotFound

Params = Mapping[str, Any]
_SEPARATORS = re.compile(r"[\s,;]+")


def _text(params: Params, key: str, *, required: bool = True) -> str:
    value = str(params.get(key) or "").strip()
    if required and not value:
        raise InvalidInput(problems=[Problem("required", key)])
    return value


def _ids(params: Params, key: str, *, minimum: int = 0) -> list[str]:
    raw = params.get(key) or []
    items = _SEPARATORS.split(raw) if isinstance(raw, str) else [str(x) for x in raw]
    ids = list(dict.fromkeys(item.strip() for item in items if item and item.strip()))
    if len(ids) < minimum:
        raise InvalidInput(problems=[Problem(f"name at least {minimum} label ids", key)])
    return ids


def _number(params: Params, key: str) -> int | float | None:
    raw = _text(params, key, required=False)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(problems=[Problem("must be a number", key)]) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(problems=[Problem("must be a finite number", key)])
    return int(value) if value.is_integer() else value


def _parts(params: Params) -> list[tuple[str, str]]:
    ids = params.get("part_id") or []
    names = params.get("part_name") or []
    parts = [
        (str(i).strip(), str(n).strip())
        for i, n in zip(ids, names, strict=False)
        if str(i).strip() or str(n).strip()
    ]
    missing = [i or n for i, n in parts if not (i and n)]
    if missing:
        raise InvalidInput(problems=[Problem("each new label needs an id and a name", "parts")])
    return parts


def _add(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return add_label(
        taxonomy,
        _text(p, "parent", required=False) or None,
        _text(p, "id"),
        _text(p, "name"),
        _text(p, "description", required=False),
        value=_number(p, "value"),
    )


def _rename(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return rename_label(taxonomy, _text(p, "id"), _text(p, "name"))


def _move(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return move_label(taxonomy, _text(p, "id"), _text(p, "parent", required=False) or None)


def _deprecate(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return deprecate_label(taxonomy, _text(p, "id"), _ids(p, "replaced_by"))


def _merge(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return merge_labels(
        taxonomy,
        _ids(p, "sources", minimum=2),
        _text(p, "into_id"),
        _text(p, "into_name", required=False) or None,
    )


def _split(taxonomy: Taxonomy, p: Params) -> Taxonomy:
    return split_label(taxonomy, _text(p, "id"), _parts(p))


OPERATIONS: dict[str, Callable[[Taxonomy, Params], Taxonomy]] = {
    "add": _add,
    "rename": _rename,
    "move": _move,
    "deprecate": _deprecate,
    "merge": _merge,
    "split": _split,
}


def preview_operation(
    *, store: ContentStore, slug: str, operation: str, params: Params, base: str | None
) -> str:
    """The YAML the operation would write, without saving it."""
    check_slug(slug)
    apply = OPERATIONS.get(operation)
    if apply is None:
        raise InvalidInput(
            problems=[Problem(f"unknown operation (one of: {', '.join(OPERATIONS)})", "operation")]
        )
    if base is not None:
        try:
            base = store.resolve(base)
        except (RevisionNotFound, ValueError):
            raise InvalidInput(
                problems=[Problem("unknown base revision; reload the editor", "base")]
            ) from None
    version = documents.read(store, TAXONOMY, slug, base)
    try:
        taxonomy = parse_taxonomy(version.text)
    except InvalidInput as error:
        raise InvalidInput(
            "the taxonomy has problems at this revision: fix them in the YAML first",
            error.problems,
        ) from None
    return update_yaml(version.text, apply(taxonomy, params))


def apply_operation(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    operation: str,
    params: Params,
    base: str | None,
    author: Author,
    message: str,
    actor_id: int | None = None,
) -> SaveOutcome:
    message = documents.check_message(message)
    if base is None:
        base = store.head()
    text = preview_operation(store=store, slug=slug, operation=operation, params=params, base=base)
    return taxonomies.save_taxonomy(
        session=session,
        store=store,
        slug=slug,
        text=text,
        base=base,
        author=author,
        message=message,
        actor_id=actor_id,
        action=f"taxonomy.{operation}",
    )
