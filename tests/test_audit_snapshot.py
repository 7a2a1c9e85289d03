"""The snapshot reader's call plan, counted by the stand-in: fewest calls, cheapest bucket."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from appspecs.audit.compare import AuditOptions, compare
from appspecs.desired.model import DesiredState
from appspecs.desired.render import render
from appspecs.live.snapshot import choose_assignment_source
from appspecs.spec.load import load_specs
from appspecs.stackconfig import stack_config_from_values
from tests.audit_support import (
    SPECS_DIR,
    STACKS_DIR,
    Org,
    audit_cli,
    audit_lib,
    report_of,
    seeded_org,
)


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


def kinds(org: Org) -> Counter[str]:
    """Requests by kind of read, ids replaced by placeholders."""
    out: Counter[str] = Counter()
    for r in org.okta.requests:
        parts = r.path.split("/")
        for i in range(4, len(parts)):
            if parts[i - 1] in ("apps", "groups", "authorizationServers", "policies"):
                parts[i] = "{id}"
        out["/".join(parts)] += 1
    return out


def test_the_dev_org_is_read_in_seventeen_calls(org: Org) -> None:
    report = report_of(audit_cli(org))
    assert kinds(org) == {
        "/api/v1/authorizationServers": 1,  # by name, ?q=
        "/api/v1/apps": 1,
        "/api/v1/groups": 1,
        "/api/v1/authorizationServers/{id}/scopes": 1,
        "/api/v1/authorizationServers/{id}/policies": 1,
        "/api/v1/authorizationServers/{id}/policies/{id}/rules": 5,
        "/api/v1/groups/{id}/apps": 5,  # 5 groups: cheaper than 5 calls on the apps bucket
        "/api/v1/apps/{id}/credentials/secrets": 2,  # apps with secrets, maxSecretAgeDays set
        # (enrichment-worker signs with a key: it has no secret to read)
    }
    assert report["calls"] == {
        "apps": 3,
        "app": 0,
        "groups": 6,
        "authorizationServers": 8,
        "token": 0,
        "other": 0,
    }
    assert report["total_calls"] == len(org.okta.requests) == 17
    assert {r.query.get("limit") for r in org.okta.requests if r.path == "/api/v1/apps"} == {"200"}
    assert [r.query for r in org.okta.requests if r.path == "/api/v1/apps"] == [
        {"filter": 'name eq "oidc_client"', "limit": "200"}
    ]


def test_rules_are_read_only_for_policies_naming_our_apps(org: Org) -> None:
    other = org.okta.add_oidc_app(label="Other", redirect_uris=["https://o.example/cb"])
    org.okta.add_policy(
        org.seeded.server_id, "other", client_ids=[other["credentials"]["oauthClient"]["client_id"]]
    )
    result = audit_lib(org)
    assert kinds(org)["/api/v1/authorizationServers/{id}/policies/{id}/rules"] == 5
    assert [f.code for f in result.findings] == ["unmanaged-client-access"]


def test_the_apps_listing_follows_pages_of_200(org: Org) -> None:
    for i in range(250):
        org.okta.add_oidc_app(label=f"unrelated-{i}", redirect_uris=[f"https://u{i}.example/cb"])
    result = audit_lib(org)
    assert result.complete and result.findings == ()
    assert kinds(org)["/api/v1/apps"] == 2
    assert len(result.snapshot.apps or ()) == 255


@pytest.mark.parametrize(("extra_groups", "source"), [(0, "groups"), (30, "apps")])
def test_assignments_come_from_the_cheaper_side_and_find_the_same_drift(
    org: Org, extra_groups: int, source: str
) -> None:
    for i in range(extra_groups):
        org.okta.add_group(f"extra-{i}")
    org.okta.assign_group(org.app_id("crm-sync"), org.group_id("marketing"))
    org.okta.state.unassign_group(org.app_id("audience-studio"), org.group_id("marketing-ops"))
    result = audit_lib(org)
    assert result.snapshot.assignment_source == source
    per_group = kinds(org)["/api/v1/groups/{id}/apps"]
    per_app = kinds(org)["/api/v1/apps/{id}/groups"]
    assert (per_group, per_app) == ((5, 0) if source == "groups" else (0, 5))
    assert [(f.code, f.app, f.live) for f in result.findings] == [
        ("groups-removed-live", "audience-studio", ["marketing"]),
        ("groups-added-live", "crm-sync", ["marketing", "sales-ops"]),
    ]


@pytest.mark.parametrize(
    ("apps", "groups", "source"),
    [
        (0, 10, None),
        (5, 5, "groups"),
        (5, 25, "groups"),  # 25 groups-bucket calls use as much of a window as 5 apps calls
        (5, 26, "apps"),
        (1000, 50, "groups"),
        (3, 4000, "apps"),
    ],
)
def test_choose_assignment_source(apps: int, groups: int, source: str | None) -> None:
    assert choose_assignment_source(apps, groups) == source


def desired_with_server_id(server_id: str) -> DesiredState:
    specs = load_specs(SPECS_DIR, stacks_dir=STACKS_DIR)
    return render(
        specs, stack_config_from_values("dev", {"appspecs:authServer": {"id": server_id}})
    )


def test_a_configured_server_id_is_read_by_id_in_the_first_round(org: Org) -> None:
    org.seeded.server["audiences"] = ["api://not-ours-to-declare"]
    desired = desired_with_server_id(org.seeded.server_id)
    result = audit_lib(org, desired=desired)
    assert result.complete and result.findings == ()
    assert kinds(org)["/api/v1/authorizationServers/{id}"] == 1
    assert kinds(org)["/api/v1/authorizationServers"] == 0


def test_a_configured_server_that_does_not_exist_is_the_one_finding(org: Org) -> None:
    desired = desired_with_server_id("ausNoSuchServer00000")
    result = audit_lib(org, desired=desired)
    assert result.complete
    assert [(f.code, f.severity) for f in result.findings] == [("auth-server-missing", "high")]
    assert kinds(org)["/api/v1/authorizationServers/{id}/policies/{id}/rules"] == 0
    # Apps are still compared: a changed label shows although access cannot be checked.
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"
    again = audit_lib(org, desired=desired)
    assert [f.code for f in again.findings] == ["auth-server-missing", "app-changed"]


def test_compare_on_an_unread_snapshot_reports_nothing(org: Org) -> None:
    org.okta.deny_all = True
    result = audit_lib(org)
    assert not result.complete
    assert compare(desired_with_server_id("aus1"), result.snapshot, AuditOptions()) == []
