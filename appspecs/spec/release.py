"""Which version of each app Okta gets: the one place that decides it.

The Pulumi program, `appspec plan`, `appspec status` and `audit` all ask `release_of`, so they
cannot disagree on what is deployed. As in the developer portal: an internal app goes live when
merged; a partner app is "under review" until a version of it is approved, and a change to an
approved app is what waits for review, never the app: Okta keeps the approved version meanwhile.
"""

from __future__ import annotations

from enum import StrEnum

from appspecs.records import record
from appspecs.spec.approvals import Approval
from appspecs.spec.load import LoadedSpec, SpecSet


class AppState(StrEnum):
    LIVE = "live"  # internal, or partner at its approved version
    UNDER_REVIEW = "under review"  # partner, no version of it approved: nothing deployed
    CHANGE_UNDER_REVIEW = "change under review"  # an earlier approved version is deployed
    SUSPENDED = "suspended"  # deployed, INACTIVE: its partner is suspended


@record
class Release:
    name: str
    state: AppState
    current: LoadedSpec  # the spec as the tree has it
    deployed: LoadedSpec | None  # the version Okta gets, None when under review
    approval: Approval | None
    active: bool = True  # False: deployed with Okta status INACTIVE

    @property
    def pending(self) -> bool:
        """The current spec waits for review (it is not what Okta gets)."""
        return self.state in (AppState.UNDER_REVIEW, AppState.CHANGE_UNDER_REVIEW)

    def deploys_to(self, stack: str) -> bool:
        """Okta of `stack` gets a version of the app: the deployed version's environments
        decide, as the rest of it does."""
        return self.deployed is not None and self.deployed.spec.goes_to(stack)

    def in_stack(self, stack: str) -> bool:
        """The app belongs to `stack`: deployed there, or its current spec asks to be (held)."""
        return self.deploys_to(stack) or self.current.spec.goes_to(stack)


def release_of(specs: SpecSet, name: str) -> Release:
    """The version of app `name` (a spec without errors) to deploy, and why."""
    current = specs.apps[name]
    if current.spec.type != "partner":
        return Release(name, AppState.LIVE, current, current, None)
    approval = specs.approvals.get(name)
    if approval is not None and approval.digest == current.digest:
        deployed: LoadedSpec | None = current
        state = AppState.LIVE
    else:
        deployed = specs.approved.get(name)
        state = AppState.UNDER_REVIEW if deployed is None else AppState.CHANGE_UNDER_REVIEW
    if deployed is not None and name in specs.suspended:
        return Release(name, AppState.SUSPENDED, current, deployed, approval, active=False)
    return Release(name, state, current, deployed, approval)
