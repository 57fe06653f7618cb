"""Browser sessions that end when they should: on logout, a password change, deactivation.

Session cookies are signed but kept by the browser, so deleting one on logout does not stop
a copy taken earlier. Each user therefore has a *session generation* in the database; a
session (and a remember-me cookie, which Flask-Login builds from the same value) carries the
generation it was started under, and every request compares it with the user's row, which
Flask-Login loads anyway. Raising the generation ends every session of that user at once,
on every worker and machine, because they all read the same row. See docs/security.md.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.extensions import db
from app.models import User

#: Separates the user id from the generation in the value a session keeps.
SEPARATOR = ":"


def session_token(user: User) -> str:
    """The value a session keeps for `user`: `<id>:<generation>`."""
    return f"{user.id}{SEPARATOR}{user.session_generation or 0}"


def user_for_session(token: str) -> User | None:
    """The user a session belongs to, or None when the session has ended.

    It has ended when the user is gone or deactivated, or when the user's generation moved
    on since the session started. A value without a generation (a session from before
    generations existed) has ended too: its owner simply signs in once more.
    """
    user_id, separator, generation = token.partition(SEPARATOR)
    if not separator or not generation.isdigit():
        return None
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """End every session of `user`, wherever it was started (logout, "Sign out everywhere")."""
    raise_generation(user)
    db.session.commit()


def raise_generation(user: User) -> None:
    """Move `user` to the next session generation, in the caller's transaction.

    The increment happens in the database (`generation + 1`), so two workers ending
    sessions at once both count; the row is refreshed so `user` carries the new value.
    """
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(user, ["session_generation"])
