"""`appspec preview`: the Automation API path, run as users run it.

- Without the Pulumi CLI: exit 2 and one line saying how to install it.
- With a stand-in `pulumi` executable (the process boundary the Automation API talks across):
  the SDK's real LocalWorkspace and Stack run `pulumi version`, `stack select` / `stack init`,
  `stack export` and `preview --event-log FILE`; the stand-in answers from a scenario file with
  state and engine events in the CLI's JSON shapes. It reports version 3.200.0 so the SDK reads
  events from the log file (newer CLIs stream the same events over gRPC).
- With the real CLI, when it is on PATH.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from appspecs.deploy.refusals import Refusal, refusal_of
from appspecs.desired.render import render
from appspecs.desired.resources import OAUTH_APP, RULE, resource_graph
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APPSPEC = str(BIN / "appspec")
INSTALL_URL = "https://www.pulumi.com/docs/install/"
# set by each test itself, never taken from the environment the tests run in
OURS = {"PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"}

STANDIN = r"""
import json, os, sys

args = [a for a in sys.argv[1:] if a != "--non-interactive"]
scenario = json.load(open(os.environ["STANDIN_SCENARIO"]))
with open(os.environ["STANDIN_LOG"], "a") as log:
    log.write(json.dumps({"args": args, "backend": os.environ.get("PULUMI_BACKEND_URL"),
                          "cwd": os.getcwd()}) + "\n")
created = os.environ["STANDIN_LOG"] + ".created"

def stack_of(args):
    return args[args.index("--stack") + 1] if "--stack" in args else args[-1]

def exists(name):
    return name in scenario["stacks"] or (os.path.exists(created) and name in open(created).read().split())

if args == ["version"]:
    print("v3.200.0")
elif args[:2] == ["stack", "select"]:
    name = stack_of(args)
    if not exists(name):
        sys.stderr.write(f"error: no stack named '{name}' found\n")
        sys.exit(255)
elif args[:2] == ["stack", "init"]:
    with open(created, "a") as f:
        f.write(args[2] + "\n")
elif args[:2] == ["stack", "export"]:
    name = stack_of(args)
    doc = scenario["stacks"].get(name) or {"version": 3, "deployment": {"manifest": {}}}
    print(json.dumps(doc))
elif args[0] == "preview":
    events = scenario["events"]
    if not any("summaryEvent" in e for e in events):  # the engine always ends with one
        events = events + [{"summaryEvent": {"maybeCorrupt": False, "durationSeconds": 0,
                                             "resourceChanges": {}, "PolicyPacks": {}}}]
    with open(args[args.index("--event-log") + 1], "a") as f:
        for i, event in enumerate(events + [{"cancelEvent": {}}]):
            f.write(json.dumps({"sequence": i, "timestamp": 1, **event}) + "\n")
    print(f"Previewing update ({stack_of(args)}):")
    if scenario.get("fail"):
        sys.stderr.write(scenario["fail"] + "\n")
        sys.exit(255)
else:
    sys.stderr.write(f"error: the stand-in does not know {args}\n")
    sys.exit(2)
"""


def _project(tmp_path: Path) -> Path:
    """A copy of the project's specs and stacks with its Pulumi.yaml: where preview runs."""
    return copy_project(tmp_path)


def _standin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pulumi = bin_dir / "pulumi"
    pulumi.write_text(f"#!{sys.executable}\n{STANDIN}")
    pulumi.chmod(0o755)
    return bin_dir


