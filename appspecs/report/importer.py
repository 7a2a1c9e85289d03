"""What `appspec import` says: each app imported or skipped and why, the files written, the
steps that follow, and what the first deploy would change on an adopted server.

Text from the org (labels, names, notes) is shown through `printable`: one line each, whatever
those names hold.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from appspecs.audit.findings import Finding
from appspecs.live.model import LiveApp
from appspecs.onboard.adoption import Adoptee
from appspecs.onboard.importer import OWNER_PLACEHOLDER, ImportResult
from appspecs.onboard.run import Chosen
from appspecs.onboard.selection import matches
from appspecs.text import printable


def _describe(app: LiveApp) -> str:
    return printable(app.describe())


def import_report(result: ImportResult, chosen: Chosen) -> str:
    """Every app left out, imported (with its notes) or skipped (with its problems), and every
    --app or --partner that matched nothing."""
    lines: list[str] = []
    if chosen.managed:
        names = ", ".join(sorted(a.marker.name for a in chosen.managed if a.marker))
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
    for wanted in chosen.unmatched:
        why = (
            "no policy of the authorization server names its client id"
            if any(matches(a, wanted) for a in chosen.snap.apps or ())
            else "no OIDC app has this id, client id, label or appspecs marker name"
        )
        lines.append(f"not found: --app {printable(wanted)}: {why}")
    for partner in result.unmatched_partners:
        lines.append(
            f"not found: --partner {printable(partner)}: no app being imported has this name"
        )
    lines += [f"note: {printable(n)}" for n in result.notes]
    return "\n".join(lines) if lines else "no app has access to the authorization server"


def server_warning(found: Finding) -> str:
    """A change the first `pulumi up` makes on the adopted server, and what to do about it."""
    return (
        f"warning: the first pulumi up changes the adopted server: {printable(found.message)}; "
        "set appspecs:authServer to match, or expect it"
    )


def summary_text(result: ImportResult, written: Sequence[Path]) -> str:
    """How many specs were written where, how many apps skipped, and the owner to fill in."""
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


def next_steps(
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
