"""Workspaces, users, API keys, and who is acting (the `Actor` every service call takes)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.config import settings
from app.extensions import db
from app.i18n import LANGUAGES
from app.models import ROLES, ApiKey, User, Workspace
from app.services import dates, rate_limits, sessions
from app.services.errors import (
    LimitReached,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)

READ = "activities:read"
WRITE = "activities:write"
#: Managing the workspace's users and API keys: held by admins, never by an API key.
MANAGE = "workspace:manage"
#: The scopes an API key may be given (MANAGE is not one of them).
KNOWN_SCOPES = (READ, WRITE)
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "admin": frozenset({READ, WRITE, MANAGE}),
    "member": frozenset({READ, WRITE}),
    "viewer": frozenset({READ}),
}
API_KEY_PREFIX = "wbk_"
#: The longest name a key may have (the column's length).
API_KEY_NAME_MAX = 200
#: Characters of the secret kept in clear to find its row; the rest is only hashed.
LOOKUP_LENGTH = 12
#: `last_used_at` is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    """Who is calling a service: a signed-in user or an API key, always of one workspace."""

    workspace_id: uuid.UUID
    scopes: frozenset[str]
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None

    def require(self, scope: str) -> None:
        """Raise PermissionDenied unless this actor holds `scope`."""
        if scope not in self.scopes:
            raise PermissionDenied(scope)

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(user.workspace_id, ROLE_SCOPES[user.role], user_id=user.id)

    @classmethod
    def for_api_key(cls, key: ApiKey) -> Actor:
        # Only key scopes count, whatever a row says: a key can never manage the workspace.
        return cls(key.workspace_id, key.scope_set & frozenset(KNOWN_SCOPES), api_key_id=key.id)

    @classmethod
    def operator(cls, workspace: Workspace) -> Actor:
        """Whoever runs the command line on the server, acting as an admin of `workspace`.

        They hold the database already, so the CLI (and the demo seed) may manage any
        workspace; the actor has no user row, so nothing records them as a user.
        """
        return cls(workspace.id, ROLE_SCOPES["admin"])


def create_workspace(name: str, timezone: str = "UTC", language: str = "en") -> Workspace:
    name = name.strip()
    problems = {}
    if language not in LANGUAGES:
        problems["language"] = _("must be one of %(values)s", values=", ".join(LANGUAGES))
    if not name:
        problems["name"] = _("is required")
    elif db.session.scalar(sa.select(Workspace.id).where(Workspace.name == name)):
        problems["name"] = _("a workspace called %(name)r exists already", name=name)
    try:
        dates.zone(timezone)
    except ValueError as exc:
        problems["timezone"] = str(exc)
    if problems:
        raise ValidationError.for_fields(problems)
    workspace = Workspace(name=name, timezone=timezone, language=language)
    db.session.add(workspace)
    db.session.commit()
    return workspace


def set_language(user: User, language: str | None) -> User:
    """Save a user's own language ("de", "en"), or None to follow the browser."""
    if language is not None and language not in LANGUAGES:
        raise ValidationError.for_fields(
            {"language": _("must be one of %(values)s", values=", ".join(LANGUAGES))}
        )
    user.language = language
    db.session.commit()
    return user


def find_workspace(ref: str) -> Workspace:
    """A workspace by its id or its exact name (how the CLI names one)."""
    try:
        workspace = db.session.get(Workspace, uuid.UUID(ref))
    except ValueError:
        workspace = None
    workspace = workspace or db.session.scalar(sa.select(Workspace).where(Workspace.name == ref))
    if workspace is None:
        raise NotFound(f"Workspace {ref!r}")
    return workspace


#: The shortest password accepted for a new user or a password change.
MIN_PASSWORD_LENGTH = 8


