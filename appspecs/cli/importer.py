"""`appspec import`: write one spec per live OIDC app with access to the stack's auth server,
and the Pulumi import file that makes the stack adopt those apps instead of creating twins.

Exit codes: 0 every chosen app was written; 1 some were skipped (the spec language cannot
express them as they are), or the scope catalog has errors; 2 usage, I/O or Okta errors,
including an --app/--partner that names no app with access, and spec files or an import file
that exist already (nothing is written then; --force overwrites them).
"""

from __future__ import annotations

from pathlib import Path

import click

from appspecs.cli import exits
from appspecs.cli.common import (
    PathArg,
    echo,
    fail,
    folder_problem,
    reporting_done,
    resolve_stacks_dir,
    say,
    specs_option,
    stack_option,
    stacks_option,
)
from appspecs.cli.inputs import load_readable_specs, load_stack, require_catalog
from appspecs.cli.okta import checked_org_url, connect, org_url_option
from appspecs.desired.render import render_auth_server
from appspecs.onboard.importer import import_apps
from appspecs.onboard.importfile import adoptees, default_path
from appspecs.onboard.run import (
    ImportFailed,
    NoAuthServer,
    choose_apps,
    files_in_the_way,
    import_options,
    project_folder,
    server_changes,
    write_adoptions,
    write_specs,
)
from appspecs.report.importer import import_report, next_steps, server_warning, summary_text
from appspecs.spec.load import APPS_DIR
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


@click.command(
    name="import",
    epilog=exits.codes_help(
        "when every chosen app was written",
        "when some were skipped, the scope catalog has errors, or the org has no "
        "authorization server the stack names (nothing has access to the API)",
        "for usage, I/O or Okta errors, an --app/--partner that matched nothing, or spec or "
        "import files that exist (nothing is written then; --force overwrites)",
    ),
)
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
    and the catalog scopes it has. The next steps are printed."""
    url = checked_org_url(org_url)
    config = load_stack(specs_dir, stacks_dir, stack)
    # Imported specs are checked against the catalog; other specs' errors do not matter here.
    specs = load_readable_specs(specs_dir, stacks_dir)
    catalog = require_catalog(specs)
    out = out_dir if out_dir is not None else specs_dir / APPS_DIR
    if (problem := folder_problem(out)) is not None:
        fail(f"--out: {problem}")
    stacks = resolve_stacks_dir(specs_dir, stacks_dir)
    project = project_folder(stacks)
    target = import_file if import_file is not None else default_path(project, stack)
    if (problem := folder_problem(target.parent)) is not None:
        what = "--import-file" if import_file is not None else "the import file"
        fail(f"{what} {target}: {problem}")
    if import_file is not None:
        # it would replace a spec this run writes, approvals.yaml or a stack's settings (with
        # --force), or land where specs are read: it goes beside Pulumi.yaml
        resolved = import_file.resolve()
        for folder in dict.fromkeys((out, specs_dir, stacks)):
            if resolved.is_relative_to(folder.resolve()):
                fail(
                    f"--import-file {import_file} is in {folder}, where specs and settings are "
                    f"read and written; give a file beside Pulumi.yaml (by default "
                    f"{default_path(project, stack)})"
                )
    try:
        options = import_options(config, catalog, specs, specs_dir, stacks, out, partners)
        with connect(url) as client:
            chosen = choose_apps(client, config, apps, out, specs)
    except NoAuthServer as exc:
        fail(str(exc), exits.FAILED)
    except ImportFailed as exc:
        fail(str(exc))
    result = import_apps(chosen.snap, chosen.apps, options)
    echo(import_report(result, chosen))
    if chosen.unmatched or result.unmatched_partners:
        # A misspelt --partner would import a partner app as internal (deployed without an
        # approval): nothing is written until every name given matches.
        fail("nothing was written: an --app or --partner above names no app being imported")
    server = render_auth_server(catalog, config) if with_server else None
    adopted = adoptees(result.imported, chosen.snap, server)
    if server is not None:
        for found in server_changes(server, chosen.snap):
            say(server_warning(found))
    existing = files_in_the_way(out, result, target if adopted else None)
    if existing and not force:
        shown = ", ".join(printable(str(p)) for p in existing)
        fail(
            f"{shown} exist{'s' if len(existing) == 1 else ''}; nothing was written (--force overwrites)"
        )
    try:
        # every file before the report: a report that cannot be written stops nothing
        written = write_specs(out, result, stack, force=force)
    except ImportFailed as exc:
        fail(str(exc))
    report = summary_text(result, written)
    if adopted:
        try:
            write_adoptions(target, adopted, written, force=force)
        except ImportFailed as exc:
            echo(report)  # the specs are written: where, and what they still need
            fail(str(exc))
    steps = (
        next_steps(target, project, stack, result, adopted, with_server=with_server)
        if adopted
        else None
    )
    with reporting_done(report if steps is None else f"{report}\n{steps}"):
        echo(report)
        if steps is not None:
            echo(steps)
    raise SystemExit(exits.FAILED if result.skipped else exits.OK)
