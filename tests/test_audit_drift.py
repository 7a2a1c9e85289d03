"""`appspec audit` against a stand-in seeded from the bundled specs, then altered one way at a time.

The org starts exactly as Pulumi leaves the dev stack; each case changes it as someone in the
admin console might and checks the whole set of findings (code, severity, app, field), so an
alteration that also produced a spurious finding would fail too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.audit_support import (
    SPECS_DIR,
    STACKS_DIR,
    Org,
    audit_cli,
    codes,
    report_of,
    seeded_org,
)

Alter = Callable[[Org], None]
Expected = set[tuple[str, str, str | None, str | None]]


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


def test_an_org_exactly_as_declared_is_in_sync(org: Org) -> None:
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 0, result.stderr
    assert report["findings"] == []
    assert report["complete"] is True and report["partial"] is False and report["in_sync"]
    assert report["counts"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    # The dev stack sets maxSecretAgeDays, so the three confidential apps' secrets were read.
    assert report["reads"] == {
        "server": True,
        "scopes": True,
        "policies": True,
        "apps": True,
        "groups": True,
        "rules": True,
        "assignments": "groups",
        "secrets": True,
        "max_secret_age_days": 180,
    }
    assert report["calls"] == dict(org.okta.calls) | {
        b: 0 for b in ("app", "token", "other") if b not in org.okta.calls
    }


def test_text_and_markdown_say_in_sync(org: Org) -> None:
    text = audit_cli(org, fmt="text")
    markdown = audit_cli(org, fmt="markdown")
    assert text.exit_code == markdown.exit_code == 0
    assert text.stdout.splitlines()[0].endswith(": in sync")
    assert "0 findings" in text.stdout
    assert markdown.stdout.startswith("## Okta audit: stack `dev`: in sync")


# --- alterations ---------------------------------------------------------------------------


def set_app(path: tuple[str, ...], value: object, app: str = "crm-sync") -> Alter:
    def alter(org: Org) -> None:
        obj = org.okta.state.apps[org.app_id(app)]
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return alter


def delete_app(org: Org) -> None:
    org.okta.state.set_app_status(org.app_id("crm-sync"), "INACTIVE")
    org.okta.state.delete_app(org.app_id("crm-sync"))


def add_marked_app(name: str) -> Alter:
    def alter(org: Org) -> None:
        org.okta.add_oidc_app(
            label=name.title(),
            redirect_uris=["https://x.example/cb"],
            profile={"appspecs": {"name": name, "digest": "sha256:" + "0" * 64}},
        )

    return alter


def duplicate_app(org: Org) -> None:
    live = org.okta.state.apps[org.app_id("crm-sync")]
    client = live["settings"]["oauthClient"]
    org.okta.add_oidc_app(
        label=live["label"],
        redirect_uris=client["redirect_uris"],
        post_logout_redirect_uris=client["post_logout_redirect_uris"],
        grant_types=client["grant_types"],
        profile=live["profile"],
    )


# crm-sync's rule as deployed: its catalog scopes, the OpenID Connect ones, offline_access
CRM_SCOPES = [
    *("api:data:company", "api:data:contact"),
    *("openid", "profile", "email", "offline_access"),
]


def rule_scopes(scopes: list[str], app: str = "crm-sync") -> Alter:
    def alter(org: Org) -> None:
        org.rule(app)["conditions"]["scopes"]["include"] = scopes

    return alter


def rule_token(key: str, minutes: int) -> Alter:
    def alter(org: Org) -> None:
        org.rule("crm-sync")["actions"]["token"][key] = minutes

    return alter


def rule_groups(groups: list[str]) -> Alter:
    def alter(org: Org) -> None:
        ids = [g if g == "EVERYONE" else org.group_id(g) for g in groups]
        org.rule("crm-sync")["conditions"]["people"]["groups"]["include"] = ids

    return alter


def policy_names_worker_too(org: Org) -> None:
    org.policy("crm-sync")["conditions"]["clients"]["include"].append(
        org.client_id("enrichment-worker")
    )


def drop_policy(org: Org) -> None:
    del org.okta.state.policies[org.seeded.server_id][org.policy("crm-sync")["id"]]


def drop_rule(org: Org) -> None:
    del org.okta.state.rules[org.policy("crm-sync")["id"]][org.rule("crm-sync")["id"]]


def deactivate_policy(org: Org) -> None:
    org.policy("crm-sync")["status"] = "INACTIVE"


def assign(group: str) -> Alter:
    def alter(org: Org) -> None:
        org.okta.assign_group(org.app_id("crm-sync"), org.group_id(group))

    return alter


def unassign_sales_ops(org: Org) -> None:
    org.okta.state.unassign_group(org.app_id("crm-sync"), org.group_id("sales-ops"))


def unmanaged_client_policy(org: Org) -> None:
    other = org.okta.add_oidc_app(label="Shadow IT", redirect_uris=["https://shadow.example/cb"])
    client_id = other["credentials"]["oauthClient"]["client_id"]
    policy = org.okta.add_policy(org.seeded.server_id, "shadow", client_ids=[client_id])
    org.okta.add_rule(org.seeded.server_id, policy["id"], "shadow", scopes=["api:data:contact"])


def all_clients_policy(org: Org) -> None:
    policy = org.okta.add_policy(org.seeded.server_id, "everyone", client_ids=["ALL_CLIENTS"])
    org.okta.add_rule(org.seeded.server_id, policy["id"], "everyone", scopes=["api:data:news"])


def hand_made_policy_for_crm(org: Org) -> None:
    sid = org.seeded.server_id
    policy = org.okta.add_policy(sid, "crm-extra", client_ids=[org.client_id("crm-sync")])
    org.okta.add_rule(
        sid,
        policy["id"],
        "extra",
        grant_types=["authorization_code"],
        scopes=["api:data:intent"],
    )


def extra_scope(org: Org) -> None:
    org.okta.add_scope(org.seeded.server_id, "api:legacy:write", description="old")


def drop_catalog_scope(org: Org) -> None:
    scope = org.seeded.scopes["api:data:scoops"]
    del org.okta.state.scopes[org.seeded.server_id][scope["id"]]


def rename_scope(org: Org) -> None:
    org.seeded.scopes["api:data:news"]["displayName"] = "Headlines"


def drop_server(org: Org) -> None:
    del org.okta.state.auth_servers[org.seeded.server_id]


def server_issuer_mode(org: Org) -> None:
    org.seeded.server["issuerMode"] = "CUSTOM_URL"


def server_audiences(org: Org) -> None:
    org.seeded.server["audiences"] = ["api://appspecs-dev", "api://legacy"]


def old_secret(org: Org) -> None:
    (secret,) = org.okta.state.secrets[org.app_id("crm-sync")].values()
    created = datetime.now(UTC) - timedelta(days=400)
    secret["created"] = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")


CRM = "crm-sync"
W = "enrichment-worker"

CASES: list[tuple[str, Alter, Expected]] = [
    (
        "app deleted",
        delete_app,
        # Its policy still names the deleted client: nobody's app now, so unmanaged.
        {
            ("app-missing", "high", CRM, None),
            ("unmanaged-client-access", "high", None, "policy:crm-sync"),
        },
    ),
    (
        "marker without spec",
        add_marked_app("legacy-portal"),
        {("app-orphaned", "medium", "legacy-portal", None)},
    ),
    (
        "held partner app live",
        add_marked_app("orbit-mobile"),
        {("held-app-live", "critical", "orbit-mobile", None)},
    ),
    ("two apps with one marker", duplicate_app, {("app-duplicate", "high", CRM, None)}),
    ("label", set_app(("label",), "CRM"), {("app-changed", "low", CRM, "label")}),
    ("status", set_app(("status",), "INACTIVE"), {("app-changed", "medium", CRM, "status")}),
    # stated at the provider's defaults: the first update would reset them, so they are drift
    (
        "issuer mode",
        set_app(("settings", "oauthClient", "issuer_mode"), "CUSTOM_URL"),
        {("app-changed", "medium", CRM, "issuer_mode")},
    ),
    (
        "shown on iOS",
        set_app(("visibility", "hide", "iOS"), False),
        {("app-changed", "medium", CRM, "hide_ios")},
    ),
    (
        "access tokens live longer",
        rule_token("accessTokenLifetimeMinutes", 120),
        {("rule-changed", "high", CRM, "access_token_lifetime_minutes")},
    ),
    (
        "refresh window shorter",
        rule_token("refreshTokenWindowMinutes", 60),
        {("rule-changed", "medium", CRM, "refresh_token_window_minutes")},
    ),
    (
        "redirect uri added",
        set_app(
            ("settings", "oauthClient", "redirect_uris"),
            ["https://crm.acme.example/oauth/callback", "https://evil.example/cb"],
        ),
        {("app-changed", "high", CRM, "redirect_uris")},
    ),
    (
        "post-logout uri",
        set_app(("settings", "oauthClient", "post_logout_redirect_uris"), []),
        {("app-changed", "medium", CRM, "post_logout_redirect_uris")},
    ),
    (
        "grant types",
        set_app(("settings", "oauthClient", "grant_types"), ["authorization_code", "implicit"]),
        {("app-changed", "high", CRM, "grant_types")},
    ),
    (
        "response types",
        set_app(("settings", "oauthClient", "response_types"), ["code", "token"]),
        {("app-changed", "medium", CRM, "response_types")},
    ),
    (
        "application type",
        set_app(("settings", "oauthClient", "application_type"), "native"),
        {("app-changed", "medium", CRM, "application_type")},
    ),
    (
        "auth method",
        set_app(("credentials", "oauthClient", "token_endpoint_auth_method"), "client_secret_post"),
        {("app-changed", "high", CRM, "token_endpoint_auth_method")},
    ),
    (
        "pkce",
        set_app(("credentials", "oauthClient", "pkce_required"), False, app="audience-studio"),
        {("app-changed", "high", "audience-studio", "pkce_required")},
    ),
    (
        "consent",
        set_app(("settings", "oauthClient", "consent_method"), "TRUSTED", app="acme-analytics"),
        {("app-changed", "high", "acme-analytics", "consent_method")},
    ),
    (
        "marker behind the spec",
        set_app(("profile", "appspecs", "digest"), "sha256:" + "1" * 64),
        {("app-outdated", "low", CRM, "profile.appspecs.digest")},
    ),
    (
        "rule grants more",
        rule_scopes([*CRM_SCOPES, "api:data:intent"]),
        {("scopes-granted-beyond-spec", "high", CRM, "scopes")},
    ),
    (
        "rule grants every scope",
        rule_scopes(["*"]),
        {("scopes-granted-beyond-spec", "high", CRM, "scopes")},
    ),
    (
        "rule grants less",
        rule_scopes([s for s in CRM_SCOPES if s != "api:data:contact"]),
        {("scopes-missing", "medium", CRM, "scopes")},
    ),
    (
        "policy names another client",
        policy_names_worker_too,
        # The worker now gets crm-sync's scopes through crm-sync's policy.
        {
            ("policy-other-clients", "high", CRM, "clients"),
            ("scopes-granted-beyond-spec", "high", W, "scopes"),
        },
    ),
    ("policy deleted", drop_policy, {("policy-missing", "high", CRM, "policy")}),
    ("rule deleted", drop_rule, {("rule-missing", "high", CRM, "rule")}),
    (
        "policy deactivated",
        deactivate_policy,
        {("policy-changed", "medium", CRM, "status"), ("scopes-missing", "medium", CRM, "scopes")},
    ),
    (
        "rule opened to everyone",
        rule_groups(["EVERYONE"]),
        {("rule-changed", "high", CRM, "groups")},
    ),
    ("group assigned live", assign("marketing"), {("groups-added-live", "medium", CRM, "groups")}),
    (
        "group unassigned live",
        unassign_sales_ops,
        {("groups-removed-live", "medium", CRM, "groups")},
    ),
    (
        "policy for an app without the marker",
        unmanaged_client_policy,
        {("unmanaged-client-access", "high", None, "policy:shadow")},
    ),
    (
        "ALL_CLIENTS policy",
        all_clients_policy,
        {("all-clients-policy", "high", None, "policy:everyone")},
    ),
    (
        "hand-made policy for our app",
        hand_made_policy_for_crm,
        {
            ("policy-unmanaged", "medium", CRM, "policy:crm-extra"),
            ("scopes-granted-beyond-spec", "high", CRM, "scopes"),
        },
    ),
    (
        "scope not in the catalog",
        extra_scope,
        {("scope-not-in-catalog", "medium", None, "api:legacy:write")},
    ),
    (
        "catalog scope missing",
        drop_catalog_scope,
        {("catalog-scope-missing", "medium", None, "api:data:scoops")},
    ),
    (
        "scope renamed",
        rename_scope,
        {("scope-changed", "low", None, "api:data:news.display_name")},
    ),
    ("server deleted", drop_server, {("auth-server-missing", "high", None, None)}),
    (
        "server issuer mode",
        server_issuer_mode,
        {("auth-server-changed", "medium", None, "issuer_mode")},
    ),
    (
        "server audiences",
        server_audiences,
        {("auth-server-changed", "medium", None, "audiences")},
    ),
]


@pytest.mark.parametrize(("alter", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_alteration_is_found(org: Org, alter: Alter, expected: Expected) -> None:
    alter(org)
    result = audit_cli(org)
    report = report_of(result)
    assert codes(report) == expected
    assert result.exit_code == 1, result.stderr
    assert report["complete"] is True and not report["in_sync"]
    assert sum(report["counts"].values()) == len(report["findings"])


def test_an_old_secret_is_found_only_because_the_stack_asks(org: Org) -> None:
    old_secret(org)
    report = report_of(audit_cli(org))
    [finding] = report["findings"]
    assert (finding["code"], finding["severity"], finding["app"]) == (
        "secret-too-old",
        "medium",
        CRM,
    )
    assert finding["declared"] == 180 and finding["live"] >= 400
    secrets = org.okta.state.secrets[org.app_id(CRM)]
    assert all(s["client_secret"] not in str(report) for s in secrets.values())


@pytest.mark.parametrize("created", ["2020-01-01T00:00:00", "yesterday", None])
def test_a_secret_whose_age_cannot_be_read_is_not_taken_for_young(
    org: Org, created: str | None
) -> None:
    (secret,) = org.okta.state.secrets[org.app_id(CRM)].values()
    secret["created"] = created
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 1
    assert codes(report) == {("secret-age-unknown", "medium", CRM, f"secret:{secret['id']}")}


def test_a_held_app_is_the_most_severe_finding(org: Org) -> None:
    add_marked_app("orbit-mobile")(org)
    rule_scopes(["*"])(org)
    text = audit_cli(org, fmt="text")
    report = report_of(audit_cli(org))
    assert [f["code"] for f in report["findings"]] == [
        "held-app-live",
        "scopes-granted-beyond-spec",
    ]
    assert text.stdout.splitlines()[1].startswith("CRITICAL held-app-live orbit-mobile")
    message = report["findings"][0]["message"]
    assert "awaiting approval" in message
    # why it can be live, and how it leaves: its protection, and the retirement steps
    assert "pulumi up refuses to delete them" in message
    assert "docs/commands.md, retiring a partner app" in message


def test_an_app_left_out_by_environments_is_orphaned_for_that_stack(
    org: Org, tmp_path: Path
) -> None:
    # A stack like dev (same server) that studio-local's `environments: [dev]` leaves out,
    # and without maxSecretAgeDays, so no secret is read.
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    dev = (STACKS_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    qa = "\n".join(line for line in dev.splitlines() if "maxSecretAgeDays" not in line)
    (stacks / "Pulumi.qa.yaml").write_text(qa + "\n", encoding="utf-8")
    shutil.copy(STACKS_DIR / "Pulumi.dev.yaml", stacks)  # the specs name dev: it must exist
    result = audit_cli(org, "--stacks", str(stacks), stack="qa")
    report = report_of(result)
    # Its policy still grants it access, which no spec for this stack manages.
    assert codes(report) == {
        ("app-orphaned", "medium", "studio-local", None),
        ("unmanaged-client-access", "high", None, "policy:studio-local"),
    }
    [orphaned] = [f for f in report["findings"] if f["code"] == "app-orphaned"]
    assert "not for stack 'qa' (environments: [dev])" in orphaned["message"]
    assert result.exit_code == 1
    assert report["reads"]["secrets"] is False
    assert not [r for r in org.okta.requests if "/credentials/secrets" in r.path]


def test_a_live_partner_app_whose_approval_was_removed_is_critical(
    org: Org, tmp_path: Path
) -> None:
    # (A changed spec is not this case: Okta keeps the approved version, which is in sync.)
    specs = tmp_path / "app-specs"
    shutil.copytree(SPECS_DIR, specs)
    (specs / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    result = audit_cli(org, specs=specs)
    report = report_of(result)
    assert codes(report) == {
        ("held-app-live", "critical", "acme-analytics", None),
        ("unmanaged-client-access", "high", None, "policy:acme-analytics"),
    }
    # its policy's client is its own, held: not one "no spec manages"
    unmanaged = next(f for f in report["findings"] if f["code"] == "unmanaged-client-access")
    assert (
        "marked 'acme-analytics'), whose spec deploys nothing while it is held"
        in (unmanaged["message"])
    )
    assert "no spec manages" not in unmanaged["message"]
    message = report["findings"][0]["message"]
    assert "awaiting approval" in message
    # why it can be live, and how it leaves: its protection, and the retirement steps
    assert "pulumi up refuses to delete them" in message
    assert "docs/commands.md, retiring a partner app" in message
    assert result.exit_code == 1


@pytest.mark.parametrize("marker", ["crm-sync", None, {"name": 7}, ["crm-sync"]])
def test_a_marker_that_is_no_marker_is_a_finding_of_its_own(org: Org, marker: object) -> None:
    app_id = org.app_id("crm-sync")
    set_app(("profile", "appspecs"), marker)(org)
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 1, result.stderr
    assert codes(report) == {
        ("app-marker-malformed", "medium", None, f"app:{app_id}"),
        ("app-missing", "high", "crm-sync", None),
        ("unmanaged-client-access", "high", None, "policy:crm-sync"),
    }
    [malformed] = [f for f in report["findings"] if f["code"] == "app-marker-malformed"]
    assert malformed["live"].startswith(f"profile.appspecs is {json.dumps(marker)}, ")
    assert app_id in malformed["message"]


def _granted_everything(org: Org, client_id: str, name: str) -> None:
    policy = org.okta.add_policy(org.seeded.server_id, name, client_ids=[client_id])
    org.okta.add_rule(org.seeded.server_id, policy["id"], name, scopes=["*"])


@pytest.mark.parametrize("marker", ["gone-app", "crm-sync"], ids=["orphaned", "duplicate"])
def test_a_marker_never_hides_what_its_app_may_access(org: Org, marker: str) -> None:
    # A made-up marker (a spec that is gone, or a copy of a real one) must not lower the
    # severity of a hand-made grant to its app, nor hide it.
    app = org.okta.add_oidc_app(
        label="Sneaky",
        redirect_uris=["https://x.example/cb"],
        profile={"appspecs": {"name": marker, "digest": "sha256:" + "0" * 64}},
    )
    _granted_everything(org, app["credentials"]["oauthClient"]["client_id"], "sneaky")
    report = report_of(audit_cli(org))
    code = "app-orphaned" if marker == "gone-app" else "app-duplicate"
    severity = "medium" if marker == "gone-app" else "high"
    assert codes(report) == {
        (code, severity, marker, None),
        ("unmanaged-client-access", "high", None, "policy:sneaky"),
    }
    [access] = [f for f in report["findings"] if f["code"] == "unmanaged-client-access"]
    assert f"marked '{marker}'" in access["message"]


def test_a_group_name_two_groups_share_is_never_in_sync(org: Org) -> None:
    # The app moved to another group of the same name (an app group from AD, say): by name alone
    # nothing changed, so the shared name itself is the finding.
    impostor = org.okta.add_group("sales-ops", group_type="APP_GROUP")
    app_id = org.app_id("crm-sync")
    real = next(g for g in org.okta.state.groups.values() if g["profile"]["name"] == "sales-ops")
    org.okta.assign_group(app_id, impostor["id"])
    org.okta.state.unassign_group(app_id, real["id"])
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 1
    assert codes(report) == {("group-ambiguous", "high", "crm-sync", "group:sales-ops")}
    [found] = report["findings"]
    assert sorted(found["live"]) == sorted([real["id"], impostor["id"]])
    assert "rename one of them" in found["message"]


def test_a_partner_app_at_its_approved_version_is_in_sync_while_a_change_waits(
    org: Org, tmp_path: Path
) -> None:
    specs = tmp_path / "app-specs"
    shutil.copytree(SPECS_DIR, specs)
    acme = specs / "apps" / "acme-analytics.yaml"
    acme.write_text(acme.read_text().replace("  - api:data:news\n", "  - api:data:intent\n"))
    result = audit_cli(org, specs=specs)
    report = report_of(result)
    assert result.exit_code == 0, result.stderr
    assert report["findings"] == [] and report["in_sync"]


@pytest.mark.parametrize(
    ("app", "version"), [(CRM, "spec"), ("acme-analytics", "approved version")]
)
def test_a_marker_of_another_version_names_the_version_the_specs_deploy(
    org: Org, app: str, version: str
) -> None:
    # a partner app deploys its approved version, which its spec's newest may wait behind:
    # "spec" there named the approved digest as if it were the file's
    other = "sha256:" + "1" * 64
    set_app(("profile", "appspecs", "digest"), other, app=app)(org)
    [finding] = report_of(audit_cli(org))["findings"]
    assert finding["code"] == "app-outdated" and finding["app"] == app
    assert f"(marker digest {other}, {version} sha256:" in finding["message"]
