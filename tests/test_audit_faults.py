"""The audit under faults: it completes correctly once retries succeed, or exits 2 with its
findings marked partial. No case exits 0 with data it could not read.

Retries that succeed run through the library with recorded sleeps (fast and exact); failures
run through the CLI with retries turned down by environment, as a CI job would see them.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from appspecs.audit.compare import AuditOptions
from appspecs.audit.run import run_audit
from appspecs.okta import ApiToken, OktaClient
from tests.audit_support import (
    Org,
    audit_cli,
    audit_lib,
    codes,
    desired_for,
    report_of,
    seeded_org,
)
from tests.standin import Fault
from tests.test_okta_fakes import FakeTime

APPS = r"^/api/v1/apps$"
GROUPS = r"^/api/v1/groups$"
GROUP_APPS = r"^/api/v1/groups/[^/]+/apps$"
SCOPES = r"/scopes$"
POLICIES = r"/policies$"
RULES = r"/rules$"
SECRETS = r"/credentials/secrets$"
SERVERS = r"^/api/v1/authorizationServers$"


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


# --- retried successfully: the audit completes with the right result ------------------------

WITHIN = [
    ("429 storm on the apps listing", Fault(kind="status", status=429, path=APPS, times=3)),
    ("503 on rules", Fault(kind="status", status=503, path=RULES, times=3)),
    ("504 on a group's apps", Fault(kind="status", status=504, path=GROUP_APPS, times=2)),
    ("one 500 on groups", Fault(kind="status", status=500, path=GROUPS, times=1)),
    ("dropped connections", Fault(kind="drop", path=POLICIES, times=2)),
    ("body cut short", Fault(kind="truncate", mode="length", path=SCOPES, times=1)),
]


@pytest.mark.parametrize("fault", [c[1] for c in WITHIN], ids=[c[0] for c in WITHIN])
def test_faults_within_the_retry_budget_still_give_the_right_answer(org: Org, fault: Fault) -> None:
    org.okta.faults.add(fault)
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"  # one real drift to find
    ft = FakeTime()
    result = audit_lib(org, fake_time=ft, max_retries=4, retry_budget_seconds=60)
    assert result.complete, result.failed
    assert fault.hits == fault.times
    assert [(f.code, f.app, f.field) for f in result.findings] == [
        ("app-changed", "crm-sync", "label")
    ]
    assert result.client_stats["retries"] == fault.times
    assert len(ft.sleeps) == fault.times


def test_a_timeout_is_retried(org: Org) -> None:
    # Wide apart, so a slow machine's ordinary answers stay well inside the timeout.
    fault = org.okta.faults.add(Fault(kind="latency", seconds=3.0, path=POLICIES, times=1))
    result = audit_lib(org, max_retries=2, timeout=1.0)
    assert result.complete and result.findings == ()
    assert fault.hits == 1
    assert result.client_stats["retries"] == 1


def test_a_429_storm_within_budget_via_the_cli_exits_0(org: Org) -> None:
    # Okta's reset is a whole second: the one real wait in this file.
    org.okta.faults.add(Fault(kind="status", status=429, path=SERVERS, times=1, reset_in=0.1))
    result = audit_cli(org, env={"APPSPECS_OKTA_MAX_RETRIES": "2"})
    report = report_of(result)
    assert result.exit_code == 0, result.stderr
    assert report["complete"] and report["rate_limited"] == 1 and report["retries"] == 1


# --- not recovered: exit 2, partial, never 0 ---------------------------------------------------

BEYOND = [
    ("429 storm on apps", Fault(kind="status", status=429, path=APPS, times=None)),
    ("429 storm on a group's apps", Fault(kind="status", status=429, path=GROUP_APPS, times=None)),
    ("503 on rules", Fault(kind="status", status=503, path=RULES, times=None)),
    ("500 on groups", Fault(kind="status", status=500, path=GROUPS, times=None)),
    ("502 on secrets", Fault(kind="status", status=502, path=SECRETS, times=None)),
    ("dropped connections on policies", Fault(kind="drop", path=POLICIES, times=None)),
    ("truncated body", Fault(kind="truncate", mode="length", path=SCOPES, times=None)),
    ("truncated JSON", Fault(kind="truncate", mode="json", path=APPS, times=None)),
    ("not JSON", Fault(kind="malformed", mode="text", path=GROUPS, times=None)),
    ("JSON of the wrong shape", Fault(kind="malformed", mode="shape", path=RULES, times=None)),
    ("next link with a bad cursor", Fault(kind="broken-link", mode="cursor", path=APPS)),
    ("next link to another host", Fault(kind="broken-link", mode="host", path=GROUPS)),
    ("next link to another scheme", Fault(kind="broken-link", mode="scheme", path=APPS)),
    ("next link that loops", Fault(kind="broken-link", mode="loop", path=GROUP_APPS)),
    # a new cursor on every page, and nothing new on any after the first
    (
        "apps listing that never ends",
        Fault(kind="broken-link", mode="endless", path=APPS, times=None),
    ),
    (
        "groups listing that never ends",
        Fault(kind="broken-link", mode="endless", path=GROUPS, times=None),
    ),
    # new objects on every page: it stops at the cap the largest real org sets
    (
        "servers listing that keeps adding",
        Fault(kind="broken-link", mode="unending", path=SERVERS, times=None),
    ),
    ("403 on the server lookup", Fault(kind="status", status=403, path=SERVERS, times=None)),
    ("401 on policies", Fault(kind="status", status=401, path=POLICIES, times=None)),
]


@pytest.mark.parametrize("fault", [c[1] for c in BEYOND], ids=[c[0] for c in BEYOND])
def test_a_read_that_fails_makes_the_audit_incomplete(org: Org, fault: Fault) -> None:
    org.okta.faults.add(fault)
    result = audit_cli(
        org, env={"APPSPECS_OKTA_MAX_RETRIES": "1", "APPSPECS_OKTA_RETRY_BUDGET": "0"}
    )
    report = report_of(result)
    assert result.exit_code == 2
    assert report["complete"] is False and report["partial"] is True and not report["in_sync"]
    assert report["failed_reads"]
    assert fault.hits >= 1
    # An unread part of the org is never reported as missing or changed.
    assert report["findings"] == []
    [line] = result.stderr.splitlines()
    assert line.startswith("appspec: audit incomplete: ")
    assert report["failed_reads"][0]["what"] in line
    # the failed request quoted alike in the report and on stderr (its query masked in both)
    assert report["failed_reads"][0]["error"] in line


def test_a_listing_that_never_ends_is_left_after_two_pages(org: Org) -> None:
    # The reported case: 540 requests in 25 s on the apps bucket, until the CI job timed out.
    fault = org.okta.faults.add(Fault(kind="broken-link", mode="endless", path=APPS, times=None))
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 2 and report["partial"] is True
    assert fault.hits == 2
    [failed] = report["failed_reads"]
    assert failed["what"] == "the OIDC apps listing"
    assert "listing does not end: page 2 added nothing new" in failed["error"]


def test_a_429_storm_beyond_the_retry_budget_gives_up_without_waiting(org: Org) -> None:
    # Okta says to come back in 30 s; a 5 s budget cannot cover that, so no wait is started.
    org.okta.faults.add(Fault(kind="status", status=429, path=APPS, times=None, reset_in=30))
    result = audit_cli(org, env={"APPSPECS_OKTA_RETRY_BUDGET": "5"})
    report = report_of(result)
    assert result.exit_code == 2
    assert report["failed_reads"][0]["what"] == "the OIDC apps listing"
    assert "rate limit" in report["failed_reads"][0]["error"]
    assert report["retries"] == 0 and report["wait_seconds"] == 0


def test_a_wrong_token_exits_2_naming_the_cause(org: Org) -> None:
    result = audit_cli(org, env={"OKTA_API_TOKEN": "tok-not-the-right-one"}, fmt="text")
    assert result.exit_code == 2
    # The cause and its fix lead: a refused token fails every read alike.
    assert result.stderr.startswith(
        "appspec: audit incomplete: authentication failed: check OKTA_API_TOKEN, "
        "or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY, for this org ("
    )
    assert "E0000011" in result.stderr and "tok-not-the-right-one" not in result.stderr
    assert "INCOMPLETE" in result.stdout
    assert "To fix: check OKTA_API_TOKEN" in result.stdout


def test_a_token_without_permission_exits_2(org: Org) -> None:
    org.okta.deny_all = True
    result = audit_cli(org)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "appspec: audit incomplete: permission denied: the credentials need read access"
    )
    assert "E0000006" in result.stderr
    # The three first reads failed and nothing was read after them.
    failed = report_of(result)["failed_reads"]
    assert [f["cause"] for f in failed] == ["permission denied"] * 3
    assert len(org.okta.requests) == 3


def test_partial_findings_are_kept_and_marked(org: Org) -> None:
    org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"
    org.okta.faults.add(Fault(kind="status", status=503, path=RULES, times=None))
    result = audit_cli(org, env={"APPSPECS_OKTA_MAX_RETRIES": "0"}, fmt="json")
    report = report_of(result)
    assert result.exit_code == 2
    assert codes(report) == {("app-changed", "low", "crm-sync", "label")}
    assert report["partial"] is True
    markdown = audit_cli(org, env={"APPSPECS_OKTA_MAX_RETRIES": "0"}, fmt="markdown")
    assert "**Incomplete:**" in markdown.stdout and markdown.exit_code == 2


def test_unread_rules_do_not_turn_into_missing_scopes(org: Org) -> None:
    org.rule("crm-sync")["conditions"]["scopes"]["include"] = ["api:data:company"]
    path = f"/policies/{org.policy('crm-sync')['id']}/rules$"
    org.okta.faults.add(Fault(kind="status", status=503, path=path, times=None))
    result = audit_lib(org, max_retries=0)
    assert not result.complete
    pid = org.policy("crm-sync")["id"]
    assert [f.what for f in result.failed] == [f"rules of policy 'crm-sync' ({pid})"]
    assert [f.code for f in result.findings if f.app == "crm-sync"] == []


def test_one_unread_group_leaves_every_assignment_unknown(org: Org) -> None:
    org.okta.state.unassign_group(org.app_id("crm-sync"), org.group_id("sales-ops"))
    gid = org.group_id("marketing")
    org.okta.faults.add(Fault(kind="drop", path=f"/groups/{gid}/apps$", times=None))
    result = audit_lib(org, max_retries=0)
    assert not result.complete
    assert result.snapshot.assignment_source == "groups"
    assert result.snapshot.assignments == {}
    assert result.findings == ()


def test_a_401_never_reports_in_sync(org: Org) -> None:
    with OktaClient(org.okta.url, ApiToken("tok-wrong")) as client:
        result = run_audit(client, desired_for("dev"), AuditOptions())
    assert not result.complete and not result.in_sync and result.findings == ()


# --- what a failed audit says: only what it read ---------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:  # a loopback port that was free a moment ago: refused
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("why", ["wrong token", "org unreachable"])
def test_a_failed_audit_claims_no_check_it_did_not_make(org: Org, why: str) -> None:
    # Before: "0 findings", "note: client secrets checked against appspecs:maxSecretAgeDays
    # 180", reads.secrets true, the failure at the end, and a wait_seconds longer than the run.
    env: dict[str, str | None] = {"APPSPECS_OKTA_MAX_RETRIES": "2"}
    if why == "wrong token":
        env["OKTA_API_TOKEN"] = "tok-not-the-right-one"
    else:
        env["OKTA_ORG_URL"] = _closed_port_url()
    runs = {
        fmt: audit_cli(org, env=env, fmt=fmt, drop_org_url=why != "wrong token")
        for fmt in ("text", "markdown", "json")
    }
    assert {r.exit_code for r in runs.values()} == {2}
    report = report_of(runs["json"])
    failed = len(report["failed_reads"])
    # Nothing was read: every read failed, and no part of the org counts as read.
    assert failed == report["attempted_reads"] == 3
    assert report["reads"] == {
        "server": False,
        "scopes": False,
        "policies": False,
        "apps": False,
        "groups": False,
        "rules": False,
        "assignments": None,
        "secrets": False,
        "max_secret_age_days": 180,
    }
    assert report["findings"] == [] and report["in_sync"] is False
    assert 0 <= report["wait_seconds"] <= report["duration_seconds"]

    text = runs["text"].stdout.splitlines()
    # It leads with why it stopped, then says what it read: nothing.
    assert (
        text[1] == f"INCOMPLETE: {failed} of {failed} reads failed; only what was read is checked:"
    )
    assert "Read: nothing." in text
    assert any(line.startswith("0 findings in what was read;") for line in text)
    assert not any("client secrets checked" in line for line in text)
    assert "note: client secret ages not checked: not every client secret could be read" in text

    markdown = runs["markdown"].stdout
    incomplete = markdown.index(f"> **Incomplete:** {failed} of {failed} reads failed")
    assert incomplete < markdown.index("| Severity |")
    assert "Read: nothing. Not read: the authorization server, its scopes" in markdown
    assert "0 findings in what was read" in markdown
    assert "client secrets checked" not in markdown


def test_a_partly_read_org_names_what_was_read_and_what_was_not(org: Org) -> None:
    org.okta.faults.add(Fault(kind="status", status=401, path=POLICIES, times=None))
    result = audit_cli(org, env={"APPSPECS_OKTA_MAX_RETRIES": "1"}, fmt="text")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[1].startswith("INCOMPLETE: 1 of ")
    assert (
        "Read: the authorization server, its scopes, the OIDC apps, the groups, the apps' group "
        "assignments, the apps' client secrets." in lines
    )
    # The rules hang off the policies: not read, though no read of them failed.
    assert "Not read: its policies, the rules of the apps' policies." in lines
    report = report_of(audit_cli(org, env={"APPSPECS_OKTA_MAX_RETRIES": "1"}))
    assert (report["reads"]["policies"], report["reads"]["rules"]) == (False, False)
    assert report["reads"]["secrets"] is True and report["reads"]["assignments"] == "groups"
