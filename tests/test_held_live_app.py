"""A running internal app retyped to partner waits for its first approval, and a held app is
not deployed: merged as it is, the update would delete it. Internal apps are not protected, so
nothing would refuse that delete; the plan fails on it instead, against a base as against the
state, in every format, and an approval in the same change lets it through."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.render import render
from appspecs.desired.resources import resource_graph
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.approver import approve_args

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"
LINE = (
    "appspec: the update of stack prod would delete crm-sync, running in Okta as internal, while "
    "held for partner review (said in the plan): approve it in this change, leave it internal, "
    "or remove its spec in a change of its own\n"
)
# against a base, which reads no state: what the base deploys, not what runs
WHERE = {"state": "running in Okta", "base": "deployed by the base"}
VERDICT = "Running app deleted while held"


def _retype(root: Path) -> None:
    """crm-sync, internal and deployed to prod by the bundled specs, becomes a partner app."""
    path = root / "apps" / "crm-sync.yaml"
    text = path.read_text(encoding="utf-8")
    assert "type: internal\n" in text
    text = text.replace("type: internal\n", "type: partner\npartner: orbit-crm\n")
    text += "links:\n  terms: https://crm.acme.example/t\n  privacy: https://crm.acme.example/p\n"
    path.write_text(text, encoding="utf-8")


def _state(tmp_path: Path) -> Path:
    """Prod's state after `pulumi up` of the bundled specs: crm-sync is in it, unprotected."""
    specs = load_specs(ROOT / "app-specs", stacks_dir=STACKS)
    desired = render(specs, load_stack_config(STACKS, "prod"))
    doc = ps.state_for(resource_graph(desired), "prod", held=desired.held)
    crm = [r for r in doc["deployment"]["resources"] if r["urn"].endswith("::crm-sync")]
    assert crm and not any(r.get("protect") for r in crm)
    return ps.write(doc, tmp_path / "state.json")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    _retype(root)
    return root


def _plan(tree: Path, *args: str) -> Result:
    return CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli, ["plan", "--stack", "prod", "--specs", str(tree), "--stacks", str(STACKS), *args]
    )


@pytest.mark.parametrize("against", ["state", "base"])
def test_a_plan_that_deletes_a_running_internal_app_held_for_review_fails(
    tree: Path, tmp_path: Path, against: str
) -> None:
    args = (
        ("--state", str(_state(tmp_path)))
        if against == "state"
        else ("--base", str(ROOT / "app-specs"))
    )
    runs = {fmt: _plan(tree, *args, "--format", fmt) for fmt in ("text", "markdown", "json")}
    where = WHERE[against]
    line = LINE.replace("running in Okta", where)
    for fmt, run in runs.items():
        assert (run.exit_code, run.stderr) == (1, line), (fmt, run.output)
    text = runs["text"].stdout
    assert f"! {VERDICT.upper()}: crm-sync is {where} as an internal app" in text
    assert (
        "so this plan exits 1. Either approve it in this change (appspec approve crm-sync --by "
        "EMAIL --ticket ID --key PATH): it then stays live, as a partner app with the same client "
        "id; or leave its type internal in this change"
    ) in text
    assert f"> ⛔ **{VERDICT}:** `crm-sync` is {where}" in runs["markdown"].stdout
    data: dict[str, Any] = json.loads(runs["json"].stdout)
    assert (data["ok"], data["summary"]["heldDeletes"]) == (False, ["crm-sync"])
    # the verdict in the words the text leads with
    [verdict] = data["summary"]["verdicts"]
    assert (verdict["kind"], verdict["failed"]) == ("heldDeletes", True)
    assert f"! {verdict['title'].upper()}: {verdict['text']}" in text.splitlines()
    assert data["summary"]["updateRefused"] is (None if against == "base" else False)
    crm = next(a for a in data["apps"] if a["name"] == "crm-sync")
    assert crm["heldRemoves"] is True
    assert data["summary"]["retypedToPartner"] == ["crm-sync"]
    # a held app's changes are requested, as its scopes would be: none of them is made now
    terms = {"setting": "terms", "old": None, "new": "https://crm.acme.example/t"}
    assert crm["settings"] == [] and terms in crm["requested"]["settings"]
    assert "terms once approved: unset -> https://crm.acme.example/t" in text
    assert (
        "; once approved: terms `unset` → `https://crm.acme.example/t`;" in runs["markdown"].stdout
    )
    assert "type: internal -> partner: it needs an approval" in text
    # the whole plan is printed first: the deletes it would make are listed
    assert "okta:app/oAuth:OAuth crm-sync (delete)" in text
    # 1 is --detailed-exitcode's error, never 2 (changes, fit to apply)
    detailed = _plan(tree, *args, "--detailed-exitcode")
    assert (detailed.exit_code, detailed.stderr, detailed.stdout) == (1, line, text)