def _run(
    cwd: Path, path: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in OURS and not k.startswith("STANDIN_")}
    return subprocess.run(
        [APPSPEC, *args],
        cwd=cwd,
        env={**base, "PATH": path, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _section(text: str, title: str) -> list[str]:
    """The lines of a titled section of the text output, up to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def _state_without(project: Path, missing: str) -> dict[str, Any]:
    """The export an update of the project's specs would leave, less one app's resources."""
    specs = load_specs(project / "app-specs", stacks_dir=project / "stacks")
    desired = render(specs, load_stack_config(project / "stacks", "dev"))
    doc = plan_states.state_for(resource_graph(desired))
    resources = doc["deployment"]["resources"]
    doc["deployment"]["resources"] = [r for r in resources if not r["urn"].endswith(missing)]
    return doc


def _pre(op: str, type_: str, name: str, **extra: Any) -> dict[str, Any]:
    urn = f"urn:pulumi:dev::appspecs::appspecs:index:OidcApp${type_}::{name}"
    meta = {"op": op, "urn": urn, "type": type_, "provider": "", **extra}
    return {"resourcePreEvent": {"metadata": meta}}


def _scenario(tmp_path: Path, **scenario: Any) -> dict[str, str]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"stacks": {}, "events": [], **scenario}))
    return {"STANDIN_SCENARIO": str(path), "STANDIN_LOG": str(tmp_path / "calls.jsonl")}


def _calls(tmp_path: Path) -> list[dict[str, Any]]:
    lines = (tmp_path / "calls.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


# --- no CLI ---------------------------------------------------------------------------------------


def test_without_the_cli_it_says_how_to_install_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = _run(project, str(empty), "preview", "--stack", "dev")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("appspec: the Pulumi CLI is not on PATH")
    assert INSTALL_URL in lines[0]
    assert "Traceback" not in result.stderr
    # json still gives its one object, saying why there is no preview
    as_json = _run(project, str(empty), "preview", "--stack", "dev", "--format", "json")
    assert as_json.returncode == 2
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["previewed"], data["stack"]) == (False, False, "dev")
    assert data["problems"] == [lines[0].removeprefix("appspec: ")]


# --- the stand-in CLI -----------------------------------------------------------------------------

EVENTS = [
    {"preludeEvent": {"config": {}}},
    _pre("same", "okta:app/oAuth:OAuth", "crm-sync"),
    _pre("create", "okta:app/oAuth:OAuth", "enrichment-worker"),
    _pre(
        "update",
        "okta:auth/serverPolicyRule:ServerPolicyRule",
        "crm-sync",
        diffs=["scopeWhitelists", "groupWhitelists"],
    ),
    _pre("replace", "okta:app/oAuth:OAuth", "studio-local", keys=["type"], diffs=["type"]),
    # only `protect` changes: a same step, whose states say it (false is left out, as Go does)
    _pre(
        "same", "okta:app/oAuth:OAuth", "acme-analytics", old={"id": "0oa1"}, new={"protect": True}
    ),
    _pre("same", "okta:app/oAuth:OAuth", "orbit", old={"protect": True}, new={"protect": True}),
    {
        "diagnosticEvent": {
            "message": "a warning from the engine\n",
            "color": "never",
            "severity": "warning",
        }
    },
    {
        "summaryEvent": {
            "maybeCorrupt": False,
            "durationSeconds": 2,
            "resourceChanges": {"same": 20, "create": 1, "update": 1, "replace": 1},
            "PolicyPacks": {},
        }
    },
]


def test_preview_shows_the_apps_as_plan_does_then_the_engines_steps(tmp_path: Path) -> None:
    project = _project(tmp_path)
    state = _state_without(project, "::enrichment-worker")
    env = _scenario(tmp_path, stacks={"dev": state}, events=EVENTS)
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Preview of stack dev (file backend)\n")

    # the apps exactly as `appspec plan` shows them against the same state
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(state))
    plan = _run(
        project, str(tmp_path / "none"), "plan", "--stack", "dev", "--state", str(state_file)
    )
    assert plan.returncode == 0, plan.stderr
    assert _section(out, "Apps:") == _section(plan.stdout, "Apps:")
    assert any("enrichment-worker" in line for line in _section(out, "Apps:"))

    resources = _section(out, "Resources (pulumi preview):")
    assert resources == [
        "Resources (pulumi preview):",
        "  +    okta:app/oAuth:OAuth enrichment-worker (create)",
        "  ~    okta:auth/serverPolicyRule:ServerPolicyRule crm-sync (update: scopeWhitelists, groupWhitelists)",
        "  +-   okta:app/oAuth:OAuth studio-local (replace: type)",
        "       okta:app/oAuth:OAuth acme-analytics (same, protect: false -> true)",
    ]
    assert "Changes: 1 to create, 1 to update, 1 to replace, 20 unchanged" in out
    assert "warning: a warning from the engine" in out


def test_preview_selects_the_stack_with_the_local_backend_by_default(tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = _scenario(tmp_path, stacks={"dev": plan_states.document({"manifest": {}})})
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 0, result.stderr
    calls = _calls(tmp_path)
    assert [c["args"][:2] for c in calls[:3]] == [
        ["version"],
        ["stack", "select"],
        ["stack", "export"],
    ]
    assert calls[3]["args"][0] == "preview" and len(calls) == 4
    assert "dev" in calls[1]["args"] and "dev" in calls[3]["args"]
    assert all(c["cwd"] == str(project.resolve()) for c in calls[1:])
    assert {c["backend"] for c in calls[1:]} == {project.resolve().as_uri()}
    preview_args = calls[-1]["args"]
    assert "--suppress-progress" in preview_args
    assert preview_args[preview_args.index("--color") + 1] == "never"
    assert "Resources (pulumi preview):\n  no changes\n" in result.stdout


def test_preview_never_creates_a_stack_and_respects_the_backend_variable(tmp_path: Path) -> None:
    # A mistyped or never-initialised stack is a usage error: create_or_select_stack would make
    # it (and, with the file backend, write an encryptionsalt into a new stack file).
    project = _project(tmp_path)
    backend = "s3://acme-state?region=eu-west-1&awssdk=v2"
    env = {**_scenario(tmp_path), "PULUMI_BACKEND_URL": backend}
    before = sorted(p.name for p in (project / "stacks").iterdir())
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "prod", env=env)
    assert result.returncode == 2, result.stderr
    calls = _calls(tmp_path)
    assert [c["args"][:2] for c in calls] == [["version"], ["stack", "select"]]
    assert {c["backend"] for c in calls[1:]} == {backend}
    assert "stack prod does not exist in the s3 backend" in result.stderr
    assert "pulumi stack init prod" in result.stderr
    assert result.stdout == ""
    # only the scheme is shown: a backend URL may carry credentials
    assert "acme-state" not in result.stdout + result.stderr
    assert sorted(p.name for p in (project / "stacks").iterdir()) == before


def test_json_output(tmp_path: Path) -> None:
    project = _project(tmp_path)
    state = _state_without(project, "::enrichment-worker")
    env = _scenario(tmp_path, stacks={"dev": state}, events=EVENTS)
    result = _run(
        project, str(_standin(tmp_path)), "preview", "--stack", "dev", "--format", "json", env=env
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["stack"] == "dev" and doc["backend"] == "file"
    assert (doc["ok"], doc["previewed"]) == (True, True)  # as the failure report has them
    assert doc["changeSummary"] == {"same": 20, "create": 1, "update": 1, "replace": 1}
    assert doc["summary"]["changes"] is True
    assert doc["summary"]["updateRefused"] is False
    added = [a["name"] for a in doc["apps"] if a["change"] == "added"]
    assert added == ["enrichment-worker"]
    update = next(s for s in doc["steps"] if s["op"] == "update")
    assert update["type"] == RULE and update["diffs"] == ["scopeWhitelists", "groupWhitelists"]
    replace = next(s for s in doc["steps"] if s["op"] == "replace")
    assert replace["type"] == OAUTH_APP and replace["replaceKeys"] == ["type"]
    protecting = [s for s in doc["steps"] if "protect" in s]
    assert [(s["name"], s["protect"]) for s in protecting] == [
        ("acme-analytics", {"old": False, "new": True})
    ]


PASSPHRASE = (
    "getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or "
    "PULUMI_CONFIG_PASSPHRASE_FILE environment variables"
)


@pytest.mark.parametrize(
    ("diagnostics", "stderr", "reason"),
    [
        (
            ["okta:index:getGroup: the API returned an error: Invalid token provided\n"],
            "error: preview failed",
            "okta:index:getGroup: the API returned an error: Invalid token provided",
        ),
        (
            # a program's failure spans lines: it is told in one
            ["Program failed:\n  stack config: okta:orgName is missing\n", "a later error\n"],
            "error: preview failed",
            "Program failed: stack config: okta:orgName is missing",
        ),
        ([], f"Previewing...\nerror: {PASSPHRASE}", PASSPHRASE),
    ],
    ids=["engine-error", "multi-line", "cli-error"],
)
def test_a_failed_preview_is_one_line_and_exit_2(
    tmp_path: Path, diagnostics: list[str], stderr: str, reason: str
) -> None:
    project = _project(tmp_path)
    events = [
        {"diagnosticEvent": {"message": m, "color": "never", "severity": "error"}}
        for m in diagnostics
    ]
    env = _scenario(
        tmp_path,
        stacks={"dev": plan_states.document({"manifest": {}})},
        events=events,
        fail=stderr,
    )
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"appspec: previewing stack dev: {reason}\n"


@pytest.mark.parametrize("where", ["event", "stderr"])
def test_an_engine_error_never_repeats_a_password_in_a_url(tmp_path: Path, where: str) -> None:
    """The engine quotes URLs as configured (a backend, a provider endpoint): their user info
    is masked, as appspec masks it everywhere else."""
    project = _project(tmp_path)
    said = "error: reading https://ci:hunter2-PASSWORD@state.acme.example/stacks/dev: 401"
    events = [{"diagnosticEvent": {"message": said, "color": "never", "severity": "error"}}]
    env = _scenario(
        tmp_path,
        stacks={"dev": plan_states.document({"manifest": {}})},
        events=events if where == "event" else [],
        fail=said,
    )
    pulumi = str(_standin(tmp_path))
    for fmt in ("text", "json"):
        result = _run(project, pulumi, "preview", "--stack", "dev", "--format", fmt, env=env)
        assert result.returncode == 2
        assert "hunter2-PASSWORD" not in result.stdout + result.stderr
        assert "https://***@state.acme.example/stacks/dev: 401" in result.stderr


# --- protected resources the engine refuses to delete or replace ----------------------------------

# pulumi/pulumi's own wording: pkg/resource/deploy/step.go (deleteProtectedError, behind
# diag.GetPreviewFailedError's "Preview failed: " in a preview) and step_generator.go
DELETE_REFUSED = (
    "Preview failed: resource {urn_q} cannot be deleted\nbecause it is protected. To unprotect "
    "the resource, either remove the `protect` flag from the resource in your Pulumi program and "
    "run `pulumi up`, or use the command:\n`pulumi state unprotect '{urn}'`\n"
)
REPLACE_REFUSED = (
    "unable to replace resource {urn_q}\nas it is currently marked for protection. To unprotect "
    "the resource, remove the `protect` flag from the resource in your Pulumi program and run "
    "`pulumi up`\n"
)


URN = "urn:pulumi:dev::appspecs::appspecs:index:OidcApp$okta:app/oAuth:OAuth::acme-analytics"
OTHER = "urn:pulumi:dev::appspecs::appspecs:index:OidcApp::acme-analytics"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (DELETE_REFUSED.format(urn_q=json.dumps(URN), urn=URN), Refusal("delete", URN)),
        # an update's: no "Preview failed: " before it; colour directives when not stripped
        (
            f'<{{%reset%}}>resource "{URN}" cannot be deleted\nbecause it is protected.<{{%reset%}}>',
            Refusal("delete", URN),
        ),
        # the wording before pulumi 3.52
        (
            f'unable to delete resource "{URN}"\nas it is currently marked for protection. To',
            Refusal("delete", URN),
        ),
        (REPLACE_REFUSED.format(urn_q=json.dumps(URN)), Refusal("replace", URN)),
        # a resource replaced with the one it depends on (delete before replace)
        (
            f'unable to replace resource "{URN}" as part of replacing "{OTHER}" as it is '
            "currently marked for protection. To unprotect the resource, ...",
            Refusal("replace", URN),
        ),
        # other errors, even when a provider's words come close
        ("Preview failed: okta: the API returned an error: Invalid token provided", None),
        (f'okta: resource "{URN}" cannot be deleted because it is protected', None),
        ("preview failed", None),
    ],
    ids=["preview", "update", "old-wording", "replace", "dbr-replace", "other", "quoted", "end"],
)
def test_the_engines_refusals_are_recognised_by_its_wording(
    message: str, expected: Refusal | None
) -> None:
    assert refusal_of(message) == expected


def _error(message: str, urn: str = "") -> dict[str, Any]:
    diag = {"message": message, "color": "never", "severity": "error"}
    return {"diagnosticEvent": {**({"urn": urn} if urn else {}), **diag}}


# acme-analytics' resources, as `pulumi stack export` lists them: the component and its OAuth app
# share the app's name
ACME = (
    "acme-analytics",
    "acme-analytics",
    "acme-analytics-policy",
    "acme-analytics-rule",
    "acme-analytics-groups",
)


def _held_partner_app(tmp_path: Path) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """The project with acme-analytics' approval removed, the state its approved version left
    (its resources protected, written here as an export has them, not from the program's
    options) and those resources."""
    project = _project(tmp_path)
    state = _state_without(project, "::no-such-resource")
    (project / "app-specs" / "approvals.yaml").write_text("approvals: []\n", encoding="utf-8")
    acme = []
    for r in state["deployment"]["resources"]:
        r.pop("protect", None)
        if r["urn"].rsplit("::", 1)[1] in ACME:
            r["protect"] = True
            acme.append(r)
    assert sorted(r["urn"].rsplit("::", 1)[1] for r in acme) == sorted(ACME)
    return project, state, acme


def _refusing_events(acme: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A preview's events as the engine sends them when it refuses protected deletes: each delete
    step, an error per refused delete, its closing `preview failed`, a summary without them."""
    deletes = [
        {
            "resourcePreEvent": {
                "metadata": {
                    "op": "delete",
                    "urn": r["urn"],
                    "type": r["type"],
                    "old": {"urn": r["urn"], "protect": True},
                    "provider": "",
                }
            }
        }
        for r in reversed(acme)
    ]
    errors = [
        _error(DELETE_REFUSED.format(urn_q=json.dumps(r["urn"]), urn=r["urn"]), r["urn"])
        for r in reversed(acme)
    ]
    summary = {
        "summaryEvent": {
            "maybeCorrupt": False,
            "durationSeconds": 1,
            "resourceChanges": {"same": 21},
            "PolicyPacks": {},
            "isPreview": True,
            "result": "failed",
        }
    }
    return [{"preludeEvent": {"config": {}}}, *deletes, *errors, _error("preview failed"), summary]


def test_refused_protected_deletes_are_reported_per_app_and_exit_1(tmp_path: Path) -> None:
    project, state, acme = _held_partner_app(tmp_path)
    env = _scenario(
        tmp_path,
        stacks={"dev": state},
        events=_refusing_events(acme),
        fail="error: preview failed",
    )
    bin_dir = str(_standin(tmp_path))
    result = _run(project, bin_dir, "preview", "--stack", "dev", env=env)
    assert result.returncode == 1, result.stderr
    # one line, as a plan against the state says it: the apps, and where retiring is told
    assert result.stderr == (
        "appspec: the update of stack dev would fail: pulumi up refuses 5 deletes of protected "
        "resources of acme-analytics (each marked refused in the preview); to retire an app on "
        "purpose, see docs/commands.md, retiring a partner app\n"
    )
    out = result.stdout
    lines = out.splitlines()
    assert lines[1].startswith(
        "! PREVIEW FAILED: the engine refuses 5 deletes of protected resources"
    ), out
    assert "of acme-analytics, as pulumi up would: the update would fail" in lines[1]
    # every refused URN, in one command, under the app's retirement hint
    hint = next(i for i, line in enumerate(lines) if line.startswith("acme-analytics: to let"))
    assert "docs/commands.md, retiring a partner app" in lines[hint]
    command = lines[hint + 1].strip()
    assert command.startswith("pulumi state unprotect --stack dev ")
    assert sorted(shlex.split(command)[5:]) == sorted(r["urn"] for r in acme)
    assert lines[hint + 2] == "  pulumi up --stack dev"
    resources = _section(out, "Resources (pulumi preview):")
    assert len(resources) == 6
    assert all(line.endswith("(delete, refused: protected)") for line in resources[1:])
    assert "Changes: 21 unchanged, 5 refused: protected" in out

    doc_run = _run(project, bin_dir, "preview", "--stack", "dev", "--format", "json", env=env)
    assert doc_run.returncode == 1, doc_run.stderr
    doc = json.loads(doc_run.stdout)
    assert doc["summary"]["updateRefused"] is True
    assert doc_run.stderr == result.stderr
    assert [g["app"] for g in doc["refused"]] == ["acme-analytics"]
    refused = doc["refused"][0]
    assert {s["op"] for s in refused["steps"]} == {"delete"}
    assert sorted(s["urn"] for s in refused["steps"]) == sorted(r["urn"] for r in acme)
    assert refused["unprotect"] == command
    assert sum(bool(s.get("refused")) for s in doc["steps"]) == 5


def test_a_running_internal_app_deleted_while_held_fails_the_preview(tmp_path: Path) -> None:
    # crm-sync, internal and in the state, retyped to partner: held, so the engine plans plain
    # deletes of its unprotected resources, and the preview fails on them as the plan does
    project = _project(tmp_path)
    state = _state_without(project, "::no-such-resource")
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "type: internal\n", "type: partner\npartner: orbit-crm\n"
    )
    links = "links:\n  terms: https://crm.acme.example/t\n  privacy: https://crm.acme.example/p\n"
    spec.write_text(text + links, encoding="utf-8")
    crm = [r for r in state["deployment"]["resources"] if r["urn"].endswith("::crm-sync")]
    assert crm and not any(r.get("protect") for r in crm)
    deletes = [
        {
            "resourcePreEvent": {
                "metadata": {"op": "delete", "urn": r["urn"], "type": r["type"], "provider": ""}
            }
        }
        for r in crm
    ]
    env = _scenario(tmp_path, stacks={"dev": state}, events=deletes)
    bin_dir = str(_standin(tmp_path))
    line = (
        "appspec: the update of stack dev would delete crm-sync, running in Okta as internal, "
        "while held for partner review (said in the preview): approve it in this change, leave "
        "it internal, or remove its spec in a change of its own\n"
    )
    result = _run(project, bin_dir, "preview", "--stack", "dev", env=env)
    assert (result.returncode, result.stderr) == (1, line), result.stdout
    assert "! RUNNING APP DELETED WHILE HELD: crm-sync is running in Okta" in result.stdout
    as_json = _run(project, bin_dir, "preview", "--stack", "dev", "--format", "json", env=env)
    assert (as_json.returncode, as_json.stderr) == (1, line)
    doc = json.loads(as_json.stdout)
    assert (doc["ok"], doc["summary"]["heldDeletes"]) == (False, ["crm-sync"])
    assert doc["summary"]["updateRefused"] is False  # the engine refuses nothing here


def test_a_refused_replace_is_reported_as_such(tmp_path: Path) -> None:
    project, state, acme = _held_partner_app(tmp_path)
    app = next(r for r in acme if r["type"] == OAUTH_APP)
    events = [
        {
            "resourcePreEvent": {
                "metadata": {
                    "op": "replace",
                    "urn": app["urn"],
                    "type": OAUTH_APP,
                    "keys": ["type"],
                    "diffs": ["type"],
                    "provider": "",
                }
            }
        },
        _error(REPLACE_REFUSED.format(urn_q=json.dumps(app["urn"])), app["urn"]),
        _error("preview failed"),
    ]
    env = _scenario(tmp_path, stacks={"dev": state}, events=events, fail="error: preview failed")
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 1, result.stderr
    assert "the engine refuses 1 replace of protected resources" in result.stdout
    assert "pulumi up refuses 1 replace of protected resources of acme-analytics" in result.stderr
    resources = _section(result.stdout, "Resources (pulumi preview):")
    assert any(line.endswith("(replace: type, refused: protected)") for line in resources)
    assert not any("delete, refused" in line for line in resources)


def test_another_engine_error_beside_refusals_is_still_an_error(tmp_path: Path) -> None:
    project, state, acme = _held_partner_app(tmp_path)
    events = _refusing_events(acme)
    events.insert(-2, _error("okta:index:getGroup: the API returned an error: Invalid token\n"))
    env = _scenario(tmp_path, stacks={"dev": state}, events=events, fail="error: preview failed")
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "dev", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "appspec: previewing stack dev: okta:index:getGroup: the API returned an error: "
        "Invalid token\n"
    )


def test_an_unknown_stack_is_a_usage_error_before_pulumi_runs(tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = _scenario(tmp_path)
    result = _run(project, str(_standin(tmp_path)), "preview", "--stack", "qa", env=env)
    assert result.returncode == 2
    assert result.stderr == "appspec: unknown stack 'qa'; known stacks: dev, prod\n"
    assert not (tmp_path / "calls.jsonl").exists()


def test_invalid_specs_exit_1_before_pulumi_runs(tmp_path: Path) -> None:
    project = _project(tmp_path)
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    spec.write_text(spec.read_text().replace("api:data:contact", "api:nope:read"))
    env = _scenario(tmp_path)
    standin = str(_standin(tmp_path))
    result = _run(project, standin, "preview", "--stack", "dev", env=env)
    assert result.returncode == 1
    assert "error[unknown-scope]" in result.stderr
    assert result.stderr.endswith("appspec: the specs have errors; nothing to preview\n")
    assert not (tmp_path / "calls.jsonl").exists()
    assert result.stdout == ""
    # --format json still gives one object: the errors, and that nothing was previewed
    as_json = _run(project, standin, "preview", "--stack", "dev", "--format", "json", env=env)
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["previewed"], data["stack"]) == (False, False, "dev")
    assert [d["code"] for d in data["diagnostics"]] == ["unknown-scope"]
    assert not (tmp_path / "calls.jsonl").exists()


def test_another_specs_folder_than_the_program_deploys_is_refused(tmp_path: Path) -> None:
    # No appspecs:specsDir: the program deploys app-specs/, so a summary of other/ would be
    # printed beside the engine's steps for app-specs/.
    project = _project(tmp_path)
    shutil.copytree(project / "app-specs", project / "other")
    env = _scenario(tmp_path)
    result = _run(
        project,
        str(_standin(tmp_path)),
        *("preview", "--stack", "dev", "--specs", "other", "--stacks", "stacks"),
        env=env,
    )
    assert result.returncode == 2
    assert (
        "stack 'dev' deploys the specs in app-specs (unset appspecs:specsDir, relative to the "
        "project), not other: give --specs"
    ) in result.stderr
    assert not (tmp_path / "calls.jsonl").exists()


# --- the real CLI ---------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pulumi") is None, reason="pulumi CLI not on PATH")
def test_real_preview_uses_the_local_backend_and_never_a_traceback(tmp_path: Path) -> None:
    """With the CLI: a preview of a fresh local stack. Without an Okta org behind the provider
    the engine may fail (group look-ups call Okta): then one line and exit 2."""
    project = _project(tmp_path)
    shutil.copy2(ROOT / "stacks" / "__main__.py", project / "stacks" / "__main__.py")
    # the program runs in the project's virtualenv (Pulumi.yaml: virtualenv .venv)
    (project / ".venv").symlink_to(BIN.parent)
    result = _run(
        project,
        os.environ["PATH"],
        "preview",
        "--stack",
        "dev",
        env={"PULUMI_CONFIG_PASSPHRASE": "test-only", "PULUMI_SKIP_UPDATE_CHECK": "true"},
    )
    assert "Traceback" not in result.stderr
    assert (project / ".pulumi").is_dir(), "the stack was not kept in the local backend"
    if result.returncode == 0:
        assert "Apps:" in result.stdout and "Resources (pulumi preview):" in result.stdout
    else:
        assert result.returncode == 2
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("appspec: ")


def test_the_specs_warnings_are_said_with_the_preview_as_with_the_plan(tmp_path: Path) -> None:
    # The sampled defect: JSON counted the specs' warnings in summary.warnings (plan's summary)
    # but listed none of them, and text said nothing of them at all.
    project = _project(tmp_path)
    (project / "app-specs" / "allowed_signers").unlink()
    (project / "app-specs" / "apps" / "billing.yml").write_text("name: billing\n")
    env = _scenario(tmp_path, stacks={"dev": _state_without(project, "::enrichment-worker")})
    standin = str(_standin(tmp_path))
    text = _run(project, standin, "preview", "--stack", "dev", env=env)
    assert text.returncode == 0, text.stderr
    warned = [line for line in text.stdout.splitlines() if ": warning[" in line]
    assert [line.split(": warning[")[0] for line in warned] == [
        "app-specs/allowed_signers",
        "app-specs/apps/billing.yml",
    ]
    as_json = _run(project, standin, "preview", "--stack", "dev", "--format", "json", env=env)
    doc = json.loads(as_json.stdout)
    assert doc["summary"]["warnings"] == 2
    assert [d["code"] for d in doc["diagnostics"]] == ["signature", "invalid-value"]
    assert doc["warnings"] == []  # the engine's own, as before
