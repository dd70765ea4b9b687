"""Escalations: an annotator's question about an item, and its workflow.

``open -> in_review -> resolved | dismissed | duplicate``; a closed escalation may be
reopened with a reason, one in review may be handed back to the queue. Every
transition checks the version the actor saw, so of two leads acting at once one wins
and the other gets a 409 with the current state.

This module is the face the views, the API and the demo use; the work is done in
``escalation_questions`` (raising one, comments), ``escalation_workflow`` (the
transitions), ``escalation_queues`` (triage, counts, weak spots) and
``escalation_pages``. Importing it plugs open counts into the guideline pages and the
ops.
"""

from __future__ import annotations

from guidelines_app.services.escalations.pages import (
    EscalationPage,
    TimelineEntry,
    escalation_page,
    labels_of,
    user_names,
)
from guidelines_app.services.escalations.questions import (
    MAX_COMMENT,
    MAX_LABELS,
    MAX_QUESTION,
    EscalationInput,
    add_comment,
    create_escalation,
)
from guidelines_app.services.escalations.queues import (
    QUEUE_PAGE,
    SORTS,
    QueueFilters,
    QueuePage,
    QueueRow,
    WeakSpots,
    check_queue_filters,
    leads,
    open_count,
    open_counts_by_guideline,
    queue,
    weak_spots,
)
from guidelines_app.services.escalations.workflow import (
    ACTIVE,
    MAX_REASON,
    TRANSITIONS,
    S,
    Transition,
    TransitionConflict,
    get_escalation,
    refresh_hits,
    resolve_with_new_decision,
    transition,
)

__all__ = [
    "ACTIVE",
    "MAX_COMMENT",
    "MAX_LABELS",
    "MAX_QUESTION",
    "MAX_REASON",
    "QUEUE_PAGE",
    "SORTS",
    "TRANSITIONS",
    "EscalationInput",
    "EscalationPage",
    "QueueFilters",
    "QueuePage",
    "QueueRow",
    "S",
    "TimelineEntry",
    "Transition",
    "TransitionConflict",
    "WeakSpots",
    "add_comment",
    "check_queue_filters",
    "create_escalation",
    "escalation_page",
    "get_escalation",
    "labels_of",
    "leads",
    "open_count",
    "open_counts_by_guideline",
    "queue",
    "refresh_hits",
    "resolve_with_new_decision",
    "transition",
    "user_names",
    "weak_spots",
]
