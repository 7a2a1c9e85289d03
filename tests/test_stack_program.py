"""The stack program (stacks/__main__.py) as Pulumi runs it, under the official mocks: which apps
each stack gets, what it exports, that no client secret leaks, and how bad input stops it."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.config import CONFIG
from pulumi.runtime.settings import get_root_resource

from appspecs.desired.resources import APP_COMPONENT, OAUTH_APP, RULE
from tests.pulumi_harness import (
    MOCK_SECRET_PREFIX,
    ROOT,
    ProgramFailed,
    ProgramRun,
    mock_client_id,
    mock_client_secret,
    mock_group_id,
    run_stack_program,
)

DEV_APPS = ["acme-analytics", "audience-studio", "crm-sync", "enrichment-worker", "studio-local"]
PROD_APPS = ["acme-analytics", "audience-studio", "crm-sync", "enrichment-worker"]


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_stack_program("dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_stack_program("prod")


def _apps(run: ProgramRun) -> list[str]:
    return [r.name for r in run.of_type(APP_COMPONENT)]


def test_each_stack_gets_its_apps(dev: ProgramRun, prod: ProgramRun) -> None:
    assert _apps(dev) == DEV_APPS
    assert _apps(prod) == PROD_APPS


def test_studio_local_is_only_in_dev(dev: ProgramRun, prod: ProgramRun) -> None:
    assert dev.find(OAUTH_APP, "studio-local").inputs["redirectUris"] == [
        "http://localhost:5173/callback"
    ]
    assert not [r for r in prod.registrations if r.name.startswith("studio-local")]
    assert "studio-local" not in prod.outputs["clientIds"]
    assert "studio-local" not in prod.outputs["heldApps"]  # skipped for its environment, not held


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_held_partner_app_registers_nothing_and_is_reported(
    stack: str, dev: ProgramRun, prod: ProgramRun
) -> None:
    run = dev if stack == "dev" else prod
    assert not [r for r in run.registrations if r.name.startswith("orbit-mobile")]
    assert run.outputs["heldApps"] == ["orbit-mobile"]
    assert not [i for i in run.invokes if i.args.get("name") == "partner-orbit"]
    held = [e for e in run.logs if e.severity == "info" and "orbit-mobile" in e.message]
    assert len(held) == 1
    assert held[0].message.startswith("app-specs/apps/orbit-mobile.yaml:")
    assert "info[held]" in held[0].message


def test_stack_outputs(dev: ProgramRun) -> None:
    assert dev.outputs["clientIds"] == {name: mock_client_id(name) for name in DEV_APPS}
    groups = ["partner-acme-analytics", "marketing", "marketing-ops", "sales-ops", "marketing-eng"]
    assert dev.outputs["groupIds"] == {g: mock_group_id(g) for g in groups}
    assert set(dev.outputs) == {"clientIds", "heldApps", "groupIds"}
    assert dev.secret_outputs == frozenset()
    assert dev.errors == []


def _plain_strings(value: Any) -> Iterator[str]:
    """Every string in a value that is not wrapped as a secret."""
    if rpc.is_rpc_secret(value):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _plain_strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _plain_strings(v)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_client_secret_is_exported_or_passed_on(
    stack: str, dev: ProgramRun, prod: ProgramRun
) -> None:
    run = dev if stack == "dev" else prod
    apps = run.of_type(OAUTH_APP)
    # The mocks do hand every app a secret, so a leak would show below.
    assert [a.outputs["clientSecret"] for a in apps] == [mock_client_secret(a.name) for a in apps]
    for app in apps:
        assert app.inputs["omitSecret"] is True
        assert "clientSecret" in app.additional_secret_outputs
    leaks = [
        where
        for where, value in [("stack outputs", run.outputs)]
        + [
            (f"{r.type} {r.name} registered outputs", r.registered_outputs)
            for r in run.registrations
        ]
        + [(f"{r.type} {r.name} inputs", r.inputs) for r in run.registrations]
        if any(MOCK_SECRET_PREFIX in s for s in _plain_strings(value))
    ]
    assert leaks == []


def _broken_specs(tmp_path: Path) -> Path:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "app-specs", specs)
    crm = specs / "apps" / "crm-sync.yaml"
    crm.write_text(crm.read_text().replace("api:data:contact", "api:data:contacts"))
    return specs


def test_invalid_specs_stop_the_program_before_any_resource(tmp_path: Path) -> None:
    specs = _broken_specs(tmp_path)
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", specs_dir=specs)
    assert isinstance(failed.value.error, pulumi.RunError)
    assert str(failed.value) == "app specs are invalid: 1 error; run appspec validate"
    assert failed.value.run.registrations == ()
    assert failed.value.run.invokes == ()
    [error] = failed.value.run.errors
    where = re.escape(str(specs / "apps" / "crm-sync.yaml"))
    assert re.match(rf"{where}:\d+:\d+: error\[unknown-scope\] scopes\[1\]: ", error), error
    assert "api:data:contacts" in error


def test_diagnostics_are_logged_on_one_line_as_validate_prints_them(tmp_path: Path) -> None:
    specs = _broken_specs(tmp_path)
    crm = specs / "apps" / "crm-sync.yaml"
    # An escape sequence in a spec must not reach the operator's terminal through the log.
    crm.write_text(crm.read_text().replace("api:data:contacts", '"api:data:contacts\\e[2J"'))
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", specs_dir=specs)
    [error] = failed.value.run.errors
    assert "\x1b" not in error
    assert "api:data:contacts\\x1b[2J" in error
    assert re.match(r"[^\n]+:\d+:\d+: error\[unknown-scope\] scopes\[1\]: [^\n]+$", error), error


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"appspecs:authServer": None},
            "stack 'dev': appspecs:authServer: missing; it is required",
        ),
        (
            {"appspecs:authServer": {"name": "api-only"}},
            "stack 'dev': appspecs:authServer: give either 'id' of an existing "
            "server, or 'name' and 'audience'",
        ),
        (
            {"appspecs:specsDir": "no-such-specs"},
            f"specs folder '{ROOT / 'no-such-specs'}' does not exist",
        ),
    ],
)
def test_bad_stack_settings_stop_the_program_clearly(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", config=config)
    assert isinstance(failed.value.error, pulumi.RunError)
    assert str(failed.value) == message
    assert failed.value.run.registrations == ()


def test_a_run_leaves_no_trace_and_repeats_exactly(dev: ProgramRun) -> None:
    cwd, path = os.getcwd(), list(sys.path)
    again = run_stack_program("dev")
    assert (os.getcwd(), sys.path) == (cwd, path)
    assert get_root_resource() is None
    assert "appspecs:authServer" not in CONFIG.get()
    assert again.registrations == dev.registrations
    assert again.outputs == dev.outputs


def _changed_acme(tmp_path: Path) -> Path:
    """The bundled specs with a change to approved acme-analytics that waits for review."""
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "app-specs", specs)
    acme = specs / "apps" / "acme-analytics.yaml"
    text = acme.read_text().replace(
        "  - api:data:news\n", "  - api:data:news\n  - api:data:intent\n"
    )
    acme.write_text(text.replace("Partner dashboard", "A partner dashboard"))
    return specs


def test_a_change_under_review_registers_the_approved_version(tmp_path: Path) -> None:
    run = run_stack_program("dev", specs_dir=_changed_acme(tmp_path))
    rule = run.find(RULE, "acme-analytics-rule")
    assert rule.inputs["scopeWhitelists"] == [
        *("api:data:company", "api:data:news"),
        *("openid", "profile", "email", "offline_access"),
    ]
    app = run.find(OAUTH_APP, "acme-analytics")
    approved = yaml.safe_load((ROOT / "app-specs" / "approvals.yaml").read_text())["approvals"]
    digest = next(a["digest"] for a in approved if a["app"] == "acme-analytics")
    assert f'"digest":"{digest}"' in app.inputs["profile"]  # the approved version's
    assert app.inputs["status"] == "ACTIVE"
    assert "acme-analytics" in run.outputs["clientIds"]
    assert run.outputs["heldApps"] == ["orbit-mobile"]
    notes = [e.message for e in run.logs if "acme-analytics" in e.message]
    assert any("a change is under review" in m for m in notes)


def _protected(run: ProgramRun) -> set[tuple[str, str]]:
    return {(r.type, r.name) for r in run.registrations if r.protect}


ACME_PROTECTED = {
    (APP_COMPONENT, "acme-analytics"),
    (OAUTH_APP, "acme-analytics"),
    ("okta:auth/serverPolicy:ServerPolicy", "acme-analytics-policy"),
    (RULE, "acme-analytics-rule"),
    ("okta:index/appGroupAssignments:AppGroupAssignments", "acme-analytics-groups"),
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_an_approved_partner_apps_resources_are_registered_protected(
    stack: str, dev: ProgramRun, prod: ProgramRun
) -> None:
    # pulumi up then refuses to delete them, even once the program stops registering them (the
    # flag stays in state): removing an approval or a spec cannot stop the partner's app.
    run = dev if stack == "dev" else prod
    assert _protected(run) == ACME_PROTECTED


def test_a_change_under_review_keeps_the_approved_version_protected(tmp_path: Path) -> None:
    run = run_stack_program("dev", specs_dir=_changed_acme(tmp_path))
    assert _protected(run) == ACME_PROTECTED


def test_an_app_retyped_to_internal_is_registered_unprotected(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "app-specs", specs)
    (specs / "approvals.yaml").write_text("approvals: []\n")
    acme = specs / "apps" / "acme-analytics.yaml"
    text = acme.read_text().replace("type: partner", "type: internal")
    acme.write_text(text.replace("partner: acme-analytics\n", ""))
    run = run_stack_program("dev", specs_dir=specs)
    assert _protected(run) == set()
    assert run.find(OAUTH_APP, "acme-analytics").inputs["consentMethod"] == "TRUSTED"


def test_an_edited_approval_digest_stops_the_program_before_any_resource(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "app-specs", specs)
    approvals = specs / "approvals.yaml"
    approvals.write_text(
        re.sub(r"digest: sha256:\w+", "digest: sha256:" + "0" * 64, approvals.read_text())
    )
    with pytest.raises(ProgramFailed) as failed:
        run_stack_program("dev", specs_dir=specs)
    assert failed.value.run.registrations == ()
    # what was edited is said, and the signature no longer matches (allowed_signers is there)
    error, signature = failed.value.run.errors
    assert "error[signature] approvals[0].signature" in signature
    assert "approvals[0].digest" in error and "the approval was edited" in error


def test_every_run_says_what_needs_oktas_consent_feature(dev: ProgramRun) -> None:
    # Scopes and partner apps with consent REQUIRED need the org's API Access Management consent
    # feature; a first `pulumi up` failing on them is recognised by this line beside the error.
    notes = [e.message for e in dev.logs if "User Consent feature" in e.message]
    assert len(notes) == 1, dev.logs
    assert notes[0].startswith("10 scopes and 1 partner app ask users' consent (consent REQUIRED)")
    assert "a feature not enabled" in notes[0]
