"""Demo step: datasets, items, decisions, escalations in every state.

The decisions that the demo's guideline revisions fold in are recorded while that
history is replayed (``record_cited``, called by ``demo_content``), so each one enters
the guideline in a dated revision and reaches annotators with a release; the others stay
pending. Idempotent and resumable: a decision is recorded once per title, an escalation
once per item and question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from guidelines_app.db import utcnow
from guidelines_app.demo.context import DemoContext
from guidelines_app.domain.errors import AppError
from guidelines_app.models import (
    Decision,
    DecisionItem,
    DecisionRevision,
    Escalation,
    EscalationComment,
    EscalationEvent,
)
from guidelines_app.services import datasets as items
from guidelines_app.services import decisions, documents, escalations
from guidelines_app.services.datasets import ItemContent
from guidelines_app.services.escalations import EscalationInput, Transition

DATASETS = {
    "product-review-sentiment": (
        "demo-product-review-sentiment",
        "Product reviews (demo)",
        "https://labelstudio.example/projects/6/data?task={external_id}",
    ),
    "news-entities": ("demo-news-entities", "Wire news (demo)", None),
    "chatbot-preference": (
        "demo-chatbot-preference",
        "Chatbot answer pairs (demo)",
        "https://argilla.example/dataset/pairs/records/{external_id}",
    ),
}


@dataclass(frozen=True)
class DemoDecision:
    guideline: str
    section: str
    title: str
    ruling: str
    assigns: tuple[str, ...]
    concerns: tuple[str, ...]
    tags: tuple[str, ...]
    item: str
    text: str
    rationale: str = ""


S, N, C = "product-review-sentiment", "news-entities", "chatbot-preference"
LEADS = {S: "ada", N: "grace", C: "ada"}
CITED_AFTER_DAYS = 4  # a decision cited by a replayed revision was made this long before it
D = DemoDecision
DECISIONS = [
    D(
        S,
        "sarcasm",
        "Sarcastic praise of a broken product",
        "Negative: unmistakable sarcasm counts as what the reviewer means.",
        ("negative",),
        ("positive",),
        ("sarcasm",),
        "rev-0193",
        "Oh great, it stopped charging after a week. Exactly what I paid for. Five stars.",
        "Sarcasm flips the literal words. When the reader cannot doubt the intent (a broken "
        "product, *great* in quotes, an ironic star count), label what the reviewer means.",
    ),
    D(
        S,
        "sarcasm",
        "Ambiguous irony stays literal",
        "Label the literal sentiment when the irony is not certain.",
        ("positive",),
        ("negative",),
        ("sarcasm", "ambiguity"),
        "rev-0410",
        "Well, it certainly is a phone.",
        "If two careful readers could disagree on whether it is ironic, do not guess: the literal "
        "reading wins and the item may be escalated.",
    ),
    D(
        S,
        "mixed-opinions",
        "Praise first, defect last",
        "Negative when a defect makes the product unusable, whatever praise comes first.",
        ("negative",),
        ("positive", "neutral"),
        ("defect", "verdict"),
        "rev-0777",
        "Gorgeous screen, fast, light. Died on day three and support never answered.",
        "An unusable product outweighs praise of its features: the overall verdict is what a "
        "buyer would take away.",
    ),
    D(
        S,
        "mixed-opinions",
        "Balanced pros and cons without a verdict",
        "Neutral when pros and cons balance and the reviewer gives no verdict.",
        ("neutral",),
        ("positive", "negative"),
        ("verdict",),
        "rev-0812",
        "Battery is great, camera is poor. Your call.",
        "This replaces the retired Mixed label for balanced reviews.",
    ),
    D(
        S,
        "about-the-product",
        "Complaints about delivery only",
        "Neutral when only the delivery or the seller is criticised, not the product.",
        ("neutral",),
        ("negative",),
        ("delivery", "seller"),
        "rev-1024",
        "Arrived two weeks late and the box was crushed. Haven't tried it yet.",
        "We rate the product. Delivery complaints say nothing about it.",
    ),
    D(
        S,
        "about-the-product",
        "Price complaints about a product they like",
        "Positive when the reviewer likes the product and only finds it expensive.",
        ("positive",),
        ("negative",),
        ("price",),
        "rev-1101",
        "Love it, but way overpriced for what it is.",
    ),
    D(
        S,
        "emoji",
        "Thumbs up only",
        "Positive: a single thumbs-up emoji is a verdict.",
        ("positive",),
        ("neutral",),
        ("emoji", "short"),
        "rev-1288",
        "👍",
    ),
    D(
        S,
        "emoji",
        "Emoji that contradict the text",
        "Follow the text when emoji and text disagree.",
        ("negative",),
        ("positive",),
        ("emoji",),
        "rev-1290",
        "Broke in a day 😂😂😂",
    ),
    D(
        S,
        "comparisons",
        "Better than the previous model",
        "Positive when the product is compared favourably even if the older model was bad.",
        ("positive",),
        ("neutral",),
        ("comparison",),
        "rev-1402",
        "Much better than the awful v1. Finally usable.",
    ),
    D(
        S,
        "negation",
        "Not bad",
        "Positive: 'not bad' is mild praise in reviews.",
        ("positive",),
        ("neutral", "negative"),
        ("negation",),
        "rev-1510",
        "Not bad at all for the price.",
    ),
    D(
        S,
        "ratings-in-text",
        "Star rating contradicts the text",
        "Label the text, not the stars.",
        ("negative",),
        ("positive",),
        ("stars",),
        "rev-1622",
        "5/5 would not buy again. Leaks everywhere.",
    ),
    D(
        N,
        "metonymy",
        "Brussels for the EU",
        "org when a city stands for an organisation that sits there (EU, NATO).",
        ("org",),
        ("loc.gpe",),
        ("metonymy",),
        "wire-2201",
        "Brussels said on Monday it would fine the company.",
        "A city standing for its own government stays loc.gpe; standing for the EU it is org, "
        "like 'the Kremlin'.",
    ),
    D(
        N,
        "metonymy",
        "Washington for the US government",
        "loc.gpe: a capital standing for its own government stays a place.",
        ("loc.gpe",),
        ("org",),
        ("metonymy",),
        "wire-2202",
        "Washington imposed new tariffs.",
    ),
    D(
        N,
        "products-works-events",
        "Apps named like their companies",
        "misc.product-digital for the app, org for the company behind it.",
        ("misc.product-digital",),
        ("org",),
        ("products", "apps"),
        "wire-2310",
        "Threads gained ten million users after Meta opened it in Europe.",
        "Read the verb: people use an app, companies announce and hire.",
    ),
    D(
        N,
        "products-works-events",
        "Branded medicines",
        "misc.product-physical for a branded drug.",
        ("misc.product-physical",),
        ("misc",),
        ("products", "health"),
        "wire-2311",
        "Ozempic shortages hit pharmacies in March.",
    ),
    D(
        N,
        "titles",
        "Chief executive titles",
        "Mark the organisation inside the role; the title stays outside the span.",
        ("org", "per"),
        (),
        ("titles",),
        "wire-2420",
        "Apple chief executive Tim Cook said...",
        "Titles are not part of a person span, but a named organisation in a role is an entity of "
        "its own.",
    ),
    D(
        N,
        "possessives",
        "Possessive 's on organisations",
        "Exclude the 's from the span, as for persons.",
        ("org",),
        (),
        ("boundaries",),
        "wire-2505",
        "Google's antitrust trial resumed.",
    ),
    D(
        N,
        "handles",
        "Handles that name a person",
        "per without the @ when the handle names a person.",
        ("per",),
        ("org",),
        ("social",),
        "wire-2610",
        "@elonmusk replied within minutes.",
    ),
    D(
        N,
        "nationalities",
        "Nationality adjectives",
        "misc.nationality for adjectives of nationality, never loc.gpe.",
        ("misc.nationality",),
        ("loc.gpe",),
        ("nationality",),
        "wire-2702",
        "French farmers blocked the motorway.",
    ),
    D(
        N,
        "nested",
        "Universities named after places",
        "One org span covering the whole name; no loc inside.",
        ("org",),
        ("loc.gpe",),
        ("nested",),
        "wire-2803",
        "the University of Toronto announced",
    ),
    D(
        C,
        "refusals",
        "Refusing a harmless request",
        "Prefer the answer that helps when the other refuses a harmless request.",
        ("a-better", "b-better"),
        ("tie",),
        ("refusals",),
        "pair-0104",
        "Q: how do I kill a Python process? A refuses, B explains kill -9.",
        "Over-refusal is a failure of helpfulness, not extra safety.",
    ),
    D(
        C,
        "hallucinations",
        "Confident wrong citation",
        "A made-up citation loses against a correct but plain answer.",
        ("a-better", "b-better"),
        ("both-bad",),
        ("hallucination",),
        "pair-0233",
        "A cites a 2019 paper that does not exist; B answers without sources.",
    ),
    D(
        C,
        "length",
        "Longer is not better",
        "Do not prefer an answer for its length when both are correct.",
        ("tie",),
        ("a-better", "b-better"),
        ("length",),
        "pair-0345",
        "Both correct; A is three times longer with a summary table.",
    ),
    D(
        C,
        "code",
        "Code that does not run",
        "Code that fails to run loses to a correct explanation without code.",
        ("a-better", "b-better"),
        ("tie",),
        ("code",),
        "pair-0456",
        "A's snippet has a syntax error; B explains the algorithm correctly.",
    ),
    D(
        C,
        "ties",
        "Both wrong in different ways",
        "both-bad when both answers contain a factual error that matters.",
        ("both-bad",),
        ("tie",),
        ("ties",),
        "pair-0567",
        "A gets the date wrong, B gets the place wrong.",
    ),
    D(
        C,
        "multi-turn",
        "Ignoring an earlier instruction",
        "The answer that ignores an instruction from an earlier turn loses.",
        ("a-better", "b-better"),
        (),
        ("multi-turn",),
        "pair-0678",
        "User asked for metric units two turns ago; A uses miles.",
    ),
]
SUPERSEDED = ("Emoji that contradict the text", "Emoji and text disagree: follow the text")

ESCALATIONS = [
    # (guideline, section, dataset item, text, question, labels, reporter, final state, comments)
    (
        S,
        "sarcasm",
        "rev-2001",
        "Best purchase ever... if you like returns.",
        "Is the trailing 'if you like returns' enough to call it sarcasm?",
        ("positive", "negative"),
        "alan",
        "open",
        ["Same pattern in rev-2002 and rev-2007."],
    ),
    (
        S,
        "mixed-opinions",
        "rev-2002",
        "Great sound. Terrible app. Keeping it.",
        "Reviewer keeps the product despite a terrible app: positive or neutral?",
        ("positive", "neutral"),
        "katherine",
        "open",
        [],
    ),
    (
        S,
        "non-english",
        "rev-2003",
        "Top Qualität, aber viel zu teuer.",
        "German review, mixed: do we label it or skip non-English?",
        ("positive", "neutral"),
        "dorothy",
        "in_review",
        [
            "The guideline says English only, but the batch was filtered as English.",
            "I'll check with the data team.",
        ],
    ),
    (
        N,
        "products-works-events",
        "wire-3001",
        "ChatGPT told users it was down for maintenance.",
        "Is ChatGPT a digital product or the organisation OpenAI here?",
        ("misc.product-digital", "org"),
        "alan",
        "in_review",
        [],
    ),
    (
        N,
        "metonymy",
        "wire-3002",
        "The White House pushed back on the report.",
        "White House for the administration: org or loc.facility?",
        ("org", "loc.facility"),
        "katherine",
        "resolved",
        ["The Kremlin example covers it, I think."],
    ),
    (
        S,
        "emoji",
        "rev-2004",
        "🔥🔥🔥",
        "Fire emoji only: positive?",
        ("positive", "neutral"),
        "dorothy",
        "dismissed",
        [],
    ),
    (
        N,
        "nested",
        "wire-3003",
        "the University of Toronto announced",
        "Do we mark Toronto inside the university name?",
        ("org", "loc.gpe"),
        "alan",
        "duplicate",
        [],
    ),
    (
        C,
        "length",
        "pair-1001",
        "Both correct; B adds an unrequested essay.",
        "Is an unrequested essay a helpfulness problem or just length?",
        ("a-better", "tie"),
        "katherine",
        "reopened",
        ["We ruled on length, but this is about ignoring the request."],
    ),
    (
        C,
        "refusals",
        "pair-1002",
        "A refuses to say how to pick a lock for their own door.",
        "Harmless or not? Lock picking for your own door.",
        ("a-better", "b-better"),
        "dorothy",
        "open",
        [],
    ),
    (
        S,
        "sarcasm",
        "rev-2001",
        "Best purchase ever... if you like returns.",
        "Second opinion: I read this one as neutral.",
        ("neutral", "negative"),
        "katherine",
        "open",
        [],
    ),
]


def _user_id(context: DemoContext, username: str) -> int | None:
    user = context.accounts.get(username)
    return user.id if user else None


def _ensure_datasets(context: DemoContext) -> dict[str, str]:
    slugs = {}
    for guideline, (slug, name, template) in DATASETS.items():
        try:
            items.get_dataset(session=context.session, slug=slug)
        except AppError:
            items.create_dataset(
                session=context.session, slug=slug, name=name, url_template=template
            )
        slugs[guideline] = slug
    return slugs


def _record(
    context: DemoContext, spec: DemoDecision, datasets: dict[str, str], when: datetime
) -> Decision:
    session, store = context.session, context.store
    facts = decisions.guideline_facts(store, spec.guideline, at_release=False)
    dataset = items.get_dataset(session=session, slug=datasets[spec.guideline])
    item, _new = items.ensure_item(
        session=session,
        dataset=dataset,
        external_id=spec.item,
        content=ItemContent(text=spec.text),
        actor_id=None,
    )
    decision = decisions.create_decision(
        session=session,
        store=store,
        data=decisions.DecisionInput(
            title=spec.title,
            ruling=spec.ruling,
            rationale=spec.rationale,
            guideline=spec.guideline,
            section_id=spec.section if spec.section in dict(facts.sections) else None,
            ruling_labels=[x for x in spec.assigns if x in facts.labels],
            labels=[x for x in spec.concerns if x in facts.labels],
            tags=list(spec.tags),
            item_ids=[item.id or 0],
        ),
        author_id=_user_id(context, LEADS[spec.guideline]),
    )
    decision.created_at = decision.updated_at = when
    session.add(decision)
    dated: list = [
        *session.exec(select(DecisionRevision).where(DecisionRevision.decision_id == decision.id)),
        *session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)),
    ]
    for row in dated:  # its first revision and its item links, on the same day
        setattr(row, "at" if isinstance(row, DecisionRevision) else "linked_at", when)
        session.add(row)
    session.commit()
    return decision


def _record_decisions(context: DemoContext, datasets: dict[str, str]) -> dict[str, Decision]:
    existing = {d.title: d for d in context.session.exec(select(Decision))}
    for age, spec in enumerate(reversed(DECISIONS)):
        if spec.title in existing or not documents.exists(
            context.store, documents.GUIDELINE, spec.guideline
        ):
            continue
        when = utcnow() - timedelta(days=3 + age * 2)
        existing[spec.title] = _record(context, spec, datasets, when)
    return existing


def record_cited(context: DemoContext, slug: str, titles: list[str], when: datetime) -> list[int]:
    """The ids of the decisions a replayed guideline revision cites (``decisions:`` in its
    revision script), each recorded once, a few days before the revision that folds it in."""
    datasets = _ensure_datasets(context)
    specs = {d.title: d for d in DECISIONS if d.guideline == slug}
    unknown = [title for title in titles if title not in specs]
    if unknown:
        raise ValueError(f"{slug}: the demo has no decision titled {unknown}")
    existing = {d.title: d for d in context.session.exec(select(Decision))}
    ids = []
    for title in titles:
        decision = existing.get(title) or _record(
            context, specs[title], datasets, when - timedelta(days=CITED_AFTER_DAYS)
        )
        ids.append(decision.id or 0)
    return ids


def _supersede_one(context: DemoContext, recorded: dict[str, Decision]) -> None:
    old_title, new_title = SUPERSEDED
    old = recorded.get(old_title)
    if old is None or old.status != "active" or new_title in recorded:
        return
    new = decisions.create_decision(
        session=context.session,
        store=context.store,
        data=decisions.DecisionInput(
            title=new_title,
            ruling="Follow the text; emoji only decide when there is no text at all.",
            rationale="Replaces the narrower ruling on laughing emoji after rev-1290 and rev-2004.",
            guideline=old.guideline,
            section_id=old.section_id,
            ruling_labels=["negative"],
            labels=["positive"],
            tags=["emoji"],
        ),
        author_id=_user_id(context, "grace"),
    )
    decisions.supersede(
        session=context.session,
        decision_id=old.id or 0,
        by_id=new.id or 0,
        expected_version=None,
        actor_id=_user_id(context, "grace"),
    )
    recorded[new_title] = new


def _escalate(
    context: DemoContext, datasets: dict[str, str], recorded: dict[str, Decision]
) -> None:
    session, store = context.session, context.store
    for age, spec in enumerate(ESCALATIONS):
        guideline, section, external_id, text, question, labels, reporter, state, comments = spec
        dataset = items.get_dataset(session=session, slug=datasets[guideline])
        item = items.find_item(session=session, dataset_id=dataset.id or 0, external_id=external_id)
        if (
            item is not None
            and session.exec(
                select(Escalation.id).where(
                    Escalation.item_id == item.id, Escalation.question == question
                )
            ).first()
        ):
            continue
        facts = decisions.guideline_facts(store, guideline)
        escalation = escalations.create_escalation(
            session=session,
            store=store,
            data=EscalationInput(
                dataset=dataset.slug,
                external_id=external_id,
                question=question,
                guideline=guideline,
                labels=[x for x in labels if x in facts.labels],
                section_id=section if section in dict(facts.sections) else None,
                content=ItemContent(text=text),
            ),
            reporter_id=_user_id(context, reporter),
        )
        eid = escalation.id or 0
        for number, body in enumerate(comments):
            author = reporter if number % 2 == 0 else "grace"
            escalations.add_comment(
                session=session, escalation_id=eid, body=body, author_id=_user_id(context, author)
            )
        _move(context, eid, state, recorded)
        _backdate(context, eid, utcnow() - timedelta(days=age + 1, hours=age * 3))


def _backdate(context: DemoContext, eid: int, when: datetime) -> None:
    """Spread the demo timeline over past days: creation, then events and comments 3 h apart."""
    session = context.session
    escalation = escalations.get_escalation(session=session, escalation_id=eid)
    escalation.created_at = when
    session.add(escalation)
    entries: list[EscalationEvent | EscalationComment] = [
        *session.exec(select(EscalationEvent).where(EscalationEvent.escalation_id == eid)),
        *session.exec(select(EscalationComment).where(EscalationComment.escalation_id == eid)),
    ]
    entries.sort(key=lambda e: (_recorded_at(e), e.id))
    for number, entry in enumerate(entries):
        stamp = when + timedelta(hours=3 * number)
        if isinstance(entry, EscalationEvent):
            entry.at = stamp
        else:
            entry.created_at = stamp
        session.add(entry)
    session.commit()


def _recorded_at(entry: EscalationEvent | EscalationComment) -> datetime:
    return entry.at if isinstance(entry, EscalationEvent) else entry.created_at


def _move(context: DemoContext, eid: int, state: str, recorded: dict[str, Decision]) -> None:
    session = context.session
    lead = _user_id(context, "grace")

    def go(to: str, **kw: object) -> None:
        current = escalations.get_escalation(session=session, escalation_id=eid)
        escalations.transition(
            session=session,
            escalation_id=eid,
            change=Transition(to, current.version, **kw),  # type: ignore[arg-type]
            actor_id=lead,
        )

    if state == "open":
        return
    go("in_review", assignee_id=lead)
    if state == "resolved":
        decision = recorded.get("Brussels for the EU")
        go("resolved", decision_id=decision.id if decision else None)
    elif state == "dismissed":
        go("dismissed", reason="Covered by the emoji section: a lone positive emoji is positive.")
    elif state == "duplicate":
        decision = recorded.get("Universities named after places")
        go("duplicate", decision_id=decision.id if decision else None)
    elif state == "reopened":
        decision = recorded.get("Longer is not better")
        go("resolved", decision_id=decision.id if decision else None)
        go("open", reason="Annotators point out this is about ignoring the request, not length.")


def load_demo_cases(context: DemoContext) -> None:
    datasets = _ensure_datasets(context)
    recorded = _record_decisions(context, datasets)
    _supersede_one(context, recorded)
    _escalate(context, datasets, recorded)
    context.log(f"decision log: {len(recorded)} decisions")
