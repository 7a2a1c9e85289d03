"""An app's client secrets as the org lists them: ids, status and creation times, never values.

The audit reads them to check their age, and `appspec secret` to rotate and retire them
(``appspecs.onboard.secrets`` is that write side). Okta's listing holds each secret's value and
hash; only the printable fields are kept, in ``SecretInfo``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from appspecs.okta import OktaClient
from appspecs.okta.errors import BadResponse
from appspecs.records import record

#: Token endpoint auth methods that use a client secret; ``none`` (public clients, PKCE) and
#: ``private_key_jwt`` have no secret to rotate.
SECRET_AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post", "client_secret_jwt"})

_EPOCH = datetime.min.replace(tzinfo=UTC)


def secrets_path(app_id: str) -> str:
    return f"/api/v1/apps/{app_id}/credentials/secrets"


@record
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
