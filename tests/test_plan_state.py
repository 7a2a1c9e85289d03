"""Reading recorded state: the real sample from pulumi's test data, documents our program would
leave (checked against Pulumi's own export schema), bad files, and where state is looked for."""

from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from appspecs.desired.render import render
from appspecs.desired.resources import OAUTH_APP, RULE, resource_graph
from appspecs.plan.state import Secret, parse_state, read_state
from appspecs.plan.statefile import StateError, find_state
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(
    os.environ.get("APPSPECS_PULUMI_REFERENCE", ROOT.parent / "shared" / "reference" / "pulumi")
)
SAMPLE = REFERENCE / "checkpoint-secrets.sample.json"
BAD = Path(__file__).parent / "data" / "plan" / "bad-state"
SCHEMAS = ("deployments.schema.json", "resources.schema.json", "property-values.schema.json")
DEPLOYMENTS_ID = (
    "https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/deployments.json"
)


def _reference(name: str) -> Path:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"{name} from pulumi/pulumi is not at {path} (set APPSPECS_PULUMI_REFERENCE)")
    return path


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_reference(SAMPLE.name).read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def dev_doc() -> dict[str, Any]:
    specs = load_specs(ROOT / "app-specs", stacks_dir=ROOT / "stacks")
    desired = render(specs, load_stack_config(ROOT / "stacks", "dev"))
    return ps.state_for(resource_graph(desired), held=desired.held)


