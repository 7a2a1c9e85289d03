"""Round trips: seed the stand-in from the bundled dev desired state, import it, audit it.

The audit matches live apps to specs by the ``profile.appspecs`` marker, which Pulumi writes and
a hand-made app lacks until Pulumi adopts it. So "an audit right after the import reports no
drift" is tested in the two situations where it means something:

1. An org Pulumi made (markers present): import gives back every spec, losing only what Okta
   does not hold (owner, description, logo). With those filled in as a person would, the specs
   are the originals to the digest, and the audit of the org against them finds nothing.
2. A hand-made org (no markers; policies and rules named by hand): import, fill in owners,
   approve the partner app, then adopt the apps as running the import file it wrote
   (``pulumi import --file``) followed by ``pulumi up`` would: that writes the marker and
   renames the app's policy and rule to the spec's names, which are the only things a spec
   derives rather than reads. The file names exactly the org's objects, nothing else is
   touched, and the audit finds no drift: every field import mapped is what the specs deploy.

In both, right after the import, ``validate`` reports the placeholder owners and nothing else.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.model import DesiredApp, DesiredState
from appspecs.desired.render import render
from appspecs.desired.resources import GROUP_ASSIGNMENTS, OAUTH_APP, POLICY, RULE
from appspecs.onboard.importer import OWNER_PLACEHOLDER, PARTNER_PLACEHOLDER
from appspecs.spec.digest import logo_sha256, spec_digest
from appspecs.spec.load import load_specs
from appspecs.spec.models import AppSpec
from appspecs.stackconfig import load_stack_config
from tests.approver import approve_args
from tests.standin import StandinOkta
from tests.standin.seed import seed_org

REPO = Path(__file__).resolve().parents[1]
TOKEN = "tok-IMPORT-roundtrip-b71f0e"
# What Okta does not hold, so import cannot know it.
NOT_IN_OKTA = ("owner", "partner", "description", "logo")


def bundled_desired() -> DesiredState:
    specs = load_specs(REPO / "app-specs", stacks_dir=REPO / "stacks")
    return render(specs, load_stack_config(REPO / "stacks", "dev"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled catalog, logos, approvals and stacks, with no app specs."""
    shutil.copytree(REPO / "app-specs", tmp_path / "app-specs")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    for spec in (tmp_path / "app-specs" / "apps").iterdir():
        spec.unlink()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def okta() -> Iterator[StandinOkta]:
    with StandinOkta(token=TOKEN) as org:
        yield org


def appspec(okta: StandinOkta, *args: str) -> Result:
    env = {"OKTA_API_TOKEN": TOKEN, "OKTA_CLIENT_ID": None, "OKTA_PRIVATE_KEY": None}
    return CliRunner().invoke(
        cli,
        [*args, "--org-url", okta.url] if args[0] in ("import", "audit") else list(args),
        env=env | {"OKTA_ORG_URL": None},
        catch_exceptions=False,
    )


def assert_only_owners_fail_validation(written: int, partners: int) -> None:
    """Only the placeholders fail: every owner, and the partner of each partner app."""
    result = CliRunner().invoke(cli, ["validate", "--format", "json"])
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)["diagnostics"]
    errors = [(d["code"], d["path"]) for d in diagnostics if d["severity"] == "error"]
    assert sorted(errors) == sorted(
        [("invalid-value", "owner")] * written + [("invalid-value", "partner")] * partners
    ), diagnostics


def assert_audit_finds_nothing(okta: StandinOkta) -> None:
    result = appspec(okta, "audit", "--stack", "dev", "--format", "json")
    report = json.loads(result.stdout)
    assert report["findings"] == [], json.dumps(report["findings"], indent=2)
    assert result.exit_code == 0, result.stderr


def test_import_of_a_pulumi_made_org_gives_back_its_specs(project: Path, okta: StandinOkta) -> None:
    desired = bundled_desired()
    seed_org(okta, desired)
    partners = [a.name for a in desired.apps if a.partner]
    result = appspec(okta, "import", "--stack", "dev", *[f"--partner={p}" for p in partners])
    assert result.exit_code == 0, result.output
    apps_dir = project / "app-specs" / "apps"
    assert sorted(p.stem for p in apps_dir.iterdir()) == sorted(a.name for a in desired.apps)
    assert_only_owners_fail_validation(len(desired.apps), len(partners))

    originals = load_specs(REPO / "app-specs", stacks_dir=REPO / "stacks").apps
    for app in desired.apps:
        path = apps_dir / f"{app.name}.yaml"
        data = yaml.safe_load(path.read_text())
        assert data["owner"] == OWNER_PLACEHOLDER
        original = originals[app.name].spec.model_dump(exclude_none=True)
        completed = data | {k: original[k] for k in NOT_IN_OKTA if k in original}
        # To the digest: the same spec, defaults written out or not (and the same logo file).
        spec = AppSpec.model_validate(completed)
        assert spec_digest(spec, logo_sha256(spec, REPO / "app-specs")) == app.digest, app.name
        path.write_text(yaml.safe_dump(completed, sort_keys=False))
    assert_audit_finds_nothing(okta)


def hand_made(okta: StandinOkta, desired: DesiredState) -> str:
    """The dev org as people would have built it: no markers, their own policy and rule names.
    Returns the authorization server's id."""
    org = seed_org(okta, desired)
    for seeded in org.apps.values():
        okta.state.apps[seeded.id]["profile"] = {}
        label = seeded.app["label"]
        seeded.policy["name"] = f"{label} access"
        seeded.policy.pop("description", None)
        seeded.rule["name"] = "Allow sign-in"
    return org.server_id


