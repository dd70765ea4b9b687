"""The audit log: who changed what, when. Every service that changes state records here."""

from __future__ import annotations

from guidelines_app.services.audit.log import recent, record

__all__ = ["recent", "record"]
