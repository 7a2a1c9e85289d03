"""The Pulumi program: read the stack's config, check and render the app specs, build components.

It only wires. What the specs mean is `appspecs.desired`; which resources hold it is
`appspecs.desired.resources`; the components in `components/` register exactly those.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

# Pulumi runs this file from `main:` (stacks/); our packages live in the project root above it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appspecs.deploy.workspace import specs_dir_from_project
from appspecs.desired.model import DesiredState
from appspecs.desired.render import render
from appspecs.desired.resources import policy_chain
from appspecs.diagnostics import Severity
from appspecs.report.diagnostics import diagnostic_line
from appspecs.spec.load import SpecsDirError, SpecSet, load_specs
from appspecs.stackconfig import (
    DEFAULT_SPECS_DIR,
    StackConfig,
    StackConfigError,
    stack_config_from_values,
)
from components import ApiAuthServer, GroupLookup, OidcApp

ROOT = Path(__file__).resolve().parent.parent


def read_config() -> tuple[StackConfig, str]:
    """The stack's settings and its specs folder (as written, relative to the project root)."""
    ours = pulumi.Config("appspecs")
    okta = pulumi.Config("okta")
    values: dict[str, Any] = {
        "appspecs:authServer": ours.get_object("authServer"),
        "appspecs:allowLoopbackRedirects": ours.get_bool("allowLoopbackRedirects"),
        "appspecs:maxSecretAgeDays": ours.get_int("maxSecretAgeDays"),
        "appspecs:maxAccessTokenMinutes": ours.get_int("maxAccessTokenMinutes"),
        "appspecs:specsDir": ours.get("specsDir"),
        "okta:orgName": okta.get("orgName"),
        "okta:baseUrl": okta.get("baseUrl"),
    }
    # Unset keys are left out so the settings model's defaults apply.
    present = {k: v for k, v in values.items() if v is not None}
    try:
        stack = stack_config_from_values(pulumi.get_stack(), present)
    except StackConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    return stack, stack.settings.specs_dir or DEFAULT_SPECS_DIR


def _shown(file: str) -> str:
    """A file as `appspec validate` run in the project root names it."""
    path = Path(file)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else file


_LOG: dict[Severity, Callable[[str], None]] = {
    Severity.ERROR: pulumi.log.error,
    Severity.WARNING: pulumi.log.warn,
    Severity.INFO: pulumi.log.info,
}


def load_valid_specs(specs_dir: Path) -> SpecSet:
    """The specs, checked; any error stops the program with one clear message."""
    try:
        specs = load_specs(specs_dir, stacks_dir=ROOT / "stacks")
    except SpecsDirError as exc:
        raise pulumi.RunError(str(exc)) from None
    for d in specs.diagnostics:
        _LOG[d.severity](diagnostic_line(dataclasses.replace(d, file=_shown(d.file))))
    for problem in specs.io_errors:
        pulumi.log.error(str(problem))
    if not specs.ok:
        errors = sum(d.is_error for d in specs.diagnostics) + len(specs.io_errors)
        raise pulumi.RunError(
            f"app specs are invalid: {errors} error{'s' if errors != 1 else ''}; "
            "run appspec validate"
        )
    return specs


CONSENT_FEATURE = (
    "{what} ask users' consent (consent REQUIRED), which needs the Okta org's API Access "
    "Management User Consent feature: an error creating them that names consent or a feature "
    "not enabled means the org lacks it (Okta support turns it on)"
)


def consent_note(desired: DesiredState) -> str | None:
    """What in this deployment needs Okta's consent feature, said once per run."""
    scopes = sum(s.consent == "REQUIRED" for s in desired.auth_server.scopes)
    apps = sum(a.client.consent_method == "REQUIRED" for a in desired.apps)
    parts = [f"{scopes} scope{'s' if scopes != 1 else ''}"] if scopes else []
    parts += [f"{apps} partner app{'s' if apps != 1 else ''}"] if apps else []
    return CONSENT_FEATURE.format(what=" and ".join(parts)) if parts else None


def build(desired: DesiredState) -> None:
    """Register the components and export what the plan and people read back."""
    note = consent_note(desired)
    if note is not None:
        pulumi.log.info(note)
    registered: dict[str, pulumi.Resource] = {}
    server = ApiAuthServer(desired.auth_server, registered=registered)
    groups = GroupLookup()
    apps = {
        app.name: OidcApp(app, server.id, groups, registered=registered, after=after)
        for app, after in policy_chain(desired.apps)
    }
    pulumi.export("clientIds", {name: app.client_id for name, app in apps.items()})
    pulumi.export("heldApps", list(desired.held))
    pulumi.export("groupIds", groups.ids)


def main() -> None:
    # Logo paths in the resource graph are relative to the project root.
    os.chdir(ROOT)
    stack, specs_dir = read_config()
    specs = load_valid_specs(ROOT / specs_dir)
    # Logo inputs hold the specs folder relative to the project root, as `appspec plan` writes it.
    from_project = specs_dir_from_project(ROOT / specs_dir, ROOT)
    build(render(specs, stack, specs_dir_from_project=from_project))


main()
