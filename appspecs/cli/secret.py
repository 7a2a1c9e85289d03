"""`appspec secret rotate|retire|list`: zero-downtime client secret rotation for declared apps.

Exit codes: 0 done; 1 the app or the org is not as rotation needs (held, not in this stack, a
public client, not in the org, two secrets already, only one to retire); 2 usage, I/O or Okta
errors (no app of that name, bad org URL or credentials, an existing --out file, Okta
unreachable or refusing).
Secret values appear only in the --out file, or on stdout with --reveal; everything else shows
secret ids and creation times.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    fail,
    format_option,
    load_readable_specs,
    load_stack,
    load_valid_specs,
    out_file_option,
    specs_option,
    stack_option,
    stacks_option,
)
from appspecs.cli.okta import checked_org_url, connect, okta_errors, org_url_option
from appspecs.desired.model import DesiredApp
from appspecs.desired.render import render
from appspecs.live.locate import AppNotFound, find_managed_app
from appspecs.live.model import LiveApp
from appspecs.live.secrets import SECRET_AUTH_METHODS, SecretInfo, list_secrets
from appspecs.okta import OktaClient, OktaError
from appspecs.onboard.secrets import (
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
from appspecs.spec.load import APPS_DIR

F = TypeVar("F", bound=Callable[..., Any])


def _target_options(func: F) -> F:
    func = stacks_option(func)
    func = specs_option(func)
    func = org_url_option(func)
    func = stack_option("The stack whose specs declare the app.")(func)
    return click.argument("name")(func)


@click.group()
def secret() -> None:
    """Rotate an app's OAuth client secret without downtime: rotate, switch consumers, retire."""


# -- shared steps ---------------------------------------------------------------------------


def _declared(specs_dir: Path, stacks_dir: Path | None, stack: str, name: str) -> DesiredApp:
    """The app as the stack declares it; exit 1 when it is held or elsewhere, 2 when unknown
    (a misspelt argument, as `approve` treats it)."""
    config = load_stack(specs_dir, stacks_dir, stack)
    specs = load_valid_specs(specs_dir, stacks_dir, then="fix them before touching secrets")
    desired = render(specs, config)
    for app in desired.apps:
        if app.name == name:
            return app
    for skipped in desired.skipped:
        if skipped.name == name and skipped.reason == "held":
            fail(
                f"'{name}' is held ({skipped.detail}); its secrets are not touched until it is "
                "approved and deployed",
                exits.FAILED,
            )
        if skipped.name == name:
            fail(f"'{name}' is not deployed to stack '{stack}' ({skipped.detail})", exits.FAILED)
    _no_such_app(
        name, specs_dir, [a.name for a in desired.apps] + [s.name for s in desired.skipped]
    )


def _no_such_app(name: str, specs_dir: Path, declared: Iterable[str]) -> NoReturn:
    """A misspelt NAME: a usage error (exit 2), said before any call to Okta, as `approve` does."""
    names = ", ".join(sorted(declared)) or "none"
    fail(f"no app named '{name}' is declared in {specs_dir}; apps: {names}")


# A key-based client rotates by a spec change, never through Okta's secrets API.
KEY_ROTATION = (
    "rotate its key by a spec change: add the new public key to client.jwks under a new kid "
    "and deploy; switch the client to the new private key; then remove the old key and deploy "
    "again (the plan says key added / key removed)"
)
KEY_BASED = "private_key_jwt"


def _has_secrets(name: str, method: str | None) -> None:
    if method == KEY_BASED:
        fail(
            f"'{name}' signs its token requests with a private key (private_key_jwt): it has no "
            f"client secret; {KEY_ROTATION}",
            exits.FAILED,
        )
    if method not in SECRET_AUTH_METHODS:
        fail(
            f"'{name}' authenticates with token_endpoint_auth_method '{method or ''}': it has no client "
            "secret to rotate (spa and native apps are public clients using PKCE)",
            exits.FAILED,
        )


@contextlib.contextmanager
def _org_errors() -> Iterator[None]:
    """Org states rotation refuses exit 1; Okta's own errors are I/O problems (exit 2)."""
    with okta_errors():
        try:
            yield
        except (SecretRefused, AppNotFound) as exc:
            fail(str(exc), exits.FAILED)


def _locate(client: OktaClient, app: DesiredApp) -> LiveApp:
    _has_secrets(app.name, app.client.token_endpoint_auth_method)
    live = find_managed_app(client, app.name, app.client.label)
    _has_secrets(app.name, live.token_endpoint_auth_method)
    return live


# -- rotate -----------------------------------------------------------------------------------


def _reserve(out: Path) -> int:
    """Create the secret file before the secret: a file we cannot write stops us in time.

    O_EXCL refuses an existing file and any symlink; fchmod undoes a umask that took bits away.
    """
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fail(f"--out {out} exists; rotate never overwrites a file (move it or pick another)")
    except OSError as exc:
        fail(f"cannot create {out}: {exc.strerror or exc}")
    os.fchmod(fd, 0o600)
    return fd


