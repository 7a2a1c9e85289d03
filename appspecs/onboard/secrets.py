"""Zero-downtime client secret rotation through Okta's client-secret API.

Okta keeps at most two secrets per client. Rotation is two steps with a pause between them for
consumers to switch: ``create_secret`` adds a second active secret; ``retire_secrets`` then
deactivates and deletes every secret but the newest. No Pulumi resource does this. Listing the
secrets is a read of the live org: ``appspecs.live.secrets``.

A new secret's value never leaves this module except inside a ``SecretValue``, whose repr and
str are masked.
"""

from __future__ import annotations

from collections.abc import Sequence

from appspecs.live.secrets import (
    SecretInfo,
    list_secrets,
    secret_info,
    secrets_path,
    sort_by_age,
)
from appspecs.okta import NotFound, OktaClient, OktaError
from appspecs.okta.errors import BadResponse
from appspecs.okta.retry import NOT_SENT_ERRORS
from appspecs.records import record

#: Okta's cap on client secrets per client.
MAX_SECRETS = 2


class SecretRefused(Exception):
    """The app or the org is not as the step needs: held, a public client, at Okta's limit...
    (exit 1); ``str`` is one line."""

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


def may_have_created(error: BaseException) -> bool:
    """Whether a create that ended in ``error`` may still have made a secret in Okta.

    Only two answers say it did not: Okta's own refusal (a 4xx status) and a connection that
    was never made. A cut-off or unreadable response, a 5xx or an interrupt may come after
    Okta made the secret, whose value then reached nobody.
    """
    if isinstance(error, OktaError):
        if error.status is not None and 400 <= error.status < 500:
            return False
        if isinstance(error.__cause__, NOT_SENT_ERRORS):
            return False
    return True


def withdraw_unseen(
    client: OktaClient, app_id: str, before: Sequence[SecretInfo]
) -> list[SecretInfo]:
    """Remove every secret that was not in ``before``: made by a create whose answer was lost.

    Nobody holds such a secret's value, and left in place it would be the newest, the one
    `retire` keeps while deleting the secret consumers use.
    """
    known = {s.id for s in before}
    unseen = [s for s in list_secrets(client, app_id) if s.id not in known]
    for secret in unseen:
        remove_secret(client, app_id, secret)
    return unseen


@record
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
    unknown = [s.id for s in ordered if s.created_at is None]
    if unknown:
        # one of unknown age may be the newest, the one consumers were switched to: sorted first,
        # it would be retired (deleted) while an older one is kept
        raise SecretRefused(
            "unknown-age",
            f"cannot tell which secret is newest: {', '.join(unknown)} "
            f"{'has' if len(unknown) == 1 else 'have'} no readable creation time",
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
    deactivated = False
    try:
        if secret.active:
            # Deactivating twice leaves the same state: safe to retry.
            client.post(f"{path}/lifecycle/deactivate", idempotent=True)
            deactivated = True
        client.delete(path)
    except NotFound:
        # A retried DELETE whose first attempt went through, or someone else's hand.
        return
    except OktaError as exc:
        if deactivated:
            # the error of the delete alone would hide that the secret is off already
            said = (
                f"secret {secret.id} is deactivated (a consumer still using it fails from now "
                "on), but deleting it failed; deleting it again finishes its removal"
            )
            exc.detail = f"{said}: {exc.detail}" if exc.detail else said
        raise
