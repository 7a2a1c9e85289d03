"""`appspec status`: the developer portal's list of apps, one row per app spec file, for one stack.

Each row's state comes from `release_of` (which version deploys) and the stack-membership rule
the Pulumi program uses (`Release.in_stack`); a file whose spec has errors is `denied`, as the
portal denies a registration that does not qualify. Whether an app is in Okta comes from recorded
state only (nothing here reads Okta): an app that deploys is `live` when the state holds it, `not
deployed yet` when it does not, and, with no state to tell, only `approved`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any, Literal, get_args

from appspecs.diagnostics import Diagnostic
from appspecs.inputfile import InputFileError, read_input_text
from appspecs.plan.state import RecordedState
from appspecs.plan.views import views_from_state
from appspecs.records import record
from appspecs.spec.load import APPROVALS_FILE, APPS_DIR, SPEC_LIMIT, SpecSet
from appspecs.spec.release import AppState, release_of
from appspecs.spec.yamlfile import read_yaml

# Every state a row can be in; the order the counts are listed in, by every format.
StatusState = Literal[
    "live",
    "not deployed yet",
    "approved",
    "under review",
    "change under review",
    "suspended",
    "denied",
    "not in this stack",
]
STATES: tuple[StatusState, ...] = get_args(StatusState)
# Only recorded state tells `live` from `not deployed yet`; without it an app that deploys is known
# to be `approved`, no more. A list counts the states it can tell, so no count claims what no one
# knows ("0 live" without state).
_NEEDS_STATE: tuple[StatusState, ...] = ("live", "not deployed yet")
_WITHOUT_STATE_ONLY: tuple[StatusState, ...] = ("approved",)
WITH_STATE: tuple[StatusState, ...] = tuple(s for s in STATES if s not in _WITHOUT_STATE_ONLY)
WITHOUT_STATE: tuple[StatusState, ...] = tuple(s for s in STATES if s not in _NEEDS_STATE)

# the release states that say nothing of Okta (AppState.LIVE depends on the recorded state)
_FROM_RELEASE: Mapping[AppState, StatusState] = {
    AppState.UNDER_REVIEW: "under review",
    AppState.CHANGE_UNDER_REVIEW: "change under review",
    AppState.SUSPENDED: "suspended",
}
APP_TYPES = ("internal", "partner")
# a problem in approvals.yaml under `approvals[i]`: entry i's app's
_APPROVAL_ENTRY = re.compile(r"^approvals\[(\d+)\]")


@record
class AppRow:
    """One app of the project as the portal lists it."""

    name: str
    file: str
    state: StatusState
    # "internal" or "partner"; None when a spec with errors declares neither
    type: str | None
    partner: str | None  # the partner's id (partners.yaml), None on internal apps
    current_digest: str | None  # the spec as the tree has it; None when it has errors
    # the version Okta of this stack gets (None: nothing of it is deployed here)
    deployed_digest: str | None
    # the recorded approval of a partner app (internal apps are approved by being merged)
    approved_digest: str | None = None
    approved_by: str | None = None
    ticket: str | None = None
    client_id: str | None = None  # as the recorded state holds it
    # the recorded state holds the app (it is in Okta); None: there is no recorded state to tell
    recorded: bool | None = None
    # recorded protected (an approved partner app): pulumi up refuses to delete it
    protected: bool = False
    # the recorded app is an internal one (its consent method), None: no state, or not known
    recorded_internal: bool | None = None
    # the spec's kind (web, spa, native, service), and the recorded app's (None: not known): when
    # they differ, the update replaces the OAuth app (a new client id) whatever its type
    kind: str | None = None
    recorded_kind: str | None = None
    # why it is denied, and what is wrong with its entry in approvals.yaml
    errors: tuple[Diagnostic, ...] = ()
    # the project has allowed_signers: approving takes the approver's key
    signed: bool = False

    @property
    def leaves_okta(self) -> bool:
        """Recorded in the stack's state but deploying nothing: the next update deletes it
        (while a spec has errors the program deploys nothing at all, so not for a denied one)."""
        return self.deploys_nothing and not self.protected

    @property
    def kept_protected(self) -> bool:
        """Recorded, deploying nothing, but protected: pulumi up refuses the deletes, so it keeps
        running (and every update fails on them until it is approved again or retired)."""
        return self.deploys_nothing and self.protected

    @property
    def running_while_held(self) -> bool:
        """A running internal app retyped to partner and held for its first approval: an update
        would delete it, which `plan` (and the deploy workflow, which stops on it) refuses."""
        return self.leaves_okta and self.type == "partner" and self.recorded_internal is True

    @property
    def kind_replaces(self) -> tuple[str, str] | None:
        """(recorded, declared) kind when they differ: the OAuth app is replaced (a new client id)
        by the update that deploys the spec, whatever the app's type."""
        if self.kind and self.recorded_kind and self.kind != self.recorded_kind:
            return self.recorded_kind, self.kind
        return None

    @property
    def deploys_nothing(self) -> bool:
        return self.recorded is True and self.deployed_digest is None and self.state != "denied"

    @property
    def change_pending(self) -> bool:
        """A newer version than the deployed one waits for review (a suspended app's too)."""
        return self.deployed_digest is not None and self.current_digest != self.deployed_digest


