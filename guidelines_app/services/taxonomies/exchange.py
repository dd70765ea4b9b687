"""Exchange with labeling tools: export to and import from their formats."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session

from guidelines_app.domain import formats
from guidelines_app.domain.errors import InvalidInput, Problem, TooLarge
from guidelines_app.domain.guideline import check_slug
from guidelines_app.domain.taxonomy import (
    MAX_TEXT_BYTES,
    Label,
    Taxonomy,
    name_key,
    to_yaml,
    update_yaml,
)
from guidelines_app.services import documents
from guidelines_app.services.documents import TAXONOMY, SaveOutcome
from guidelines_app.services.taxonomies import taxonomy as taxonomies
from guidelines_app.store import Author, ContentStore

RESERVED_SLUGS = frozenset({"import"})  # /taxonomies/import is the upload form


@dataclass(frozen=True)
class Export:
    text: str
    media_type: str
    filename: str


def export(*, store: ContentStore, slug: str, fmt: str, ref: str | None) -> Export:
    chosen = formats.export_format(fmt)
    resolved = documents.resolve(store, TAXONOMY, slug, ref)
    taxonomy, problems = taxonomies.load(store, slug, resolved.commit_id)
    if problems:
        raise InvalidInput(f"{slug} has problems at {resolved.label}: fix them first", problems)
    return Export(chosen.export(taxonomy), chosen.media_type, chosen.filename(slug))


def decode_upload(data: bytes) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            problems=[Problem(f"not UTF-8 text (byte {error.start})", "file")]
        ) from None


def _adopt_ids(existing: Taxonomy, imported: Taxonomy) -> dict[str, str]:
    """Imported ids that are new but name an existing label (by name): take its id."""
    imported_ids = {e.label.id for e in imported.iter_labels()}
    by_name = {
        name_key(e.label.name): e.label.id
        for e in existing.iter_labels()
        if e.label.id not in imported_ids
    }
    renames: dict[str, str] = {}
    for entry in imported.iter_labels():
        old_id = by_name.get(name_key(entry.label.name))
        if entry.label.id not in existing.by_id() and old_id and old_id not in renames.values():
            renames[entry.label.id] = old_id
    return renames


def overlay(existing: Taxonomy, imported: Taxonomy) -> Taxonomy:
    """The import as a new revision of ``existing``, keeping what the format cannot carry.

    Labels matched by id (or, for ids the format derived from names, by name) keep their
    description, examples, synonyms, colour, hint and value where the import has none;
    deprecated labels, which no tool format carries, are kept where they were.
    """
    renames = _adopt_ids(existing, imported)
    known = existing.by_id()

    def merge(label: Label) -> Label:
        label_id = renames.get(label.id, label.id)
        old = known.get(label_id)
        children = tuple(merge(child) for child in label.children)
        label = replace(
            label,
            id=label_id,
            replaced_by=tuple(renames.get(r, r) for r in label.replaced_by),
            children=children,
        )
        if old is None:
            return label
        filled = {
            name: getattr(old, name)
            for name in ("description", "examples", "counter_examples", "synonyms", "hint")
            if not getattr(label, name)
        }
        if label.color is None:
            filled["color"] = old.color
        if label.value is None:
            filled["value"] = old.value
        return replace(label, **filled)

    labels = tuple(merge(label) for label in imported.labels)
    present = {e.label.id for e in Taxonomy(name="", labels=labels).iter_labels()}
    for entry in existing.iter_labels():
        label = entry.label
        if not label.deprecated or label.id in present or label.children:
            continue
        parent = entry.parent_id if entry.parent_id in present else None
        labels = _append(labels, parent, label)
        present.add(label.id)
    return replace(
        existing,
        kind=imported.kind,
        description=existing.description or imported.description,
        labels=labels,
    )


def _append(labels: tuple[Label, ...], parent_id: str | None, new: Label) -> tuple[Label, ...]:
    if parent_id is None:
        return (*labels, new)
    return tuple(
        replace(label, children=(*label.children, new))
        if label.id == parent_id
        else replace(label, children=_append(label.children, parent_id, new))
        if label.children
        else label
        for label in labels
    )


@dataclass(frozen=True)
class ImportResult:
    outcome: SaveOutcome
    created: bool
    taxonomy: Taxonomy


def import_taxonomy(
    *,
    session: Session,
    store: ContentStore,
    slug: str,
    fmt: str,
    data: bytes,
    author: Author,
    message: str = "",
    actor_id: int | None = None,
) -> ImportResult:
    """A new revision of an existing taxonomy, or a new taxonomy; validated like any save."""
    check_slug(slug)
    if slug in RESERVED_SLUGS:
        raise InvalidInput(problems=[Problem(f"{slug!r} is reserved: choose another name", "slug")])
    chosen = formats.import_format(fmt)
    text = decode_upload(data)
    exists = documents.exists(store, TAXONOMY, slug)
    existing = None
    if exists:
        existing, problems = taxonomies.load(store, slug)
        if problems:
            existing = None
    name = existing.name if existing else slug.replace("-", " ").capitalize()
    imported = chosen.read(text, name=name)
    result = overlay(existing, imported) if existing else imported
    base = store.head() if exists else None
    summary = message.strip() or (
        f"Import {slug} from {chosen.title}"
        if exists
        else f"Create taxonomy {slug} from {chosen.title}"
    )
    outcome = taxonomies.save_taxonomy(
        session=session,
        store=store,
        slug=slug,
        text=update_yaml(documents.read(store, TAXONOMY, slug).text, result)
        if existing
        else to_yaml(result),
        base=base,
        author=author,
        message=summary,
        actor_id=actor_id,
        action="taxonomy.import",
    )
    return ImportResult(outcome, not exists, result)
