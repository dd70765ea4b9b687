"""API bodies about accounts."""

from __future__ import annotations

from guidelines_app.models.accounts import Role
from guidelines_app.models.schemas.common import Public


class MePublic(Public):
    """The user a bearer token belongs to."""

    username: str
    display_name: str
    role: Role
