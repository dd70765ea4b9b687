"""Demo step: generated annotation batches for the three starter guidelines, one per release.

Each batch is drawn from a small model of annotators (a true label per item, each
annotator right with some probability, confusions where guidelines were unclear) with
a fixed seed, so the files (and their hashes) are the same on every run and a second
``guidelines demo`` imports nothing. Timestamps are spread over the weeks each release
was in force (from its tag to the next release's, the last one for five weeks), so the
timeline shows each batch after its release marker; the first batch is stamped with v1
at import, the later ones are stamped from their timestamps. The stories the figures
tell, for the release-by-release report:

- product-review-sentiment v2 (sarcasm needs textual evidence) really improves
  agreement on ``positive`` and ``negative``; v3 (emoji, a dropped section) changes
  nothing measurable;
- chatbot-preference v2 coincides with the taxonomy merge of the strength labels into
  ``a-better`` / ``b-better``: each release's own figure rises because the hard
  distinction is gone, while the comparison, made in the merged label space, shows no
  measurable change;
- news-entities v2 splits ``misc.product`` (a taxonomy change, little else) and v3
  settles metonymy (``org`` vs ``loc.gpe``), which improves ``org``: the label that
  literal readings of "Brussels said" took items from.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from guidelines_app.demo.context import DemoContext
from guidelines_app.models import User
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.services import documents
from guidelines_app.services.documents import GUIDELINE

ANNOTATORS = ("alan", "katherine", "dorothy", "contractor-1", "contractor-2")
RATERS_PER_ITEM = 3
LAST_WINDOW = timedelta(weeks=5)  # how long the demo's latest release has been annotated
MARGIN = timedelta(hours=2)  # no annotation closer than this to a release tag

Rater = Callable[[random.Random, str, str, int], str]


@dataclass(frozen=True)
class Story:
    slug: str
    items: int
    prefix: str
    truth: Callable[[random.Random], tuple[str, str]]  # (true label, kind of item)
    rate: Rater  # (rng, truth, kind, release) -> label


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sentiment_truth(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.18:
        return "negative", "sarcastic"  # enthusiastic words, a failure in the text
    if rng.random() < 0.03:
        return "neutral", "emoji"
    return _pick(rng, {"positive": 0.5, "negative": 0.3, "neutral": 0.2}), "plain"


def _sentiment_rate(rng: random.Random, truth: str, kind: str, release: int) -> str:
    if kind == "sarcastic":
        fooled = 0.5 if release == 1 else 0.06  # v2: sarcasm needs evidence
        return "positive" if rng.random() < fooled else truth
    if kind == "emoji":
        return truth if rng.random() < 0.6 else "negative"
    if rng.random() < 0.9:
        return truth
    return _pick(rng, {"positive": 1, "negative": 1, "neutral": 1})


_STRENGTH = {
    "a-much-better": "a",
    "a-slightly-better": "a",
    "b-much-better": "b",
    "b-slightly-better": "b",
}


def _chatbot_truth(rng: random.Random) -> tuple[str, str]:
    label = _pick(
        rng,
        {
            "a-much-better": 0.18,
            "a-slightly-better": 0.2,
            "tie": 0.14,
            "both-bad": 0.08,
            "b-slightly-better": 0.2,
            "b-much-better": 0.2,
        },
    )
    return label, "pair"


def _chatbot_rate(rng: random.Random, truth: str, _kind: str, release: int) -> str:
    side = _STRENGTH.get(truth)
    if rng.random() < 0.14:  # direction or tie/both-bad confusions, the same in every release
        choices = ["tie", "both-bad", "a", "b"]
        side_or_label = rng.choice([c for c in choices if c != (side or truth)])
    else:
        side_or_label = side or truth
    if side_or_label not in ("a", "b"):
        return side_or_label
    if release >= 2:  # the merged taxonomy: direction only
        return f"{side_or_label}-better"
    strength = truth.split("-")[1] if side == side_or_label else rng.choice(["much", "slightly"])
    if rng.random() < 0.4:  # strength is where v1 raters disagreed
        strength = "slightly" if strength == "much" else "much"
    return f"{side_or_label}-{strength}-better"


_ENTITY = {
    "per": 0.28,
    "org": 0.2,
    "loc.gpe": 0.2,
    "loc.facility": 0.05,
    "loc.natural": 0.04,
    "misc.event": 0.06,
    "misc.work": 0.05,
    "misc.product": 0.07,
    "misc.nationality": 0.05,
}


def _entity_truth(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.2:
        return "org", "metonymy"  # "Brussels said": the EU, not the city
    label = _pick(rng, _ENTITY)
    if label == "misc.product":
        return label, rng.choice(["physical", "digital"])
    return label, "plain"


def _entity_rate(rng: random.Random, truth: str, kind: str, release: int) -> str:
    if kind == "metonymy":
        literal = 0.5 if release < 3 else 0.06  # v3: a city for an organisation is org
        return "loc.gpe" if rng.random() < literal else truth
    if truth == "misc.product" and release >= 2:
        other = "digital" if kind == "physical" else "physical"
        return f"misc.product-{kind if rng.random() < 0.85 else other}"
    if rng.random() < 0.9:
        return truth
    return _pick(rng, {k: v for k, v in _ENTITY.items() if k != "misc.product"})


STORIES = (
    Story("product-review-sentiment", 800, "review", _sentiment_truth, _sentiment_rate),
    Story("chatbot-preference", 300, "pair", _chatbot_truth, _chatbot_rate),
    Story("news-entities", 400, "mention", _entity_truth, _entity_rate),
)


def batch_csv(story: Story, release: int, start: datetime, end: datetime) -> bytes:
    """One release's batch as CSV, dated between ``start`` and ``end`` (the release's
    window): the same bytes for the same window on every run (fixed seed)."""
    rng = random.Random(f"{story.slug}/v{release}")
    first, last = start + MARGIN, end - MARGIN
    work = timedelta(days=2)  # the raters of one item annotate it within two days
    span_minutes = max(int((last - first - work) / timedelta(minutes=1)), 1)
    lines = ["item,annotator,label,created_at"]
    for number in range(story.items):
        truth, kind = story.truth(rng)
        item = f"{story.prefix}-v{release}-{number:04d}"
        day = first + timedelta(minutes=rng.randrange(span_minutes))
        for annotator in rng.sample(ANNOTATORS, RATERS_PER_ITEM):
            when = min(day + timedelta(minutes=rng.randrange(2 * 24 * 60)), last)
            label = story.rate(rng, truth, kind, release)
            lines.append(f"{item},{annotator},{label},{when.isoformat().replace('+00:00', 'Z')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_demo_annotations(context: DemoContext) -> None:
    lead = context.accounts.get("ada")
    for story in STORIES:
        if not documents.exists(context.store, GUIDELINE, story.slug):
            continue
        dataset = f"demo-{story.slug}"
        releases = documents.releases(context.store, GUIDELINE, story.slug)[:3]
        for number, release in enumerate(releases):
            following = releases[number + 1] if number + 1 < len(releases) else None
            end = following.tagged_at if following else release.tagged_at + LAST_WINDOW
            data = batch_csv(story, release.version, release.tagged_at, end)
            name = f"{story.slug}-v{release.version}.csv"
            given = release.version if number == 0 else None  # the others: from timestamps
            outcome = _import_once(context, data, name, dataset, story.slug, given, lead)
            if outcome is not None:
                context.log(
                    f"imported demo batch {name} ({outcome.batch.n_annotations} annotations, "
                    f"{outcome.batch.release_rule} v{outcome.batch.guideline_version})"
                )


def _import_once(
    context: DemoContext,
    data: bytes,
    name: str,
    dataset: str,
    slug: str,
    version: int | None,
    lead: User | None,
) -> annotation_batches.ImportOutcome | None:
    if annotation_batches.find_duplicate(
        context.session, dataset, hashlib.sha256(data).hexdigest()
    ):
        return None
    options = annotation_batches.ImportOptions(
        dataset=dataset,
        file_name=name,
        guideline=slug,
        release=version,
        importer_id=lead.id if lead else None,
    )
    return annotation_batches.import_batch(
        session=context.session, store=context.store, data=data, options=options
    )
