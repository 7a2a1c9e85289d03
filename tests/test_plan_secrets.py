"""The app summary of inputs state holds as secrets: a readable one compared by its plaintext
and never printed, one held as ciphertext taken as unchanged (as the resource steps take it),
never read as an empty list that every spec value would be "added" to."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.resources import GROUP_ASSIGNMENTS, OAUTH_APP, RULE
from appspecs.plan.build import Plan, plan_against_state
from appspecs.plan.deltas import Delta
from appspecs.plan.hidden import SECRET_TEXT
from appspecs.plan.state import RecordedState, Secret, parse_state, read_state
from appspecs.report.plan import json_text, markdown_plan, text_plan
from appspecs.spec.load import SpecSet
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.test_plan_summary import STACKS, _app, _plan, _specs, _state

WRAPS: dict[str, Callable[[Any], dict[str, str]]] = {
    "ciphertext": ps.secret,
    "plaintext": ps.plaintext_secret,
}
APP_INPUTS = (OAUTH_APP, RULE, GROUP_ASSIGNMENTS)


@pytest.fixture(scope="module")
def bundled() -> SpecSet:
    return _specs()


@pytest.fixture(scope="module")
def recorded(bundled: SpecSet) -> dict[str, Any]:
    return _state(bundled)


def _app_resources(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(type, name, input) of every input of every app's OAuth app, rule and assignments."""
    return [
        (r["type"], r["urn"].rsplit("::", 1)[1], key)
        for r in doc["deployment"]["resources"]
        if r["type"] in APP_INPUTS
        for key in r.get("inputs", {})
    ]


def _outputs(plan: Plan) -> list[str]:
    return [text_plan(plan), markdown_plan(plan), json_text(plan)]


@pytest.mark.parametrize("wrap", sorted(WRAPS))
def test_any_input_of_an_app_recorded_as_a_secret_of_the_same_value_changes_nothing(
    bundled: SpecSet, recorded: dict[str, Any], wrap: str
) -> None:
    checked = _app_resources(recorded)
    assert {t for t, _, _ in checked} == set(APP_INPUTS)
    assert len(checked) > 100  # every input of five apps' three resources
    for type_, name, key in checked:
        doc = copy.deepcopy(recorded)
        inputs = ps.find(doc, type_, name)["inputs"]
        inputs[key] = WRAPS[wrap](inputs[key])
        plan = _plan(bundled, doc)
        changed = [(a.name, a.change) for a in plan.apps if a.change not in ("unchanged", "held")]
        assert changed == [], (type_, name, key)
        assert not plan.has_changes, (type_, name, key)
        assert not any(a.privilege_increase for a in plan.apps), (type_, name, key)


