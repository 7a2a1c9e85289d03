"""`appspec secret rotate|retire|list`: zero-downtime client secret rotation for declared apps.

Exit codes: each command's --help says them (exits.codes_help).
Secret values appear only in the --out file, or on stdout with --reveal; everything else shows
secret ids and creation times.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    echo,
    echo_err,
    fail,
    failures_reported,
    format_option,
    given_inputs,
    out_file_option,
    reporting_done,
    specs_option,
    stack_option,
    stacks_option,
    write_stdout,
)
from appspecs.cli.inputs import load_readable_specs, load_stack, load_valid_specs
from appspecs.cli.okta import checked_org_url, connect, okta_errors, org_url_option
from appspecs.cli.optionvalues import CheckedGroup
from appspecs.desired.model import DesiredApp
from appspecs.desired.render import render
from appspecs.live.locate import AppNotFound
from appspecs.onboard.rotation import (
    RotationFailed,
    UnknownApp,
    declared_app,
    listed_label,
    never_approved,
    read_listing,
    require_new_file,
    retire_secrets_of,
    rotate_secret,
)
from appspecs.onboard.secrets import SecretRefused
from appspecs.report.refused import failure_report
from appspecs.report.secrets import FORMATS, render_listing, retired_text, rotated_text

F = TypeVar("F", bound=Callable[..., Any])

# The usage and I/O errors every secret command has, for their exit codes' help.
_OKTA_ERRORS = (
    "for an unknown NAME, usage, I/O or Okta errors (bad org URL or credentials, Okta "
    "unreachable or refusing)"
)


def _target_options(func: F) -> F:
    func = stacks_option(func)
    func = specs_option(func)
    func = org_url_option(func)
    func = stack_option("The stack whose specs declare the app.")(func)
    return click.argument("name")(func)


@click.group(
    cls=CheckedGroup,
    epilog=exits.codes_help(
        "done",
        "the app or the org is not as the step needs (held, not in this stack, a public or "
        "key-based client, not in the org, two secrets already, only one to retire)",
        _OKTA_ERRORS + ", or an existing --out file",
    ),
)
def secret() -> None:
    """Rotate an app's OAuth client secret without downtime: rotate, switch consumers, retire."""


@contextlib.contextmanager
def _outcome(*, write: bool = False) -> Iterator[None]:
    """The stage's errors as one line: the app or the org not as the step needs exits 1; a
    misspelt NAME, a secret not delivered and Okta's own errors are usage or I/O problems (2).
    ``write``: the step changes the app's secrets."""
    with okta_errors(write=write):
        try:
            yield
        except (SecretRefused, AppNotFound) as exc:
            fail(str(exc), exits.FAILED)
        except (UnknownApp, RotationFailed) as exc:
            fail(str(exc))


def _declared(specs_dir: Path, stacks_dir: Path | None, stack: str, name: str) -> DesiredApp:
    """The app as the stack declares it, before any call to Okta."""
    config = load_stack(specs_dir, stacks_dir, stack)
    specs = load_valid_specs(specs_dir, stacks_dir, then="fix them before touching secrets")
    return declared_app(render(specs, config), name, specs_dir)


@secret.command(
    epilog=exits.codes_help(
        "when the new secret is made and delivered",
        "when the app is held, not in this stack, a public or key-based client, not in the "
        "org, or has two secrets already",
        _OKTA_ERRORS + ", or an existing --out file (a secret nobody can read is never left "
        "behind)",
    )
)
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
    """
    if out is None and not reveal:
        fail("say where the new secret goes: --out FILE (mode 0600), or --reveal for stdout")
    if out is not None and reveal:
        # One place for a secret: the file was asked for so that it stays off the terminal.
        fail("give --out FILE or --reveal, not both")
    with _outcome(write=True):
        if out is not None:
            require_new_file(out)
        url = checked_org_url(org_url)
        app = _declared(specs_dir, stacks_dir, stack, name)
        with connect(url, write=True) as client:
            # stdout carries the secret alone, so `$(appspec secret rotate ... --reveal)` works.
            # a stdout that cannot take it (closed, full) has the secret removed from Okta again
            rotation = rotate_secret(client, app, out, show=write_stdout if reveal else None)
            report = rotated_text(name, rotation, out)
            if reveal:
                echo_err(report)
            else:
                with reporting_done(report):
                    echo(report)


@secret.command(
    epilog=exits.codes_help(
        "when only the newest secret is left",
        "refused: the app has only one secret, the newest is inactive, or the app is held, not "
        "in this stack, a public or key-based client, or not in the org",
        _OKTA_ERRORS,
    )
)
@_target_options
def retire(name: str, stack: str, org_url: str, specs_dir: Path, stacks_dir: Path | None) -> None:
    """Deactivate and delete every client secret of app NAME but the newest."""
    with _outcome(write=True):
        url = checked_org_url(org_url)
        app = _declared(specs_dir, stacks_dir, stack, name)
        with connect(url, write=True) as client:
            report = retired_text(name, retire_secrets_of(client, app))
            with reporting_done(report):
                echo(report)


@secret.command(
    name="list",
    epilog=exits.codes_help(
        "when listed",
        "when the app is not in the org (no live app carries its marker, or more than one does)",
        _OKTA_ERRORS,
    ),
)
@_target_options
@format_option(FORMATS, "text for people, json for tools.")
def list_command(
    name: str, stack: str, org_url: str, specs_dir: Path, stacks_dir: Path | None, fmt: str
) -> None:
    """Show app NAME's client secrets: id, status, creation time and age; never their values.

    Works for held apps too: it only reads. Ages over the stack's appspecs:maxSecretAgeDays
    are marked.
    """
    with (
        failures_reported(
            failure_report("secret list", "listed", stack, fmt, to_file=False, listing=True)
        ),
        _outcome(),
    ):
        url = checked_org_url(org_url)
        config = load_stack(specs_dir, stacks_dir, stack)
        specs = load_readable_specs(specs_dir, stacks_dir)
        label = listed_label(specs, name, specs_dir)
        with connect(url) as client:
            # the approve command it may name reads the folders this command was given
            named = given_inputs()
            why_absent = never_approved(specs, name, lambda words: named.command(*words))
            listing = read_listing(client, name, label, why_absent=why_absent)
    now = datetime.now(UTC)
    echo(render_listing(listing, fmt, now, config.settings.max_secret_age_days))