def _write_secret(fd: int, value: SecretValue) -> None:
    data = value.reveal().encode("utf-8")
    while data:
        data = data[os.write(fd, data) :]
    os.fsync(fd)


@secret.command()
@_target_options
@out_file_option(
    "Write the new secret to this file, created with mode 0600; an existing file is refused."
)
@click.option("--reveal", is_flag=True, help="Print the new secret on stdout (and nothing else).")
def rotate(
    name: str,
    stack: str,
    org_url: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    out: Path | None,
    reveal: bool,
) -> None:
    """Create a second active client secret for app NAME; the old one stays active.

    Consumers switch to the new secret, then `appspec secret retire` removes the old one.
    Exit 1 when the app is held, not in this stack, a public client, or has two secrets
    already; 2 for an unknown NAME, usage, I/O or Okta errors (a secret nobody can read is
    never left behind).
    """
    if out is None and not reveal:
        fail("say where the new secret goes: --out FILE (mode 0600), or --reveal for stdout")
    if out is not None and reveal:
        # One place for a secret: the file was asked for so that it stays off the terminal.
        fail("give --out FILE or --reveal, not both")
    if out is not None and os.path.lexists(out):
        fail(f"--out {out} exists; rotate never overwrites a file (move it or pick another)")
    url = checked_org_url(org_url)
    app = _declared(specs_dir, stacks_dir, stack, name)
    with connect(url, write=True) as client, _org_errors():
        live = _locate(client, app)
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
        _deliver(client, live, info, value, fd, out, reveal=reveal)
        report = _rotated(name, info, existing, out)
        click.echo(report, err=reveal)


def _after_failed_create(
    client: OktaClient, live: LiveApp, existing: list[SecretInfo], exc: BaseException
) -> None:
    """A create whose answer was lost may still have made a secret: find it and remove it.

    Returns only when nothing can have been made (Okta refused, or nothing was sent) or the
    error is a bug of ours; otherwise exits 2 saying what became of the secret.
    """
    interrupted = isinstance(exc, KeyboardInterrupt)
    if not (interrupted or isinstance(exc, OktaError)) or not may_have_created(exc):
        return
    problem = "interrupted while Okta made the new secret" if interrupted else str(exc)
    try:
        unseen = withdraw_unseen(client, live.id, existing)
    except OktaError as undo:
        fail(
            f"{problem}; Okta may have made a secret whose value never reached us, and checking "
            f"failed too ({undo}): run `appspec secret list` and delete any secret newer than "
            f"{_newest(existing)} in the Okta admin console before running `appspec secret retire`"
        )
    if unseen:
        ids = ", ".join(s.id for s in unseen)
        fail(
            f"{problem}; Okta made secret {ids} anyway, whose value never reached us: removed again"
        )
    if interrupted:
        # Okta may still be working on the request we walked away from.
        fail(
            f"{problem}; no new secret is listed yet, but Okta may still make it: check with "
            "`appspec secret list` before running `appspec secret retire`"
        )
    fail(f"{problem}; no new secret was made")


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
    *,
    reveal: bool,
) -> None:
    """Write the secret to --out, print it with --reveal; if either fails, or the user
    interrupts, remove it from Okta again: a secret nobody holds must not stay active (it would
    be the newest, the one `retire` keeps)."""
    try:
        try:
            if fd is not None:
                _write_secret(fd, value)
        finally:
            if fd is not None:
                os.close(fd)
        if reveal:
            # stdout carries the secret alone, so `$(appspec secret rotate ... --reveal)` works.
            click.echo(value.reveal())
    except (OSError, KeyboardInterrupt) as exc:
        if out is not None:
            out.unlink(missing_ok=True)
        if isinstance(exc, KeyboardInterrupt):
            problem = "interrupted before the new secret was stored"
        elif fd is not None and not reveal:
            problem = f"cannot write {out}: {exc.strerror or exc}"
        else:
            problem = f"cannot write the new secret: {exc.strerror or exc}"
        _withdraw(client, live, info, problem)


def _withdraw(client: OktaClient, live: LiveApp, info: SecretInfo, problem: str) -> NoReturn:
    """Remove the new secret from Okta again, as nobody could read it; always exits 2."""
    try:
        remove_secret(client, live.id, info)
    except OktaError as undo:
        fail(
            f"{problem}; and removing the unreadable new secret {info.id} failed too "
            f"({undo}): deactivate and delete {info.id} in the Okta admin console"
        )
    fail(f"{problem}; the new secret {info.id} was removed from Okta again")


def _rotated(name: str, info: SecretInfo, existing: list[SecretInfo], out: Path | None) -> str:
    where = f"; written to {out} (mode 0600)" if out is not None else ""
    line = f"{name}: created secret {info.id} at {info.created or 'an unknown time'}{where}"
    if not existing:
        return line + "; it is the app's only secret"
    olds = ", ".join(
        f"{s.id} (created {s.created})" if s.active else f"{s.id} (created {s.created}, INACTIVE)"
        for s in existing
    )
    return f"{line}; the old secret {olds} stays active until `appspec secret retire`"


