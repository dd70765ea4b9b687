"""Commit trailers the app writes and reads back: ``Decision: 12`` cites decision 12.

One reader for everything that asks which decisions a commit cites (the decision's
amendments, the decisions a release folded in), so ``Decision: #12``, which people
write by hand in commits pushed from their editor, counts the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DECISION = "Decision"
#: A decision number as people write it: ``12`` or ``#12`` (leading zeros tolerated).
DECISION_ID_RE = re.compile(r"#?0*([1-9][0-9]{0,9})")


def decision_id(text: str) -> int | None:
    """The decision a trailer value (or a form field's word) names, or None."""
    match = DECISION_ID_RE.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def cited_decisions(trailers: Iterable[tuple[str, str]]) -> list[int]:
    """The decisions ``Decision:`` trailers cite, each once, in the order cited; the key
    is matched without regard to case, as git does; values that are no number are
    ignored (a trailer block is free text)."""
    found: dict[int, None] = {}
    for key, value in trailers:
        if key.casefold() != DECISION.casefold():
            continue
        number = decision_id(value)
        if number is not None:
            found.setdefault(number)
    return list(found)


def decision_trailers(ids: Iterable[int]) -> list[tuple[str, str]]:
    """The trailers a commit citing ``ids`` carries (the form ``cited_decisions`` reads)."""
    return [(DECISION, str(number)) for number in ids]


#: Names the audit action a commit made by the app is recorded under (``Audit-Action:
#: guideline.save``): ``guidelines check`` reports such a commit whose audit row is missing
#: (the process died between the commit and the database), and leaves commits pushed by
#: other means, which carry no such trailer, alone.
AUDIT_ACTION = "Audit-Action"


def audit_trailer(action: str) -> tuple[str, str]:
    """The trailer of a commit the app records in the audit log under ``action``."""
    return (AUDIT_ACTION, action)


def audit_action(trailers: Iterable[tuple[str, str]]) -> str | None:
    """The audit action a commit says it is recorded under, or None (not the app's)."""
    for key, value in trailers:
        if key.casefold() == AUDIT_ACTION.casefold() and value.strip():
            return value.strip()
    return None