def create_user(workspace: Workspace, email: str, name: str, role: str, password: str) -> User:
    email = email.strip().lower()
    problems = {}
    if "@" not in email or len(email) > 254:
        problems["email"] = _("is not an email address")
    elif db.session.scalar(sa.select(User.id).where(User.email == email)):
        problems["email"] = _("is taken by another user")
    if not name.strip():
        problems["name"] = _("is required")
    if role not in ROLES:
        problems["role"] = _("must be one of %(values)s", values=", ".join(ROLES))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems["password"] = _("must have at least %(num)d characters", num=MIN_PASSWORD_LENGTH)
    if problems:
        raise ValidationError.for_fields(problems)
    user = User(
        workspace_id=workspace.id,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, confirmation: str) -> User:
    """Give `user` a new password and end every session of theirs (the caller's included;
    the web door signs the person who changed it straight back in).

    The current password is required, so a session left open on someone's desk cannot
    take the account over; wrong guesses count against LOGIN_FAILURE_LIMIT like logins.
    """
    limit = settings().login_failure_limit
    bucket = f"password-change:{user.id}"
    decision = rate_limits.peek(bucket, limit)
    if not decision.allowed:
        raise TooManyAttempts(decision.retry_after)
    problems = {}
    if not check_password_hash(user.password_hash, current):
        rate_limits.hit(bucket, limit)
        problems["current_password"] = _("is not your current password")
    if len(new) < MIN_PASSWORD_LENGTH:
        problems["new_password"] = _(
            "must have at least %(num)d characters", num=MIN_PASSWORD_LENGTH
        )
    elif new != confirmation:
        problems["confirm_password"] = _("does not match the new password")
    if problems:
        raise ValidationError.for_fields(problems)
    user.password_hash = hash_password(new)
    sessions.raise_generation(user)
    db.session.commit()
    return user


def set_user_active(user: User, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a user.

    A deactivated user cannot sign in, and no session or remember-me cookie of theirs
    opens a page any more; their tasks stay as they are.
    """
    if user.active != active:
        user.active = active
        if not active:
            sessions.raise_generation(user)
        db.session.commit()
    return user


def workspace_users(actor: Actor) -> list[User]:
    """Every user of the actor's workspace, active ones first, by name (admins only)."""
    actor.require(MANAGE)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.workspace_id == actor.workspace_id)
            .order_by(User.active.desc(), User.name, User.email)
        )
    )


def find_workspace_user(actor: Actor, user_id: uuid.UUID) -> User:
    """A user of the actor's workspace (admins only); NotFound for another workspace's."""
    actor.require(MANAGE)
    user = db.session.get(User, user_id)
    if user is None or user.workspace_id != actor.workspace_id:
        raise NotFound("User")
    return user


def change_user_active(actor: Actor, user_id: uuid.UUID, active: bool) -> User:
    """An admin deactivates (ending every session of theirs) or reactivates a user.

    Admins cannot deactivate themselves: the workspace would lose the person managing it.
    """
    user = find_workspace_user(actor, user_id)
    if not active and user.id == actor.user_id:
        raise ValidationError(
            _("You cannot deactivate yourself. Ask another admin, or use the command line.")
        )
    return set_user_active(user, active)


