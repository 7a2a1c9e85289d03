"""The Pulumi import file `appspec import` writes: it must name what the stack program registers.

`pulumi import --file` puts each entry in state under the URN Pulumi builds from the entry's
parent chain and logical name; the first `pulumi up` then finds the program's resources there
and updates them instead of creating second apps. So the file is checked against the real stack
program, run under Pulumi's mocks on the imported specs: one entry per registered resource
(type, Pulumi name, parent chain, URN), each carrying the stand-in org's object in
pulumi_okta's import format. The Pulumi CLI itself cannot run here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.resources import (
    APP_COMPONENT,
    AUTH_SERVER_COMPONENT,
    GROUP_ASSIGNMENTS,
    OAUTH_APP,
    POLICY,
    RULE,
    SCOPE,
    SERVER,
)
from appspecs.onboard.importer import OWNER_PLACEHOLDER, PARTNER_PLACEHOLDER
from tests.approver import approve_args
from tests.pulumi_harness import STACK_TYPE, ProgramRun, Registration, run_stack_program
from tests.standin import StandinOkta
from tests.test_import_roundtrip import bundled_desired, hand_made

REPO = Path(__file__).resolve().parents[1]
TOKEN = "tok-IMPORT-adoption-9d2b6f"
STACK = "dev"
IMPORT_FILE = f"pulumi-import.{STACK}.json"

Chain = tuple[tuple[str, str], ...]  # (type, Pulumi name) of a resource, then of each parent


@dataclass
class Project:
    root: Path
    okta: StandinOkta
    server_id: str

    @property
    def apps_dir(self) -> Path:
        return self.root / "app-specs" / "apps"

    @property
    def import_file(self) -> Path:
        return self.root / IMPORT_FILE

    def document(self) -> Any:
        return json.loads(self.import_file.read_text())

    def run(self, *args: str) -> Result:
        env = {"OKTA_API_TOKEN": TOKEN, "OKTA_CLIENT_ID": None, "OKTA_PRIVATE_KEY": None}
        return CliRunner().invoke(
            cli,
            ["import", "--stack", STACK, "--org-url", self.okta.url, *args],
            env=env | {"OKTA_ORG_URL": None, "APPSPECS_OKTA_MAX_RETRIES": "0"},
            catch_exceptions=False,
        )

    def import_partners(self, *extra: str) -> Result:
        partners = [f"--partner={a.client.label}" for a in bundled_desired().apps if a.partner]
        result = self.run(*partners, *extra)
        assert result.exit_code == 0, result.output
        return result

    def complete_specs(self) -> None:
        """What a person does before deploying: owners and partners filled in, partner apps
        approved."""
        for path in sorted(self.apps_dir.glob("*.yaml")):
            text = path.read_text()
            text = text.replace(f"owner: {OWNER_PLACEHOLDER}", "owner: a@acme.example")
            path.write_text(
                text.replace(f"partner: {PARTNER_PLACEHOLDER}", "partner: acme-analytics")
            )
            if yaml.safe_load(text)["type"] == "partner":
                approved = CliRunner().invoke(
                    cli, ["approve", path.stem, *approve_args(self.root), "--ticket", "SEC-9"]
                )
                assert approved.exit_code == 0, approved.output

    def program(self, **config: Any) -> ProgramRun:
        """The real stack program on the imported specs, as the first `pulumi up` runs it."""
        self.complete_specs()
        return run_stack_program(STACK, specs_dir=self.root / "app-specs", config=config)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The bundled catalog, approvals and stacks, no app specs; the dev org built by hand."""
    shutil.copytree(REPO / "app-specs", tmp_path / "app-specs")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    for spec in (tmp_path / "app-specs" / "apps").iterdir():
        spec.unlink()
    monkeypatch.chdir(tmp_path)
    with StandinOkta(token=TOKEN) as okta:
        server_id = hand_made(okta, bundled_desired())
        yield Project(tmp_path, okta, server_id)


# -- the file against the program ----------------------------------------------------------


def file_chains(document: Any) -> list[Chain]:
    entries = {e["name"]: e for e in document["resources"]}
    assert len(entries) == len(document["resources"]), "entry names must be unique"
    chains: list[Chain] = []
    for entry in document["resources"]:
        chain = [(entry["type"], entry["logicalName"])]
        while "parent" in entry:
            entry = entries[entry["parent"]]
            chain.append((entry["type"], entry["logicalName"]))
        chains.append(tuple(chain))
    return chains


