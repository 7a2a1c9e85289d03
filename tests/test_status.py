"""`appspec status --stack NAME` as users run it: the portal's list of apps, each app's state,
approval and client id, `live` only for what recorded state holds, the three formats agreeing, and
the exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.desired.render import render
from appspecs.desired.resources import APP_COMPONENT, OAUTH_APP, resource_graph
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests import plan_states as ps
from tests.approver import approve_args
from tests.project_copy import copy_project

BUNDLED = (
    "acme-analytics",
    "audience-studio",
    "crm-sync",
    "enrichment-worker",
    "orbit-mobile",
    "studio-local",
)
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# the states a list counts: recorded state tells live from not deployed yet; without it, approved
WITH_STATE = (
    "live",
    "not deployed yet",
    "under review",
    "change under review",
    "suspended",
    "denied",
    "not in this stack",
)
WITHOUT_STATE = (
    "approved",
    "under review",
    "change under review",
    "suspended",
    "denied",
    "not in this stack",
)
NO_STATE = "no recorded state: which apps are live is unknown"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's specs, stacks and Pulumi.yaml, with no state yet."""
    return copy_project(tmp_path)


def status(project: Path, *args: str) -> Result:
    """`appspec status` on the copy, with no backend from the environment."""
    specs, stacks = project / "app-specs", project / "stacks"
    return CliRunner(env={"PULUMI_BACKEND_URL": ""}).invoke(
        cli, ["status", "--specs", str(specs), "--stacks", str(stacks), *args]
    )