@pytest.fixture(scope="module")
def schema_errors() -> Any:
    """Errors of a document against Pulumi's export schema, with the three schemas loaded into a
    registry so nothing is fetched from the network."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = [json.loads(_reference(n).read_text(encoding="utf-8")) for n in SCHEMAS]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    validator = Draft202012Validator({"$ref": f"{DEPLOYMENTS_ID}#v3"}, registry=registry)

    def errors(doc: Any) -> list[tuple[tuple[Any, ...], str]]:
        return [(tuple(e.absolute_path), e.message) for e in validator.iter_errors(doc)]

    return errors


def _only_null_dependencies(errors: list[tuple[tuple[Any, ...], str]]) -> bool:
    return all(
        path[:2] == ("deployment", "resources")
        and path[3] == "propertyDependencies"
        and message == "None is not of type 'array'"
        for path, message in errors
    )


# The real sample


def test_real_checkpoint_parses(sample: dict[str, Any]) -> None:
    state = read_state(SAMPLE)
    resources = sample["checkpoint"]["latest"]["resources"]
    assert len(state.resources) == len(resources) == 30
    assert [r.urn for r in state.resources] == [r["urn"] for r in resources]
    role = next(r for r in state.resources if r.urn.endswith("::countDown_watcher-iamrole"))
    assert role.type == "aws:iam/role:Role"
    assert role.id == "countDown_watcher-iamrole-bf695eb09a5c3e28"
    assert role.parent == "urn:pulumi:foo::countdown::aws:serverless:Function::countDown_watcher"
    assert role.name == "countDown_watcher-iamrole"
    assert state.stacks() == {("foo", "countdown")}


def test_real_checkpoint_secrets_never_print(sample: dict[str, Any]) -> None:
    state = read_state(SAMPLE)
    role = next(r for r in state.resources if r.urn.endswith("::countDown_watcher-iamrole"))
    policy = role.inputs["assumeRolePolicy"]
    assert isinstance(policy, Secret)
    assert not policy.known
    assert repr(policy) == str(policy) == "[secret]"
    assert policy.same_as("anything") is None
    ciphertexts = [
        v["ciphertext"]
        for r in sample["checkpoint"]["latest"]["resources"]
        for v in (r.get("inputs") or {}).values()
        if isinstance(v, dict) and "ciphertext" in v
    ]
    assert ciphertexts
    shown = repr([(r.inputs, r.outputs) for r in state.resources])
    assert not any(c in shown for c in ciphertexts)


def test_real_sample_as_an_export_fails_the_schema_only_on_null_dependencies(
    sample: dict[str, Any], schema_errors: Any
) -> None:
    export = {"version": 3, "deployment": sample["checkpoint"]["latest"]}
    errors = schema_errors(export)
    assert errors and _only_null_dependencies(errors)
    assert schema_errors(ps.without_null_dependencies(export)) == []
    assert len(parse_state(export, "export.json").resources) == 30


# Documents our program would leave


def test_written_state_matches_the_export_schema(
    dev_doc: dict[str, Any], schema_errors: Any
) -> None:
    errors = schema_errors(dev_doc)
    # our documents carry null propertyDependencies as real state does: the only schema errors
    assert errors and _only_null_dependencies(errors)
    assert schema_errors(ps.without_null_dependencies(dev_doc)) == []


def test_written_state_reads_back(dev_doc: dict[str, Any]) -> None:
    state = parse_state(dev_doc, "dev.json")
    assert state.stacks() == {("dev", "appspecs")}
    assert state.root is not None and state.root.type == "pulumi:pulumi:Stack"
    assert set(state.stack_outputs["groupIds"]) == {
        "partner-acme-analytics",
        "marketing",
        "marketing-ops",
        "sales-ops",
        "marketing-eng",
    }
    oauth = state.by_urn[
        "urn:pulumi:dev::appspecs::appspecs:index:OidcApp$okta:app/oAuth:OAuth::crm-sync"
    ]
    assert oauth.type == OAUTH_APP and oauth.inputs["redirectUris"] == [
        "https://crm.acme.example/oauth/callback"
    ]
    assert isinstance(oauth.outputs["clientSecret"], Secret)
    rule = next(r for r in state.resources if r.type == RULE and r.name == "crm-sync-rule")
    assert rule.parent == ("urn:pulumi:dev::appspecs::appspecs:index:OidcApp::crm-sync")


def test_checkpoint_and_gzip_forms_read_the_same(dev_doc: dict[str, Any], tmp_path: Path) -> None:
    export = read_state(ps.write(dev_doc, tmp_path / "export.json"))
    checkpoint_doc = ps.document(dev_doc["deployment"], "checkpoint")
    checkpoint = read_state(ps.write(checkpoint_doc, tmp_path / "dev.json.gz", gz=True))
    assert gzip.decompress((tmp_path / "dev.json.gz").read_bytes())  # really gzipped
    assert [r.urn for r in checkpoint.resources] == [r.urn for r in export.resources]
    assert checkpoint.by_urn.keys() == export.by_urn.keys()


@pytest.mark.parametrize(
    "doc",
    [
        {"version": 3, "deployment": {"manifest": {}}},
        {"version": 3, "deployment": {"manifest": {}, "resources": None}},
        {"version": 3, "checkpoint": {"stack": "dev", "latest": None}},
        {"version": 3, "checkpoint": {"stack": "dev"}},
    ],
    ids=["no-resources", "null-resources", "null-latest", "no-latest"],
)
def test_a_stack_with_nothing_recorded_is_empty(doc: dict[str, Any]) -> None:
    state = parse_state(doc, "x.json")
    assert state.resources == () and state.root is None and state.stack_outputs == {}


def test_plaintext_secrets_are_known_for_comparison_but_print_as_secret() -> None:
    doc = {
        "version": 3,
        "deployment": {
            "manifest": {},
            "resources": [
                {
                    "urn": "urn:pulumi:dev::appspecs::okta:app/oAuth:OAuth::a",
                    "type": OAUTH_APP,
                    "inputs": {
                        "label": ps.plaintext_secret("Top Secret Label"),
                        "list": [ps.secret(1)],
                    },
                }
            ],
        },
    }
    (r,) = parse_state(doc, "x.json").resources
    label = r.inputs["label"]
    assert isinstance(label, Secret) and label.known
    assert label.same_as("Top Secret Label") is True and label.same_as("other") is False
    assert "Top Secret" not in repr(r)
    assert isinstance(r.inputs["list"][0], Secret)


def test_a_leftover_marked_for_deletion_does_not_shadow_its_replacement() -> None:
    urn = "urn:pulumi:dev::appspecs::okta:app/oAuth:OAuth::a"
    doc = {
        "version": 3,
        "deployment": {
            "manifest": {},
            "resources": [
                {"urn": urn, "type": OAUTH_APP, "id": "new"},
                {"urn": urn, "type": OAUTH_APP, "id": "old", "delete": True},
            ],
        },
    }
    state = parse_state(doc, "x.json")
    assert state.by_urn[urn].id == "new"


# Bad files: one clear line naming the file


@pytest.mark.parametrize("case", sorted(p.name for p in BAD.iterdir()))
def test_bad_state_files(case: str) -> None:
    path = BAD / case / "state.json"
    expected = (BAD / case / "message.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(StateError) as err:
        read_state(path)
    # a message that starts with ":" gives a place in the file first (":LINE:COLUMN: ...")
    said = f"{path}{expected}" if expected.startswith(":") else f"{path}: {expected}"
    assert str(err.value) == f"state file {said}"


def _parsed_cases() -> list[str]:
    """The bad cases that are JSON: a document another reader parsed can hold them too."""
    out = []
    for case in sorted(p.name for p in BAD.iterdir()):
        try:
            json.loads((BAD / case / "state.json").read_text(encoding="utf-8"))
        except ValueError:
            continue
        out.append(case)
    return out


@pytest.mark.parametrize("case", _parsed_cases())
def test_bad_documents_parsed_by_another_reader_are_refused_as_the_files_are(case: str) -> None:
    # `appspec preview` gets the stack's export parsed already (Automation API), its secrets
    # not turned into Secret objects: one where an object or a string belongs is refused, not
    # read as an empty deployment or printed in the message
    path = BAD / case / "state.json"
    expected = (BAD / case / "message.txt").read_text(encoding="utf-8").strip()
    doc = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(StateError) as err:
        parse_state(doc, str(path))
    assert str(err.value) == f"state file {path}: {expected}"
    assert doc == json.loads(path.read_text(encoding="utf-8"))  # left as it was


def test_unreadable_and_broken_gzip(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"cannot read: No such file"):
        read_state(tmp_path / "missing.json")
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(StateError, match=r"broken.json.gz: not a readable gzip file"):
        read_state(broken)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"version": 3, "deployment": {"x": "\xff"}}')
    with pytest.raises(StateError, match=r"latin.json: not JSON"):
        read_state(latin)


# Where state is looked for


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}", encoding="utf-8")
    return path


def test_default_location_prefers_the_project_scoped_layout(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    assert find_state(tmp_path, "appspecs", "dev", env) is None
    legacy = _touch(tmp_path / ".pulumi" / "stacks" / "dev.json")
    assert find_state(tmp_path, "appspecs", "dev", env) == legacy
    scoped_gz = _touch(tmp_path / ".pulumi" / "stacks" / "appspecs" / "dev.json.gz")
    assert find_state(tmp_path, "appspecs", "dev", env) == scoped_gz
    scoped = _touch(tmp_path / ".pulumi" / "stacks" / "appspecs" / "dev.json")
    assert find_state(tmp_path, "appspecs", "dev", env) == scoped
    assert find_state(tmp_path, "appspecs", "prod", env) is None


def test_backend_url_points_elsewhere(tmp_path: Path) -> None:
    other = tmp_path / "backend"
    found = _touch(other / ".pulumi" / "stacks" / "appspecs" / "dev.json")
    _touch(tmp_path / "project" / ".pulumi" / "stacks" / "appspecs" / "dev.json")
    env = {"PULUMI_BACKEND_URL": f"file://{other}"}
    assert find_state(tmp_path / "project", "appspecs", "dev", env) == found


def test_a_remote_backend_asks_for_state_without_printing_its_url(tmp_path: Path) -> None:
    env = {"PULUMI_BACKEND_URL": "s3://bucket-name/with?secret-ish=params"}
    with pytest.raises(StateError) as err:
        find_state(tmp_path, "appspecs", "dev", env)
    message = str(err.value)
    assert "s3 backend" in message and "--state" in message
    assert "bucket-name" not in message and "secret-ish" not in message


def test_parse_does_not_change_the_document(dev_doc: dict[str, Any]) -> None:
    before = copy.deepcopy(dev_doc)
    parse_state(dev_doc, "x.json")
    assert dev_doc == before


def test_a_small_or_absent_state_is_a_short_read(tmp_path: Path) -> None:
    # decides whether this process also checks its share of the specs while reading it
    from appspecs.plan.statefile import SHORT_READ_BYTES, state_read_is_short

    def short(name: str, size: int | None) -> bool:
        path = tmp_path / name
        if size is not None:
            path.write_bytes(b" " * size)
        return state_read_is_short(path if size is not None else None, tmp_path, "appspecs", "dev")

    assert short("none.json", None)  # no --state, no checkpoint
    assert short("small.json", SHORT_READ_BYTES - 1)
    assert not short("large.json", SHORT_READ_BYTES)
    assert not short("large.json.gz", SHORT_READ_BYTES // 10 + 1)
    assert state_read_is_short(tmp_path / "missing.json", tmp_path, "appspecs", "dev")
