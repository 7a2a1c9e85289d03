"""The plan on key rotation (`key added` / `key removed` per kid), refresh-token rotation,
token lifetimes and consent links, against state recorded from the bundled specs."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from appspecs.desired.render import render
from appspecs.desired.resources import resource_graph
from appspecs.plan.build import Plan, plan_against_state
from appspecs.plan.state import parse_state
from appspecs.plan.summary import AppSummary
from appspecs.report.plan import app_facts, json_text, markdown_plan, text_plan
from appspecs.spec.load import SpecSet, load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"
WORKER = "enrichment-worker"


def _specs(root: Path) -> SpecSet:
    specs = load_specs(root, stacks_dir=STACKS)
    assert specs.ok, specs.diagnostics
    return specs


def _plan(specs: SpecSet, doc: dict[str, Any]) -> Plan:
    return plan_against_state(specs, load_stack_config(STACKS, "dev"), parse_state(doc, "s.json"))


def _app(plan: Plan, name: str) -> AppSummary:
    return next(a for a in plan.apps if a.name == name)


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    specs = _specs(ROOT / "app-specs")
    desired = render(specs, load_stack_config(STACKS, "dev"))
    return ps.state_for(resource_graph(desired), "dev", held=desired.held)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app-specs"
    shutil.copytree(ROOT / "app-specs", root)
    return root


def _edit(root: Path, app: str, old: str, new: str) -> None:
    path = root / "apps" / f"{app}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _new_key(kid: str) -> str:
    numbers = rsa.generate_private_key(65537, 2048).public_key().public_numbers()
    n = base64.urlsafe_b64encode(numbers.n.to_bytes(256, "big")).rstrip(b"=").decode()
    return f"    - kid: {kid}\n      kty: RSA\n      e: AQAB\n      n: {n}\n"


def test_the_bundled_specs_against_their_own_state_change_nothing(
    tree: Path, recorded: dict[str, Any]
) -> None:
    plan = _plan(_specs(tree), recorded)
    assert all(a.change == "unchanged" for a in plan.apps if a.held is None)
    assert {s.op for s in plan.steps} == {"same"}


def test_a_key_rotation_is_key_added_then_key_removed(tree: Path, recorded: dict[str, Any]) -> None:
    # step 1: the new key beside the old one
    text = (tree / "apps" / f"{WORKER}.yaml").read_text()
    old_key = text[text.index("    - kid: svc-2026-11") : text.index("scopes:")]
    _edit(tree, WORKER, old_key, old_key + _new_key("svc-2027-05"))
    added = _plan(_specs(tree), recorded)
    worker = _app(added, WORKER)
    assert worker.change == "changed"
    assert (worker.keys.added, worker.keys.removed) == (("svc-2027-05",), ())
    assert "key added: svc-2027-05" in app_facts(worker)
    assert {(s.name, s.op) for s in added.steps if s.op != "same"} == {(WORKER, "update")}
    # step 2 (against step 1's state): the old key goes
    desired = render(_specs(tree), load_stack_config(STACKS, "dev"))
    step1 = ps.state_for(resource_graph(desired), "dev", held=desired.held)
    _edit(tree, WORKER, old_key, "")
    removed = _app(_plan(_specs(tree), step1), WORKER)
    assert (removed.keys.added, removed.keys.removed) == ((), ("svc-2026-11",))
    assert "key removed: svc-2026-11" in app_facts(removed)


def test_the_three_formats_say_the_same_key_and_setting_changes(
    tree: Path, recorded: dict[str, Any]
) -> None:
    text = (tree / "apps" / f"{WORKER}.yaml").read_text()
    old_key = text[text.index("    - kid: svc-2026-11") : text.index("scopes:")]
    _edit(tree, WORKER, old_key, _new_key("svc-2027-05"))
    _edit(tree, WORKER, "access_token_minutes: 30", "access_token_minutes: 10")
    _edit(
        tree,
        "audience-studio",
        "  refresh_token_rotation: rotate\n",
        "  refresh_token_rotation: static\n",
    )
    _edit(tree, "acme-analytics", "example/terms", "example/terms-2027")
    plan = _plan(_specs(tree), recorded)
    worker = _app(plan, WORKER)
    assert (worker.keys.added, worker.keys.removed) == (("svc-2027-05",), ("svc-2026-11",))
    assert worker.settings == (("access-token minutes", "30", "10"),)
    assert _app(plan, "audience-studio").settings == (("refresh tokens", "ROTATE", "STATIC"),)
    text_out = text_plan(plan)
    assert "key added: svc-2027-05" in text_out and "key removed: svc-2026-11" in text_out
    assert "access-token minutes: 30 -> 10" in text_out
    assert "refresh tokens: ROTATE -> STATIC" in text_out
    markdown = markdown_plan(plan)
    assert "key added `svc-2027-05`" in markdown and "key removed `svc-2026-11`" in markdown
    assert "access-token minutes `30` → `10`" in markdown
    data = json.loads(json_text(plan))
    apps = {a["name"]: a for a in data["apps"]}
    assert apps[WORKER]["keys"] == {"added": ["svc-2027-05"], "removed": ["svc-2026-11"]}
    assert {"setting": "access-token minutes", "old": "30", "new": "10"} in apps[WORKER]["settings"]
    # the partner app's changed terms page is a change of substance: it waits for review
    review = apps["acme-analytics"]["review"]
    assert {
        "setting": "terms",
        "old": "https://acme-analytics.example/terms",
        "new": ("https://acme-analytics.example/terms-2027"),
    } in review["settings"]
    assert "terms: https://acme-analytics.example/terms -> " in text_out


def test_a_key_based_client_back_on_a_secret_is_said(tree: Path, recorded: dict[str, Any]) -> None:
    text = (tree / "apps" / f"{WORKER}.yaml").read_text()
    start = text.index("  auth: private_key_jwt")
    _edit(tree, WORKER, text[start : text.index("scopes:")], "")
    worker = _app(_plan(_specs(tree), recorded), WORKER)
    assert worker.keys.removed == ("svc-2026-11",)
    assert ("client authentication", "private_key_jwt", "client_secret_basic") in worker.settings