def listed(project: Path, *args: str) -> dict[str, Any]:
    result = status(project, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def row(data: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [a for a in data["apps"] if a["name"] == name]
    return found


def edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def state_of(project: Path, stack: str = "dev") -> dict[str, Any]:
    """The export an update of the copy's specs would record for `stack`."""
    specs = load_specs(project / "app-specs", stacks_dir=project / "stacks")
    desired = render(specs, load_stack_config(project / "stacks", stack))
    return ps.state_for(resource_graph(desired), stack, held=desired.held)


def without_apps(doc: dict[str, Any], *names: str) -> dict[str, Any]:
    """`doc` as an update before `names` were deployed left it: their components, everything
    under them and their client ids gone."""
    dep = doc["deployment"]
    gone = {ps.find(doc, APP_COMPONENT, name)["urn"] for name in names}
    kept = []
    for r in dep["resources"]:  # a parent is recorded before its children
        if r["urn"] in gone or r.get("parent") in gone:
            gone.add(r["urn"])
        else:
            kept.append(r)
    dep["resources"] = kept
    client_ids = kept[0]["outputs"]["clientIds"]
    for name in names:
        del client_ids[name]
    return doc


def formats(project: Path, *args: str) -> tuple[dict[str, Any], str, str]:
    """The list as JSON, text and Markdown."""
    return (
        listed(project, *args),
        status(project, *args).stdout,
        status(project, *args, "--format", "markdown").stdout,
    )


def test_dev_lists_all_six_bundled_apps_with_their_states(project: Path) -> None:
    data = listed(project, "--stack", "dev")
    assert [a["name"] for a in data["apps"]] == list(BUNDLED)
    states = {a["name"]: a["state"] for a in data["apps"]}
    # no recorded state: what deploys is approved, whether it is live no one here knows
    assert states == {
        "acme-analytics": "approved",
        "audience-studio": "approved",
        "crm-sync": "approved",
        "enrichment-worker": "approved",
        "orbit-mobile": "under review",
        "studio-local": "approved",
    }
    assert data["stack"] == "dev" and data["against"] is None and data["total"] == 6
    assert data["withState"] is False
    assert data["counts"] == {
        "approved": 5,
        "under review": 1,
        "change under review": 0,
        "suspended": 0,
        "denied": 0,
        "not in this stack": 0,
    }
    assert all(a["recorded"] is None for a in data["apps"])
    acme = row(data, "acme-analytics")
    assert (acme["type"], acme["partner"]) == ("partner", "acme-analytics")
    assert acme["approvedDigest"] == acme["currentDigest"] == acme["deployedDigest"]
    assert DIGEST.match(acme["approvedDigest"])
    assert acme["approvedBy"] and acme["ticket"]
    crm = row(data, "crm-sync")
    assert (crm["type"], crm["partner"], crm["approvedDigest"]) == ("internal", None, None)
    assert DIGEST.match(crm["currentDigest"]) and crm["clientId"] is None


def test_an_app_its_environments_leave_out_is_not_in_this_stack(project: Path) -> None:
    data = listed(project, "--stack", "prod")
    assert row(data, "studio-local")["state"] == "not in this stack"
    assert row(data, "studio-local")["deployedDigest"] is None
    assert data["counts"]["not in this stack"] == 1 and data["total"] == 6


def test_a_changed_approved_partner_app_is_a_change_under_review(project: Path) -> None:
    before = row(listed(project, "--stack", "dev"), "acme-analytics")
    edit(
        project / "app-specs" / "apps" / "acme-analytics.yaml",
        "description: Partner dashboard",
        "description: The partner dashboard",
    )
    acme = row(listed(project, "--stack", "dev"), "acme-analytics")
    assert acme["state"] == "change under review"
    assert acme["approvedDigest"] == before["approvedDigest"]
    assert acme["deployedDigest"] == before["approvedDigest"]  # Okta keeps the approved one
    assert DIGEST.match(acme["currentDigest"])
    assert acme["currentDigest"] != acme["approvedDigest"]
    assert acme["approvedBy"] == before["approvedBy"] and acme["ticket"] == before["ticket"]
    text = status(project, "--stack", "dev").stdout
    short = (acme["approvedDigest"][7:19], acme["currentDigest"][7:19])
    (line,) = [x for x in text.splitlines() if x.startswith("acme-analytics ")]
    assert "change under review" in line and all(s in line for s in short)


def test_a_partner_app_with_no_approval_is_under_review(project: Path) -> None:
    orbit = row(listed(project, "--stack", "dev"), "orbit-mobile")
    assert orbit["state"] == "under review"
    assert (orbit["type"], orbit["partner"]) == ("partner", "orbit-crm")
    assert orbit["approvedDigest"] is None and orbit["deployedDigest"] is None
    assert orbit["notes"] == [
        # what an update does: without state, whether Okta has it is not known; the approve
        # command names the folders this status was given (the stacks beside the specs, which
        # --specs alone reads, are not repeated)
        "an update deploys nothing of it until it is approved: "
        "appspec approve orbit-mobile --by EMAIL --ticket ID --key PATH"  # allowed_signers
        f" --specs {project / 'app-specs'}"
    ]


def test_a_spec_with_errors_is_denied_and_still_exits_0(project: Path) -> None:
    apps = project / "app-specs" / "apps"
    edit(apps / "acme-analytics.yaml", "partner: acme-analytics", "partner: unknown-co")
    (apps / "half-done.yaml").write_text("name: half-done\ntype: [internal\n", encoding="utf-8")
    data = listed(project, "--stack", "dev")
    assert [a["name"] for a in data["apps"]] == sorted([*BUNDLED, "half-done"])
    acme = row(data, "acme-analytics")
    assert acme["state"] == "denied"
    # what it declares is shown beside why it is denied, and its approval stays on record
    assert (acme["type"], acme["partner"]) == ("partner", "unknown-co")
    assert acme["currentDigest"] is None and DIGEST.match(acme["approvedDigest"])
    line = acme["errors"][0]["line"]
    assert (
        "partner: unknown-co" in (apps / "acme-analytics.yaml").read_text().splitlines()[line - 1]
    )
    assert "unknown-co" in acme["notes"][0]
    half = row(data, "half-done")
    assert half["state"] == "denied" and half["type"] is None and half["errors"]
    assert data["counts"]["denied"] == 2 and data["counts"]["approved"] == 4
    assert data["errors"] == len(acme["errors"]) + len(half["errors"])
    assert "deploys nothing until they are fixed" in data["notes"][0]


def test_a_suspended_partners_app_is_suspended(project: Path, tmp_path: Path) -> None:
    edit(project / "app-specs" / "partners.yaml", "status: approved", "status: suspended", 1)
    path = ps.write(state_of(project), tmp_path / "state.json")
    data = listed(project, "--stack", "dev", "--state", str(path))
    acme = row(data, "acme-analytics")
    assert acme["state"] == "suspended" and acme["deployedDigest"] == acme["approvedDigest"]
    assert any("deployed INACTIVE" in n for n in acme["notes"])
    assert row(data, "orbit-mobile")["state"] == "under review"  # orbit-crm is not suspended
    assert data["counts"]["suspended"] == 1


def test_client_ids_come_from_the_state_file(project: Path, tmp_path: Path) -> None:
    doc = state_of(project)
    path = ps.write(doc, tmp_path / "state.json")
    root_outputs = doc["deployment"]["resources"][0]["outputs"]
    data = listed(project, "--stack", "dev", "--state", str(path))
    assert data["against"] == str(path)
    ids = {a["name"]: a["clientId"] for a in data["apps"]}
    assert (
        ids["crm-sync"]
        == ps.okta_id(OAUTH_APP, "crm-sync")
        == root_outputs["clientIds"]["crm-sync"]
    )
    assert ids["orbit-mobile"] is None  # under review: never deployed
    assert all(ids[n] for n in BUNDLED if n != "orbit-mobile")
    text = status(project, "--stack", "dev", "--state", str(path)).stdout
    assert "CLIENT ID" in text and ids["crm-sync"] in text
    assert text.startswith(f"Apps of stack dev: live apps and client ids from {path}\n")


def test_without_state_no_app_is_said_to_be_live(project: Path) -> None:
    data, text, markdown = formats(project, "--stack", "dev")
    assert data["withState"] is False and data["against"] is None
    assert tuple(data["counts"]) == WITHOUT_STATE  # no "0 live" either: that is not known
    assert "live" not in {a["state"] for a in data["apps"]}
    assert data["counts"]["approved"] == 5
    assert text.splitlines()[0].startswith(f"Apps of stack dev: {NO_STATE}, and no client ids")
    assert NO_STATE in markdown.splitlines()[2]
    # the command is a code span in the comment, not escaped backticks
    assert markdown.splitlines()[2].endswith("reads a `pulumi stack export`)")
    assert _text_counts(text) == _markdown_counts(markdown) == data["counts"]
    for app in data["apps"]:
        (line,) = [x for x in text.splitlines() if x.startswith(app["name"] + " ")]
        (md_row,) = [x for x in markdown.splitlines() if x.startswith(f"| {app['name']} |")]
        assert " live " not in line and app["state"] in line
        assert "`live`" not in md_row and f"`{app['state']}`" in md_row


def test_with_a_state_live_is_what_it_holds_and_the_rest_is_not_deployed_yet(
    project: Path, tmp_path: Path
) -> None:
    # the last update ran before crm-sync and studio-local were merged
    doc = without_apps(state_of(project), "crm-sync", "studio-local")
    path = ps.write(doc, tmp_path / "state.json")
    data, text, markdown = formats(project, "--stack", "dev", "--state", str(path))
    assert data["withState"] is True and tuple(data["counts"]) == WITH_STATE
    states = {a["name"]: a["state"] for a in data["apps"]}
    assert states == {
        "acme-analytics": "live",
        "audience-studio": "live",
        "crm-sync": "not deployed yet",
        "enrichment-worker": "live",
        "orbit-mobile": "under review",
        "studio-local": "not deployed yet",
    }
    assert data["counts"] == {
        "live": 3,
        "not deployed yet": 2,
        "under review": 1,
        "change under review": 0,
        "suspended": 0,
        "denied": 0,
        "not in this stack": 0,
    }
    assert _text_counts(text) == _markdown_counts(markdown) == data["counts"]
    crm = row(data, "crm-sync")
    assert (crm["recorded"], crm["clientId"]) == (False, None)
    assert crm["notes"] == [
        "the recorded state does not hold it: the next update creates it in Okta, with its "
        "client id"
    ]
    assert "crm-sync: the recorded state does not hold it" in text
    (md_row,) = [x for x in markdown.splitlines() if x.startswith("| crm-sync |")]
    assert "`not deployed yet`" in md_row
    assert row(data, "crm-sync")["recorded"] is False
    assert all(row(data, n)["recorded"] for n, s in states.items() if s == "live")


def test_a_stack_never_updated_has_nothing_live(project: Path) -> None:
    path = project / ".pulumi" / "stacks" / "appspecs" / "dev.json"
    # `pulumi stack init` with the file backend: a checkpoint with no deployment yet
    ps.write({"version": 3, "checkpoint": {"stack": "organization/appspecs/dev"}}, path)
    data = listed(project, "--stack", "dev")
    assert data["against"] == str(path) and data["withState"] is True
    assert data["counts"]["live"] == 0 and data["counts"]["not deployed yet"] == 5


def test_the_local_backend_checkpoint_is_read_as_plan_reads_it(project: Path) -> None:
    path = project / ".pulumi" / "stacks" / "appspecs" / "dev.json"
    ps.write(ps.document(state_of(project)["deployment"], "checkpoint"), path)
    data = listed(project, "--stack", "dev")
    assert data["against"] == str(path)
    assert row(data, "crm-sync")["clientId"] == ps.okta_id(OAUTH_APP, "crm-sync")


def _text_counts(text: str) -> dict[str, int]:
    last = text.rstrip("\n").splitlines()[-1]
    return {
        m[2]: int(m[1]) for m in re.finditer(r"(\d+) ([a-z ]+?)(?:,|$)", last.split(": ", 1)[1])
    }


def _markdown_counts(text: str) -> dict[str, int]:
    (line,) = [x for x in text.splitlines() if x.startswith("**") and " apps: " in x]
    body = line.strip("*").split(": ", 1)[1]
    return {s.split(" ", 1)[1]: int(s.split(" ", 1)[0]) for s in body.split(" · ")}


def test_every_format_says_the_same_with_the_same_counts(project: Path, tmp_path: Path) -> None:
    path = ps.write(state_of(project, "prod"), tmp_path / "prod.json")
    apps = project / "app-specs" / "apps"
    edit(apps / "acme-analytics.yaml", "description: Partner", "description: The partner")
    edit(apps / "crm-sync.yaml", "type: internal", "type: external")
    given = ("--stack", "prod", "--state", str(path))
    data = listed(project, *given)
    text = status(project, *given).stdout
    markdown = status(project, *given, "--format", "markdown").stdout
    assert set(data["counts"].values()) != {0}
    assert _text_counts(text) == _markdown_counts(markdown) == data["counts"]
    assert sum(data["counts"].values()) == data["total"] == len(data["apps"]) == 6
    for app in data["apps"]:
        (line,) = [x for x in text.splitlines() if x.startswith(app["name"] + " ")]
        (md_row,) = [x for x in markdown.splitlines() if x.startswith(f"| {app['name']} |")]
        assert app["state"] in line and f"`{app['state']}`" in md_row
        for note in app["notes"]:
            assert f"{app['name']}: {note}" in text
    assert {a["name"]: a["state"] for a in data["apps"]}["crm-sync"] == "denied"


def test_the_specs_warnings_are_listed_as_validate_gives_them(
    project: Path, tmp_path: Path
) -> None:
    # The sampled defect: approvals were unsigned and a .yml file was ignored, and the list,
    # whose rows say "approved", said nothing of either.
    (project / "app-specs" / "allowed_signers").unlink()
    (project / "app-specs" / "apps" / "billing.yml").write_text("name: billing\n")
    data = listed(project, "--stack", "dev")
    assert data["warnings"] == 2 and data["errors"] == 0
    assert [d["code"] for d in data["diagnostics"]] == ["signature", "invalid-value"]
    text = status(project, "--stack", "dev").stdout.splitlines()
    assert text[1].endswith(
        "allowed_signers: warning[signature] approvals are not signed: "
        "there is no allowed_signers, so anyone who can edit approvals.yaml "
        "can approve a partner app; list the approvers' SSH keys in "
        "allowed_signers and sign approvals with appspec approve --key"
    )
    assert text[2].endswith(
        "billing.yml: warning[invalid-value] ignored: app specs are read from files ending in "
        ".yaml (lowercase)"
    )
    markdown = status(project, "--stack", "dev", "--format", "markdown").stdout.splitlines()
    assert [line for line in markdown if line.startswith("> ⚠️ ")] == [
        f"> ⚠️ {t}  " for t in text[1:3]
    ]
    (tmp_path / "clean").mkdir()
    clean = listed(copy_project(tmp_path / "clean"), "--stack", "dev")
    assert (clean["warnings"], clean["diagnostics"]) == (0, [])


def test_markdown_escapes_what_the_specs_say(project: Path) -> None:
    apps = project / "app-specs" / "apps"
    edit(apps / "acme-analytics.yaml", "partner: acme-analytics", "partner: 'a|b`<x>'")
    markdown = status(project, "--stack", "dev", "--format", "markdown").stdout
    (md_row,) = [x for x in markdown.splitlines() if x.startswith("| acme-analytics |")]
    assert md_row.count(" | ") == 7  # the `|` in the partner ends no cell
    assert "``a\\|b`<x>``" in md_row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stack", "staging"), "unknown stack 'staging'; known stacks: dev, prod"),
        (("--stack", "dev", "--state", "{missing}"), "state file"),
        (("--stack", "dev", "--state", "{not-json}"), "not JSON"),
        (("--stack", "dev", "--state", "{prod-state}"), "holds resources of prod/appspecs"),
        (("--stack", "dev", "--format", "yaml"), "Invalid value for '--format'"),
        ((), "Missing option '--stack'"),
    ],
)
def test_usage_and_io_errors_exit_2(
    project: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    files = {
        "missing": tmp_path / "missing.json",
        "not-json": tmp_path / "not-json.json",
        "prod-state": tmp_path / "prod.json",
    }
    files["not-json"].write_text("{", encoding="utf-8")
    ps.write(state_of(project, "prod"), files["prod-state"])
    result = status(project, *(a.format_map({k: str(v) for k, v in files.items()}) for a in args))
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stdout == ""


def test_a_missing_specs_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["status", "--stack", "dev", "--specs", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 2
    assert f"specs folder '{tmp_path / 'nowhere'}' does not exist" in result.stderr


def test_status_loads_neither_pulumi_nor_httpx(project: Path) -> None:
    # said from an exit handler: the process ends once they have run (appspecs/cli/entry.py)
    code = (
        "import atexit, runpy, sys\n"
        "sys.argv = ['appspec', 'status', '--stack', 'dev']\n"
        "heavy = {'pulumi', 'pulumi_okta', 'grpc', 'httpx', 'httpcore'}\n"
        "atexit.register(lambda: print(\n"
        "    sorted({m.split('.')[0] for m in sys.modules} & heavy), file=sys.stderr\n"
        "))\n"
        "runpy.run_module('appspecs', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "orbit-mobile" in done.stdout


@pytest.mark.parametrize(
    ("recorded", "first", "second"),
    [
        (
            "holds it",
            "partner suspended: deployed INACTIVE (no tokens",
            "Okta keeps the version approved by {by} ({ticket})",
        ),
        (
            "does not hold it",
            "partner suspended: not deployed yet",
            "not deployed yet: the next update creates the version approved by {by} ({ticket})",
        ),
        (
            "no state",
            "partner suspended: it deploys INACTIVE (no tokens",
            "the version approved by {by} ({ticket}) is the one that deploys",
        ),
    ],
)
def test_a_suspended_app_with_a_change_says_both(
    project: Path, tmp_path: Path, recorded: str, first: str, second: str
) -> None:
    doc = state_of(project)  # before the change and the suspension: acme-analytics is in Okta
    edit(project / "app-specs" / "partners.yaml", "status: approved", "status: suspended", 1)
    edit(
        project / "app-specs" / "apps" / "acme-analytics.yaml",
        "description: Partner",
        "description: The partner",
    )
    given = ["--stack", "dev"]
    if recorded != "no state":
        doc = without_apps(doc, "acme-analytics") if recorded == "does not hold it" else doc
        given += ["--state", str(ps.write(doc, tmp_path / "state.json"))]
    acme = row(listed(project, *given), "acme-analytics")
    assert acme["state"] == "suspended"
    assert acme["deployedDigest"] == acme["approvedDigest"] != acme["currentDigest"]
    # only recorded state backs what Okta has of it: INACTIVE, or nothing yet
    assert acme["recorded"] == {"holds it": True, "does not hold it": False}.get(recorded)
    assert [n.split(";")[0] for n in acme["notes"]] == [
        first,
        second.format(by=acme["approvedBy"], ticket=acme["ticket"]),
    ]


def test_recorded_apps_that_deploy_nothing_are_said_to_leave_okta(
    project: Path, tmp_path: Path
) -> None:
    path = ps.write(state_of(project), tmp_path / "state.json")
    apps = project / "app-specs" / "apps"
    (apps / "audience-studio.yaml").unlink()  # its spec is gone
    crm = apps / "crm-sync.yaml"
    crm.write_text(crm.read_text(encoding="utf-8") + "environments: [prod]\n", encoding="utf-8")
    data = listed(project, "--stack", "dev", "--state", str(path))
    assert "audience-studio" not in [a["name"] for a in data["apps"]]
    assert data["recordedOnly"] == ["audience-studio"]
    assert any("audience-studio" in n and "deletes them" in n for n in data["notes"])
    crm_sync = row(data, "crm-sync")
    assert crm_sync["state"] == "not in this stack" and crm_sync["recorded"] is True
    assert crm_sync["notes"] == [
        "recorded in the stack's state: the next update deletes it from Okta (its client id "
        "stops working)"
    ]
    worker = row(data, "enrichment-worker")
    assert worker["notes"] == [] and worker["recorded"] is True
    text = status(project, "--stack", "dev", "--state", str(path)).stdout
    assert "note: recorded in the state but with no spec file" in text
    assert "crm-sync: recorded in the stack's state" in text


def test_out_writes_the_list_to_a_file(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "apps.md"
    result = status(project, "--stack", "dev", "--format", "markdown", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("### Apps of stack `dev`\n")
    unwritable = status(project, "--stack", "dev", "--out", str(tmp_path / "no" / "x.txt"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.stderr


def _drop_acme_approval(project: Path) -> None:
    path = project / "app-specs" / "approvals.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- app: acme-analytics")
    after = text.find("\n- app:", start)
    rest = text[after + 1 :] if after != -1 else ""
    text = text[:start] + rest
    if "- app:" not in text:
        text = text.replace("\napprovals:\n", "\napprovals: []\n")
    path.write_text(text, encoding="utf-8")
    assert load_specs(project / "app-specs", stacks_dir=project / "stacks").ok


@pytest.mark.parametrize("how", ["removed", "tampered"])
def test_a_protected_app_whose_approval_is_gone_is_said_to_keep_running(
    project: Path, tmp_path: Path, how: str
) -> None:
    path = ps.write(state_of(project, "prod"), tmp_path / "state.json")
    if how == "removed":
        _drop_acme_approval(project)
    else:
        edit(
            project / "app-specs" / "approvals.yaml",
            "approved_by: security-review@acme.example",
            "approved_by: mallory@acme.example",
            1,
        )
    data = listed(project, "--stack", "prod", "--state", str(path))
    acme = row(data, "acme-analytics")
    assert acme["state"] == "under review" and acme["keptProtected"] is True
    assert not any("deploys nothing of it until" in n for n in acme["notes"])
    assert "keeps running" in acme["notes"][-1]
    # the commands it names read what this status read: its specs (and the stacks beside
    # them) and state
    folders = f"--specs {project / 'app-specs'}"
    assert (
        f"(appspec approve acme-analytics --by EMAIL --ticket ID --key PATH {folders})"
        in (acme["notes"][-1])
    )
    plan = f"appspec plan --stack prod {folders} --state {path}"
    # a tampered approval is an error in the specs, and the plan plans nothing until it is fixed
    once = ", once the specs have no errors" if how == "tampered" else ""
    assert acme["notes"][-1].endswith(f"or retired on purpose ({plan} says how{once})")
    if how == "tampered":
        # the approval's error is on its app's row, not only in the file-wide problems
        assert [(e["code"], e["path"]) for e in acme["errors"]] == [
            ("signature", "approvals[0].signature")
        ]
        assert data["problems"] == [] and data["errors"] == 1
        assert "not valid" in acme["notes"][-1]
    else:
        assert acme["errors"] == [] and "has no approval" in acme["notes"][-1]
    text = status(project, "--stack", "prod", "--state", str(path)).stdout
    acme_lines = [line for line in text.splitlines() if line.startswith("acme-analytics: ")]
    assert len(acme_lines) == len(acme["notes"])
    assert not any("deploys nothing of it until" in line for line in acme_lines)


def test_a_protected_app_its_environments_take_out_waits_for_the_stack_not_an_approval(
    project: Path, tmp_path: Path
) -> None:
    # approved as it is, with environments that leave dev out: what keeps every update of dev
    # failing is the stack missing from its environments, not a missing approval
    path = ps.write(state_of(project, "dev"), tmp_path / "state.json")
    spec = project / "app-specs" / "apps" / "acme-analytics.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "environments: [prod]\n", encoding="utf-8")
    approved = CliRunner().invoke(
        cli,
        [
            *("approve", "acme-analytics", *approve_args(tmp_path), "--ticket", "SEC-2"),
            *("--specs", str(project / "app-specs"), "--stacks", str(project / "stacks")),
        ],
    )
    assert approved.exit_code == 0, approved.output
    acme = row(listed(project, "--stack", "dev", "--state", str(path)), "acme-analytics")
    assert (acme["state"], acme["keptProtected"]) == ("not in this stack", True)
    assert any(
        "every update fails until its environments name this stack again or it is retired" in n
        for n in acme["notes"]
    ), acme["notes"]
