"""Zero-downtime client secret rotation through Okta's client-secret API.

Okta keeps at most two secrets per client. Rotation is two steps with a pause between them for
consumers to switch: ``create_secret`` adds a second active secret; ``retire_secrets`` then
deactivates and deletes every secret but the newest. No Pulumi resource does this.

A secret's value and hash never leave this module except inside a ``SecretValue``, whose repr
and str are masked: ``SecretInfo`` carries only what may be printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from appspecs.okta import NotFound, OktaClient
from appspecs.okta.errors import BadResponse

#: Okta's cap on client secrets per client.
MAX_SECRETS = 2
#: Token endpoint auth methods that use a client secret; ``none`` (public clients, PKCE) and
#: ``private_key_jwt`` have no secret to rotate.
SECRET_AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post", "client_secret_jwt"})


_EPOCH = datetime.min.replace(tzinfo=UTC)


def secrets_path(app_id: str) -> str:
    return f"/api/v1/apps/{app_id}/credentials/secrets"


class SecretRefused(Exception):
    """The org is not in a state where the step may run (exit 1); ``str`` is one line."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class SecretValue:
    """A new client secret as Okta generated it; shown only by an explicit ``reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class SecretInfo:
    """What may be shown about a client secret: never its value or hash."""

    id: str
    status: str
    created: str  # as Okta wrote it, e.g. 2026-01-31T09:15:00.000Z
    created_at: datetime | None  # None when Okta's timestamp does not parse

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"

    def age_days(self, now: datetime) -> int | None:
        """Whole days since creation, or None when the creation time is unknown."""
        if self.created_at is None:
            return None
        return max(0, (now - self.created_at).days)

    def describe(self) -> str:
        return f"{self.id} (created {self.created or 'at an unknown time'}, {self.status})"


def secret_info(body: Mapping[str, Any]) -> SecretInfo:
    """Keep the printable fields of an ``OAuth2ClientSecret``; the value and hash are dropped."""
    secret_id = body.get("id")
    if not isinstance(secret_id, str) or not secret_id:
        # Never quote the body: it holds the secret.
        raise BadResponse("a client secret without an id")
    status = body.get("status")
    created = body.get("created")
    created_text = created if isinstance(created, str) else ""
    return SecretInfo(
        id=secret_id,
        status=status if isinstance(status, str) else "UNKNOWN",
        created=created_text,
        created_at=_parse_time(created_text),
    )


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def list_secrets(client: OktaClient, app_id: str) -> list[SecretInfo]:
    """The app's client secrets, oldest first (Okta's order breaks ties in creation time)."""
    listed = [secret_info(s) for s in client.list(secrets_path(app_id)) if isinstance(s, dict)]
    return sort_by_age(listed)


def sort_by_age(secrets: Sequence[SecretInfo]) -> list[SecretInfo]:
    """Oldest first; unknown creation times first of all, so they are never kept as newest."""
    ranked = sorted(enumerate(secrets), key=lambda pair: (pair[1].created_at or _EPOCH, pair[0]))
    return [s for _, s in ranked]


def check_can_create(secrets: Sequence[SecretInfo]) -> None:
    """Refuse when the client already has Okta's maximum of secrets."""
    if len(secrets) >= MAX_SECRETS:
        ids = ", ".join(s.describe() for s in secrets)
        raise SecretRefused(
            "secret-limit",
            f"the app already has {len(secrets)} client secrets ({ids}), Okta's maximum; "
            "run `appspec secret retire` first",
        )


def create_secret(client: OktaClient, app_id: str) -> tuple[SecretInfo, SecretValue]:
    """Have Okta generate a new active secret. Not retried on 5xx: a retry could make two."""
    body = client.post(secrets_path(app_id), json={})
    if not isinstance(body, dict):
        raise BadResponse("creating a client secret returned no JSON object", method="POST")
    value = body.get("client_secret")
    if not isinstance(value, str) or not value:
        raise BadResponse("the new client secret came back without its value", method="POST")
    return secret_info(body), SecretValue(value)


@dataclass(frozen=True, slots=True)
class Retirement:
    """The newest secret, kept, and the older ones to deactivate and delete."""

    keep: SecretInfo
    retire: tuple[SecretInfo, ...]


def plan_retirement(secrets: Sequence[SecretInfo]) -> Retirement:
    """Keep the newest secret; refuse when that would leave the client without an active one."""
    if not secrets:
        raise SecretRefused("no-secret", "the app has no client secret; nothing to retire")
    ordered = sort_by_age(secrets)
    newest = ordered[-1]
    if len(ordered) == 1:
        raise SecretRefused(
            "last-secret",
            f"the app has only one client secret, {newest.describe()}; retire never removes "
            "the last one (rotate first)",
        )
    if newest.created_at is None:
        raise SecretRefused(
            "unknown-age",
            f"cannot tell which secret is newest: {newest.id} has no readable creation time",
        )
    if not newest.active:
        raise SecretRefused(
            "newest-inactive",
            f"the newest secret {newest.describe()} is not active; retiring the others would "
            "leave the app without an active secret",
        )
    return Retirement(keep=newest, retire=tuple(ordered[:-1]))


def retire_secrets(client: OktaClient, app_id: str, plan: Retirement) -> list[SecretInfo]:
    """Deactivate (Okta refuses to delete an active secret) and delete each secret to retire."""
    done: list[SecretInfo] = []
    for secret in plan.retire:
        remove_secret(client, app_id, secret)
        done.append(secret)
    return done


def remove_secret(client: OktaClient, app_id: str, secret: SecretInfo) -> None:
    """Deactivate if active, then delete; a secret already gone counts as removed."""
    path = f"{secrets_path(app_id)}/{secret.id}"
    try:
        if secret.active:
            # Deactivating twice leaves the same state: safe to retry.
            client.post(f"{path}/lifecycle/deactivate", idempotent=True)
        client.delete(path)
    except NotFound:
        # A retried DELETE whose first attempt went through, or someone else's hand.
        return