def test_an_approval_in_the_same_change_deploys_it_as_a_partner_app(
    tree: Path, tmp_path: Path
) -> None:
    approved = CliRunner().invoke(
        cli,
        ["approve", "crm-sync", *approve_args(tmp_path), "--ticket", "SEC-9", "--specs", str(tree)],
    )
    assert approved.exit_code == 0, approved.output
    for args in (("--state", str(_state(tmp_path))), ("--base", str(ROOT / "app-specs"))):
        result = _plan(tree, *args, "--format", "json")
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        data = json.loads(result.stdout)
        assert (data["ok"], data["summary"]["heldDeletes"]) == (True, [])
        crm = next(a for a in data["apps"] if a["name"] == "crm-sync")
        assert (crm["held"], crm["heldRemoves"]) == (None, False)
        assert not any(s["op"] == "delete" for s in data["steps"])
        assert data["summary"]["retypedToPartner"] == ["crm-sync"]
        assert crm["requested"] is None and len(crm["settings"]) == 2
        # the plan says what the approval does: not that it still needs one
        text = _plan(tree, *args).stdout
        assert "type: internal -> partner: it needs an approval" not in text
        assert (
            "type: internal -> partner: approved, so it deploys as a partner app, updated in "
            "place: its client id stays; users now see a consent screen"
        ) in text
        assert "approval recorded (by security-review@acme.example, ticket SEC-9)" in text


def test_keeping_it_internal_plans_as_before(tmp_path: Path) -> None:
    # the bundled specs against their own state and base: nothing held is deleted, nothing said
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    for args in (("--state", str(_state(tmp_path))), ("--base", str(ROOT / "app-specs"))):
        result = _plan(root, *args)
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert VERDICT.upper() not in result.stdout


def test_a_new_partner_app_held_for_review_is_no_failure(tree: Path, tmp_path: Path) -> None:
    # held, and never in Okta: nothing running to delete, so it waits without failing the plan
    new = tree / "apps" / "crm-sync-two.yaml"
    text = (tree / "apps" / "crm-sync.yaml").read_text(encoding="utf-8")
    new.write_text(text.replace("name: crm-sync\n", "name: crm-sync-two\n"), encoding="utf-8")
    (tree / "apps" / "crm-sync.yaml").unlink()
    shutil.copy(ROOT / "app-specs" / "apps" / "crm-sync.yaml", tree / "apps" / "crm-sync.yaml")
    result = _plan(tree, "--base", str(ROOT / "app-specs"), "--format", "json")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["summary"]["heldDeletes"] == []
    assert "crm-sync-two" in [h["name"] for h in data["held"]]


def _status(tree: Path, *args: str) -> Result:
    return CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli, ["status", "--stack", "prod", "--specs", str(tree), "--stacks", str(STACKS), *args]
    )


