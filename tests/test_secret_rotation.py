"""`appspec secret rotate|retire|list` over real HTTP against the stand-in Okta.

Each test builds a small project (catalog, specs, stacks) in a temporary folder and seeds the
stand-in with apps carrying the ``profile.appspecs`` marker, as Pulumi leaves them. The CLI runs
in-process through click's runner, so stdout, stderr and every log record are checked for secret
values, which the stand-in generates and these tests read back from its state.
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from tests.standin import Fault, StandinOkta
from tests.waiting import wait_for

TOKEN = "tok-SECRET-rotation-9f3a1c7e5b"

CATALOG = """\
scopes:
  - value: api:billing:read
    display_name: Read billing
    description: Read invoices
    category: Billing
  - value: api:billing:write
    display_name: Write billing
    description: Change invoices
    category: Billing
"""

SPECS = {
    "billing-sync": """\
name: billing-sync
label: Billing Sync
type: internal
owner: billing@acme.example
client:
  kind: web
  redirect_uris: [https://billing.acme.example/cb]
scopes: [api:billing:read]
""",
    "ledger-worker": """\
name: ledger-worker
label: Ledger Worker
type: internal
owner: billing@acme.example
client:
  kind: service
scopes: [api:billing:write]
""",
    "ledger-ui": """\
name: ledger-ui
label: Ledger UI
type: internal
owner: billing@acme.example
client:
  kind: spa
  redirect_uris: [https://ledger.acme.example/cb]
scopes: [api:billing:read]
""",
    "partner-portal": """\
name: partner-portal
label: Partner Portal
type: partner
owner: partners@acme.example
client:
  kind: web
  redirect_uris: [https://portal.partner.example/cb]
scopes: [api:billing:read]
links: {terms: "https://portal.partner.example/terms", privacy: "https://portal.partner.example/privacy"}
""",
    "prod-only": """\
name: prod-only
label: Prod Only
type: internal
owner: billing@acme.example
client:
  kind: web
  redirect_uris: [https://prod.acme.example/cb]
scopes: [api:billing:read]
environments: [prod]
""",
}

STACK = """\
config:
  appspecs:authServer:
    name: billing-api
    audience: api://billing
  appspecs:maxSecretAgeDays: 90
"""


@dataclass
class Org:
    okta: StandinOkta
    root: Path
    apps: dict[str, dict[str, Any]]

    def app_id(self, name: str) -> str:
        return str(self.apps[name]["id"])

    def secrets(self, name: str) -> list[dict[str, Any]]:
        return list(self.okta.state.secrets[self.app_id(name)].values())

    def values(self) -> set[str]:
        """Every secret value and hash the org holds now."""
        found: set[str] = set()
        for table in self.okta.state.secrets.values():
            for s in table.values():
                found |= {s["client_secret"], s["secret_hash"]}
        return found

    def secret_calls(self, method: str | None = None) -> list[str]:
        return [
            f"{r.method} {r.path}"
            for r in self.okta.requests
            if "/credentials/secrets" in r.path and (method is None or r.method == method)
        ]


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    specs = tmp_path / "app-specs"
    (specs / "apps").mkdir(parents=True)
    (specs / "scope-catalog.yaml").write_text(CATALOG)
    for name, text in SPECS.items():
        (specs / "apps" / f"{name}.yaml").write_text(text)
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.dev.yaml").write_text(STACK)
    (stacks / "Pulumi.prod.yaml").write_text(STACK)
    with StandinOkta(token=TOKEN) as okta:
        apps: dict[str, dict[str, Any]] = {}
        for name, label, kind, method in (
            ("billing-sync", "Billing Sync", "web", "client_secret_basic"),
            ("ledger-worker", "Ledger Worker", "service", "client_secret_basic"),
            ("ledger-ui", "Ledger UI", "browser", "none"),
            ("partner-portal", "Partner Portal", "web", "client_secret_basic"),
            ("prod-only", "Prod Only", "web", "client_secret_basic"),
        ):
            apps[name] = okta.add_oidc_app(
                label=label,
                application_type=kind,
                grant_types=["client_credentials"] if kind == "service" else ["authorization_code"],
                redirect_uris=[] if kind == "service" else [f"https://{name}.example/cb"],
                token_endpoint_auth_method=method,
                profile={"appspecs": {"name": name, "digest": "sha256:seeded"}},
                secret=method != "none",
            )
        # An unmanaged app with a similar label: found by `q`, but it has no marker.
        okta.add_oidc_app(label="Billing Sync (old)", secret=True)
        okta.reset_counters()
        yield Org(okta, tmp_path, apps)


def run(org: Org, *args: str, env: dict[str, str] | None = None) -> Result:
    os.chdir(org.root)  # the default --specs is app-specs/ in the working directory
    return CliRunner().invoke(
        cli,
        ["secret", *args, "--stack", "dev", "--org-url", org.okta.url],
        env={"OKTA_API_TOKEN": TOKEN, "OKTA_CLIENT_ID": None, "OKTA_PRIVATE_KEY": None}
        | (env or {}),
        catch_exceptions=False,
    )


@pytest.fixture(autouse=True)
def _keep_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(os.getcwd())  # restored after each test, whatever run() did


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def assert_nothing_secret(org: Org, result: Result, caplog: pytest.LogCaptureFixture) -> None:
    texts = {"stdout": result.stdout, "stderr": result.stderr, "logs": caplog.text}
    for where, text in texts.items():
        for value in org.values():
            assert value not in text, f"a secret value or hash shows in {where}"
        assert TOKEN not in text, f"the API token shows in {where}"


# -- rotate -----------------------------------------------------------------------------------


def test_rotate_writes_a_second_secret_to_a_0600_file(
    org: Org, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    [old] = org.secrets("billing-sync")
    out = tmp_path / "billing.secret"
    result = run(org, "rotate", "billing-sync", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    old_now, new = org.secrets("billing-sync")
    assert old_now["id"] == old["id"] and old_now["status"] == "ACTIVE"  # consumers keep working
    assert new["status"] == "ACTIVE"
    assert out.read_text() == new["client_secret"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"created secret {new['id']} at {new['created']}" in result.stdout
    assert f"the old secret {old['id']}" in result.stdout
    assert "appspec secret retire" in result.stdout
    assert_nothing_secret(org, result, caplog)
    # Okta generated it: the request asked for nothing but a new secret.
    assert org.secret_calls("POST") == [
        f"POST /api/v1/apps/{org.app_id('billing-sync')}/credentials/secrets"
    ]


def test_rotate_file_mode_is_0600_whatever_the_umask(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "s"
    old = os.umask(0o000)
    try:
        result = run(org, "rotate", "ledger-worker", "--out", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_reveal_prints_the_secret_alone_on_stdout(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    result = run(org, "rotate", "ledger-worker", "--reveal")
    assert result.exit_code == 0, result.stderr
    _, new = org.secrets("ledger-worker")
    assert result.stdout == new["client_secret"] + "\n"
    assert f"created secret {new['id']}" in result.stderr
    assert new["client_secret"] not in result.stderr
    assert new["client_secret"] not in caplog.text and TOKEN not in caplog.text


def test_rotate_without_out_or_reveal_creates_nothing(org: Org) -> None:
    result = run(org, "rotate", "billing-sync")
    assert result.exit_code == 2
    assert "--out" in result.stderr and "--reveal" in result.stderr
    assert len(org.secrets("billing-sync")) == 1
    assert org.okta.requests == []


def test_rotate_refuses_an_existing_out_file(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.write_text("keep me")
    result = run(org, "rotate", "billing-sync", "--out", str(out))
    assert result.exit_code == 2
    assert "exists" in result.stderr
    assert out.read_text() == "keep me"
    assert len(org.secrets("billing-sync")) == 1
    assert org.secret_calls("POST") == []


def test_rotate_refuses_a_symlink_out(org: Org, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "link"
    link.symlink_to(target)  # dangling: an attacker's pointer at a file of their choosing
    result = run(org, "rotate", "billing-sync", "--out", str(link))
    assert result.exit_code == 2
    assert not target.exists()
    assert org.secret_calls("POST") == []


def test_an_out_file_that_cannot_be_created_stops_before_okta(org: Org, tmp_path: Path) -> None:
    result = run(org, "rotate", "billing-sync", "--out", str(tmp_path / "no-such-dir" / "s"))
    assert result.exit_code == 2
    assert f"the folder {tmp_path / 'no-such-dir'} does not exist" in result.stderr
    assert org.secret_calls("POST") == []
    assert len(org.secrets("billing-sync")) == 1


def test_two_secrets_is_the_limit(org: Org, tmp_path: Path) -> None:
    org.okta.add_secret(org.app_id("billing-sync"))
    result = run(org, "rotate", "billing-sync", "--out", str(tmp_path / "s"))
    assert result.exit_code == 1
    assert "appspec secret retire" in result.stderr
    assert org.secret_calls("POST") == []
    assert not (tmp_path / "s").exists()


def test_a_failed_create_is_not_retried_and_leaves_no_file(org: Org, tmp_path: Path) -> None:
    org.okta.faults.add(
        Fault(kind="status", status=503, path=r"/credentials/secrets$", method="POST")
    )
    out = tmp_path / "s"
    result = run(org, "rotate", "billing-sync", "--out", str(out))
    assert result.exit_code == 2
    assert "503" in result.stderr
    assert not out.exists()
    # A retried POST could have made a second secret nobody holds.
    assert len(org.secret_calls("POST")) == 1


# -- retire -----------------------------------------------------------------------------------


def test_retire_deletes_all_but_the_newest(
    org: Org, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(org, "rotate", "billing-sync", "--out", str(tmp_path / "s")).exit_code == 0
    old, new = org.secrets("billing-sync")
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 0, result.stderr
    assert [s["id"] for s in org.secrets("billing-sync")] == [new["id"]]
    assert f"retired secret {old['id']} (created {old['created']})" in result.stdout
    assert f"kept secret {new['id']}" in result.stdout
    values_before = {old["client_secret"], old["secret_hash"]}
    for value in values_before:
        assert value not in result.stdout + result.stderr + caplog.text
    assert_nothing_secret(org, result, caplog)
    app = org.app_id("billing-sync")
    assert org.secret_calls()[-2:] == [
        f"POST /api/v1/apps/{app}/credentials/secrets/{old['id']}/lifecycle/deactivate",
        f"DELETE /api/v1/apps/{app}/credentials/secrets/{old['id']}",
    ]


def test_retire_keeps_the_newest_by_creation_time_not_list_order(org: Org) -> None:
    app = org.app_id("billing-sync")
    [first] = org.secrets("billing-sync")
    second = org.okta.add_secret(app)
    # Okta lists oldest first, but nothing promises it: make the listed-last one older.
    second["created"] = "2020-01-01T00:00:00.000Z"
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 0, result.stderr
    assert [s["id"] for s in org.secrets("billing-sync")] == [first["id"]]


def test_retire_refuses_when_a_secret_s_creation_time_is_unknown(org: Org) -> None:
    # The sampled defect: sorted first, the one of unknown age was retired (deleted), though it
    # was the newest, the one the consumers had been switched to, and a 2020 one was kept
    app = org.app_id("billing-sync")
    [old] = org.secrets("billing-sync")
    old["created"] = "2020-01-01T00:00:00.000Z"
    new = org.okta.add_secret(app)
    new.pop("created", None)
    before = [s["id"] for s in org.secrets("billing-sync")]
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 1, result.stderr
    assert f"cannot tell which secret is newest: {new['id']} has no readable creation time" in (
        result.stderr
    )
    assert [s["id"] for s in org.secrets("billing-sync")] == before
    assert org.secret_calls("DELETE") == [] and org.secret_calls("POST") == []


def test_a_delete_that_fails_after_the_deactivate_says_the_secret_is_off(org: Org) -> None:
    # The sampled defect: only the DELETE's error was said, while the old secret was already
    # inactive, so that a consumer not yet switched fails
    app = org.app_id("billing-sync")
    [old] = org.secrets("billing-sync")
    org.okta.add_secret(app)
    org.okta.faults.add(
        Fault(
            kind="status",
            status=500,
            path=r"/credentials/secrets/[^/]+$",
            method="DELETE",
            times=None,
        )
    )
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 2, result.stderr
    assert f"secret {old['id']} is deactivated (a consumer still using it fails from now on)" in (
        result.stderr
    )
    assert "deleting it again finishes its removal" in result.stderr and "HTTP 500" in result.stderr
    assert result.stderr.count("\n") == 1  # one line


def test_retire_refuses_the_last_secret(org: Org) -> None:
    [only] = org.secrets("billing-sync")
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 1
    assert "only one client secret" in result.stderr and only["id"] in result.stderr
    assert org.secrets("billing-sync") == [only]
    assert org.secret_calls("DELETE") == [] and org.secret_calls("POST") == []


def test_retire_refuses_when_the_newest_is_inactive(org: Org) -> None:
    app = org.app_id("billing-sync")
    org.okta.add_secret(app, status="INACTIVE")
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 1
    assert "not active" in result.stderr
    assert len(org.secrets("billing-sync")) == 2
    assert org.secret_calls("DELETE") == []


def test_retire_deletes_an_inactive_old_secret_without_deactivating_it(org: Org) -> None:
    app = org.app_id("billing-sync")
    [old] = org.secrets("billing-sync")
    org.okta.add_secret(app)
    org.okta.state.set_secret_status(app, old["id"], "INACTIVE")
    result = run(org, "retire", "billing-sync")
    assert result.exit_code == 0, result.stderr
    assert len(org.secrets("billing-sync")) == 1
    assert not any("deactivate" in c for c in org.secret_calls())


# -- which apps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "code"),
    [
        ("partner-portal", "is held", 1),
        ("prod-only", "not deployed to stack 'dev'", 1),
        # A name no spec has is a misspelt argument: a usage error, as for `approve`.
        ("no-such-app", "no app named 'no-such-app' is declared in ", 2),
        ("ledger-ui", "no client secret", 1),
    ],
)
@pytest.mark.parametrize("command", ["rotate", "retire"])
def test_refuses_apps_that_are_held_undeclared_or_public(
    org: Org, command: str, name: str, message: str, code: int
) -> None:
    if (
        name in org.apps
        and org.apps[name]["credentials"]["oauthClient"]["token_endpoint_auth_method"] != "none"
    ):
        org.okta.add_secret(org.app_id(name))  # retire would otherwise refuse for another reason
    before = {n: len(org.okta.state.secrets[a["id"]]) for n, a in org.apps.items()}
    args = ["--reveal"] if command == "rotate" else []
    result = run(org, command, name, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert org.secret_calls() == []
    assert {n: len(org.okta.state.secrets[a["id"]]) for n, a in org.apps.items()} == before


def test_refuses_a_declared_app_missing_from_the_org(org: Org) -> None:
    org.okta.state.apps[org.app_id("billing-sync")]["profile"] = {}
    result = run(org, "rotate", "billing-sync", "--reveal")
    assert result.exit_code == 1
    assert "no app in the org" in result.stderr
    assert org.secret_calls() == []


def test_an_app_found_only_by_a_full_listing_is_still_found(org: Org) -> None:
    """Relabelled in the admin console: the `q` search misses, the marker still matches."""
    org.okta.state.apps[org.app_id("billing-sync")]["label"] = "Renamed by hand"
    result = run(org, "list", "billing-sync")
    assert result.exit_code == 0, result.stderr
    assert org.app_id("billing-sync") in result.stdout


# -- usage and credentials --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["rotate", "retire", "list"])
def test_bad_org_url_or_missing_credentials_exit_2_in_one_line(org: Org, command: str) -> None:
    extra = ["--reveal"] if command == "rotate" else []
    os.chdir(org.root)
    runner = CliRunner()
    bad_url = runner.invoke(
        cli,
        [
            "secret",
            command,
            "billing-sync",
            *extra,
            "--stack",
            "dev",
            "--org-url",
            "http://okta.example.com",
        ],
        env={"OKTA_API_TOKEN": TOKEN},
    )
    assert bad_url.exit_code == 2
    assert "--org-url" in bad_url.stderr and bad_url.stderr.count("\n") == 1
    no_creds = run(org, command, "billing-sync", *extra, env={"OKTA_API_TOKEN": ""})
    assert no_creds.exit_code == 2
    assert "OKTA_API_TOKEN" in no_creds.stderr and no_creds.stderr.count("\n") == 1
    assert org.okta.requests == []


@pytest.mark.parametrize("command", ["rotate", "retire", "list"])
def test_the_client_tuning_variables_apply_as_in_audit(org: Org, command: str) -> None:
    extra = ["--reveal"] if command == "rotate" else []
    result = run(org, command, "billing-sync", *extra, env={"APPSPECS_OKTA_TIMEOUT": "soon"})
    assert result.exit_code == 2
    assert "APPSPECS_OKTA_TIMEOUT" in result.stderr and result.stderr.count("\n") == 1
    assert org.okta.requests == []


def test_a_wrong_token_is_an_okta_error_exit_2(org: Org) -> None:
    result = run(org, "rotate", "billing-sync", "--reveal", env={"OKTA_API_TOKEN": "not-the-token"})
    assert result.exit_code == 2
    assert "HTTP 401" in result.stderr
    assert len(org.secrets("billing-sync")) == 1


@pytest.mark.parametrize("command", ["rotate", "retire", "list"])
def test_a_refused_token_leads_with_what_to_fix(org: Org, command: str) -> None:
    extra = ["--reveal"] if command == "rotate" else []
    result = run(org, command, "billing-sync", *extra, env={"OKTA_API_TOKEN": "not-the-token"})
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "appspec: authentication failed: check OKTA_API_TOKEN, or OKTA_CLIENT_ID and "
        "OKTA_PRIVATE_KEY, for this org ("
    )
    assert "HTTP 401" in line


def test_a_read_only_token_is_told_rotating_needs_okta_apps_manage(org: Org) -> None:
    org.okta.read_only = True
    result = run(org, "rotate", "billing-sync", "--reveal")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("appspec: permission denied: the credentials need to manage apps")
    assert "okta.apps.manage" in line and "HTTP 403" in line
    assert len(org.secrets("billing-sync")) == 1


def test_a_wrong_org_url_leads_with_checking_it(org: Org) -> None:
    os.chdir(org.root)
    result = CliRunner().invoke(
        cli,
        ["secret", "list", "billing-sync", "--stack", "dev", "--org-url", "http://127.0.0.1:9"],
        env={"OKTA_API_TOKEN": TOKEN, "APPSPECS_OKTA_MAX_RETRIES": "0"},
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "appspec: Okta unreachable: check the org URL (--org-url or OKTA_ORG_URL) and the network ("
    )


def test_unknown_stack_is_a_usage_error(org: Org) -> None:
    os.chdir(org.root)
    result = CliRunner().invoke(
        cli,
        ["secret", "list", "billing-sync", "--stack", "staging", "--org-url", org.okta.url],
        env={"OKTA_API_TOKEN": TOKEN},
    )
    assert result.exit_code == 2
    assert "staging" in result.stderr and "known stacks: dev, prod" in result.stderr


# -- list -------------------------------------------------------------------------------------


def test_list_shows_ids_status_and_age_never_values(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    app = org.app_id("billing-sync")
    [old] = org.secrets("billing-sync")
    old["created"] = "2020-02-01T00:00:00.000Z"
    new = org.okta.add_secret(app, status="INACTIVE")
    result = run(org, "list", "billing-sync")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"billing-sync ({app}): 2 client secrets"
    assert old["id"] in lines[1] and "ACTIVE" in lines[1] and "older than 90 days" in lines[1]
    assert new["id"] in lines[2] and "INACTIVE" in lines[2] and "0 days old" in lines[2]
    assert "older than" not in lines[2]
    assert_nothing_secret(org, result, caplog)


def test_list_json(org: Org, caplog: pytest.LogCaptureFixture) -> None:
    [old] = org.secrets("ledger-worker")
    result = run(org, "list", "ledger-worker", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["app"] == "ledger-worker" and data["max_secret_age_days"] == 90
    assert data["secrets"] == [
        {
            "id": old["id"],
            "status": "ACTIVE",
            "created": old["created"],
            "age_days": 0,
            "too_old": False,
        }
    ]
    assert_nothing_secret(org, result, caplog)


def test_list_works_for_held_apps_and_public_clients(org: Org) -> None:
    held = run(org, "list", "partner-portal")
    assert held.exit_code == 0, held.stderr
    assert "1 client secret" in held.stdout
    org.okta.reset_counters()
    public = run(org, "list", "ledger-ui")
    assert public.exit_code == 0, public.stderr
    assert "public client" in public.stdout
    assert not any("/credentials/secrets" in r.path for r in org.okta.requests)


def test_list_of_a_partner_app_never_approved_says_why_okta_has_none(org: Org) -> None:
    # The sampled defect: it asked "has the stack been deployed?", which it had been.
    del org.okta.state.apps[org.apps["partner-portal"]["id"]]
    result = run(org, "list", "partner-portal")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "('partner-portal' is a partner app under review: no update deploys it until it is "
        "approved, appspec approve partner-portal --by EMAIL --ticket ID)"
    )
    # the folders given are the ones the approve command reads; the default one given is the
    # reader's default too
    default = run(org, "list", "partner-portal", "--specs", str(org.root / "app-specs"))
    assert default.stderr == result.stderr
    shutil.copytree(org.root / "app-specs", org.root / "review")
    shutil.copytree(org.root / "stacks", org.root / "review-stacks")
    given = run(org, "list", "partner-portal", "--specs", "review", "--stacks", "review-stacks")
    assert given.stderr.strip().endswith(
        "--by EMAIL --ticket ID --specs review --stacks review-stacks)"
    )
    org.okta.state.apps.pop(org.apps["billing-sync"]["id"])
    internal = run(org, "list", "billing-sync")
    assert internal.exit_code == 1 and "under review" not in internal.stderr


def test_list_of_an_app_no_spec_names_is_a_usage_error_before_any_call(org: Org) -> None:
    result = run(org, "list", "no-such-app")
    assert result.exit_code == 2
    assert result.stderr.startswith("appspec: no app named 'no-such-app' is declared in ")
    assert "partner-portal" in result.stderr  # the apps there are named
    assert org.okta.requests == []


def test_out_and_reveal_at_once_are_refused_before_any_call(org: Org, tmp_path: Path) -> None:
    result = run(org, "rotate", "partner-portal", "--out", str(tmp_path / "s.txt"), "--reveal")
    assert result.exit_code == 2
    assert "not both" in result.stderr
    assert org.okta.requests == [] and not (tmp_path / "s.txt").exists()


def test_list_finds_an_app_whose_spec_has_errors(org: Org) -> None:
    # `import` writes specs without an owner; listing the secrets only reads, so it still works.
    path = org.root / "app-specs" / "apps" / "partner-portal.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"owner: .*", "owner: TODO-owner", text), encoding="utf-8")
    result = run(org, "list", "partner-portal")
    assert result.exit_code == 0, result.stderr
    assert "1 client secret" in result.stdout


# -- rotate when the answer is lost, the write fails or the user interrupts --------------------
#
# A secret Okta made but nobody holds is worse than no secret: it is the newest, so the next
# `retire` keeps it and deletes the one consumers use. Each of these ends with the org as it was.

LOST_ANSWERS = [
    ("body cut short", Fault(kind="truncate", mode="length")),
    ("half the JSON", Fault(kind="truncate", mode="json")),
    ("not JSON", Fault(kind="malformed", mode="text")),
    ("a list, not an object", Fault(kind="malformed", mode="shape")),
]


@pytest.mark.parametrize("fault", [c[1] for c in LOST_ANSWERS], ids=[c[0] for c in LOST_ANSWERS])
def test_a_secret_made_but_not_received_is_removed_again(
    org: Org, tmp_path: Path, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    fault.path, fault.method = r"/credentials/secrets$", "POST"
    org.okta.faults.add(fault)
    [old] = org.secrets("billing-sync")
    out = tmp_path / "s"
    result = run(org, "rotate", "billing-sync", "--out", str(out))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "whose value never reached us: removed again" in line
    assert org.secrets("billing-sync") == [old]
    assert not out.exists()
    assert_nothing_secret(org, result, caplog)


def test_a_refused_create_says_no_secret_was_made(org: Org, tmp_path: Path) -> None:
    org.okta.faults.add(
        Fault(kind="status", status=503, path=r"/credentials/secrets$", method="POST")
    )
    result = run(org, "rotate", "billing-sync", "--out", str(tmp_path / "s"))
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.endswith("; no new secret was made")
    assert len(org.secrets("billing-sync")) == 1


def _rotate_process(org: Org, *delivery: str, **popen: Any) -> subprocess.Popen[str]:
    """`appspec secret rotate billing-sync` with ``delivery`` (`--out F`, `--reveal`)."""
    argv = ["rotate", "billing-sync", "--stack", "dev", "--org-url", org.okta.url]
    return subprocess.Popen(
        [APPSPEC, "secret", *argv, *delivery],
        cwd=org.root,
        env={**_BASE_ENV, "OKTA_API_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


APPSPEC = str(Path(sys.executable).parent / "appspec")
_BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("OKTA_", "APPSPECS_"))}


def _small_files_only() -> None:
    # In the child before exec: files may not grow past 8 bytes, and the signal that would
    # kill the process is ignored, so the write fails with EFBIG as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8, 8))


def _no_stdout() -> None:
    # in the child before exec: started with descriptor 1 closed, as `>&-` does
    os.close(1)


def test_a_secret_that_cannot_be_written_is_removed_from_okta(org: Org, tmp_path: Path) -> None:
    [old] = org.secrets("billing-sync")
    out = tmp_path / "s"
    proc = _rotate_process(org, "--out", str(out), preexec_fn=_small_files_only)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    [line] = stderr.splitlines()
    assert f"cannot write {out}" in line and "was removed from Okta again" in line
    assert org.secrets("billing-sync") == [old]
    assert not out.exists()
    assert stdout == ""


def test_a_revealed_secret_with_stdout_closed_is_removed_from_okta(org: Org) -> None:
    # started with descriptor 1 closed (`--reveal >&-`): click.echo wrote the secret nowhere and
    # the command exited 0, leaving a second active secret nobody had
    [old] = org.secrets("billing-sync")
    proc = _rotate_process(org, "--reveal", preexec_fn=_no_stdout)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    [line] = stderr.splitlines()
    assert "cannot write the new secret: closed" in line, line
    assert "was removed from Okta again" in line
    assert org.secrets("billing-sync") == [old]


def test_a_rotation_whose_report_is_lost_says_the_secret_was_made(org: Org, tmp_path: Path) -> None:
    # stdout closed (`--out F >&-`): the secret is in F and in Okta, and the failure says so, or a
    # run again would be refused with two secrets and the first taken for not made
    out = tmp_path / "s"
    proc = _rotate_process(org, "--out", str(out), preexec_fn=_no_stdout)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    [line] = stderr.splitlines()
    assert line.startswith(
        "appspec: cannot write the report: the standard output failed (closed); done all the "
        "same: billing-sync: created secret "
    ), line
    assert f"written to {out} (mode 0600)" in line
    assert len(org.secrets("billing-sync")) == 2
    assert out.exists()


def test_ctrl_c_while_okta_makes_the_secret_exits_2_with_what_to_check(
    org: Org, tmp_path: Path
) -> None:
    held = org.okta.faults.add(
        Fault(kind="latency", seconds=3, path=r"/credentials/secrets$", method="POST")
    )
    out = tmp_path / "s"
    proc = _rotate_process(org, "--out", str(out))
    wait_for(lambda: held.hits, "the POST of the new secret, which the stand-in holds")
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2, stderr
    assert stdout == ""
    [line] = stderr.splitlines()
    assert line.startswith("appspec: interrupted while Okta made the new secret")
    assert "appspec secret list" in line and "Traceback" not in stderr
    assert not out.exists()