# -- retire -----------------------------------------------------------------------------------


@secret.command()
@_target_options
def retire(name: str, stack: str, org_url: str, specs_dir: Path, stacks_dir: Path | None) -> None:
    """Deactivate and delete every client secret of app NAME but the newest.

    Refused (exit 1) when the app has only one secret, when the newest is inactive, or when
    the app is held, not in this stack or a public client; 2 for an unknown NAME, usage, I/O
    or Okta errors.
    """
    url = checked_org_url(org_url)
    app = _declared(specs_dir, stacks_dir, stack, name)
    with connect(url, write=True) as client, _org_errors():
        live = _locate(client, app)
        plan = plan_retirement(list_secrets(client, live.id))
        for done in retire_secrets(client, live.id, plan):
            click.echo(f"{name}: retired secret {done.id} (created {done.created}): deleted")
        click.echo(f"{name}: kept secret {plan.keep.id} (created {plan.keep.created}), the newest")


# -- list -------------------------------------------------------------------------------------


@secret.command(name="list")
@_target_options
@format_option(["text", "json"], "text for people, json for tools.")
def list_command(
    name: str, stack: str, org_url: str, specs_dir: Path, stacks_dir: Path | None, fmt: str
) -> None:
    """Show app NAME's client secrets: id, status, creation time and age; never their values.

    Works for held apps too: it only reads. Ages over the stack's appspecs:maxSecretAgeDays
    are marked.
    """
    url = checked_org_url(org_url)
    config = load_stack(specs_dir, stacks_dir, stack)
    # Any spec will do, held or not: only its label is used, to find the app in one call.
    specs = load_readable_specs(specs_dir, stacks_dir)
    loaded = specs.apps.get(name)
    # A spec with errors is still a spec (import writes one with no owner): the marker finds
    # its app. No spec file at all is a misspelt argument, as for rotate and retire.
    if loaded is None and not (specs_dir / APPS_DIR / f"{name}.yaml").is_file():
        _no_such_app(name, specs_dir, specs.apps)
    with connect(url) as client, _org_errors():
        live = find_managed_app(client, name, loaded.spec.label if loaded else None)
        public = live.token_endpoint_auth_method not in SECRET_AUTH_METHODS
        secrets = [] if public else list_secrets(client, live.id)
    now = datetime.now(UTC)
    max_age = config.settings.max_secret_age_days
    if fmt == "json":
        click.echo(json.dumps(_list_json(name, live, secrets, now, max_age), indent=2))
    elif live.token_endpoint_auth_method == KEY_BASED:
        click.echo(_keys_text(name, live))
    elif public:
        click.echo(
            f"{name} ({live.id}): a public client (token_endpoint_auth_method "
            f"'{live.token_endpoint_auth_method or ''}'): no client secrets"
        )
    else:
        click.echo(_list_text(name, live, secrets, now, max_age))


def _keys_text(name: str, live: LiveApp) -> str:
    where = f"its key set URL {live.jwks_uri}" if live.jwks_uri else None
    count = f"{len(live.jwks)} public key{'s' if len(live.jwks) != 1 else ''}"
    lines = [f"{name} ({live.id}): no client secrets (private_key_jwt); {where or count}"]
    lines += [f"  {k.kid}  {k.kty}" for k in live.jwks]
    lines.append(f"  To {KEY_ROTATION}.")
    return "\n".join(lines)


def _too_old(age: int | None, max_age: int | None) -> bool:
    return age is not None and max_age is not None and age > max_age


def _list_text(
    name: str, live: LiveApp, secrets: list[SecretInfo], now: datetime, max_age: int | None
) -> str:
    count = f"{len(secrets)} client secret{'s' if len(secrets) != 1 else ''}"
    lines = [f"{name} ({live.id}): {count}"]
    for s in secrets:
        age = s.age_days(now)
        shown = "age unknown" if age is None else f"{age} day{'s' if age != 1 else ''} old"
        old = (
            f"  older than {max_age} days (appspecs:maxSecretAgeDays)"
            if _too_old(age, max_age)
            else ""
        )
        lines.append(f"  {s.id}  {s.status:<8}  created {s.created or '?'}  {shown}{old}")
    return "\n".join(lines)


def _list_json(
    name: str, live: LiveApp, secrets: list[SecretInfo], now: datetime, max_age: int | None
) -> dict[str, Any]:
    return {
        "app": name,
        "app_id": live.id,
        "token_endpoint_auth_method": live.token_endpoint_auth_method,
        "max_secret_age_days": max_age,
        **(
            {
                "keys": [{"kid": k.kid, "kty": k.kty} for k in live.jwks],
                "jwks_uri": live.jwks_uri,
                "key_rotation": KEY_ROTATION,
            }
            if live.token_endpoint_auth_method == KEY_BASED
            else {}
        ),
        "secrets": [
            {
                "id": s.id,
                "status": s.status,
                "created": s.created,
                "age_days": s.age_days(now),
                "too_old": _too_old(s.age_days(now), max_age),
            }
            for s in secrets
        ],
    }
