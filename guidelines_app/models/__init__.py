"""SQLModel tables and their input models, one module per area.

The database never stores guideline or taxonomy text, only ids and slugs that point
into git. Import tables from here (``from guidelines_app.models import User``).
"""

from sqlmodel import SQLModel

# Deterministic constraint names on every dialect, so later migrations can name what they alter.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from guidelines_app.models.accounts import (  # noqa: E402
    ApiToken,
    AuditEvent,
    LoginFailure,
    Role,
    User,
    UserCreate,
    UserSession,
)
from guidelines_app.models.annotations import (  # noqa: E402
    Annotation,
    AnnotationBatch,
    AnnotationImport,
    BatchFigures,
    ImportStatus,
    ReleaseRule,
)
from guidelines_app.models.cases import (  # noqa: E402
    Dataset,
    Decision,
    DecisionItem,
    DecisionLabel,
    DecisionRevision,
    DecisionSearch,
    DecisionStatus,
    DecisionTag,
    Escalation,
    EscalationComment,
    EscalationEvent,
    EscalationLabel,
    EscalationStatus,
    Item,
)
from guidelines_app.models.guidelines import GuidelineAcknowledgment  # noqa: E402
from guidelines_app.models.reports import ReportCache  # noqa: E402

__all__ = [
    "Annotation",
    "AnnotationBatch",
    "AnnotationImport",
    "ApiToken",
    "AuditEvent",
    "BatchFigures",
    "Dataset",
    "Decision",
    "DecisionItem",
    "DecisionLabel",
    "DecisionRevision",
    "DecisionSearch",
    "DecisionStatus",
    "DecisionTag",
    "Escalation",
    "EscalationComment",
    "EscalationEvent",
    "EscalationLabel",
    "EscalationStatus",
    "GuidelineAcknowledgment",
    "ImportStatus",
    "Item",
    "LoginFailure",
    "ReleaseRule",
    "ReportCache",
    "Role",
    "User",
    "UserCreate",
    "UserSession",
]