@record
class StatusReport:
    """Everything `appspec status` lists."""

    stack: str
    against: str | None  # the state file read, None: no recorded state
    rows: tuple[AppRow, ...]
    # a recorded state was read: which apps are live is known
    with_state: bool = False
    # errors outside the app files (catalog, approvals, partners, stack files)
    problems: tuple[Diagnostic, ...] = ()
    # the specs' warnings, as `appspec validate` gives them (unsigned approvals, ignored files)
    warnings: tuple[Diagnostic, ...] = ()
    # apps the recorded state holds that have no spec file: the next update deletes them
    recorded_only: tuple[str, ...] = ()
    # those of them recorded protected: pulumi up refuses to delete them
    recorded_only_protected: tuple[str, ...] = ()
    # every state the list can tell (`states`), zeros included; each row counted once
    counts: Mapping[StatusState, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts = dict.fromkeys(self.states, 0)
        for row in self.rows:
            counts[row.state] += 1
        object.__setattr__(self, "counts", counts)

    @property
    def states(self) -> tuple[StatusState, ...]:
        """The states a row of this list can be in, in the order every format counts them."""
        return WITH_STATE if self.with_state else WITHOUT_STATE

    @property
    def errors(self) -> int:
        """Errors in the specs: while there are any, the stack program deploys nothing."""
        return len(self.problems) + sum(len(r.errors) for r in self.rows)


def app_status(specs: SpecSet, stack: str, state: RecordedState | None = None) -> StatusReport:
    """One row per app spec file of `specs` (those with errors included), for `stack`."""
    client_ids = state.client_ids() if state is not None else {}
    recorded = state.app_names() if state is not None else None
    protected = state.protected_apps() if state is not None else set()
    # as the plan tells a retyped app: from the recorded consent method (None: not readable)
    views = views_from_state(state) if state is not None else {}
    internal = {name: not v.partner for name, v in views.items() if v.partner is not None}
    apps_dir = specs.root / APPS_DIR
    approvals_file = specs.root / APPROVALS_FILE
    denied: dict[str, list[Diagnostic]] = {}
    of_approval: dict[str, list[Diagnostic]] = {}
    problems: list[Diagnostic] = []
    for d in specs.diagnostics:
        if not d.is_error:
            continue
        path = Path(d.file)
        if path.parent == apps_dir and path.suffix == ".yaml":
            denied.setdefault(path.stem, []).append(d)
        elif path == approvals_file and (app := _approval_app(specs, d)) is not None:
            of_approval.setdefault(app, []).append(d)
        else:
            problems.append(d)
    rows = [
        _row(specs, name, stack, client_ids.get(name), _holds(recorded, name))
        for name in specs.apps
    ]
    rows += [
        _denied(
            specs,
            apps_dir / f"{name}.yaml",
            name,
            errors,
            client_ids.get(name),
            _holds(recorded, name),
        )
        for name, errors in denied.items()
        if name not in specs.apps
    ]
    listed = {r.name for r in rows}
    # an approval's problem with no row to show it on (it names no app) is the file's
    problems += [d for app, ds in of_approval.items() if app not in listed for d in ds]
    rows = [
        dataclasses.replace(
            r,
            protected=r.name in protected,
            recorded_internal=internal.get(r.name),
            recorded_kind=views[r.name].kind if r.name in views else None,
            signed=specs.signers is not None,
            errors=r.errors + tuple(of_approval.get(r.name, ())),
        )
        for r in rows
    ]
    only = (recorded or set()) - listed
    return StatusReport(
        stack=stack,
        against=state.source if state is not None else None,
        rows=tuple(sorted(rows, key=lambda r: r.name)),
        with_state=state is not None,
        problems=tuple(problems),
        warnings=specs.warnings,
        recorded_only=tuple(sorted(only)),
        recorded_only_protected=tuple(sorted(only & protected)),
    )


def _holds(recorded: set[str] | None, name: str) -> bool | None:
    """Whether the recorded state holds app `name`; None when there is no state to tell."""
    return name in recorded if recorded is not None else None


def _approval_app(specs: SpecSet, d: Diagnostic) -> str | None:
    """The app whose entry of approvals.yaml `d` is about, if it is about one."""
    match = _APPROVAL_ENTRY.match(d.path)
    if match is None:
        return None
    i = int(match.group(1))
    return specs.approval_entries[i] if i < len(specs.approval_entries) else None


def _row(
    specs: SpecSet, name: str, stack: str, client_id: str | None, recorded: bool | None
) -> AppRow:
    release = release_of(specs, name)
    spec = release.current.spec
    if not release.in_stack(stack):
        state: StatusState = "not in this stack"
    elif release.deploys_to(stack):
        state = _deployed_state(release.state, recorded)
    else:
        # held here: its approved version, if any, is not for this stack, so nothing deploys
        state = "under review"
    approval = release.approval
    deployed = release.deployed if release.deploys_to(stack) else None
    return AppRow(
        name=name,
        file=release.current.file,
        state=state,
        type=spec.type,
        partner=spec.partner,
        kind=spec.client.kind,
        current_digest=release.current.digest,
        deployed_digest=deployed.digest if deployed is not None else None,
        approved_digest=approval.digest if approval is not None else None,
        approved_by=approval.approved_by if approval is not None else None,
        ticket=approval.ticket if approval is not None else None,
        client_id=client_id,
        recorded=recorded,
    )


def _deployed_state(release: AppState, recorded: bool | None) -> StatusState:
    """The state of an app a version of which deploys to the stack: `live` says it is in Okta,
    which only the recorded state can back."""
    if release is not AppState.LIVE:
        return _FROM_RELEASE[release]
    if recorded is None:
        return "approved"
    return "live" if recorded else "not deployed yet"


def _denied(
    specs: SpecSet,
    path: Path,
    name: str,
    errors: list[Diagnostic],
    client_id: str | None,
    recorded: bool | None,
) -> AppRow:
    declared = _declared(path)
    app_type = declared.get("type")
    partner = declared.get("partner")
    approval = specs.approvals.get(name)
    return AppRow(
        name=name,
        file=str(path),
        state="denied",
        type=app_type if app_type in APP_TYPES else None,
        partner=partner if isinstance(partner, str) else None,
        current_digest=None,
        deployed_digest=None,
        approved_digest=approval.digest if approval is not None else None,
        approved_by=approval.approved_by if approval is not None else None,
        ticket=approval.ticket if approval is not None else None,
        client_id=client_id,
        recorded=recorded,
        errors=tuple(errors),
    )


def _declared(path: Path) -> Mapping[str, Any]:
    """What a spec with errors says at its top level, as far as it can be read: its type and
    partner are shown beside the errors that deny it."""
    try:
        doc = read_yaml(read_input_text(path, SPEC_LIMIT, str(path)))
    except InputFileError:
        return {}
    return doc.data if isinstance(doc.data, dict) else {}
