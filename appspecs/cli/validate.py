"""`appspec validate`, `appspec approve` and `appspec schema`: the spec language's commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
from pydantic import ValidationError

from appspecs.cli import exits
from appspecs.cli.common import (
    fail,
    format_option,
    jobs_option,
    load_checked,
    load_readable_specs,
    out_file_option,
    outside_project,
    repository_path,
    require_catalog,
    specs_option,
    stacks_option,
    write_output,
)
from appspecs.report.diagnostics import github_report, json_report, text_report
from appspecs.spec.approvals import Approval, write_approvals
from appspecs.spec.errors import findings_from_validation
from appspecs.spec.load import APPROVALS_FILE, APPS_DIR, SpecsDirError, load_specs
from appspecs.spec.schema import SCHEMAS, schema_text
from appspecs.spec.signatures import NotCounted, SigningError, signed_approval
from appspecs.spec.signers import SIGNERS_FILE
from appspecs.spec.versions import stored_version


@click.command()
@specs_option
@stacks_option
@format_option(
    ["text", "json", "github"], "text for people, json for tools, github for workflow annotations."
)
@jobs_option
def validate(specs_dir: Path, stacks_dir: Path | None, fmt: str, jobs: int | None) -> None:
    """Check the scope catalog, every app spec and the approvals.

    Exit 0 when there is no error (warnings and held apps allowed), 1 when there is one,
    2 for usage or I/O problems.
    """

    def usage_error(message: str) -> NoReturn:
        # Tools reading stdout get their one report even then (exit 2, with the problem).
        if fmt == "json":
            click.echo(json_report([], 0, [], False, [message]))
        elif fmt == "github":
            click.echo(github_report([], [message]))
        fail(message)

    specs = load_checked(
        specs_dir, stacks_dir, note_unchecked=True, usage_error=usage_error, jobs=jobs
    )
    if fmt == "json":
        click.echo(
            json_report(specs.diagnostics, specs.files, specs.held, specs.ok, specs.io_errors)
        )
    elif fmt == "github":
        report = github_report(specs.diagnostics, specs.io_errors, repository_path)
        if report:
            click.echo(report)
    else:
        click.echo(text_report(specs.diagnostics, specs.files, specs.held))
    if specs.io_errors:
        raise SystemExit(exits.USAGE)
    raise SystemExit(exits.OK if specs.ok else exits.FAILED)


@click.command()
@click.argument("name")
@click.option("--by", "approved_by", required=True, help="Email of the approver.")
@click.option("--ticket", required=True, help="The review ticket, e.g. SEC-1042.")
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The approver's SSH key to sign the approval with, as ssh-keygen -Y sign -f takes it: "
    "a private key file, or a public key whose private half is in ssh-agent. Required when "
    f"the specs folder has {SIGNERS_FILE}.",
)
@specs_option
@stacks_option
def approve(
    name: str,
    approved_by: str,
    ticket: str,
    key: Path | None,
    specs_dir: Path,
    stacks_dir: Path | None,
) -> None:
    """Record an approval of partner app NAME, bound to its spec's current digest and signed
    with the approver's SSH key."""
    specs = load_readable_specs(specs_dir, stacks_dir)
    require_catalog(specs)
    # The file is rewritten from what was read of it: with errors in it, the approvals that
    # could not be read would be dropped without a word (and their apps deleted from Okta).
    # An approval whose signature does not hold is read, and rewritten as it is.
    approvals_file = str(specs_dir / APPROVALS_FILE)
    broken = [
        d
        for d in specs.diagnostics
        if d.is_error and d.file == approvals_file and d.code != "signature"
    ]
    if broken:
        click.echo(text_report(broken, specs.files, []))
        fail(f"{approvals_file} has errors; fix them before approving", exits.FAILED)
    loaded = specs.apps.get(name)
    if loaded is None:
        # the errors of that very file: a NAME such as '../apps/x' names a file but no app
        shown = str(specs_dir / APPS_DIR / f"{name}.yaml")
        errors = [d for d in specs.diagnostics if d.is_error and d.file == shown]
        if errors:
            click.echo(text_report(errors, specs.files, []))
            fail(f"'{name}' has errors; fix them before approving", exits.FAILED)
        partners = sorted(n for n, s in specs.apps.items() if s.spec.type == "partner")
        fail(f"no app named '{name}'; partner apps: {', '.join(partners) or 'none'}")
    if loaded.spec.type != "partner":
        fail(f"'{name}' is an internal app; only partner apps need approval", exits.FAILED)
    try:
        approval = Approval(
            app=name,
            digest=loaded.digest,
            approved_by=approved_by,
            ticket=ticket,
            approved_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            spec=stored_version(loaded.spec, loaded.logo_sha256),
        )
    except ValidationError as exc:
        # the same words validate uses for a bad value in approvals.yaml
        first = findings_from_validation(exc, Approval, {})[0]
        fail(f"--{str(first.path[0]).replace('approved_', '')}: {first.message}")
    try:
        approval, note = signed_approval(approval, key, specs.signers, specs_dir / SIGNERS_FILE)
    except SigningError as exc:
        fail(str(exc))
    except NotCounted as exc:
        fail(str(exc), exits.FAILED)
    if note is not None:
        click.echo(f"appspec: note: {note}", err=True)
    kept = [*specs.approvals.values(), *specs.unverified.values()]
    others = [a for a in kept if a.app != name]
    path = specs_dir / APPROVALS_FILE
    try:
        write_approvals(path, [*others, approval])
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    signed = "" if approval.signature is None else ", signed"
    click.echo(f"approved {name} at {loaded.digest} by {approved_by} ({ticket}{signed}) in {path}")


@click.command()
@specs_option
@click.option(
    "--of",
    "of",
    type=click.Choice(list(SCHEMAS)),
    default="app-spec",
    show_default=True,
    help="app-spec: an app spec (app-spec.schema.json; partner: one of partners.yaml's ids); "
    "partners: the partner registry (partners.schema.json); approvals: approvals.yaml "
    "(approvals.schema.json).",
)
@out_file_option("Write the schema to this file instead of printing it.")
def schema(specs_dir: Path, of: str, out: Path | None) -> None:
    """Print the JSON Schema of an app spec (or of partners.yaml, or approvals.yaml), with the
    catalog's scopes and the registry's partner ids as enums."""
    # The schema is the catalog's and the partner registry's alone: no stack file (nor a broken
    # one) has a say in it.
    try:
        specs = load_specs(specs_dir, stacks_dir=None)
    except SpecsDirError as exc:
        fail(outside_project(str(exc), specs_dir))
    for problem in specs.io_errors:
        click.echo(f"appspec: {problem}", err=True)
    if specs.io_errors:
        raise SystemExit(exits.USAGE)
    write_output(schema_text(require_catalog(specs), of, specs.partners), out)