def program_chain(run: ProgramRun, registration: Registration) -> Chain:
    chain = [(registration.type, registration.name)]
    parent = registration.parent
    while parent is not None and parent.type != STACK_TYPE:
        chain.append((parent.type, parent.name))
        parent = run.find(parent.type, parent.name).parent
    return tuple(chain)


def import_urns(document: Any, project: str) -> set[str]:
    """The URNs `pulumi import` gives the entries: the parent's qualified type, `$`, the type,
    then the logical name (pulumi/pulumi pkg/cmd/pulumi/operations/import.go, parseImportFile)."""
    entries = {e["name"]: e for e in document["resources"]}

    def qualified(entry: Any) -> str:
        parent = entries.get(entry.get("parent", ""))
        return entry["type"] if parent is None else f"{qualified(parent)}${entry['type']}"

    return {
        f"urn:pulumi:{STACK}::{project}::{qualified(e)}::{e['logicalName']}"
        for e in document["resources"]
    }


def in_subtree(run: ProgramRun, registration: Registration, roots: set[str]) -> bool:
    return program_chain(run, registration)[-1][0] in roots


def assert_file_is_what_the_program_registers(
    document: Any,
    run: ProgramRun,
    roots: set[str],
    *,
    missing: frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """One entry per resource the program registers under ``roots`` (component types), except
    ``missing`` (type, name): what the deploy is to create."""
    registered = [r for r in run.registrations if in_subtree(run, r, roots)]
    expected = sorted(program_chain(run, r) for r in registered if (r.type, r.name) not in missing)
    assert sorted(file_chains(document)) == expected
    urns = {run.engine_urn(r) for r in registered if (r.type, r.name) not in missing}
    assert import_urns(document, run.project) == urns


def test_the_file_names_each_resource_the_program_registers_for_the_specs(
    project: Project,
) -> None:
    project.import_partners()
    document = project.document()
    assert document["nameTable"] == {}
    run = project.program()
    # The program registers every imported spec: none is held or left out.
    components = {r.name for r in run.of_type(APP_COMPONENT)}
    assert components == {p.stem for p in project.apps_dir.glob("*.yaml")}
    assert_file_is_what_the_program_registers(document, run, {APP_COMPONENT})
    kinds = {e["type"] for e in document["resources"]}
    assert kinds == {APP_COMPONENT, OAUTH_APP, POLICY, RULE, GROUP_ASSIGNMENTS}
    for entry in document["resources"]:
        assert entry.get("component", False) == (entry["type"] == APP_COMPONENT), entry
        assert ("id" in entry) != entry.get("component", False), entry


def test_ids_are_the_org_objects_in_the_providers_import_formats(project: Project) -> None:
    project.import_partners()
    state = project.okta.state
    server = project.server_id
    expected: set[tuple[str, str, str]] = set()  # (spec name, type, id)
    for path in project.apps_dir.glob("*.yaml"):
        spec = yaml.safe_load(path.read_text())
        [app] = [a for a in state.apps.values() if a["label"] == spec["label"]]
        client_id = app["credentials"]["oauthClient"]["client_id"]
        [policy] = [
            p
            for p in state.policies[server].values()
            if p["conditions"]["clients"]["include"] == [client_id]
        ]
        [rule_id] = state.rules[policy["id"]]
        expected |= {
            (spec["name"], OAUTH_APP, app["id"]),
            (spec["name"], POLICY, f"{server}/{policy['id']}"),
            (spec["name"], RULE, f"{server}/{policy['id']}/{rule_id}"),
        }
        assert bool(spec.get("groups")) == bool(state.app_groups.get(app["id"]))
        if spec.get("groups"):
            expected.add((spec["name"], GROUP_ASSIGNMENTS, app["id"]))
    document = project.document()
    entries = {e["name"]: e for e in document["resources"]}
    found = {
        (entries[e["parent"]]["logicalName"], e["type"], e["id"])
        for e in document["resources"]
        if "id" in e
    }
    assert found == expected
    # The import uses the provider version the program runs with: the same default provider.
    versions = {e.get("version") for e in document["resources"] if "id" in e}
    assert versions == {metadata.version("pulumi_okta")}


def test_with_server_adds_the_server_and_the_scopes_it_has(project: Project) -> None:
    scopes = project.okta.state.scopes[project.server_id]
    [lacking] = [s for s in scopes.values() if s["name"] == "api:data:news"]
    del scopes[lacking["id"]]  # a catalog scope the live server lacks: the deploy creates it
    project.import_partners("--with-server")
    document = project.document()
    run = project.program()
    missing = frozenset({(SCOPE, "scope-data-news")})
    assert run.find(SCOPE, "scope-data-news")  # the program does register it
    assert_file_is_what_the_program_registers(
        document, run, {APP_COMPONENT, AUTH_SERVER_COMPONENT}, missing=missing
    )
    ids = {e["type"]: e["id"] for e in document["resources"] if e["type"] == SERVER}
    assert ids == {SERVER: project.server_id}
    scope_ids = {e["id"] for e in document["resources"] if e["type"] == SCOPE}
    catalog_names = {s.name for s in bundled_desired().auth_server.scopes} - {"api:data:news"}
    assert scope_ids == {
        f"{project.server_id}/{s['id']}" for s in scopes.values() if s["name"] in catalog_names
    }


def test_with_server_warns_of_what_the_first_deploy_changes_on_the_server(
    project: Project,
) -> None:
    # A new audience makes every API that checks `aud` refuse the tokens: said before adopting.
    project.okta.state.auth_servers[project.server_id]["audiences"] = ["api://legacy"]
    quiet = project.import_partners()
    assert "warning" not in quiet.stderr  # without --with-server the server is not adopted
    (project.root / f"pulumi-import.{STACK}.json").unlink()
    for path in project.apps_dir.glob("*.yaml"):
        path.unlink()
    result = project.import_partners("--with-server")
    [warning] = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning.startswith("appspec: warning: the first pulumi up changes the adopted server: ")
    assert "api://legacy" in warning and "appspecs:authServer" in warning


def test_with_server_on_a_stack_using_an_existing_server_adds_no_server(project: Project) -> None:
    stack_file = project.root / "stacks" / f"Pulumi.{STACK}.yaml"
    config = yaml.safe_load(stack_file.read_text())
    existing = {"id": project.server_id}
    config["config"]["appspecs:authServer"] = existing
    stack_file.write_text(yaml.safe_dump(config))
    project.import_partners("--with-server")
    document = project.document()
    assert SERVER not in {e["type"] for e in document["resources"]}
    run = project.program(**{"appspecs:authServer": existing})
    assert_file_is_what_the_program_registers(document, run, {APP_COMPONENT, AUTH_SERVER_COMPONENT})


# -- what is not adopted ---------------------------------------------------------------------


def test_a_policy_other_apps_share_is_not_adopted(project: Project) -> None:
    """Adopted, a shared policy would be rewritten to name one app: the others lose access."""
    state = project.okta.state
    apps = {a["label"]: a for a in state.apps.values()}
    crm = apps["CRM Sync"]["credentials"]["oauthClient"]["client_id"]
    [policy] = [
        p
        for p in state.policies[project.server_id].values()
        if p["conditions"]["clients"]["include"] == [crm]
    ]
    policy["conditions"]["clients"]["include"] = [crm, "0oaSOMEOTHERCLIENT1"]
    result = project.import_partners()
    assert "policy 'CRM Sync access' also names other apps, so it is not adopted" in result.stdout
    assert (
        "Not adopted, created by the deploy: the policy and rule of crm-sync (see" in result.stdout
    )
    document = project.document()
    adopted = {e["id"] for e in document["resources"] if "id" in e}
    assert not any(policy["id"] in i for i in adopted)
    assert apps["CRM Sync"]["id"] in adopted  # the app itself still is
    run = project.program()
    missing = frozenset({(POLICY, "crm-sync-policy"), (RULE, "crm-sync-rule")})
    assert_file_is_what_the_program_registers(document, run, {APP_COMPONENT}, missing=missing)


def test_of_two_rules_granting_alike_the_first_is_adopted_and_the_other_named(
    project: Project,
) -> None:
    state = project.okta.state
    [crm] = [a for a in state.apps.values() if a["label"] == "CRM Sync"]
    client_id = crm["credentials"]["oauthClient"]["client_id"]
    [policy] = [
        p
        for p in state.policies[project.server_id].values()
        if p["conditions"]["clients"]["include"] == [client_id]
    ]
    [first] = state.rules[policy["id"]].values()
    second = project.okta.add_rule(
        project.server_id,
        policy["id"],
        "Allow sign-in too",
        grant_types=first["conditions"]["grantTypes"]["include"],
        scopes=first["conditions"]["scopes"]["include"],
        group_ids=first["conditions"]["people"]["groups"]["include"],
    )
    result = project.import_partners()
    assert (
        "the deploy adopts policy 'CRM Sync access' and its rule 'Allow sign-in'; rule "
        "'Allow sign-in too' of policy 'CRM Sync access' stay as they are" in result.stdout
    )
    rules = {e["id"] for e in project.document()["resources"] if e["type"] == RULE}
    assert f"{project.server_id}/{policy['id']}/{first['id']}" in rules
    assert not any(second["id"] in r for r in rules)


# -- writing the file ------------------------------------------------------------------------


def test_next_steps_are_printed(project: Project) -> None:
    result = project.import_partners()
    out = result.stdout
    assert f"{IMPORT_FILE} adopts 19 live Okta objects into the stack" in out
    assert f"pulumi import --file {IMPORT_FILE} --stack {STACK} --generate-code=false" in out
    assert "Set the partner of acme-analytics (its id in partners.yaml) and approve it" in out
    assert "a rename is an update, not a replacement" in out
    assert "again with --with-server --force" in out
    assert "--with-server --force" not in project.import_partners("--force", "--with-server").stdout


def test_an_existing_import_file_is_never_overwritten_without_force(project: Project) -> None:
    project.import_file.write_text("{}\n")
    result = project.run()
    assert result.exit_code == 2
    assert f"{IMPORT_FILE} exists; nothing was written (--force overwrites)" in result.stderr
    assert project.import_file.read_text() == "{}\n"
    assert list(project.apps_dir.iterdir()) == []  # no spec either
    forced = project.import_partners("--force")
    assert "import Acme Analytics" in forced.stdout
    assert project.document()["resources"]


def test_import_file_puts_it_elsewhere(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "adopt" / "dev.json"
    elsewhere.parent.mkdir()
    result = project.import_partners("--import-file", str(elsewhere))
    assert json.loads(elsewhere.read_text())["resources"]
    assert not project.import_file.exists()
    assert f"pulumi import --file {elsewhere} --stack dev" in result.stdout
    bad = project.run("--force", "--import-file", str(tmp_path / "nowhere" / "x.json"))
    assert bad.exit_code == 2 and f"the folder {tmp_path / 'nowhere'} does not exist" in bad.stderr


@pytest.mark.parametrize(
    "place", ["app-specs/apps/acme-analytics.yaml", "app-specs/approvals.yaml", "stacks/x.json"]
)
def test_an_import_file_among_the_specs_or_settings_is_refused_before_okta(
    project: Project, place: str
) -> None:
    # The sampled defect: with --force it replaced the spec the same run wrote, or the signed
    # approvals, with the import document, and exited 0
    (project.root / "app-specs" / "approvals.yaml").write_text("approvals: []\n")
    target = project.root / place
    before = target.read_bytes() if target.exists() else None
    result = project.run("--force", "--import-file", str(target))
    assert result.exit_code == 2, result.stderr
    assert f"--import-file {target} is in " in result.stderr
    assert "give a file beside Pulumi.yaml" in result.stderr
    assert (target.read_bytes() if target.exists() else None) == before
    assert list(project.apps_dir.iterdir()) == []  # nothing was written


def test_nothing_imported_writes_no_import_file(project: Project) -> None:
    result = project.run("--app", "No Such App")
    assert result.exit_code == 2  # a name given that matches nothing is a usage error
    assert not project.import_file.exists()


def test_force_replaces_a_symlink_at_the_import_file_never_what_it_points_to(
    project: Project, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    link = project.root / f"pulumi-import.{STACK}.json"
    link.symlink_to(victim)
    project.import_partners("--force")
    assert victim.read_text() == "keep me\n"
    assert not link.is_symlink()
    assert json.loads(link.read_text())["resources"]
