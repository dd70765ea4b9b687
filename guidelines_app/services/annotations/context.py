"""What an annotation batch was made under: the guideline release and taxonomy revision
in force, and whether its labels belong to that taxonomy.

Rules (docs/annotations-and-agreement.md):

- a release named by the importer is taken as given;
- otherwise each dated annotation falls under the latest release tagged at or before
  it; when all fall under one release that is the rule ``timestamps``, when they span
  several the release most of them fall under is kept (``majority``) with a note;
- without any timestamp, the latest release at import time (``latest``);
- annotations older than the first release, or no guideline: no release (``none``).

The taxonomy in force is the taxonomy file at the guideline release's commit (the same
repository), else at the head.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.domain.taxonomy import Taxonomy, migration_map, name_key
from guidelines_app.models import ReleaseRule
from guidelines_app.services import documents
from guidelines_app.services import taxonomies as taxonomy_labels
from guidelines_app.services.documents import GUIDELINE, TAXONOMY
from guidelines_app.store import ContentStore, Release, RevisionNotFound

MAX_LISTED = 50


@dataclass
class BatchContext:
    guideline: str | None = None
    release: Release | None = None
    rule: ReleaseRule = ReleaseRule.NONE
    taxonomy: str | None = None
    taxonomy_commit: str | None = None
    in_force: Taxonomy | None = None
    current: Taxonomy | None = None
    notes: list[str] = field(default_factory=list)


def release_in_force(
    releases: list[Release], timestamps: pd.Series
) -> tuple[Release | None, ReleaseRule, str]:
    """The release the dated annotations were made under, the rule used, and a note."""
    if not releases:
        return None, ReleaseRule.NONE, "the guideline has no release"
    dated = timestamps.dropna()
    if dated.empty:
        latest = releases[-1]
        return latest, ReleaseRule.LATEST, f"no timestamps: the latest release v{latest.version}"
    ordered = sorted(releases, key=lambda r: r.tagged_at)
    tagged = pd.Series(
        [pd.Timestamp(r.tagged_at).tz_convert("UTC") for r in ordered], dtype="datetime64[ns, UTC]"
    )
    position = tagged.searchsorted(dated.astype("datetime64[ns, UTC]"), side="right") - 1
    counts = pd.Series(position).value_counts()
    before_first = int(counts.get(-1, 0))
    counts = counts.drop(-1, errors="ignore")
    if counts.empty:
        return None, ReleaseRule.NONE, "every annotation is older than the first release"
    chosen = ordered[int(counts.idxmax())]
    if len(counts) == 1 and not before_first:
        return chosen, ReleaseRule.TIMESTAMPS, f"every annotation falls under v{chosen.version}"
    spread = ", ".join(
        f"v{ordered[int(p)].version}: {int(n):,}" for p, n in counts.sort_index().items()
    )
    if before_first:
        spread += f", before the first release: {before_first:,}"
    note = f"annotations span several releases ({spread}); kept v{chosen.version}"
    return chosen, ReleaseRule.MAJORITY, note


def resolve(
    *,
    store: ContentStore,
    guideline: str | None,
    release: int | None,
    taxonomy: str | None,
    timestamps: pd.Series,
) -> BatchContext:
    """The guideline release and taxonomy revision in force; InvalidInput if one is unknown."""
    context = BatchContext()
    if release is not None and not guideline:
        raise InvalidInput(problems=[Problem("a release needs a guideline", path="release")])
    if guideline:
        if not documents.exists(store, GUIDELINE, guideline):
            raise InvalidInput(problems=[Problem(f"no guideline {guideline!r}", path="guideline")])
        context.guideline = guideline
        releases = documents.releases(store, GUIDELINE, guideline)
        if release is not None:
            try:
                context.release = store.release(GUIDELINE.path(guideline), release)
            except RevisionNotFound:
                raise InvalidInput(
                    problems=[Problem(f"{guideline} has no release v{release}", path="release")]
                ) from None
            context.rule = ReleaseRule.GIVEN
        else:
            context.release, context.rule, note = release_in_force(releases, timestamps)
            context.notes.append(note)
    slug = taxonomy or (
        guideline if guideline and documents.exists(store, TAXONOMY, guideline) else None
    )
    if slug is None:
        return context
    if not documents.exists(store, TAXONOMY, slug):
        raise InvalidInput(problems=[Problem(f"no taxonomy {slug!r}", path="taxonomy")])
    context.taxonomy = slug
    rev = context.release.commit_id if context.release else store.head()
    if rev is None or not store.exists(TAXONOMY.path(slug), rev):
        rev = store.head()
    if rev is None:  # no commit at all: the taxonomy cannot exist
        raise InvalidInput(problems=[Problem(f"no taxonomy {slug!r}", path="taxonomy")])
    try:
        context.taxonomy_commit = documents.last_change(store, TAXONOMY, slug, rev).id
    except NotFound:
        context.taxonomy_commit = None
    context.in_force = taxonomy_labels.load_lenient(store, slug, rev)
    context.current = taxonomy_labels.load_lenient(store, slug)
    return context


def _aliases(taxonomies: list[Taxonomy]) -> dict[str, str | None]:
    """Names and case variants of ids, to the id they stand for (None when ambiguous)."""
    aliases: dict[str, str | None] = {}
    for taxonomy in taxonomies:
        for entry in taxonomy.iter_labels():
            label = entry.label
            for alias in (label.id, label.name, *label.synonyms):
                key = name_key(alias)
                if key and aliases.get(key, label.id) != label.id:
                    aliases[key] = None
                else:
                    aliases[key] = label.id
    return aliases


def check_labels(
    labels: pd.Series, context: BatchContext, *, map_labels: bool, filename: str
) -> tuple[pd.Series, pd.Series | None, int]:
    """Labels checked against the taxonomy: (labels, originals where rewritten, rows rewritten).

    A label is known when it is a label id of the taxonomy in force or of the current
    taxonomy (deprecated ones included). A label that is not an id but a label's name,
    synonym or id in another case (as tools export them: "Positive") is read as that id
    when only one label answers to it. With ``map_labels`` labels the current taxonomy
    deprecates are rewritten to their one replacement (the taxonomy's migration map).
    """
    taxonomies = [t for t in (context.in_force, context.current) if t is not None]
    if not taxonomies:
        return labels, None, 0
    known: set[str] = set()
    for taxonomy in taxonomies:
        known.update(taxonomy.by_id())
    counts = labels.value_counts()
    rewrite: dict[str, str] = {}
    aliases = _aliases(taxonomies)
    for label in counts.index:
        target = aliases.get(name_key(label)) if label not in known else None
        if target is not None:
            rewrite[label] = target
            context.notes.append(f"read label {label!r} as {target!r} ({int(counts[label]):,})")
    unknown = counts[~counts.index.isin(known) & ~counts.index.isin(list(rewrite))]
    if len(unknown):
        problems = [
            Problem(f"unknown label {label!r} ({int(n):,} annotations)", path=filename)
            for label, n in unknown.head(MAX_LISTED).items()
        ]
        raise InvalidInput(
            f"{filename}: {len(unknown)} label{'s' if len(unknown) != 1 else ''} not in "
            f"taxonomy {context.taxonomy!r}: "
            + ", ".join(f"{label!r} ({int(n):,})" for label, n in unknown.head(10).items()),
            problems,
        )
    if map_labels and context.current is not None:
        _add_replacements(rewrite, set(counts.index), context)
    changed = labels.isin(list(rewrite))
    if not changed.any():
        return labels, None, 0
    originals = labels.where(changed)
    return labels.where(~changed, labels.map(rewrite)), originals, int(changed.sum())


def _add_replacements(rewrite: dict[str, str], used: set[str], context: BatchContext) -> None:
    """Deprecated labels (after reading aliases) to their one replacement, with notes."""
    current = context.current
    assert current is not None
    replaced: dict[str, str] = {}
    for old in (context.in_force or current, current):
        for label_id, entry in migration_map(old, current).entries.items():
            if entry.status == "replaced" and len(entry.new_ids) == 1:
                replaced[label_id] = entry.new_ids[0]
            elif entry.status in ("split", "unmapped"):
                replaced.pop(label_id, None)
                if label_id in used or label_id in rewrite.values():
                    note = f"label {label_id!r} is {entry.status} in the current taxonomy: kept"
                    if note not in context.notes:
                        context.notes.append(note)
    for label in sorted(used):
        start = rewrite.get(label, label)
        if start in replaced:
            rewrite[label] = replaced[start]
            context.notes.append(f"mapped {label!r} to {replaced[start]!r}")
