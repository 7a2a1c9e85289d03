"""`appspec import`: write one spec per live OIDC app with access to the stack's auth server,
and the Pulumi import file that makes the stack adopt those apps instead of creating twins.

Exit codes: 0 every chosen app was written; 1 some were skipped (the spec language cannot
express them as they are), an --app/--partner named no app with access, or the scope catalog
has errors; 2 usage, I/O or Okta errors, including spec files or an import file that exist
already (nothing is written then; --force overwrites them).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

import click

from appspecs.audit.compare_server import server_findings
from appspecs.cli import exits
from appspecs.cli.common import (
    PathArg,
    fail,
    folder_problem,
    load_readable_specs,
    load_stack,
    require_catalog,
    resolve_stacks_dir,
    specs_option,
    stack_option,
    stacks_option,
)
from appspecs.cli.okta import checked_org_url, connect, org_url_option
from appspecs.desired.model import DesiredAuthServer
from appspecs.desired.render import render_auth_server
from appspecs.inputfile import Unreadable
from appspecs.live.model import LiveApp, Snapshot
from appspecs.onboard.adoption import Adoptee
from appspecs.onboard.importer import OWNER_PLACEHOLDER, ImportOptions, ImportResult, import_apps
from appspecs.onboard.importfile import (
    adoptees,
    default_path,
    import_document,
    provider_version,
    write_import_file,
)
from appspecs.onboard.selection import covered_apps, matches, read_chosen, read_org, select_apps
from appspecs.onboard.writer import conflicts, existing_specs, write_spec
from appspecs.spec.load import APPS_DIR
from appspecs.stackconfig import loopback_allowed
from appspecs.text import printable


def _app_names(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """Refuse a value that can name no app: blank, or holding a control character (no id, client
    id, label or spec name has one)."""
    for wanted in value:
        if not wanted.strip() or not wanted.isprintable():
            raise click.BadParameter(
                f"{printable(repr(wanted))} names no app; give an app id (0oa...), a client id, "
                "the app's label, or a spec name",
                ctx,
                param,
            )
    return value


@click.command(name="import")
@stack_option("The stack whose org and auth server to read.")
@org_url_option
@specs_option
@stacks_option
@click.option(
    "--out",
    "out_dir",
    type=PathArg(file_okay=False),
    default=None,
    help="Folder to write the specs to [default: apps/ in the specs folder].",
)
@click.option(
    "--app",
    "apps",
    multiple=True,
    metavar="APP",
    callback=_app_names,
    help="Import only this app: its app id, client id, label, or the spec name its appspecs "
    "marker carries; repeatable.",
)
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="APP",
    callback=_app_names,
    help="Write this app as type: partner (spec name, app id, client id or label); repeatable.",
)
@click.option(
    "--import-file",
    "import_file",
    type=PathArg(dir_okay=False),
    default=None,
    help="Where to write the Pulumi import file [default: pulumi-import.<stack>.json in the "
    "project folder, the stacks folder's parent].",
)
@click.option(
    "--with-server",
    is_flag=True,
    help="Adopt the authorization server and its existing catalog scopes too (a stack whose "
    "state does not hold them yet).",
)
@click.option("--force", is_flag=True, help="Overwrite spec files and an import file that exist.")
def import_command(
    stack: str,
    org_url: str,
    specs_dir: Path,
    stacks_dir: Path | None,
    out_dir: Path | None,
    apps: tuple[str, ...],
    partners: tuple[str, ...],
    import_file: Path | None,
    with_server: bool,
    force: bool,
) -> None:
    """Write a spec for each OIDC app that a policy of the stack's auth server names, and a
    Pulumi import file so that deploying the specs adopts those apps rather than adding twins.

    Labels become names (slugged, made unique, never a name another spec has) unless the app
    carries the appspecs marker or a spec was imported from it before; type is internal unless
    --partner names the app; owner is left as a placeholder that `appspec validate` reports
    until a person fills it in. Apps the spec language cannot express as they are (a rule
    granting '*', an implicit grant, groups on a service app...) are reported and skipped,
    never written differently.

    The import file names, per app, its component and the live app, policy, rule and group
    assignments by id (`pulumi import --file`); --with-server adds the authorization server
    and the catalog scopes it has. The next steps are printed.

    Exit 0 when every chosen app was written, 1 when some were skipped, an --app/--partner
    matched nothing or the scope catalog has errors, 2 for usage, I/O or Okta errors, or spec
    or import files that exist (nothing is written then; --force overwrites).
    """
    url = checked_org_url(org_url)
    config = load_stack(specs_dir, stacks_dir, stack)
    # Imported specs are checked against the catalog; other specs' errors do not matter here.
    specs = load_readable_specs(specs_dir, stacks_dir)
    catalog = require_catalog(specs)
    out = out_dir if out_dir is not None else specs_dir / APPS_DIR
    if (problem := folder_problem(out)) is not None:
        fail(f"--out: {problem}")
    stacks = resolve_stacks_dir(specs_dir, stacks_dir)
    project = _project_dir(stacks)
    target = import_file if import_file is not None else default_path(project, stack)
    if (problem := folder_problem(target.parent)) is not None:
        what = "--import-file" if import_file is not None else "the import file"
        fail(f"{what} {target}: {problem}")
    # A stack that cannot be read has already stopped the command, as an I/O error of the specs.
    allowed, _ = loopback_allowed(stacks)
    taken, earlier = _existing_names(out, specs_dir / APPS_DIR, set(specs.apps))
    options = ImportOptions(
        stack=stack,
        catalog=catalog,
        specs_root=specs_dir,
        loopback_allowed=allowed,
        partners=frozenset(partners),
        taken_names=frozenset(taken),
        earlier_imports=earlier,
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
    if unmatched or result.unmatched_partners:
        # A misspelt --partner would import a partner app as internal (deployed without an
        # approval): nothing is written until every name given matches.
        fail("nothing was written: an --app or --partner above names no app being imported")
    server = render_auth_server(catalog, config) if with_server else None
    adopted = adoptees(result.imported, snap, server)
    if server is not None:
        _warn_server_changes(server, snap)
    existing = conflicts(out, result.imported)
    if adopted and (target.exists() or target.is_symlink()):
        existing.append(target)
    if existing and not force:
        shown = ", ".join(printable(str(p)) for p in existing)
        fail(
            f"{shown} exist{'s' if len(existing) == 1 else ''}; nothing was written (--force overwrites)"
        )
    written = _write(out, result, stack, force=force)
    click.echo(_summary(result, written))
    if adopted:
        _write_import_file(target, adopted, written, force=force)
        click.echo(_next_steps(target, project, stack, result, adopted, with_server=with_server))
    raise SystemExit(exits.FAILED if result.skipped else exits.OK)


def _warn_server_changes(server: DesiredAuthServer, snap: Snapshot) -> None:
    """What the first `pulumi up` would change on the adopted server and its scopes, in the
    audit's words: a new audience, say, makes every API that checks `aud` refuse the tokens."""
    for found in server_findings(server, snap):
        if found.code in ("auth-server-changed", "scope-changed"):
            click.echo(
                f"appspec: warning: the first pulumi up changes the adopted server: "
                f"{printable(found.message)}; set appspecs:authServer to match, or expect it",
                err=True,
            )


