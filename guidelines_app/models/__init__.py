"""SQLModel tables and their input models, one module per area.

The database never stores guideline or taxonomy text, only ids and slugs that point
into git. Import tables from here (``from guidelines_app.models import User``).
"""

from guidelines_app.models.accounts import (
    ApiToken,
    AuditEvent,
    LoginCounter,
    Role,
    User,
    UserCreate,
    UserSession,
)
from guidelines_app.models.annotations import (
    Annotation,
    AnnotationBatch,
    AnnotationImport,
    BatchFigures,
    BatchStatus,
    ImportStatus,
    ReleaseRule,
)
from guidelines_app.models.cases import (
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
from guidelines_app.models.guidelines import GuidelineAcknowledgment
from guidelines_app.models.jobs import LIVE_STATUSES, Job, JobStatus
from guidelines_app.models.reports import ReportCache

__all__ = [
    "LIVE_STATUSES",
    "Annotation",
    "AnnotationBatch",
    "AnnotationImport",
    "ApiToken",
    "AuditEvent",
    "BatchFigures",
    "BatchStatus",
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
    "Job",
    "JobStatus",
    "LoginCounter",
    "ReleaseRule",
    "ReportCache",
    "Role",
    "User",
    "UserCreate",
    "UserSession",
]
