"""`appspec audit`: compare a stack's desired state with the live Okta org.

Exit 0 in sync, 1 drift found, 2 usage or I/O error, or an incomplete audit: any read that
failed after retries. An incomplete audit still writes its (partial) report, then says on
stderr, in one line, what could not be read; it never exits 0.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from appspecs.audit.compare import AuditOptions
from appspecs.audit.run import AuditResult, run_audit
from appspecs.cli import exits
from appspecs.cli.audit_progress import ProgressLine
from appspecs.cli.common import (
    failures_reported,
    format_option,
    given_flags,
    given_inputs,
    out_file_option,
    refuse_out_over_inputs,
    resolve_stacks_dir,
    say,
    specs_option,
    stack_option,
    stacks_option,
    write_output,
)
from appspecs.cli.inputs import load_stack, load_valid_specs
from appspecs.cli.okta import checked_org_url, connect, org_url_option
from appspecs.desired.render import render
from appspecs.report.audit import FORMATS, counts_text, incomplete_message
from appspecs.report.audit import render as render_report
from appspecs.report.refused import Refusal, failure_report, not_made
from appspecs.report.rerun import NO_FLAGS, Rerun
from appspecs.spec.specset import SpecSet
from appspecs.stackconfig import StackConfig


@click.command(
    epilog=exits.codes_help(
        "in sync",
        "drift found",
        "usage, I/O or Okta errors, or an incomplete audit (the report is then marked partial)",
    )
)
@stack_option("The stack to audit (stacks/Pulumi.<stack>.yaml).")
@org_url_option
@specs_option
@stacks_option
@format_option(FORMATS, "text for people, json for tools, markdown for a ticket.")
@out_file_option("Write the report to this file instead of printing it.")
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
    okta.authorizationServers.read)."""
    # before any report is owed to --out: a failure's would replace the file too
    refuse_out_over_inputs(out, folders=(specs_dir, resolve_stacks_dir(specs_dir, stacks_dir)))
    with failures_reported(
        failure_report("audit", "audited", stack, fmt, to_file=out is not None), out
    ):
        url = checked_org_url(org_url)
        # the org as the report names it (checked, normalised), when the command line gave it
        org = ("--org-url", url) if given_flags("org_url") else ()
        rerun = dataclasses.replace(given_inputs(), more=org)
        config, specs = specs_to_audit(specs_dir, stacks_dir, stack, fmt, out, rerun)
        desired = render(specs, config)
        options = AuditOptions(max_secret_age_days=config.settings.max_secret_age_days)
        progress = ProgressLine.for_stream(sys.stderr)
        with connect(url, on_response=progress.tick if progress else None) as client:
            try:
                stage = progress.stage if progress else None
                result = run_audit(client, desired, options, stage, specs.warnings)
            finally:
                if progress:
                    progress.clear()
        write_output(render_report(result, fmt, rerun), out)
    raise SystemExit(finish(result, out))


def specs_to_audit(
    specs_dir: Path,
    stacks_dir: Path | None,
    stack: str,
    fmt: str,
    out: Path | None,
    rerun: Rerun = NO_FLAGS,
) -> tuple[StackConfig, SpecSet]:
    """The stack's settings and its valid specs; nothing is read from Okta when they are wrong."""
    config = load_stack(specs_dir, stacks_dir, stack)
    then = "nothing to audit against"
    refusal = Refusal("audit", "audited", config.name, not_made(then), rerun)
    specs = load_valid_specs(specs_dir, stacks_dir, then=then, refusal=refusal, fmt=fmt, out=out)
    return config, specs


def finish(result: AuditResult, out: Path | None) -> int:
    """The exit code, with a line on stderr when the report went to a file or is partial."""
    if not result.complete:
        say(incomplete_message(result.failed))
        return exits.USAGE
    if out is not None:
        say(f"audit of stack {result.stack}: {counts_text(result)}")
    return exits.OK if result.in_sync else exits.FAILED
