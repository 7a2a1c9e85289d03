"""One `appspec import`: the names already taken, the read of the org and the apps chosen
from it, then the spec files and the Pulumi import file written.

The mapping of each app to a spec is ``importer``'s; this module runs it against the org and
the folders. Failures are exceptions whose ``str`` is one line, turned into output and exit
codes by the command: ``NoAuthServer`` (the org has no such server, so nothing has access:
exit 1) and ``ImportFailed`` (a read of the org, a folder listing or a write failed: exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from appspecs.audit.compare_server import server_findings
from appspecs.audit.findings import Finding
from appspecs.desired.model import DesiredAuthServer
from appspecs.inputfile import Unreadable
from appspecs.live.model import LiveApp, Snapshot
from appspecs.okta import OktaClient
from appspecs.okta.fixes import leading_fix
from appspecs.onboard.adoption import Adoptee
from appspecs.onboard.importer import ImportOptions, ImportResult
from appspecs.onboard.importfile import import_document, provider_version, write_import_file
from appspecs.onboard.selection import covered_apps, read_chosen, read_org, select_apps
from appspecs.onboard.writer import conflicts, existing_specs, write_spec
from appspecs.records import record
from appspecs.spec.catalog import ScopeCatalog
from appspecs.spec.load import APPS_DIR
from appspecs.spec.specset import SpecSet
from appspecs.stackconfig import StackConfig, loopback_allowed
from appspecs.text import printable

# What the audit reports of an adopted server that its first deploy would change.
_SERVER_CHANGES = ("auth-server-changed", "scope-changed")


class ImportFailed(Exception):
    """A read of the org, a folder listing or a write failed (exit 2); ``str`` is one line."""


class NoAuthServer(Exception):
    """The org has no authorization server the stack names: nothing has access (exit 1)."""


def project_folder(stacks: Path) -> Path:
    """The Pulumi project folder (``Pulumi.yaml``, ``stackConfigDir: stacks``): the stacks
    folder's parent."""
    # `--stacks .`: Path('.').parent is '.' itself, not the folder above it.
    return stacks / ".." if stacks.name in ("", ".", "..") else stacks.parent


def import_options(
    config: StackConfig,
    catalog: ScopeCatalog,
    specs: SpecSet,
    specs_dir: Path,
    stacks: Path,
    out: Path,
    partners: Sequence[str],
) -> ImportOptions:
    """What the mapping needs besides the org: the names taken where specs are written and in
    the specs folder, and the stacks' loopback rules."""
    # A stack that cannot be read has already stopped the command, as an I/O error of the specs.
    allowed, _ = loopback_allowed(stacks)
    taken, earlier = _existing_names(out, specs_dir / APPS_DIR, set(specs.apps))
    return ImportOptions(
        stack=config.name,
        catalog=catalog,
        specs_root=specs_dir,
        loopback_allowed=allowed,
        partners=frozenset(partners),
        taken_names=frozenset(taken),
        earlier_imports=earlier,
    )


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
            raise ImportFailed(str(exc)) from None
        taken |= found.keys()
        earlier |= {app_id: name for name, app_id in found.items() if app_id is not None}
    return taken, earlier


@record
class Chosen:
    """The org as read, the apps to map, the --app names that matched none, and the apps left
    out because their specs exist."""

    snap: Snapshot
    apps: list[LiveApp]
    unmatched: list[str]
    managed: list[LiveApp]


def choose_apps(
    client: OktaClient, config: StackConfig, wanted: Sequence[str], out: Path, specs: SpecSet
) -> Chosen:
    """Read the org, pick the apps with access to the stack's server (those ``wanted`` names,
    else all without a spec), then read their details; any failed read stops the import."""
    snap = read_org(client, config)
    _stop_on_failed_reads(snap)
    if snap.auth_server is None:
        raise NoAuthServer(
            f"no authorization server with {snap.server_lookup} in {client.org_url}: nothing has "
            "access to import"
        )
    chosen, unmatched = select_apps(covered_apps(snap), wanted)
    # Without --app, apps that already have a spec (their marker names one) are managed here:
    # importing them again would only collide with their files.
    names = set(specs.apps)
    managed = [] if wanted else [a for a in chosen if _has_spec(a, out, names)]
    chosen = [a for a in chosen if a not in managed]
    read_chosen(client, snap, chosen)
    _stop_on_failed_reads(snap)
    return Chosen(snap=snap, apps=chosen, unmatched=unmatched, managed=managed)


def _has_spec(app: LiveApp, out: Path, specs: set[str]) -> bool:
    """The marker names a spec of the specs folder, or a file in --out (a folder elsewhere)."""
    if app.marker is None:
        return False
    return app.marker.name in specs or (out / f"{app.marker.name}.yaml").exists()


def _stop_on_failed_reads(snap: Snapshot) -> None:
    if snap.failed:
        first = snap.failed[0]
        more = f" (and {len(snap.failed) - 1} more reads)" if len(snap.failed) > 1 else ""
        failure = leading_fix(first.cause, f"could not read {first.what}: {first.error}{more}")
        raise ImportFailed(f"{failure}; nothing was written")


def server_changes(server: DesiredAuthServer, snap: Snapshot) -> list[Finding]:
    """What the first `pulumi up` would change on the adopted server and its scopes, in the
    audit's words: a new audience, say, makes every API that checks `aud` refuse the tokens."""
    return [f for f in server_findings(server, snap) if f.code in _SERVER_CHANGES]


def files_in_the_way(out: Path, result: ImportResult, import_file: Path | None) -> list[Path]:
    """The spec files, and the import file when one is written, that exist already."""
    existing = conflicts(out, result.imported)
    if import_file is not None and (import_file.exists() or import_file.is_symlink()):
        existing.append(import_file)
    return existing


def write_specs(out: Path, result: ImportResult, stack: str, *, force: bool) -> list[Path]:
    """Write every imported spec; a failed write says which were written before it."""
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
            raise ImportFailed(
                f"cannot write {out / (spec.name + '.yaml')}: {exc.strerror or exc}{done}"
            ) from None
    return written


def write_adoptions(
    target: Path, adopted: Sequence[Adoptee], written: Sequence[Path], *, force: bool
) -> None:
    """Write the Pulumi import file for ``adopted``, after the specs ``written``."""
    try:
        write_import_file(target, import_document(adopted, provider_version()), force=force)
    except OSError as exc:
        one = len(written) == 1
        done = f" (the {len(written)} spec{'' if one else 's'} {'was' if one else 'were'} written)"
        raise ImportFailed(
            f"cannot write {printable(str(target))}: {exc.strerror or exc}{done}"
        ) from None