def test_status_says_the_app_runs_and_that_an_update_would_delete_it(
    tree: Path, tmp_path: Path
) -> None:
    state = ("--state", str(_state(tmp_path)))
    runs = {fmt: _status(tree, *state, "--format", fmt) for fmt in ("text", "markdown", "json")}
    assert all(r.exit_code == 0 for r in runs.values()), runs["text"].output
    rows = {a["name"]: a for a in json.loads(runs["json"].stdout)["apps"]}
    crm, orbit = rows["crm-sync"], rows["orbit-mobile"]
    assert (crm["state"], crm["recorded"], crm["runningWhileHeld"]) == ("under review", True, True)
    # never in Okta: nothing running, nothing to say beyond its review
    assert (orbit["state"], orbit["runningWhileHeld"]) == ("under review", False)
    [note] = crm["notes"]
    assert note.startswith("running in Okta as the internal app the stack's state records")
    assert f"so appspec plan --stack prod --specs {tree} " in note
    assert f"--state {state[1]} fails on it" in note
    assert "the next update deletes it" not in note
    assert f"crm-sync: {note}" in runs["text"].stdout
    assert "running in Okta as the internal app" in runs["markdown"].stdout
    # without a state nothing is known to run
    bare = json.loads(_status(tree, "--format", "json").stdout)
    assert next(a for a in bare["apps"] if a["name"] == "crm-sync")["runningWhileHeld"] is False


def test_a_change_of_kind_keeps_no_client_id_approved_or_not(tree: Path, tmp_path: Path) -> None:
    # found by a reviewer: the verdict and status promised "the same client id" to an app whose
    # change of kind replaces it (a new client id), which a reviewer approving it would trust
    path = tree / "apps" / "crm-sync.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: web", "kind: spa"), encoding="utf-8"
    )
    state = ("--state", str(_state(tmp_path)))
    run = _plan(tree, *state)
    assert (run.exit_code, run.stderr) == (1, LINE), run.output
    assert "same client id" not in run.stdout
    assert (
        "it then stays live, as a partner app, but its change of kind (web -> spa) replaces it "
        "whatever its type: a new client id; or leave its type internal"
    ) in run.stdout
    assert "kind once approved: web -> spa: Okta replaces the app" in run.stdout
    rows = json.loads(_status(tree, *state, "--format", "json").stdout)["apps"]
    [note] = next(a for a in rows if a["name"] == "crm-sync")["notes"]
    assert "same client id" not in note
    assert (
        "to keep it live as a partner app (its change of kind, web -> spa, replaces it whatever "
        "its type: a new client id); or set its type back to internal; or retire it" in note
    )


def test_the_verdict_names_which_held_apps_keep_their_client_ids(
    tree: Path, tmp_path: Path
) -> None:
    # two held apps, one of which changes kind: only the other keeps its client id
    crm = tree / "apps" / "crm-sync.yaml"
    crm.write_text(crm.read_text(encoding="utf-8").replace("kind: web", "kind: spa"), "utf-8")
    worker = tree / "apps" / "enrichment-worker.yaml"
    text = worker.read_text(encoding="utf-8")
    assert "type: internal\n" in text
    text = text.replace("type: internal\n", "type: partner\npartner: orbit-crm\n")
    worker.write_text(
        text + "links:\n  terms: https://w.acme.example/t\n  privacy: https://w.acme.example/p\n",
        encoding="utf-8",
    )
    run = _plan(tree, "--state", str(_state(tmp_path)))
    assert run.exit_code == 1, run.output
    assert (
        "they then stay live, as partner apps, enrichment-worker with the same client id, but "
        "the change of kind of crm-sync (web -> spa) replaces it whatever its type: a new client "
        "id; or leave their type internal"
    ) in " ".join(run.stdout.split())


def test_a_service_app_retyped_to_partner_shows_no_one_a_consent_screen(
    tree: Path, tmp_path: Path
) -> None:
    # enrichment-worker signs in no user (client credentials): no consent screen to speak of
    worker = tree / "apps" / "enrichment-worker.yaml"
    text = worker.read_text(encoding="utf-8")
    assert "kind: service" in text and "type: internal\n" in text
    text = text.replace("type: internal\n", "type: partner\npartner: orbit-crm\n")
    worker.write_text(
        text + "links:\n  terms: https://w.acme.example/t\n  privacy: https://w.acme.example/p\n",
        encoding="utf-8",
    )
    run = _plan(tree, "--state", str(_state(tmp_path)))
    facts = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("type: ")]
    assert facts == [
        "type: internal -> partner: it needs an approval, and users see a consent screen",
        "type: internal -> partner: it needs an approval",  # enrichment-worker
    ], run.stdout
