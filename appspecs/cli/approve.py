"""`appspec approve`: record a partner app's approval, bound to its digest and signed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from pydantic import ValidationError

from appspecs.cli import exits
from appspecs.cli.common import (
    echo,
    fail,
    reporting_done,
    say,
    specs_option,
    stacks_option,
)
from appspecs.cli.inputs import load_readable_specs, require_catalog
from appspecs.report.diagnostics import diagnostic_line
from appspecs.spec.approvals import (
    Approval,
    ApprovalsChanged,
    approvals_as_read,
    rewrite_approvals,
)
from appspecs.spec.errors import findings_from_validation
from appspecs.spec.load import APPROVALS_FILE, APPS_DIR
from appspecs.spec.signatures import NotCounted, SigningError, signed_approval
from appspecs.spec.signers import SIGNERS_FILE
from appspecs.spec.versions import stored_version


@click.command(
    epilog=exits.codes_help(
        "when the approval is recorded",
        "when the scope catalog, approvals.yaml or NAME's spec has errors, NAME is an internal "
        "app, or the signature would not count (the key is not one allowed_signers lists for "
        "--by)",
        "for usage or I/O problems: no app NAME, a bad --by or --ticket, a key that cannot "
        "sign, approvals.yaml not written",
    )
)
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
    path = specs_dir / APPROVALS_FILE
    # read before the specs are: what is rewritten below must be what they were loaded from
    as_read = approvals_as_read(path)
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
    # the lines alone, as require_catalog prints them: a summary would count the apps checked
    # and only these errors, as if they were every error of the project
    if broken:
        echo("\n".join(map(diagnostic_line, broken)))
        fail(f"{approvals_file} has errors; fix them before approving", exits.FAILED)
    loaded = specs.apps.get(name)
    if loaded is None:
        # the errors of that very file: a NAME such as '../apps/x' names a file but no app
        shown = str(specs_dir / APPS_DIR / f"{name}.yaml")
        errors = [d for d in specs.diagnostics if d.is_error and d.file == shown]
        if errors:
            echo("\n".join(map(diagnostic_line, errors)))
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
        say(f"note: {note}")
    kept = [*specs.approvals.values(), *specs.unverified.values()]
    others = [a for a in kept if a.app != name]
    before = specs.approvals.get(name) or specs.unverified.get(name)
    try:
        rewrite_approvals(path, [*others, approval], as_read)
    except ApprovalsChanged:
        fail(
            f"{path} changed while this approval was made (another appspec approve?); "
            "nothing written: run the command again"
        )
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    signed = "" if approval.signature is None else ", signed"
    report = f"approved {name} at {loaded.digest} by {approved_by} ({ticket}{signed}) in {path}"
    if before is not None:
        # an auditor reads approvals.yaml's history in git; the approver is told here
        of = "the same spec" if before.digest == loaded.digest else "an earlier version"
        report += (
            f"\nit replaces the approval by {before.approved_by} ({before.ticket}, "
            f"{before.approved_at}) of {of}"
        )
    with reporting_done(report):
        echo(report)