def _project_dir(stacks: Path) -> Path:
    """The Pulumi project folder (``Pulumi.yaml``, ``stackConfigDir: stacks``): the stacks
    folder's parent."""
    # `--stacks .`: Path('.').parent is '.' itself, not the folder above it.
    return stacks / ".." if stacks.name in ("", ".", "..") else stacks.parent


def _existing_names(out: Path, apps_dir: Path, loaded: set[str]) -> tuple[set[str], dict[str, str]]:
    """Names of every spec where specs are written and in the specs folder; and, by app id,
    the name of a spec file an earlier import wrote for that app."""
    taken = set(loaded)
    earlier: dict[str, str] = {}
    # The folder written to last, so its files win over the specs folder's.
    for folder in (apps_dir, out):
        try:
            found = existing_specs(folder)
        except Unreadable as exc:
            fail(str(exc))
        taken |= found.keys()
        earlier |= {app_id: name for name, app_id in found.items() if app_id is not None}
    return taken, earlier


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


def _write_import_file(
    target: Path, adopted: Sequence[Adoptee], written: Sequence[Path], *, force: bool
) -> None:
    try:
        write_import_file(target, import_document(adopted, provider_version()), force=force)
    except OSError as exc:
        done = f" (the {len(written)} spec{'s' if len(written) != 1 else ''} were written)"
        fail(f"cannot write {printable(str(target))}: {exc.strerror or exc}{done}")


def _next_steps(
    target: Path,
    project: Path,
    stack: str,
    result: ImportResult,
    adopted: Sequence[Adoptee],
    *,
    with_server: bool,
) -> str:
    """What a person does next, in order: the import file is only the middle step."""
    # `pulumi import` runs in the project folder: the file as seen from there.
    relative = target if target.is_absolute() else Path(os.path.relpath(target, project))
    command = shlex.join(
        ["pulumi", "import", "--file", str(relative), "--stack", stack, "--generate-code=false"]
    )
    where = "here" if project.resolve() == Path.cwd() else printable(str(project))
    objects = sum(not a.component for a in adopted)
    partners = [s.name for s in result.imported if s.data.get("type") == "partner"]
    approve = (
        f" Set the partner of {', '.join(partners)} (its id in partners.yaml) and approve "
        f"{'them' if len(partners) > 1 else 'it'} with `appspec approve`: a partner app under "
        "review is not deployed."
        if partners
        else ""
    )
    lines = [
        f"{printable(str(target))} adopts {objects} live Okta object{'s' if objects != 1 else ''} "
        "into the stack, so deploying these specs takes them over instead of creating twins.",
        f"  1. Review each spec and set its owner until `appspec validate` passes.{approve}",
        f"  2. Before the specs are merged, in the project folder ({where}):",
        f"       {printable(command)}",
        "     The imported objects stay protected (pulumi import's default) until a `pulumi up` "
        "declares them: a deploy without these specs fails instead of deleting them.",
        "  3. Merge. Its preview shows these apps updated, never replaced or deleted; the first "
        "`pulumi up` writes the appspecs marker on each app and gives each adopted policy and "
        "rule its spec's name (a rename is an update, not a replacement). The import file is "
        "then spent: delete it.",
    ]
    deployed = [s.name for s in result.imported if s.app.marker is not None]
    if deployed:
        many = len(deployed) > 1
        it, its = ("them", "their") if many else ("it", "its")
        lines.append(
            f"  {', '.join(deployed)} carr{'y' if many else 'ies'} the appspecs marker, so a "
            f"deploy made {it}: if the stack's state still holds {it}, take {its} entries out of "
            "the file before running it."
        )
    own = [s.name for s in result.imported if s.access is None]
    if own:
        lines.append(
            f"  Not adopted, created by the deploy: the policy and rule of {', '.join(own)} "
            "(see the notes)."
        )
    if not with_server:
        lines.append(
            "  If the stack's state does not hold its authorization server and scopes yet, run "
            "this import again with --with-server --force, or the deploy makes them anew."
        )
    return "\n".join(lines)


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