def find_user(email: str) -> User:
    """A user by email address (how the CLI names one)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"User {email!r}")
    return user


#: One client may fail this many times the per-(email, client) limit, over all emails it
#: tries (several people of one office share an address).
ADDRESS_LIMIT_FACTOR = 4
#: The delay before answering a login for an email with many failures from anywhere:
#: it starts at this many seconds and doubles with each further failure ...
LOGIN_DELAY_START = 0.25
#: ... up to this. It makes guessing from many addresses slow yet stays short for the
#: owner, who still gets in; and a worker waits while it runs, so a long one would let a
#: flood of guesses tie the workers up (docs/security.md).
LOGIN_DELAY_MAX = 2.0

#: Waits `seconds`; tests replace it to see the delays without waiting them out.
sleep = time.sleep


def _login_buckets(email: str, client_address: str | None) -> tuple[str, str, str]:
    """The counters of failed logins: per email, per (email, client), per client."""
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    client = (client_address or "unknown")[:64]
    return f"login:{email_key}", f"login:{email_key}:{client}", f"login-from:{client}"


def login_delay(email_failures: int, limit: rate_limits.Limit) -> float:
    """Seconds to wait before checking a password for an email that failed this often.

    Nothing for the first `limit.count` failures (an owner's own typos), then a delay that
    doubles with each failure, capped at LOGIN_DELAY_MAX.
    """
    over = email_failures - limit.count
    if not limit.enabled or over < 0:
        return 0.0
    return min(LOGIN_DELAY_MAX, LOGIN_DELAY_START * 2 ** min(over, 32))


def log_in(email: str, password: str, client_address: str | None) -> User | None:
    """`authenticate_user`, throttled so that guessing is slow and the owner still gets in.

    Failures count per (email, client) and per client: over LOGIN_FAILURE_LIMIT (four
    times that per client) the attempt is refused with TooManyAttempts before the password
    is checked. Failures per email, from every client, never refuse anything: they only
    slow each attempt for that email down (`login_delay`), so someone who knows an email
    cannot lock its owner out. A success clears its own (email, client) count.
    See docs/security.md.
    """
    limit = settings().login_failure_limit
    email_bucket, pair_bucket, client_bucket = _login_buckets(email, client_address)
    client_limit = rate_limits.Limit(limit.count * ADDRESS_LIMIT_FACTOR, limit.seconds)
    for bucket, bucket_limit in ((pair_bucket, limit), (client_bucket, client_limit)):
        decision = rate_limits.peek(bucket, bucket_limit)
        if not decision.allowed:
            raise TooManyAttempts(decision.retry_after)
    delay = login_delay(rate_limits.count(email_bucket, limit), limit)
    if delay:
        sleep(delay)
    user = authenticate_user(email, password)
    if user is None:
        for bucket, bucket_limit in (
            (email_bucket, limit),
            (pair_bucket, limit),
            (client_bucket, client_limit),
        ):
            rate_limits.hit(bucket, bucket_limit)
    elif limit.enabled:
        rate_limits.clear(pair_bucket)
    return user


def authenticate_user(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (the same for every wrong part)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Hash anyway so a wrong email costs the same time as a wrong password.
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt by default; tests configure a cheap method)."""
    return generate_password_hash(password, method=settings().password_hash_method)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(actor: Actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key of the actor's workspace and its secret (admins only).

    The secret is returned once and only its hash is stored. Raises PermissionDenied
    unless the actor may manage the workspace, ValidationError for a bad name or scopes.
    """
    actor.require(MANAGE)
    scopes = [s.strip() for s in scopes if s.strip()]
    problems = {}
    if not name.strip():
        problems["name"] = _("is required")
    elif len(name.strip()) > API_KEY_NAME_MAX:
        problems["name"] = _("must be at most %(num)d characters", num=API_KEY_NAME_MAX)
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown or not scopes:
        problems["scopes"] = _("choose from %(values)s", values=", ".join(KNOWN_SCOPES))
    if problems:
        raise ValidationError.for_fields(problems)
    creations = _check_key_limits(actor.workspace_id)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        workspace_id=actor.workspace_id,
        name=name.strip(),
        prefix=secret[:LOOKUP_LENGTH],
        secret_hash=_hash_secret(secret),
        scopes=",".join(dict.fromkeys(scopes)),
    )
    db.session.add(key)
    db.session.flush()
    _check_key_cap(actor.workspace_id)
    db.session.commit()
    rate_limits.hit(*creations)
    return key, secret


def _check_key_limits(workspace_id: uuid.UUID) -> tuple[str, rate_limits.Limit]:
    """Refuse a new key while the workspace is at its cap or created keys too fast.

    Returns the rate-limit bucket to count the key against once it exists. The workspace
    row is locked (PostgreSQL) so two admins creating the 50th key at once cannot both
    pass the cap check; SQLite serialises writers anyway.
    """
    db.session.execute(
        sa.select(Workspace.id).where(Workspace.id == workspace_id).with_for_update()
    )
    _check_key_cap(workspace_id, adding=1)
    limit = settings().api_key_create_limit
    bucket = f"api-key-create:{workspace_id}"
    decision = rate_limits.peek(bucket, limit)
    if not decision.allowed:
        raise TooManyAttempts(decision.retry_after, "new API keys")
    return bucket, limit


def _check_key_cap(workspace_id: uuid.UUID, adding: int = 0) -> None:
    cap = settings().api_key_limit
    if count_active_keys(workspace_id) + adding > cap:
        raise LimitReached(
            _(
                "This workspace already has %(num)d active API keys, the most it may have. "
                "Revoke a key that is no longer used, then create the new one.",
                num=cap,
            )
        )


def count_active_keys(workspace_id: uuid.UUID) -> int:
    """How many unrevoked API keys the workspace holds."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ApiKey)
            .where(ApiKey.workspace_id == workspace_id, ApiKey.revoked_at.is_(None))
        )
        or 0
    )


