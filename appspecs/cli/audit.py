"""`appspec audit`: compare a stack's desired state with the live Okta org.

Exit 0 in sync, 1 drift found, 2 usage or I/O error, or an incomplete audit: any read that
failed after retries. An incomplete audit still writes its (partial) report, then says on
stderr, in one line, what could not be read; it never exits 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from appspecs.audit.compare import AuditOptions
from appspecs.audit.run import AuditResult, run_audit
from appspecs.cli import exits
from appspecs.cli.audit_progress import ProgressLine
from appspecs.cli.common import (
    fail,
    load_stack,
    load_valid_specs,
    specs_option,
    stacks_option,
    write_output,
)
from appspecs.desired.model import DesiredState
from appspecs.desired.render import render
from appspecs.okta import (
    CredentialsError,
    OktaClient,
    OrgUrlError,
    credentials_from_env,
    normalize_org_url,
)
from appspecs.report.audit import FORMATS, counts_text, incomplete_message
from appspecs.report.audit import render as render_report
from appspecs.stackconfig import StackConfig

ENV_ORG_URL = "OKTA_ORG_URL"
# Not flags: tuning for tests and unusual orgs, kept out of --help.
ENV_MAX_RETRIES = "APPSPECS_OKTA_MAX_RETRIES"
ENV_RETRY_BUDGET = "APPSPECS_OKTA_RETRY_BUDGET"
ENV_TIMEOUT = "APPSPECS_OKTA_TIMEOUT"
ENV_CONCURRENCY = "APPSPECS_OKTA_CONCURRENCY"


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How hard the client tries before a read counts as failed."""

    max_retries: int = 6
    retry_budget_seconds: float = 120.0
    timeout: float = 30.0
    concurrency: int = 8


def client_settings(env: Mapping[str, str]) -> ClientSettings:
    """Read the tuning variables; a malformed one is a usage error, not a silent default."""
    base = ClientSettings()

    def number(name: str, default: float, kind: type[int] | type[float]) -> float:
        raw = env.get(name, "").strip()
        if not raw:
            return default
        try:
            value = kind(raw)
        except ValueError:
            fail(f"{name} must be a number, not {raw!r}")
        if value < 0:
            fail(f"{name} must not be negative")
        return value

    return ClientSettings(
        max_retries=int(number(ENV_MAX_RETRIES, base.max_retries, int)),
        retry_budget_seconds=number(ENV_RETRY_BUDGET, base.retry_budget_seconds, float),
        timeout=number(ENV_TIMEOUT, base.timeout, float) or base.timeout,
        concurrency=max(1, int(number(ENV_CONCURRENCY, base.concurrency, int))),
    )


@click.command()
@click.option("--stack", required=True, help="The stack to audit (stacks/Pulumi.<stack>.yaml).")
@click.option(
    "--org-url",
    envvar=ENV_ORG_URL,
    required=True,
    help=f"The Okta org, https://<org>.okta.com [env {ENV_ORG_URL}].",
)
@specs_option
@stacks_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, markdown for a ticket.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file instead of printing it.",
)
def audit(
    stack: str,
    org_url: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Compare a stack's desired state with the live Okta org and report the drift.

    Credentials come from the environment: OKTA_API_TOKEN, or OKTA_CLIENT_ID and
    OKTA_PRIVATE_KEY (a service app with okta.apps.read, okta.groups.read and
    okta.authorizationServers.read). Exit 0 in sync, 1 drift found, 2 error or an
    incomplete audit (the report is then marked partial).
    """
    try:
        url = normalize_org_url(org_url)
    except OrgUrlError as exc:
        fail(str(exc))
    stack_config, desired = load_desired(specs_dir, stacks_dir, stack)
    try:
        credentials = credentials_from_env(os.environ, url)
    except CredentialsError as exc:
        fail(str(exc))
    settings = client_settings(os.environ)
    options = AuditOptions(max_secret_age_days=stack_config.settings.max_secret_age_days)
    progress = ProgressLine.for_stream(sys.stderr)
    with OktaClient(
        url,
        credentials,
        concurrency=settings.concurrency,
        max_retries=settings.max_retries,
        retry_budget_seconds=settings.retry_budget_seconds,
        timeout=settings.timeout,
        on_response=progress.tick if progress else None,
    ) as client:
        try:
            result = run_audit(client, desired, options, progress.stage if progress else None)
        finally:
            if progress:
                progress.clear()
    write_output(render_report(result, fmt), out)
    raise SystemExit(finish(result, out))


def load_desired(
    specs_dir: Path, stacks_dir: Path | None, stack: str
) -> tuple[StackConfig, DesiredState]:
    """The stack's settings and desired state; nothing is read from Okta when they are wrong."""
    config = load_stack(specs_dir, stacks_dir, stack)
    specs = load_valid_specs(specs_dir, stacks_dir, then="nothing to audit against")
    return config, render(specs, config)


def finish(result: AuditResult, out: Path | None) -> int:
    """The exit code, with a line on stderr when the report went to a file or is partial."""
    if not result.complete:
        click.echo(f"appspec: {incomplete_message(result.failed)}", err=True)
        return exits.USAGE
    if out is not None:
        click.echo(f"appspec: audit of stack {result.stack}: {counts_text(result)}", err=True)
    return exits.OK if result.in_sync else exits.FAILED