def adopt(okta: StandinOkta, desired: DesiredState, import_file: Any) -> set[tuple[str, str]]:
    """What running the import file (`pulumi import --file`) then `pulumi up` change in the org:
    on each object the file names, what the spec renders differently from a hand-made app: the
    app's marker, its policy's name and description, its rule's name. The specs' own resources
    (``desired``, by the app component's name) say what each becomes. Returns the objects the
    file names, as (type, import id)."""
    entries = {e["name"]: e for e in import_file["resources"]}
    apps = {a.name: a for a in desired.apps}
    adopted: set[tuple[str, str]] = set()
    for entry in import_file["resources"]:
        if entry.get("component"):
            continue
        app = apps[entries[entry["parent"]]["logicalName"]]
        if entry["type"] == OAUTH_APP:
            okta.state.apps[entry["id"]]["profile"] = {
                k: dict(v) for k, v in app.client.profile.items()
            }
        elif entry["type"] == POLICY:
            server_id, policy_id = entry["id"].split("/")
            policy = okta.state.policies[server_id][policy_id]
            policy["name"] = app.policy.name
            policy["description"] = app.policy.description
        elif entry["type"] == RULE:
            server_id, policy_id, rule_id = entry["id"].split("/")
            okta.state.rules[policy_id][rule_id]["name"] = app.rule.name
        else:
            # Import checked the assignments are the spec's groups: nothing for `up` to change.
            assert entry["type"] == GROUP_ASSIGNMENTS, entry
        assert (entry["type"], entry["id"]) not in adopted, f"adopted twice: {entry}"
        adopted.add((entry["type"], entry["id"]))
    return adopted


def hand_made_objects(okta: StandinOkta, server_id: str) -> set[tuple[str, str]]:
    """Every object of the hand-made org an app spec stands for, as (type, import id)."""
    found: set[tuple[str, str]] = set()
    for app_id in okta.state.apps:
        found.add((OAUTH_APP, app_id))
        if okta.state.app_groups.get(app_id):
            found.add((GROUP_ASSIGNMENTS, app_id))
    for policy_id in okta.state.policies[server_id]:
        found.add((POLICY, f"{server_id}/{policy_id}"))
        for rule_id in okta.state.rules[policy_id]:
            found.add((RULE, f"{server_id}/{policy_id}/{rule_id}"))
    return found


def same_access(app: DesiredApp) -> Any:
    """A desired app without what specs derive from the name or the file (marker, policy, logo)."""
    return (
        replace(app.client, profile={}, logo=None),  # logos are files, not in Okta
        app.kind,
        app.partner,
        sorted(app.scopes),
        sorted(app.groups),
        sorted(app.rule.grant_types),
        sorted(app.rule.scopes),
        sorted(app.rule.groups),
    )


def test_import_of_a_hand_made_org_then_adoption_audits_clean(
    project: Path, okta: StandinOkta
) -> None:
    desired = bundled_desired()
    server_id = hand_made(okta, desired)
    partner_labels = [a.client.label for a in desired.apps if a.partner]
    result = appspec(okta, "import", "--stack", "dev", *[f"--partner={p}" for p in partner_labels])
    assert result.exit_code == 0, result.output
    apps_dir = project / "app-specs" / "apps"
    written = sorted(apps_dir.iterdir())
    assert len(written) == len(desired.apps)
    assert_only_owners_fail_validation(len(desired.apps), len(partner_labels))

    # A person fills in the owners and partners, and approves the partner apps' new specs.
    for path in written:
        text = path.read_text().replace(
            f"owner: {OWNER_PLACEHOLDER}", "owner: someone@acme.example"
        )
        path.write_text(text.replace(f"partner: {PARTNER_PLACEHOLDER}", "partner: acme-analytics"))
    for path in written:
        if yaml.safe_load(path.read_text())["type"] == "partner":
            approved = appspec(
                okta, "approve", path.stem, *approve_args(project), "--ticket", "SEC-1"
            )
            assert approved.exit_code == 0, approved.output

    specs = load_specs(project / "app-specs", stacks_dir=project / "stacks")
    assert specs.ok, specs.diagnostics
    imported = render(specs, load_stack_config(project / "stacks", "dev"))
    assert imported.skipped == ()
    # Names come from labels here; everything Okta holds maps back unchanged.
    by_label = {a.client.label: a for a in imported.apps}
    assert sorted(by_label) == sorted(a.client.label for a in desired.apps)
    for app in desired.apps:
        assert same_access(by_label[app.client.label]) == same_access(app), app.name

    import_file = json.loads((project / "pulumi-import.dev.json").read_text())
    # Exactly the org's objects, each once: every app, its policy and rule, its assignments.
    assert adopt(okta, imported, import_file) == hand_made_objects(okta, server_id)
    assert_audit_finds_nothing(okta)


def test_import_into_another_folder_skips_apps_whose_spec_exists(
    project: Path, okta: StandinOkta
) -> None:
    # The specs are in app-specs/apps; --out is a scratch folder to review an onboarding in.
    for spec in (REPO / "app-specs" / "apps").iterdir():
        shutil.copy2(spec, project / "app-specs" / "apps" / spec.name)
    desired = bundled_desired()
    seed_org(okta, desired)
    scratch = project / "scratch"
    scratch.mkdir()
    result = appspec(okta, "import", "--stack", "dev", "--out", str(scratch))
    assert result.exit_code == 0, result.output
    assert list(scratch.iterdir()) == []
    managed = ", ".join(sorted(a.name for a in desired.apps))
    assert f"already managed (their specs exist, name them with --app to redo): {managed}" in (
        result.stdout
    )