def test_a_group_id_recorded_as_a_secret_inside_the_assignments(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    for wrap in WRAPS.values():
        doc = copy.deepcopy(recorded)
        groups = ps.find(doc, GROUP_ASSIGNMENTS, "audience-studio-groups")["inputs"]["groups"]
        groups[0]["id"] = wrap(groups[0]["id"])
        plan = _plan(bundled, doc)
        studio = _app(plan, "audience-studio")
        assert studio.change == "unchanged" and studio.groups == Delta()
        assert not plan.has_changes


def test_scopes_recorded_as_a_readable_secret_are_compared_and_never_printed(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
    was = [s for s in rule["scopeWhitelists"] if s != "api:audience:manage"]
    rule["scopeWhitelists"] = ps.plaintext_secret([*was, "api:hidden:old"])
    plan = _plan(bundled, doc)
    studio = _app(plan, "audience-studio")
    assert studio.change == "changed" and studio.privilege_increase
    # the granted scope is the spec's own; what the secret held and lost is not shown
    assert studio.scopes == Delta(("api:audience:manage",), (SECRET_TEXT,))
    assert studio.oidc_scopes == Delta()
    for out in _outputs(plan):
        assert "api:hidden:old" not in out
        assert "api:audience:manage" in out
    (app,) = [a for a in json.loads(json_text(plan))["apps"] if a["name"] == "audience-studio"]
    assert app["scopes"] == {"granted": ["api:audience:manage"], "revoked": [SECRET_TEXT]}


def test_a_readable_secret_label_and_setting_show_their_old_value_as_secret(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    oauth = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
    oauth["label"] = ps.plaintext_secret("Hidden Label")
    oauth["redirectUris"] = ps.plaintext_secret(
        [*oauth["redirectUris"], "https://hidden.example/cb"]
    )
    rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
    minutes = rule["accessTokenLifetimeMinutes"]
    rule["accessTokenLifetimeMinutes"] = ps.plaintext_secret(4321)
    plan = _plan(bundled, doc)
    studio = _app(plan, "audience-studio")
    assert studio.label == (SECRET_TEXT, "Audience Studio")
    assert studio.redirect_uris == Delta((), (SECRET_TEXT,))
    assert ("access-token minutes", SECRET_TEXT, str(minutes)) in studio.settings
    for out in _outputs(plan):
        assert "Hidden Label" not in out and "hidden.example" not in out
        assert "4321" not in out


def test_a_spec_change_beside_a_ciphertext_input_is_still_reported(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
    rule["scopeWhitelists"] = ps.secret(rule["scopeWhitelists"])
    oauth = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
    oauth["grantTypes"] = ["authorization_code"]  # recorded in the clear: one grant fewer
    studio = _app(_plan(bundled, doc), "audience-studio")
    assert studio.change == "changed"
    assert studio.grant_types == Delta(("refresh_token",), ())
    assert studio.scopes == Delta() and not studio.privilege_increase


def test_a_state_file_read_from_disk_opens_its_secrets_too(
    bundled: SpecSet, recorded: dict[str, Any], tmp_path: Path
) -> None:
    # read_state decodes secrets as it parses (an object hook), parse_state after: both must
    # say which resources hold one, or the summary reads them as empty again
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "crm-sync-rule")["inputs"]
    rule["scopeWhitelists"] = ps.secret(rule["scopeWhitelists"])
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    for state in (read_state(path), parse_state(doc, "state.json")):
        held = {r.name for r in state.resources if r.secret_inputs and r.type in APP_INPUTS}
        assert held == {"crm-sync-rule"}
        plan = plan_against_state(bundled, load_stack_config(STACKS, "dev"), state)
        crm = _app(plan, "crm-sync")
        assert crm.change == "unchanged" and not crm.privilege_increase
        assert not plan.has_changes


def _opened(value: Any) -> Any:
    """A recorded value with each Secret said as what it holds, to compare two reads of one."""
    if isinstance(value, Secret):
        return ("secret", value.known, _opened(value.plaintext()))
    if isinstance(value, dict):
        return {k: _opened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_opened(v) for v in value]
    return value


def test_a_state_file_holds_its_secrets_at_every_depth_as_a_parsed_document_does(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    # read_state turns secrets into Secret objects as it parses (an object hook); parse_state
    # of a document parsed elsewhere copies it with them turned: at the top of the inputs, in
    # a list, in a block, in the outputs and inside a secret, the two must agree
    doc = copy.deepcopy(recorded)
    oauth = ps.find(doc, OAUTH_APP, "audience-studio")
    oauth["inputs"]["label"] = ps.plaintext_secret("Audience Studio")
    uris = oauth["inputs"]["redirectUris"]
    oauth["inputs"]["redirectUris"] = [ps.secret(uris[0]), *uris[1:]]
    oauth["outputs"]["jwks"] = [{"kid": "k1", "kty": "RSA", "e": ps.plaintext_secret("AQAB")}]
    oauth["outputs"]["clientSecret"] = ps.plaintext_secret({"inner": ps.secret("s3cret")})
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    before = json.dumps(doc)

    def read(state: RecordedState) -> list[Any]:
        return [
            (r.urn, _opened(r.inputs), _opened(r.outputs), r.secret_inputs, _opened(r.prior))
            for r in state.resources
        ]

    from_file = read(read_state(path))
    assert from_file == read(parse_state(doc, "state.json"))
    assert json.dumps(doc) == before  # another's document is left as it was
    studio = next(r for r in from_file if r[0] == oauth["urn"])
    assert studio[3] is True  # its inputs hold a secret
    assert studio[1]["label"] == ("secret", True, "Audience Studio")
    assert studio[1]["redirectUris"][0] == ("secret", False, None)
    assert studio[2]["jwks"][0]["e"] == ("secret", True, "AQAB")
    assert studio[2]["clientSecret"] == ("secret", False, None)  # one inside is not readable


def test_secrets_inside_a_readable_secret_are_read_with_it(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    # the engine writes a secret's value as any value, secrets inside it included
    # (pkg/resource/stack/deployment.go, SerializePropertyValue): a plaintext holding one read as
    # a mapping made a false "scopes granted", and hid a scope the inner one held
    def nested(scopes: list[str], inner: Callable[[Any], dict[str, str]]) -> dict[str, str]:
        return ps.plaintext_secret([inner(scopes[0]), *scopes[1:]])

    for inner, extra in ((ps.plaintext_secret, []), (ps.secret, []), (ps.secret, ["x:old"])):
        doc = copy.deepcopy(recorded)
        rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
        rule["scopeWhitelists"] = nested([*rule["scopeWhitelists"], *extra], inner)
        plan = _plan(bundled, doc)
        studio = _app(plan, "audience-studio")
        # one inside that cannot be read leaves the whole not known: no change said
        assert studio.change == "unchanged" and not plan.has_changes, (inner, extra)
    doc = copy.deepcopy(recorded)
    rule = ps.find(doc, RULE, "audience-studio-rule")["inputs"]
    rule["scopeWhitelists"] = nested([*rule["scopeWhitelists"], "x:old"], ps.plaintext_secret)
    plan = _plan(bundled, doc)
    studio = _app(plan, "audience-studio")
    assert studio.scopes == Delta((), (SECRET_TEXT,)) and not studio.privilege_increase
    assert all("x:old" not in out for out in _outputs(plan))


def test_a_readable_secret_that_says_more_than_its_value_is_compared_and_not_said(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    # PKCE: the new value gives the old one away; the consent method: the plan derives words
    # from it ("retyped", "approval removed")
    doc = copy.deepcopy(recorded)
    oauth = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
    oauth["pkceRequired"] = ps.plaintext_secret(not oauth["pkceRequired"])
    plan = _plan(bundled, doc)
    studio = _app(plan, "audience-studio")
    assert studio.change == "changed" and studio.pkce is None and plan.has_changes
    assert all("PKCE" not in out and 'pkceRequired": {' not in out for out in _outputs(plan))
    outputs: list[Any] = []
    for wrap in (ps.plaintext_secret, ps.secret):
        doc = copy.deepcopy(recorded)
        oauth = ps.find(doc, OAUTH_APP, "audience-studio")["inputs"]
        oauth["consentMethod"] = wrap("REQUIRED")  # the spec's is internal: TRUSTED
        plan = _plan(bundled, doc)
        studio = _app(plan, "audience-studio")
        assert studio.retyped is None and studio.approval is None
        outputs.append(plan.apps)
    # the summary says what it says of one it cannot read: nothing comes of the value (the
    # resource step, which compares it, says "[secret] -> TRUSTED", and the app is changed for
    # that step alone, in inputs the summary does not name)
    readable = {a.name: a for a in outputs[0]}
    assert readable["audience-studio"].resources_only
    assert outputs[1] == tuple(
        dataclasses.replace(a, change="unchanged", resources_only=False)
        if a.name == "audience-studio"
        else a
        for a in outputs[0]
    )


def test_a_key_member_or_a_profile_that_cannot_be_read_changes_nothing(
    bundled: SpecSet, recorded: dict[str, Any]
) -> None:
    doc = copy.deepcopy(recorded)
    oauth = ps.find(doc, OAUTH_APP, "enrichment-worker")["inputs"]
    oauth["jwks"][0]["kid"] = ps.secret(oauth["jwks"][0]["kid"])  # was an internal error
    acme = ps.find(doc, OAUTH_APP, "acme-analytics")["inputs"]
    acme["profile"] = ps.secret(acme["profile"])
    plan = _plan(bundled, doc)
    assert not plan.has_changes
    worker, approved = _app(plan, "enrichment-worker"), _app(plan, "acme-analytics")
    assert worker.change == "unchanged" and worker.keys == Delta()
    # not "recorded": this change records no approval, the profile's digest is not known
    assert approved.change == "unchanged" and approved.approval == "approved"
