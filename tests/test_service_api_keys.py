"""Who may create and revoke API keys is the accounts service's rule, whatever the door."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey
from app.services import accounts
from app.services.errors import NotFound, PermissionDenied, ValidationError


def key_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey))


def test_an_admin_creates_and_revokes_keys(admin):
    actor = accounts.Actor.for_user(admin)
    key, secret = accounts.create_api_key(actor, "CRM sync", [accounts.READ])
    assert key.workspace_id == admin.workspace_id
    assert accounts.authenticate_api_key(secret) is not None
    accounts.revoke_api_key(actor, key.id)
    assert accounts.authenticate_api_key(secret) is None


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_other_roles_may_not_create_or_revoke_keys(admin, role, request):
    key, secret = accounts.create_api_key(accounts.Actor.for_user(admin), "k", [accounts.READ])
    actor = accounts.Actor.for_user(request.getfixturevalue(role))
    with pytest.raises(PermissionDenied):
        accounts.create_api_key(actor, "mine", [accounts.READ])
    with pytest.raises(PermissionDenied):
        accounts.revoke_api_key(actor, key.id)
    with pytest.raises(PermissionDenied):
        accounts.list_api_keys(actor)
    assert key_count() == 1
    assert accounts.authenticate_api_key(secret) is not None


def test_an_api_key_never_manages_keys_even_with_every_scope(workspace):
    key, secret = accounts.create_api_key(
        accounts.Actor.operator(workspace), "all", list(accounts.KNOWN_SCOPES)
    )
    # Even a row that claims the management scope does not give it.
    key.scopes = ",".join([*accounts.KNOWN_SCOPES, accounts.MANAGE])
    db.session.commit()
    actor = accounts.Actor.for_api_key(key)
    assert accounts.MANAGE not in actor.scopes
    with pytest.raises(PermissionDenied):
        accounts.create_api_key(actor, "another", [accounts.READ])
    with pytest.raises(PermissionDenied):
        accounts.revoke_api_key(actor, key.id)
    assert key_count() == 1
    assert accounts.authenticate_api_key(secret) is not None


def test_the_management_scope_is_not_a_key_scope(admin):
    with pytest.raises(ValidationError) as caught:
        accounts.create_api_key(accounts.Actor.for_user(admin), "x", [accounts.MANAGE])
    assert "scopes" in caught.value.fields
    assert key_count() == 0


def test_an_admin_cannot_revoke_another_workspaces_key(admin, other_workspace):
    theirs, secret = accounts.create_api_key(
        accounts.Actor.operator(other_workspace), "theirs", [accounts.READ]
    )
    with pytest.raises(NotFound):
        accounts.revoke_api_key(accounts.Actor.for_user(admin), theirs.id)
    assert accounts.authenticate_api_key(secret) is not None


def test_a_deactivated_admin_gets_no_admin_actor(admin):
    admin.active = False
    db.session.commit()
    with pytest.raises(PermissionDenied):
        accounts.admin_actor(admin)


def test_assignable_users_are_the_workspaces_active_users_by_name(
    workspace, other_workspace, member, viewer, admin
):
    accounts.create_user(other_workspace, "x@globex.test", "Aaron Elsewhere", "member", "p" * 8)
    gone = accounts.create_user(workspace, "zed@acme.test", "Al Gone", "member", "p" * 8)
    gone.active = False
    db.session.commit()
    users = accounts.assignable_users(accounts.Actor.for_user(viewer))
    assert [u.name for u in users] == ["Ada Admin", "Mia Member", "Vic Viewer"]
