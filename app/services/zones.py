"""The time zone a workspace's or a person's days are seen in, looked up by id.

What a missing or unknown zone name means is decided once, in `dates.zone_of` (UTC, logged
once per name); `Workspace.zone` and `User.zone` apply it to a loaded row. These look the
row up first (from the session's identity map when the request already holds it).
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import User, Workspace
from app.services.accounts import Actor
from app.services.dates import UTC_ZONE


def workspace_zone(workspace_id: uuid.UUID) -> ZoneInfo:
    """The workspace's zone (UTC for a workspace that is gone or has no usable zone)."""
    workspace = db.session.get(Workspace, workspace_id)
    return workspace.zone if workspace is not None else UTC_ZONE


def user_zone(user_id: uuid.UUID | None, workspace_id: uuid.UUID) -> ZoneInfo:
    """A user's own zone, else their workspace's: the zone "today" and reminders are seen in.

    No user (an API key acting, a task nobody is assigned to): the workspace's zone.
    """
    user = db.session.get(User, user_id) if user_id else None
    if user is not None and user.workspace_id == workspace_id:
        return user.zone
    return workspace_zone(workspace_id)


def actor_zone(actor: Actor) -> ZoneInfo:
    """The zone "today" is seen from for whoever acts: the user's, else the workspace's."""
    return user_zone(actor.user_id, actor.workspace_id)
