"""`appspec import`: write one spec per live OIDC app with access to the stack's auth server.

Exit codes: 0 every chosen app was written; 1 some were skipped (the spec language cannot
express them as they are), an --app/--partner named no app with access, or the scope catalog
has errors; 2 usage, I/O or Okta errors, including spec files that exist already (nothing is
written then; --force overwrites them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    fail,
    load_readable_specs,
    load_stack,
    require_catalog,
    resolve_stacks_dir,
    specs_option,
    stack_option,
    stacks_option,
)
from appspecs.cli.okta import checked_org_url, connect, org_url_option
from appspecs.live.model import LiveApp, Snapshot
from appspecs.onboard.importer import OWNER_PLACEHOLDER, ImportOptions, ImportResult, import_apps
from appspecs.onboard.selection import covered_apps, matches, read_chosen, read_org, select_apps
from appspecs.onboard.writer import conflicts, write_spec
from appspecs.report.diagnostics import printable
from appspecs.spec.load import APPS_DIR
from appspecs.stackconfig import loopback_allowed


@click.command(name="import")
@stack_option("The stack whose org and auth server to read.")
@org_url_option
@specs_option
@stacks_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write the specs to [default: apps/ in the specs folder].",
)
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar="ID_OR_LABEL",
    help="Import only this app (app id, client id or label); repeatable.",
)
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="NAME",
    help="Write this app as type: partner (spec name, app id, client id or label); repeatable.",
)
@click.option("--force", is_flag=True, help="Overwrite spec files that exist.")
def import_command(
    stack: str,
    org_url: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    out_dir: Path | None,
    apps: tuple[str, ...],
    partners: tuple[str, ...],
    force: bool,
) -> None:
    """Write a spec for each OIDC app that a policy of the stack's auth server names.

    Labels become names (slugged, made unique) unless the app carries the appspecs marker;
    type is internal unless --partner names the app; owner is left as a placeholder that
    `appspec validate` reports until a person fills it in. Apps the spec language cannot
    express as they are (a rule granting '*', an implicit grant, groups on a service app...)
    are reported and skipped, never written differently.

    Exit 0 when every chosen app was written, 1 when some were skipped, an --app/--partner
    matched nothing or the scope catalog has errors, 2 for usage, I/O or Okta errors, or spec
    files that exist (nothing is written then; --force overwrites).
    """
    url = checked_org_url(org_url)
    config = load_stack(specs_dir, stacks_dir, stack)
    # Imported specs are checked against the catalog; other specs' errors do not matter here.
    specs = load_readable_specs(specs_dir, stacks_dir)
    catalog = require_catalog(specs)
    out = out_dir if out_dir is not None else specs_dir / APPS_DIR
    if not out.is_dir():
        fail(f"--out {out} is not a folder")
    # A stack that cannot be read has already stopped the command, as an I/O error of the specs.
    allowed, _ = loopback_allowed(resolve_stacks_dir(specs_dir, stacks_dir))
    options = ImportOptions(
        stack=stack,
        catalog=catalog,
        specs_root=specs_dir,
        loopback_allowed=allowed,
        partners=frozenset(partners),
    )
    with connect(url) as client:
        snap = read_org(client, config)
        _stop_on_failed_reads(snap)
        if snap.auth_server is None:
            fail(
                f"no authorization server with {snap.server_lookup} in {url}: nothing has access "
                "to import",
                exits.FAILED,
            )
        chosen, unmatched = select_apps(covered_apps(snap), apps)
        # Without --app, apps that already have a spec (their marker names one) are managed here:
        # importing them again would only collide with their files.
        managed = [] if apps else [a for a in chosen if _has_spec(a, out, set(specs.apps))]
        chosen = [a for a in chosen if a not in managed]
        read_chosen(client, snap, chosen)
        _stop_on_failed_reads(snap)
    result = import_apps(snap, chosen, options)
    click.echo(_report(result, unmatched, snap, managed))
    existing = conflicts(out, result.imported)
    if existing and not force:
        shown = ", ".join(str(p) for p in existing)
        fail(
            f"{shown} exist{'s' if len(existing) == 1 else ''}; nothing was written (--force overwrites)"
        )
    written = _write(out, result, stack, force=force)
    click.echo(_summary(result, written))
    failed = result.skipped or unmatched or result.unmatched_partners
    raise SystemExit(exits.FAILED if failed else exits.OK)


def _stop_on_failed_reads(snap: Snapshot) -> None:
    if snap.failed:
        first = snap.failed[0]
        more = f" (and {len(snap.failed) - 1} more reads)" if len(snap.failed) > 1 else ""
        fail(f"could not read {first.what}: {first.error}{more}; nothing was written")


def _write(out: Path, result: ImportResult, stack: str, *, force: bool) -> list[Path]:
    written: list[Path] = []
    for spec in result.imported:
        try:
            written.append(write_spec(out, spec, stack, force=force))
        except OSError as exc:
            done = (
                f" ({len(written)} written before: {', '.join(map(str, written))})"
                if written
                else ""
            )
            fail(f"cannot write {out / (spec.name + '.yaml')}: {exc.strerror or exc}{done}")
    return written


def _describe(app: LiveApp) -> str:
    return printable(app.describe())


def _has_spec(app: LiveApp, out: Path, specs: set[str]) -> bool:
    """The marker names a spec of the specs folder, or a file in --out (a folder elsewhere)."""
    if app.marker is None:
        return False
    return app.marker.name in specs or (out / f"{app.marker.name}.yaml").exists()


def _report(
    result: ImportResult, unmatched: Sequence[str], snap: Snapshot, managed: Sequence[LiveApp]
) -> str:
    lines: list[str] = []
    if managed:
        names = ", ".join(sorted(a.marker.name for a in managed if a.marker))
        lines.append(f"already managed (their specs exist, name them with --app to redo): {names}")
    for spec in result.imported:
        lines.append(f"import {_describe(spec.app)} as {spec.name}")
        lines += [f"  note: {printable(n)}" for n in spec.notes]
    for skipped in result.skipped:
        lines.append(
            f"skipped {_describe(skipped.app)}: no spec can express it as it is (it would be "
            f"named {skipped.name})"
        )
        lines += [f"  - {printable(p)}" for p in skipped.problems]
    for wanted in unmatched:
        why = (
            "no policy of the authorization server names its client id"
            if any(matches(a, wanted) for a in snap.apps or ())
            else "no OIDC app has this id, client id or label"
        )
        lines.append(f"not found: --app {printable(wanted)}: {why}")
    for partner in result.unmatched_partners:
        lines.append(
            f"not found: --partner {printable(partner)}: no app being imported has this name"
        )
    lines += [f"note: {printable(n)}" for n in result.notes]
    return "\n".join(lines) if lines else "no app has access to the authorization server"


def _summary(result: ImportResult, written: Sequence[Path]) -> str:
    parts = [f"{len(written)} spec{'s' if len(written) != 1 else ''} written"]
    if written:
        parts[0] += f" to {written[0].parent}"
    if result.skipped:
        parts.append(f"{len(result.skipped)} app{'s' if len(result.skipped) != 1 else ''} skipped")
    text = ", ".join(parts) + "."
    if written:
        text += (
            f" Each has owner: {OWNER_PLACEHOLDER}, which `appspec validate` reports until a "
            "person sets the email of the app's owner."
        )
    return text
