"""``guidelines check``: the content repository and the database, each against the other."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, or_, select

from guidelines_app.db import utcnow
from guidelines_app.models import LoginCounter, UserSession
from guidelines_app.services.ops import health_content, health_faults, schema
from guidelines_app.services.ops.findings import Check, CheckContext, Finding
from guidelines_app.store import ContentStore, StoreError


def _content_repository(ctx: CheckContext) -> list[Finding]:
    try:
        return [Finding("content", problem) for problem in ctx.store.problems()]
    except StoreError as error:
        return [Finding("content", str(error))]


def _database_schema(ctx: CheckContext) -> list[Finding]:
    try:
        state = schema.state(ctx.engine)
    except Exception as error:
        return [Finding("database", f"cannot be opened: {error}")]
    if not state.known:
        return [Finding("database", f"at unknown migration {state.current!r}")]
    if not state.at_head:
        if ctx.repair:
            schema.upgrade(ctx.engine)
            ctx.repaired.append(f"database migrated to {state.head}")
            return []
        return [
            Finding(
                "database",
                f"at migration {state.current or 'none'}, the code expects {state.head}: "
                "run `guidelines init`",
                repairable=True,
            )
        ]
    return []


def _stale_sign_in_records(ctx: CheckContext) -> list[Finding]:
    if not schema.state(ctx.engine).at_head:
        return []
    cutoff = utcnow() - timedelta(days=30)
    stale = or_(col(UserSession.expires_at) < cutoff, col(UserSession.revoked_at) < cutoff)
    with Session(ctx.engine) as session:
        sessions = session.exec(select(func.count()).select_from(UserSession).where(stale)).one()
        failures = session.exec(
            select(func.count())
            .select_from(LoginCounter)
            .where(col(LoginCounter.window_start) < cutoff)
        ).one()
        if not sessions and not failures:
            return []
        if ctx.repair:
            session.execute(delete(UserSession).where(stale))
            session.execute(delete(LoginCounter).where(col(LoginCounter.window_start) < cutoff))
            session.commit()
            ctx.repaired.append(
                f"removed {sessions} old sessions and {failures} old sign-in counts"
            )
            return []
    return [
        Finding(
            "database",
            f"{sessions} sessions and {failures} sign-in counts older than 30 days",
            repairable=True,
        )
    ]


def check(
    *,
    engine: Engine,
    store: ContentStore,
    repair: bool = False,
    data_dir: Path | None = None,
    stale_after: timedelta = timedelta(seconds=120),
    max_attempts: int = 3,
) -> tuple[list[Finding], list[str]]:
    """Every inconsistency found (after repairs, when asked), and what was repaired."""
    ctx = CheckContext(
        engine=engine,
        store=store,
        repair=repair,
        data_dir=data_dir,
        stale_after=stale_after,
        max_attempts=max_attempts,
    )
    findings: list[Finding] = []
    for one in _checks():
        findings.extend(one(ctx))
    return findings, ctx.repaired


def _checks() -> tuple[Check, ...]:
    """Every consistency check, in the order its findings are reported."""
    return (
        _content_repository,
        _database_schema,
        _stale_sign_in_records,
        health_content.guidelines_pass_the_save_path,
        health_content.taxonomies_pass_the_save_path,
        health_content.releases_point_at_their_document,
        health_content.releases_in_force_are_valid,
        _decisions_and_escalations_point_at_guidelines,
        health_faults.stuck_jobs,
        health_faults.stuck_imports,
        health_faults.half_written_batches,
        health_faults.orphaned_uploads,
        health_faults.commits_without_audit_rows,
    )


def _decisions_and_escalations_point_at_guidelines(ctx: CheckContext) -> list[Finding]:
    """Decisions name existing guideline sections; escalations name existing guidelines."""
    from guidelines_app.domain.guideline import parse_guideline
    from guidelines_app.models import Decision, DecisionStatus, Escalation

    if not schema.state(ctx.engine).at_head:
        return []
    with Session(ctx.engine) as session:
        refs = session.exec(
            select(Decision.guideline, Decision.section_id, func.min(Decision.id))
            .where(Decision.status == DecisionStatus.ACTIVE.value)
            .group_by(col(Decision.guideline), col(Decision.section_id))
        ).all()
        escalated = set(session.exec(select(Escalation.guideline).distinct()).all())
    sections: dict[str, set[str] | None] = {}
    for slug in {g for g, _s, _i in refs} | escalated:
        try:
            text = ctx.store.read(f"guidelines/{slug}.md").text
            sections[slug] = {s.id for s in parse_guideline(text).sections}
        except Exception:  # missing, unreadable or invalid: all the same to this check
            sections[slug] = None
    findings = [
        Finding("decisions", f"escalations point at guideline {slug!r}, which does not exist")
        for slug in sorted(escalated)
        if sections.get(slug) is None
    ]
    for slug, section, first in sorted(refs, key=lambda r: (r[0], r[1] or "")):
        known = sections.get(slug)
        if known is None:
            findings.append(
                Finding("decisions", f"decision #{first} refines {slug!r}, which does not exist")
            )
        elif section and section not in known:
            findings.append(
                Finding(
                    "decisions",
                    f"decision #{first} (and maybe others) refines {slug}#{section}, "
                    "a section the guideline no longer has",
                )
            )
    return findings