def authenticate_api_key(secret: str, at: datetime | None = None) -> ApiKey | None:
    """The live key whose secret this is, or None; notes when it was last used."""
    if not secret.startswith(API_KEY_PREFIX) or len(secret) < LOOKUP_LENGTH + 8:
        return None
    digest = _hash_secret(secret)
    rows = db.session.scalars(sa.select(ApiKey).where(ApiKey.prefix == secret[:LOOKUP_LENGTH]))
    key = next((k for k in rows if hmac.compare_digest(k.secret_hash, digest)), None)
    if key is None or key.revoked_at is not None:
        return None
    at = at or dates.now()
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = at
        db.session.commit()
    return key


def revoke_api_key(actor: Actor, key_id: uuid.UUID, at: datetime | None = None) -> ApiKey:
    """Revoke a key of the actor's workspace (admins only); revoking twice changes nothing.

    NotFound for an unknown key and for another workspace's, alike.
    """
    actor.require(MANAGE)
    key = db.session.get(ApiKey, key_id)
    if key is None or key.workspace_id != actor.workspace_id:
        raise NotFound("API key")
    if key.revoked_at is None:
        key.revoked_at = at or dates.now()
        db.session.commit()
    return key


def admin_actor(user: User) -> Actor:
    """The actor for a workspace admin's management pages; PermissionDenied for anyone else."""
    if not user.active:
        raise PermissionDenied(MANAGE)
    actor = Actor.for_user(user)
    actor.require(MANAGE)
    return actor


#: API keys shown per page of the keys page.
KEYS_PER_PAGE = 25


@dataclass(frozen=True)
class KeyPage:
    """One page of a workspace's API keys, and what the page needs to say about the rest."""

    keys: list[ApiKey]
    page: int
    pages: int
    total: int
    active: int
    cap: int


def api_key_page(actor: Actor, page: int = 1, per_page: int = KEYS_PER_PAGE) -> KeyPage:
    """Page `page` (from 1; out of range is clamped) of `list_api_keys`' order (admins only)."""
    actor.require(MANAGE)
    query = (
        sa.select(ApiKey)
        .where(ApiKey.workspace_id == actor.workspace_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    keys = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return KeyPage(
        keys,
        page,
        pages,
        total,
        count_active_keys(actor.workspace_id),
        settings().api_key_limit,
    )


def find_api_key(actor: Actor, key_id: uuid.UUID) -> ApiKey:
    """A key of the actor's workspace (admins only); NotFound for another workspace's."""
    actor.require(MANAGE)
    key = db.session.get(ApiKey, key_id)
    if key is None or key.workspace_id != actor.workspace_id:
        raise NotFound("API key")
    return key


def list_api_keys(actor: Actor) -> list[ApiKey]:
    """The workspace's API keys, live ones first, newest first (admins only)."""
    actor.require(MANAGE)
    return list(
        db.session.scalars(
            sa.select(ApiKey)
            .where(ApiKey.workspace_id == actor.workspace_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
        )
    )


def assignable_users(actor: Actor) -> list[User]:
    """Who a task of the actor's workspace can be assigned to: its active users, by name."""
    actor.require(READ)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.workspace_id == actor.workspace_id, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )
