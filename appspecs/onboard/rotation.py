"""The steps of `appspec secret rotate|retire|list` for one declared app: find it in the specs
and in the org, then rotate, retire or list its client secrets.

``appspecs.onboard.secrets`` holds the calls to Okta's client-secret API; this module orders
them. A new secret goes to a file reserved before the secret is made, or to the caller's
``show`` (stdout); when either fails, or the user interrupts, the secret is removed from Okta
again: a secret nobody holds must not stay active (it would be the newest, the one `retire`
keeps).

Failures are exceptions whose ``str`` is one line, turned into output and exit codes by the
command: ``SecretRefused`` (the app or the org is not as the step needs) and ``AppNotFound``
(no app, or two, in the org) mean exit 1; ``UnknownApp`` (a misspelt NAME), ``RotationFailed``
(a secret file that cannot be made, a secret that could not be delivered or checked) and
Okta's own ``OktaError`` mean exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

from appspecs.desired.model import DesiredApp, DesiredState
from appspecs.live.locate import AppNotFound, find_managed_app
from appspecs.live.model import LiveApp
from appspecs.live.secrets import SECRET_AUTH_METHODS, SecretInfo, list_secrets
from appspecs.okta import OktaClient, OktaError
from appspecs.onboard.secrets import (
    Retirement,
    SecretRefused,
    SecretValue,
    check_can_create,
    create_secret,
    may_have_created,
    plan_retirement,
    remove_secret,
    retire_secrets,
    withdraw_unseen,
)
from appspecs.records import record
from appspecs.spec.load import APPS_DIR
from appspecs.spec.review import ApprovalStatus, approve_words, command_line
from appspecs.spec.specset import SpecSet

# A key-based client rotates by a spec change, never through Okta's secrets API.
KEY_ROTATION = (
    "rotate its key by a spec change: add the new public key to client.jwks under a new kid "
    "and deploy; switch the client to the new private key; then remove the old key and deploy "
    "again (the plan says key added / key removed)"
)
KEY_BASED = "private_key_jwt"


class UnknownApp(Exception):
    """No spec declares an app of that name: a misspelt argument (exit 2), said before any call
    to Okta, as `approve` does."""

    def __init__(self, name: str, specs_dir: Path, declared: Iterable[str]) -> None:
        names = ", ".join(sorted(declared)) or "none"
        super().__init__(f"no app named '{name}' is declared in {specs_dir}; apps: {names}")


class RotationFailed(Exception):
    """A secret file could not be made, or a new secret could not be delivered or checked
    (exit 2); ``str`` is one line saying what became of the secret."""


# -- finding the app --------------------------------------------------------------------------


def declared_app(desired: DesiredState, name: str, specs_dir: Path) -> DesiredApp:
    """The app as the stack declares it; refused when it is held or not in this stack."""
    for app in desired.apps:
        if app.name == name:
            return app
    for skipped in desired.skipped:
        if skipped.name == name and skipped.reason == "held":
            raise SecretRefused(
                "held",
                f"'{name}' is held ({skipped.detail}); its secrets are not touched until it is "
                "approved and deployed",
            )
        if skipped.name == name:
            raise SecretRefused(
                "not-in-stack",
                f"'{name}' is not deployed to stack '{desired.stack}' ({skipped.detail})",
            )
    declared = [a.name for a in desired.apps] + [s.name for s in desired.skipped]
    raise UnknownApp(name, specs_dir, declared)


def listed_label(specs: SpecSet, name: str, specs_dir: Path) -> str | None:
    """The label of app NAME's spec, held or not (only the label is used, to find the app in
    one call); None when its spec has errors."""
    loaded = specs.apps.get(name)
    # A spec with errors is still a spec (import writes one with no owner): the marker finds
    # its app. No spec file at all is a misspelt argument, as for rotate and retire.
    if loaded is None and not (specs_dir / APPS_DIR / f"{name}.yaml").is_file():
        raise UnknownApp(name, specs_dir, specs.apps)
    return loaded.spec.label if loaded else None


def never_approved(
    specs: SpecSet, name: str, command: Callable[[tuple[str, ...]], str] = command_line
) -> str:
    """Why a partner app no one approved is not in Okta, said after the search's own words;
    '' for any other app. ``command``: a command line of its words (the CLI's repeats the
    folders it was given)."""
    loaded = specs.apps.get(name)
    if loaded is None or specs.status(name) is not ApprovalStatus.PENDING:
        return ""
    approve = command(approve_words(name, signed=specs.signers is not None))
    return (
        f" ('{name}' is a partner app under review: no update deploys it until it is approved, "
        f"{approve})"
    )


def require_secrets(name: str, method: str | None) -> None:
    """Refuse a client without client secrets: a key-based one, or a public one."""
    if method == KEY_BASED:
        raise SecretRefused(
            "key-based",
            f"'{name}' signs its token requests with a private key (private_key_jwt): it has no "
            f"client secret; {KEY_ROTATION}",
        )
    if method not in SECRET_AUTH_METHODS:
        raise SecretRefused(
            "public-client",
            f"'{name}' authenticates with token_endpoint_auth_method '{method or ''}': it has no "
            "client secret to rotate (spa and native apps are public clients using PKCE)",
        )


def locate(client: OktaClient, app: DesiredApp) -> LiveApp:
    """The live app ``app`` became, refused when either the spec or the org says it has no
    client secret."""
    require_secrets(app.name, app.client.token_endpoint_auth_method)
    live = find_managed_app(client, app.name, app.client.label)
    require_secrets(app.name, live.token_endpoint_auth_method)
    return live


# -- rotate -----------------------------------------------------------------------------------


@record
class Rotation:
    """The new secret, and the secrets the app had before, which stay active until `retire`."""

    new: SecretInfo
    before: tuple[SecretInfo, ...]


def require_new_file(out: Path) -> None:
    """Refuse a secret file that exists (or a symlink standing there): rotate never overwrites."""
    if os.path.lexists(out):
        raise _out_exists(out)


def _out_exists(out: Path) -> RotationFailed:
    return RotationFailed(
        f"--out {out} exists; rotate never overwrites a file (move it or pick another)"
    )


def rotate_secret(
    client: OktaClient, app: DesiredApp, out: Path | None, show: Callable[[str], None] | None
) -> Rotation:
    """Create a second active secret for ``app`` and deliver it: to the file ``out`` (mode
    0600), or to ``show``; give one of the two. A secret nobody can read is never left behind.
    """
    live = locate(client, app)
    existing = list_secrets(client, live.id)
    check_can_create(existing)
    fd = _reserve(out) if out is not None else None
    try:
        info, value = create_secret(client, live.id)
    except BaseException as exc:
        if fd is not None and out is not None:
            os.close(fd)
            out.unlink(missing_ok=True)
        _after_failed_create(client, live, existing, exc)
        raise
    _deliver(client, live, info, value, fd, out, show)
    return Rotation(new=info, before=tuple(existing))


def _reserve(out: Path) -> int:
    """Create the secret file before the secret: a file we cannot write stops us in time.

    O_EXCL refuses an existing file and any symlink; fchmod undoes a umask that took bits away.
    """
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise _out_exists(out) from None
    except OSError as exc:
        raise RotationFailed(f"cannot create {out}: {exc.strerror or exc}") from None
    os.fchmod(fd, 0o600)
    return fd


def _write_secret(fd: int, value: SecretValue) -> None:
    data = value.reveal().encode("utf-8")
    while data:
        data = data[os.write(fd, data) :]
    os.fsync(fd)


def _after_failed_create(
    client: OktaClient, live: LiveApp, existing: list[SecretInfo], exc: BaseException
) -> None:
    """A create whose answer was lost may still have made a secret: find it and remove it.

    Returns only when nothing can have been made (Okta refused, or nothing was sent) or the
    error is a bug of ours; otherwise raises RotationFailed saying what became of the secret.
    """
    interrupted = isinstance(exc, KeyboardInterrupt)
    if not (interrupted or isinstance(exc, OktaError)) or not may_have_created(exc):
        return
    problem = "interrupted while Okta made the new secret" if interrupted else str(exc)
    try:
        unseen = withdraw_unseen(client, live.id, existing)
    except OktaError as undo:
        raise RotationFailed(
            f"{problem}; Okta may have made a secret whose value never reached us, and checking "
            f"failed too ({undo}): run `appspec secret list` and delete any secret newer than "
            f"{_newest(existing)} in the Okta admin console before running `appspec secret retire`"
        ) from None
    if unseen:
        ids = ", ".join(s.id for s in unseen)
        raise RotationFailed(
            f"{problem}; Okta made secret {ids} anyway, whose value never reached us: removed again"
        )
    if interrupted:
        # Okta may still be working on the request we walked away from.
        raise RotationFailed(
            f"{problem}; no new secret is listed yet, but Okta may still make it: check with "
            "`appspec secret list` before running `appspec secret retire`"
        )
    raise RotationFailed(f"{problem}; no new secret was made")


def _newest(existing: list[SecretInfo]) -> str:
    if not existing:
        return "none (the app had no secret before)"
    newest = existing[-1]
    return f"{newest.id} (created {newest.created or 'at an unknown time'})"


def _deliver(
    client: OktaClient,
    live: LiveApp,
    info: SecretInfo,
    value: SecretValue,
    fd: int | None,
    out: Path | None,
    show: Callable[[str], None] | None,
) -> None:
    """Write the secret to ``out``, give it to ``show``; if either fails, or the user
    interrupts, remove it from Okta again."""
    try:
        try:
            if fd is not None:
                _write_secret(fd, value)
        finally:
            if fd is not None:
                os.close(fd)
        if show is not None:
            show(value.reveal())
    except (OSError, KeyboardInterrupt) as exc:
        if out is not None:
            out.unlink(missing_ok=True)
        if isinstance(exc, KeyboardInterrupt):
            problem = "interrupted before the new secret was stored"
        elif fd is not None and show is None:
            problem = f"cannot write {out}: {exc.strerror or exc}"
        else:
            problem = f"cannot write the new secret: {exc.strerror or exc}"
        _withdraw(client, live, info, problem)


def _withdraw(client: OktaClient, live: LiveApp, info: SecretInfo, problem: str) -> NoReturn:
    """Remove the new secret from Okta again, as nobody could read it; always raises."""
    try:
        remove_secret(client, live.id, info)
    except OktaError as undo:
        raise RotationFailed(
            f"{problem}; and removing the unreadable new secret {info.id} failed too "
            f"({undo}): deactivate and delete {info.id} in the Okta admin console"
        ) from None
    raise RotationFailed(f"{problem}; the new secret {info.id} was removed from Okta again")


# -- retire and list --------------------------------------------------------------------------


def retire_secrets_of(client: OktaClient, app: DesiredApp) -> Retirement:
    """Deactivate and delete every client secret of ``app`` but the newest; what was done."""
    live = locate(client, app)
    plan = plan_retirement(list_secrets(client, live.id))
    retire_secrets(client, live.id, plan)
    return plan


@record
class SecretListing:
    """App NAME as the org has it, and its client secrets (none for a client without any)."""

    name: str
    app: LiveApp
    secrets: tuple[SecretInfo, ...]

    @property
    def key_based(self) -> bool:
        return self.app.token_endpoint_auth_method == KEY_BASED

    @property
    def uses_secrets(self) -> bool:
        return self.app.token_endpoint_auth_method in SECRET_AUTH_METHODS


def read_listing(
    client: OktaClient, name: str, label: str | None, *, why_absent: str = ""
) -> SecretListing:
    """Find app NAME by its marker (``label`` speeds the search) and list its secrets; only
    reads, so held apps are listed too. `why_absent`: said after AppNotFound's own words."""
    try:
        live = find_managed_app(client, name, label)
    except AppNotFound as exc:
        if not why_absent:
            raise
        raise AppNotFound(f"{exc}{why_absent}") from None
    public = live.token_endpoint_auth_method not in SECRET_AUTH_METHODS
    secrets = () if public else tuple(list_secrets(client, live.id))
    return SecretListing(name=name, app=live, secrets=secrets)
