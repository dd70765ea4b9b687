"""Decisions: the team's case law, each refining one guideline section.

A decision points at ``guideline#section`` at the revision (commit id) where it was
made; it lists the labels it concerns (``applies`` marks those its ruling assigns),
the items it covers, tags; every edit keeps a revision with a snapshot for diffs.

This package's face is what the views, the API, the CLI and the demo use; the work is
done in ``facts`` (a guideline's labels and sections), ``lifecycle`` (create, edit,
supersede, retire), ``links`` (items), ``index`` (the text search sees), ``log``
(search and listing), ``pages`` and ``amendments`` (where decisions entered the
guideline). Guideline pages and saves call it for the decisions that cite their sections.
"""

from __future__ import annotations

from guidelines_app import search
from guidelines_app.services.decisions.amendments import (
    Amendment,
    amendments_for,
    not_yet_released,
)
from guidelines_app.services.decisions.facts import (
    GuidelineFacts,
    check_labels,
    check_section,
    guideline_facts,
)
from guidelines_app.services.decisions.index import reindex, reindex_all
from guidelines_app.services.decisions.lifecycle import (
    MAX_RATIONALE,
    MAX_RULING,
    MAX_TAGS,
    MAX_TITLE,
    TAG_RE,
    DecisionInput,
    create_decision,
    get_decision,
    retire,
    supersede,
    update_decision,
)
from guidelines_app.services.decisions.links import answer_with_decision, link_items
from guidelines_app.services.decisions.log import (
    LOG_PAGE,
    LogEntry,
    LogPage,
    count,
    decision_log,
    exists,
    for_guideline_sections,
    guidelines_of_user,
    labels_of,
    referencing_sections,
)
from guidelines_app.services.decisions.pages import (
    DecisionPage,
    RevisionView,
    decision_input_of,
    decision_page,
)

SearchFilters = search.SearchFilters

__all__ = [
    "LOG_PAGE",
    "MAX_RATIONALE",
    "MAX_RULING",
    "MAX_TAGS",
    "MAX_TITLE",
    "TAG_RE",
    "Amendment",
    "DecisionInput",
    "DecisionPage",
    "GuidelineFacts",
    "LogEntry",
    "LogPage",
    "RevisionView",
    "SearchFilters",
    "amendments_for",
    "answer_with_decision",
    "check_labels",
    "check_section",
    "count",
    "create_decision",
    "decision_input_of",
    "decision_log",
    "decision_page",
    "exists",
    "for_guideline_sections",
    "get_decision",
    "guideline_facts",
    "guidelines_of_user",
    "labels_of",
    "link_items",
    "not_yet_released",
    "referencing_sections",
    "reindex",
    "reindex_all",
    "retire",
    "supersede",
    "update_decision",
]
