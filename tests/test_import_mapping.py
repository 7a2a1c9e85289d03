"""`appspec import` against hand-made apps in the stand-in: what maps, what is skipped and why.

The project is the bundled catalog and stacks copied into a temporary folder with no app specs;
the org has the dev stack's authorization server with the catalog's scopes, and each test adds
apps as a person in the admin console would: app, policy naming its client id, rule, groups.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.spec.load import load_specs
from tests.standin import Fault, StandinOkta

REPO = Path(__file__).resolve().parents[1]
TOKEN = "tok-IMPORT-mapping-4c8e2a"


@dataclass
class Org:
    okta: StandinOkta
    server_id: str
    root: Path
    groups: dict[str, dict[str, Any]]

    @property
    def apps_dir(self) -> Path:
        return self.root / "app-specs" / "apps"

    def written(self) -> list[str]:
        return sorted(p.stem for p in self.apps_dir.glob("*.yaml"))

    def spec(self, name: str) -> Any:
        return yaml.safe_load((self.apps_dir / f"{name}.yaml").read_text())

    def group(self, name: str) -> str:
        if name not in self.groups:
            self.groups[name] = self.okta.add_group(name)
        return str(self.groups[name]["id"])

    def app(
        self,
        label: str,
        *,
        kind: str = "web",
        grants: Sequence[str] = ("authorization_code", "refresh_token"),
        redirects: Sequence[str] | None = None,
        scopes: Sequence[str] = (
            "api:data:company",
            "openid",
            "profile",
            "email",
            "offline_access",
        ),
        rule_grants: Sequence[str] | None = None,
        groups: Sequence[str] = (),
        rule_groups: Sequence[str] | None = None,
        policy_clients: Sequence[str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A hand-made app with its own policy and rule, as the admin console makes them."""
        public = kind in ("browser", "native")
        defaults: dict[str, Any] = {
            "application_type": kind,
            "grant_types": list(grants),
            "response_types": ["token"] if kind == "service" else ["code"],
            "redirect_uris": list(
                redirects
                if redirects is not None
                else (
                    []
                    if kind == "service"
                    else [f"https://{label.lower().replace(' ', '-')}.example/cb"]
                )
            ),
            "token_endpoint_auth_method": "none" if public else "client_secret_basic",
            "pkce_required": public,
        }
        app = self.okta.add_oidc_app(label=label, **(defaults | fields))
        client_id = app["credentials"]["oauthClient"]["client_id"]
        policy = self.okta.add_policy(
            self.server_id, f"{label} access", client_ids=list(policy_clients or [client_id])
        )
        group_ids = [self.group(g) for g in groups]
        for gid in group_ids:
            self.okta.assign_group(app["id"], gid)
        if rule_groups is None:
            rule_group_ids = group_ids or ["EVERYONE"]
        else:
            rule_group_ids = [g if g == "EVERYONE" else self.group(g) for g in rule_groups]
        self.okta.add_rule(
            self.server_id,
            policy["id"],
            "default",
            grant_types=list(
                rule_grants
                if rule_grants is not None
                else [g for g in grants if g != "refresh_token"]
            ),
            scopes=list(scopes),
            group_ids=rule_group_ids,
        )
        app["policy"] = policy
        return app


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    shutil.copytree(REPO / "app-specs", tmp_path / "app-specs")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    for spec in (tmp_path / "app-specs" / "apps").iterdir():
        spec.unlink()
    (tmp_path / "app-specs" / "approvals.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    with StandinOkta(token=TOKEN) as okta:
        server = okta.add_auth_server(
            "appspecs-api-dev", audiences=["api://appspecs-dev"], system_scopes=True
        )
        catalog = load_specs(tmp_path / "app-specs").catalog
        assert catalog is not None
        for scope in catalog.scopes:
            okta.add_scope(server["id"], scope.value, consent="REQUIRED")
        yield Org(okta, server["id"], tmp_path, {})


def run_import(org: Org, *args: str, env: dict[str, str | None] | None = None) -> Result:
    environ: dict[str, str | None] = {
        "OKTA_API_TOKEN": TOKEN,
        "OKTA_CLIENT_ID": None,
        "OKTA_PRIVATE_KEY": None,
        "OKTA_ORG_URL": None,
        "APPSPECS_OKTA_MAX_RETRIES": "0",
    }
    return CliRunner().invoke(
        cli,
        ["import", "--stack", "dev", "--org-url", org.okta.url, *args],
        env=environ | (env or {}),
        catch_exceptions=False,
    )


# -- what a spec cannot express ---------------------------------------------------------------

Case = Callable[[Org], None]

UNEXPRESSIBLE: dict[str, tuple[Case, str]] = {
    "rule grants every scope": (
        lambda o: o.app("Odd App", scopes=["*"]),
        "grants every scope ('*')",
    ),
    "implicit grant": (
        lambda o: o.app(
            "Odd App",
            grants=["authorization_code", "implicit"],
            rule_grants=["authorization_code", "implicit"],
        ),
        "implicit grant",
    ),
    "password grant": (
        lambda o: o.app(
            "Odd App", grants=["password"], rule_grants=["password"], scopes=["api:data:company"]
        ),
        "password grant",
    ),
    "groups on a service app": (
        lambda o: o.app(
            "Odd App",
            kind="service",
            grants=["client_credentials"],
            scopes=["api:data:company"],
            groups=["ops"],
            rule_groups=["EVERYONE"],
        ),
        "service app with groups assigned (ops)",
    ),
    "scope not in the catalog": (
        # openid, profile, email and offline_access are the spec's oidc_scopes; phone is not
        lambda o: o.app("Odd App", scopes=["api:data:company", "openid", "phone"]),
        "scope 'phone' is not in the scope catalog",
    ),
    "wildcard redirect": (
        lambda o: o.app("Odd App", redirects=["https://*.odd.example/cb"]),
        "wildcard",
    ),
    "rules granting differently": (
        lambda o: _second_rule(o, o.app("Odd App"), scopes=["api:data:news", "offline_access"]),
        "its rules grant it differently",
    ),
    "rule naming users": (
        lambda o: _rule_with_users(o, o.app("Odd App")),
        "names users",
    ),
    "consent without --partner": (
        lambda o: o.app("Odd App", consent_method="REQUIRED"),
        "name it with --partner",
    ),
    "spa app without pkce": (
        lambda o: o.app("Odd App", kind="browser", pkce_required=False),
        "client.pkce: a spa app is a public client: PKCE is always required",
    ),
    "service app with private_key_jwt": (
        lambda o: o.app(
            "Odd App",
            kind="service",
            grants=["client_credentials"],
            scopes=["api:data:company"],
            token_endpoint_auth_method="private_key_jwt",
        ),
        "client.auth: private_key_jwt needs the client's public keys",
    ),
    "rotated refresh tokens without leeway": (
        lambda o: o.app(
            "Odd App", kind="browser", refresh_token={"rotation_type": "ROTATE", "leeway": 0}
        ),
        "refresh_token_leeway: the org has 0, a spec would deploy 30",
    ),
    "inactive app": (
        lambda o: o.app("Odd App", status="INACTIVE"),
        "status: the org has 'INACTIVE'",
    ),
    "refresh token without offline_access": (
        lambda o: o.app("Odd App", scopes=["api:data:company"]),
        "refresh tokens need offline_access",
    ),
    "rule open to everyone, app assigned to groups": (
        lambda o: o.app("Odd App", groups=["sales"], rule_groups=["EVERYONE"]),
        "rule groups: the org has [EVERYONE], a spec would deploy [sales]",
    ),
    "plain http redirect": (
        lambda o: o.app("Odd App", redirects=["http://odd.example/cb"]),
        "uses http on a non-loopback host",
    ),
    "rule without a grant the app uses": (
        lambda o: o.app(
            "Odd App",
            grants=["authorization_code", "client_credentials"],
            rule_grants=["authorization_code"],
            scopes=["api:data:company"],
        ),
        "does not allow client_credentials",
    ),
    "only inactive policies": (
        lambda o: _deactivate_policy(o, o.app("Odd App")),
        "only inactive policies name it",
    ),
}


def _second_rule(o: Org, app: dict[str, Any], scopes: list[str]) -> None:
    o.okta.add_rule(
        o.server_id,
        app["policy"]["id"],
        "second",
        grant_types=["authorization_code"],
        scopes=scopes,
        group_ids=["EVERYONE"],
        priority=2,
    )


def _rule_with_users(o: Org, app: dict[str, Any]) -> None:
    [rule] = o.okta.state.rules[app["policy"]["id"]].values()
    rule["conditions"]["people"]["users"]["include"] = ["00u1someone"]


def _deactivate_policy(o: Org, app: dict[str, Any]) -> None:
    o.okta.state.policies[o.server_id][app["policy"]["id"]]["status"] = "INACTIVE"


@pytest.mark.parametrize("case", sorted(UNEXPRESSIBLE))
def test_unexpressible_apps_are_reported_and_skipped(org: Org, case: str) -> None:
    make, problem = UNEXPRESSIBLE[case]
    org.app("Good App")
    make(org)
    result = run_import(org)
    assert result.exit_code == 1, result.output
    assert "skipped Odd App" in result.stdout
    assert problem in result.stdout
    assert "Traceback" not in result.output
    assert org.written() == ["good-app"]  # the others are still written


def test_a_well_formed_app_maps_field_for_field(org: Org) -> None:
    org.app(
        "Field Sales",
        grants=["authorization_code", "refresh_token", "client_credentials"],
        redirects=["https://sales.example/cb", "https://sales.example/cb2"],
        post_logout_redirect_uris=["https://sales.example/bye"],
        scopes=[
            "api:data:contact",
            "openid",
            "offline_access",
            "profile",
            "email",
            "api:data:company",
        ],
        groups=["sales", "sales-ops"],
    )
    org.app("Night Batch", kind="service", grants=["client_credentials"], scopes=["api:data:news"])
    org.app("Id Only", grants=["authorization_code"], scopes=["api:data:news", "openid"])
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert org.spec("field-sales") == {
        "name": "field-sales",
        "label": "Field Sales",
        "type": "internal",
        "owner": "TODO-owner",
        "client": {
            "kind": "web",
            "redirect_uris": ["https://sales.example/cb", "https://sales.example/cb2"],
            "post_logout_redirect_uris": ["https://sales.example/bye"],
            # not the kind's default, so written out
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        },
        "scopes": [
            "api:data:contact",
            "api:data:company",
        ],  # offline_access comes from refresh_token; openid, profile, email are the default
        "groups": ["sales", "sales-ops"],
    }
    # a rule listing other OpenID Connect scopes than the default keeps them
    assert org.spec("id-only")["client"]["oidc_scopes"] == ["openid"]
    assert org.spec("night-batch") == {
        "name": "night-batch",
        "label": "Night Batch",
        "type": "internal",
        "owner": "TODO-owner",
        "client": {"kind": "service"},  # client_credentials is the default: left out
        "scopes": ["api:data:news"],
    }
    text = (org.apps_dir / "field-sales.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../app-spec.schema.json\n")
    assert "owner: TODO-owner  # set the owner's email" in text
    assert "TODO-owner, which `appspec validate` reports" in result.stdout


def test_a_web_app_requiring_pkce_keeps_it(org: Org) -> None:
    org.app("Field Sales", pkce_required=True)
    org.app("Back Office")
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert org.spec("field-sales")["client"] == {
        "kind": "web",
        "redirect_uris": ["https://field-sales.example/cb"],
        "pkce": True,
    }
    assert "pkce" not in org.spec("back-office")["client"]  # the web default: left out


def test_the_placeholder_owner_is_the_only_thing_validate_reports(org: Org) -> None:
    org.app("Field Sales", groups=["sales"])
    org.app("Studio Local", kind="browser", redirects=["http://localhost:5173/cb"], groups=["eng"])
    assert run_import(org).exit_code == 0
    result = CliRunner().invoke(cli, ["validate", "--format", "json"])
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert {(d["code"], d["path"]) for d in diagnostics} == {("invalid-value", "owner")}
    assert len(diagnostics) == 2
    # Loopback redirects are refused in prod: the app is kept to the stack it came from.
    assert org.spec("studio-local")["environments"] == ["dev"]


def test_partner_apps_are_named_by_flag(org: Org) -> None:
    org.app("Acme Portal", consent_method="REQUIRED", scopes=["api:data:company", "offline_access"])
    org.app("Beta Portal", scopes=["api:data:company", "offline_access"])
    result = run_import(org, "--partner", "acme-portal", "--partner", "Beta Portal")
    assert result.exit_code == 1, result.output
    assert org.spec("acme-portal")["type"] == "partner"
    # Named a partner, but the org does not ask consent: a deploy would change that.
    assert "skipped Beta Portal" in result.stdout
    assert "named by --partner, but the org does not ask users' consent" in result.stdout


def test_unknown_partner_name_is_reported(org: Org) -> None:
    org.app("Good App")
    result = run_import(org, "--partner", "nobody")
    # A misspelt --partner would import a partner app as internal: nothing is written.
    assert result.exit_code == 2
    assert "--partner nobody" in result.stdout
    assert "nothing was written" in result.stderr
    assert org.written() == []


def test_names_are_slugged_and_made_unique(org: Org) -> None:
    org.app("Reports")
    org.app("REPORTS!")
    org.app("Ärger & Co. 2")
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert org.written() == ["arger-co-2", "reports", "reports-2"]


def test_app_restricts_the_import_by_label_or_id(org: Org) -> None:
    first = org.app("First App")
    org.app("Second App")
    org.app("Third App")
    result = run_import(org, "--app", "second app", "--app", first["id"])
    assert result.exit_code == 0, result.output
    assert org.written() == ["first-app", "second-app"]
    # Only the chosen apps' groups were read.
    group_reads = [
        r.path for r in org.okta.requests if r.path.endswith("/groups") and "/apps/" in r.path
    ]
    assert len(group_reads) == 2


def test_app_without_access_or_unknown_is_reported(org: Org) -> None:
    org.app("Good App")
    org.okta.add_oidc_app(label="No Access", redirect_uris=["https://x.example/cb"])
    result = run_import(org, "--app", "No Access", "--app", "Ghost", "--app", "Good App")
    assert result.exit_code == 2
    assert (
        "--app No Access: no policy of the authorization server names its client id"
        in result.stdout
    )
    # named by every form --app takes, as --help says them
    assert (
        "--app Ghost: no OIDC app has this id, client id, label or appspecs marker name"
        in result.stdout
    )
    assert org.written() == []


def test_all_clients_policies_are_reported_not_imported(org: Org) -> None:
    org.app("Good App")
    loose = org.okta.add_oidc_app(label="Loose", redirect_uris=["https://loose.example/cb"])
    policy = org.okta.add_policy(
        org.server_id, "Default Policy", client_ids=["ALL_CLIENTS"], priority=5
    )
    org.okta.add_rule(org.server_id, policy["id"], "Default Rule", scopes=["*"])
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert "policy 'Default Policy'" in result.stdout and "ALL_CLIENTS" in result.stdout
    assert org.written() == ["good-app"]
    assert loose["label"] not in result.stdout


def test_a_hand_made_app_never_takes_the_name_of_an_existing_spec(org: Org) -> None:
    # The managed crm-sync spec, and a hand-made app (no marker) whose label slugs to its name.
    managed = org.apps_dir / "crm-sync.yaml"
    shutil.copyfile(REPO / "app-specs" / "apps" / "crm-sync.yaml", managed)
    original = managed.read_text()
    org.app("crm-sync")
    for args in ([], ["--force"]):
        result = run_import(org, *args)
        assert result.exit_code == 0, result.output
        assert "as crm-sync-2" in result.stdout
        assert managed.read_text() == original
        assert org.spec("crm-sync-2")["label"] == "crm-sync"
    assert org.written() == ["crm-sync", "crm-sync-2"]


def test_names_in_another_specs_folder_are_avoided_too(org: Org, tmp_path: Path) -> None:
    (org.apps_dir / "good-app.yml").write_text("name: good-app\n")  # not read, but a name
    out = tmp_path / "review"
    out.mkdir()
    (out / "other-app.yaml").write_text("# someone's draft\n")
    org.app("Good App")
    org.app("Other App")
    result = run_import(org, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "good-app-2.yaml",
        "other-app-2.yaml",
        "other-app.yaml",
    ]


def test_existing_files_are_never_overwritten_without_force(org: Org) -> None:
    org.app("Good App")
    org.app("Other App")
    assert run_import(org).exit_code == 0
    # Run again: each spec was imported from the same app, so it keeps its name and file.
    existing = org.apps_dir / "good-app.yaml"
    existing.write_text(existing.read_text() + "# reviewed\n")
    edited = existing.read_text()
    result = run_import(org)
    assert result.exit_code == 2
    assert (
        "app-specs/apps/good-app.yaml, app-specs/apps/other-app.yaml, pulumi-import.dev.json "
        "exist; nothing was written (--force overwrites)"
    ) in result.stderr
    assert existing.read_text() == edited
    assert org.written() == ["good-app", "other-app"]
    forced = run_import(org, "--force")
    assert forced.exit_code == 0, forced.output
    assert "# reviewed" not in existing.read_text()
    assert org.written() == ["good-app", "other-app"]


def test_out_writes_elsewhere(org: Org, tmp_path: Path) -> None:
    org.app("Good App")
    out = tmp_path / "elsewhere"
    out.mkdir()
    result = run_import(org, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["good-app.yaml"]
    assert org.written() == []


def test_marker_names_are_kept(org: Org) -> None:
    app = org.app("Customer Relations")
    org.okta.state.apps[app["id"]]["profile"] = {"appspecs": {"name": "crm", "digest": "sha256:x"}}
    org.app("crm")  # its label slugs to the marker's name: it gets another
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert org.written() == ["crm", "crm-2"]
    assert org.spec("crm")["label"] == "Customer Relations"
    # A deploy made it: its state may hold it already, which `pulumi import` refuses.
    assert "crm carries the appspecs marker, so a deploy made it" in result.stdout


def test_apps_whose_marker_names_an_existing_spec_are_left_alone(org: Org) -> None:
    managed = org.app("Customer Relations")
    org.okta.state.apps[managed["id"]]["profile"] = {"appspecs": {"name": "crm", "digest": "x"}}
    spec = org.apps_dir / "crm.yaml"
    spec.write_text("# deployed from here\n")
    org.app("Hand Made")
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert "already managed (their specs exist, name them with --app to redo): crm" in result.stdout
    assert spec.read_text() == "# deployed from here\n"
    assert org.written() == ["crm", "hand-made"]
    # named explicitly, it is imported again, and the file rule applies
    again = run_import(org, "--app", "Customer Relations")
    assert again.exit_code == 2
    assert "app-specs/apps/crm.yaml, pulumi-import.dev.json exist" in again.stderr
    # by the name the message gave, too
    by_name = run_import(org, "--app", "crm", "--force")
    assert by_name.exit_code == 0, by_name.output
    assert "import Customer Relations" in by_name.stdout
    assert "Hand Made" not in by_name.stdout
    assert org.spec("crm")["label"] == "Customer Relations"


# -- errors -----------------------------------------------------------------------------------


def test_no_app_with_access_writes_nothing(org: Org) -> None:
    result = run_import(org)
    assert result.exit_code == 0
    assert "no app has access" in result.stdout
    assert org.written() == []


def test_a_missing_auth_server_exits_1(org: Org) -> None:
    org.okta.state.auth_servers[org.server_id]["name"] = "renamed"
    result = run_import(org)
    assert result.exit_code == 1
    assert "no authorization server with name 'appspecs-api-dev'" in result.stderr


def test_a_broken_catalog_exits_1_with_its_diagnostics_before_any_call(org: Org) -> None:
    org.app("Good App")
    shutil.copyfile(
        REPO / "tests/cases/validate/catalog-rules/app-specs/scope-catalog.yaml",
        org.root / "app-specs" / "scope-catalog.yaml",
    )
    result = run_import(org)
    assert result.exit_code == 1
    assert "error[catalog] scopes[1].value: scope value 'api:data:company' repeats" in result.stdout
    assert result.stderr == "appspec: the scope catalog has errors\n"
    assert org.okta.requests == [] and org.written() == []


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--org-url", "http://okta.example.com"], {}, "http://"),
        ([], {"OKTA_API_TOKEN": None}, "OKTA_API_TOKEN"),
        (["--out", "no-such-dir"], {}, "--out: the folder no-such-dir does not exist"),
        (["--stack", "staging"], {}, "known stacks: dev, prod"),
    ],
)
def test_usage_problems_exit_2_in_one_line(
    org: Org, args: list[str], env: dict[str, str | None], message: str
) -> None:
    org.app("Good App")
    result = run_import(org, *args, env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert org.written() == []


def test_a_failed_read_writes_nothing_and_exits_2(org: Org) -> None:
    org.app("Good App")
    org.okta.faults.add(Fault(kind="status", status=503, path=r"/groups$", times=None))
    result = run_import(org)
    assert result.exit_code == 2
    assert "could not read" in result.stderr and "503" in result.stderr
    assert org.written() == []


def test_the_token_never_shows(org: Org) -> None:
    org.app("Good App")
    result = run_import(org)
    assert TOKEN not in result.output
    bad = run_import(org, env={"OKTA_API_TOKEN": "tok-WRONG-7d1e"})
    assert bad.exit_code == 2 and "HTTP 401" in bad.stderr
    assert "tok-WRONG-7d1e" not in bad.output


def test_refused_credentials_or_a_wrong_org_url_lead_with_what_to_fix(org: Org) -> None:
    """As the audit's line does: the first read's failure is every read's, and the fix is
    what the reader needs first."""
    org.app("Good App")
    bad = run_import(org, env={"OKTA_API_TOKEN": "tok-WRONG-7d1e"})
    assert bad.exit_code == 2
    [line] = bad.stderr.splitlines()
    assert line.startswith(
        "appspec: authentication failed: check OKTA_API_TOKEN, or OKTA_CLIENT_ID and "
        "OKTA_PRIVATE_KEY, for this org (could not read "
    )
    assert "HTTP 401" in line and line.endswith("; nothing was written")
    org.okta.deny_all = True
    denied = run_import(org)
    assert denied.exit_code == 2
    assert denied.stderr.startswith("appspec: permission denied: the credentials need read access")
    assert org.written() == []


def test_import_reads_with_the_read_scopes_only(org: Org) -> None:
    org.app("Good App")
    assert run_import(org).exit_code == 0
    assert {r.method for r in org.okta.requests} == {"GET"}


def test_specs_folder_apps_are_untouched(org: Org) -> None:
    org.app("Good App")
    os.makedirs(org.apps_dir, exist_ok=True)
    (org.apps_dir / "kept.yaml").write_text("name: kept\n")
    assert run_import(org).exit_code == 0
    assert (org.apps_dir / "kept.yaml").read_text() == "name: kept\n"


@pytest.mark.parametrize(
    "label", ["yes", "null", "1234", "a: b # c", "'quoted' \"too\"", "Café – Ünïcode"]
)
def test_awkward_labels_survive_the_yaml(org: Org, label: str) -> None:
    org.app(label, redirects=["https://awkward.example/cb"])
    result = run_import(org)
    assert result.exit_code == 0, result.output
    [name] = org.written()
    specs = load_specs(org.root / "app-specs")
    # The owner placeholder is the one error: everything else, label included, reads back.
    assert [d.path for d in specs.diagnostics if d.is_error] == ["owner"]
    assert org.spec(name)["label"] == label


def test_a_policy_shared_by_two_apps_imports_both_with_a_note(org: Org) -> None:
    first = org.okta.add_oidc_app(label="Twin One", redirect_uris=["https://one.example/cb"])
    second = org.okta.add_oidc_app(label="Twin Two", redirect_uris=["https://two.example/cb"])
    clients = [a["credentials"]["oauthClient"]["client_id"] for a in (first, second)]
    policy = org.okta.add_policy(org.server_id, "Twins", client_ids=clients)
    org.okta.add_rule(
        org.server_id,
        policy["id"],
        "both",
        grant_types=["authorization_code"],
        scopes=["api:data:news"],
    )
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert org.written() == ["twin-one", "twin-two"]
    assert result.stdout.count("policy 'Twins' also names other apps") == 2
    assert org.spec("twin-one")["client"]["grant_types"] == ["authorization_code"]


def test_a_spec_imported_from_an_app_but_deployed_as_another_is_not_its_any_more(
    org: Org,
) -> None:
    # Imported from the hand-made app, then deployed without adoption: a twin carries the marker.
    hand_made = org.app("Good App")
    assert run_import(org).exit_code == 0
    deployed = org.app("Good App Twin")
    org.okta.state.apps[deployed["id"]]["profile"] = {"appspecs": {"name": "good-app"}}
    spec = org.apps_dir / "good-app.yaml"
    spec.write_text(spec.read_text().replace("TODO-owner", "a@acme.example"))
    managed = spec.read_text()
    result = run_import(org, "--force", "--app", hand_made["id"])
    assert result.exit_code == 0, result.output
    assert "as good-app-2" in result.stdout
    assert spec.read_text() == managed


def test_the_settings_the_first_deploy_resets_are_noted(org: Org) -> None:
    # The deploy states the provider's defaults (issuer_mode ORG_URL, hidden from the dashboard
    # and the mobile app): an app the org set otherwise is imported with a note saying so.
    app = org.app("Field Sales", issuer_mode="CUSTOM_URL")
    org.okta.state.apps[app["id"]]["visibility"]["hide"]["web"] = False
    org.app("Back Office", issuer_mode="ORG_URL")
    result = run_import(org)
    assert result.exit_code == 0, result.output
    assert "the first deploy sets issuer_mode from 'CUSTOM_URL' to 'ORG_URL'" in result.stdout
    assert "the `iss` claim of its tokens changes" in result.stdout
    assert "the first deploy sets hide_web from false to true" in result.stdout
    assert result.stdout.count("the first deploy sets") == 2  # Back Office is at the defaults


def _ec_jwk(kid: str) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ec

    numbers = ec.generate_private_key(ec.SECP384R1()).public_key().public_numbers()

    def b64(i: int) -> str:
        return base64.urlsafe_b64encode(i.to_bytes(48, "big")).rstrip(b"=").decode()

    return {"kid": kid, "kty": "EC", "x": b64(numbers.x), "y": b64(numbers.y)}


def test_keys_rotation_lifetimes_and_links_are_read_into_the_spec(org: Org) -> None:
    key = _ec_jwk("batch-2026")
    org.app(
        "Key Batch",
        kind="service",
        grants=["client_credentials"],
        scopes=["api:data:news"],
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [key]},
    )
    org.app(
        "Static Studio",
        kind="browser",
        refresh_token={"rotation_type": "STATIC", "leeway": 30},
        tos_uri="https://studio.example/terms",
        policy_uri="https://studio.example/privacy",
        client_uri="https://studio.example",
    )
    rule = next(iter(org.okta.state.rules[org.app("Short Tokens")["policy"]["id"]].values()))
    rule["actions"]["token"]["accessTokenLifetimeMinutes"] = 15
    rule["actions"]["token"]["refreshTokenWindowMinutes"] = 1440
    result = run_import(org)
    assert result.exit_code == 0, result.output
    batch = org.spec("key-batch")["client"]
    # Okta lists keys with id, status and times and no curve: the spec gets the curve back
    assert batch == {
        "kind": "service",
        "auth": "private_key_jwt",
        "jwks": [{**key, "crv": "P-384"}],
    }
    studio = org.spec("static-studio")
    assert studio["client"]["refresh_token_rotation"] == "static"
    assert studio["links"] == {
        "home": "https://studio.example",
        "terms": "https://studio.example/terms",
        "privacy": "https://studio.example/privacy",
    }
    assert org.spec("short-tokens")["tokens"] == {
        "access_token_minutes": 15,
        "refresh_token_minutes": 1440,
    }
    # a deploy of these specs changes nothing: each validates but for its placeholder owner
    validated = CliRunner().invoke(cli, ["validate", "--format", "json"])
    diagnostics = json.loads(validated.stdout)["diagnostics"]
    assert {(d["code"], d["path"]) for d in diagnostics} == {("invalid-value", "owner")}


def test_a_partner_app_without_consent_pages_is_written_with_a_note(org: Org) -> None:
    org.app("Acme Portal", consent_method="REQUIRED", scopes=["api:data:company", "offline_access"])
    result = run_import(org, "--partner", "acme-portal")
    assert result.exit_code == 0, result.output
    assert "links: the org shows no terms or privacy page on its consent screen" in result.stdout
    assert "links" not in org.spec("acme-portal")
    path = org.apps_dir / "acme-portal.yaml"
    text = path.read_text().replace("owner: TODO-owner", "owner: a@acme.example")
    path.write_text(text.replace("partner: TODO-partner", "partner: acme-analytics"))
    validated = CliRunner().invoke(cli, ["validate", "--format", "json"])
    codes = {(d["code"], d["path"]) for d in json.loads(validated.stdout)["diagnostics"]}
    assert ("links", "type") in codes  # validate asks for them once the owner is filled in
