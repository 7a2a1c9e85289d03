"""Inputs a demanding user tries: other spellings of loopback hosts, odd URIs, state nested too
deeply, approvals with line breaks or paths for names, `--specs .`, and a `--base` folder or
working folder that holds no specs. Each case once failed (or passed wrongly) before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from appspecs.cli.main import cli
from appspecs.plan.state import read_state
from appspecs.plan.statefile import StateError
from appspecs.spec.uris import is_loopback, uri_problem
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's specs, stacks and Pulumi.yaml."""
    return copy_project(tmp_path)


@pytest.fixture
def inside(project: Path) -> Iterator[None]:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        yield
    finally:
        os.chdir(cwd)


def invoke(*args: str) -> Result:
    return CliRunner(env={"PULUMI_BACKEND_URL": "", "APPSPECS_DEBUG": ""}).invoke(cli, list(args))


# -- redirect URIs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "https://127.0.0.2/cb",
        "https://[0:0:0:0:0:0:0:1]/cb",
        "https://[::ffff:127.0.0.1]/cb",
        "https://localhost./cb",
        "https://app.localhost/cb",
        "https://127.1/cb",
        "https://0x7f000001/cb",
        "HTTPS://LOCALHOST:8443/cb",
        "http://[::1]:8080/cb",
        "https://%6c%6fcalhost/cb",  # browsers decode the host first
        "https://%4C%4FCALHOST/cb",
        "https://127%2e0%2e0%2e1/cb",
        # as browsers parse hosts (WHATWG): a trailing dot on an address, IDNA mapping of
        # fullwidth letters and of the ideographic full stop, octal and hex IPv4 parts
        "https://127.0.0.1./cb",
        "https://ｌｏｃａｌｈｏｓｔ/cb",
        "https://ＬＯＣＡＬＨＯＳＴ:8443/cb",
        "https://localhost。/cb",
        "https://app。localhost/cb",
        "https://0177.0.0.1/cb",
        "https://0x7f.1/cb",
        "https://127.000.000.001/cb",
        "https://１２７.０.０.１/cb",
    ],
)
def test_every_spelling_of_a_loopback_host_is_loopback(uri: str) -> None:
    assert is_loopback(uri)
    assert uri_problem(uri, native=False) is None


@pytest.mark.parametrize(
    "uri",
    [
        "https://crm.acme.example/cb",
        "https://127.0.0.1.example/cb",
        "https://[::2]/cb",
        "https://10.1/cb",
        "https://1/cb",
        "not a uri",
    ],
)
def test_other_hosts_are_not_loopback(uri: str) -> None:
    assert not is_loopback(uri)


def test_http_to_another_loopback_address_is_not_called_non_loopback() -> None:
    assert uri_problem("http://127.0.0.2:8080/cb", native=False) is None
    assert "non-loopback" in (uri_problem("http://10.0.0.1/cb", native=False) or "")


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("https://crm.acme.example:0/cb", "port 0"),
        ("https://crm.acme.example/c%zz", "'%' not followed by two hex digits"),
        ("https://crm.acme.example/100%", "'%' not followed by two hex digits"),
    ],
)
def test_a_port_zero_or_a_broken_percent_escape_is_refused(uri: str, words: str) -> None:
    assert words in (uri_problem(uri, native=False) or "")
    assert uri_problem("https://crm.acme.example/c%20b", native=False) is None


def _spec_with_redirect(project: Path, uri: str) -> None:
    (project / "app-specs" / "apps" / "loopy.yaml").write_text(
        "name: loopy\nlabel: Loopy\ntype: internal\nowner: a@acme.example\n"
        f"client:\n  kind: spa\n  redirect_uris: ['{uri}']\nscopes: [api:audience:read]\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "uri",
    [
        "https://127.0.0.2/cb",
        "https://[0::1]:8443/cb",
        "https://127.0.0.1./cb",
        "https://ｌｏｃａｌｈｏｓｔ/cb",
    ],
)
def test_prod_refuses_a_loopback_redirect_however_it_is_spelled(
    project: Path, inside: None, uri: str
) -> None:
    _spec_with_redirect(project, uri)
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 1, result.output
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "redirect-uri"]
    assert [(d["file"], d["line"], d["path"]) for d in found] == [
        ("app-specs/apps/loopy.yaml", 7, "client.redirect_uris[0]")
    ]
    assert "is a loopback redirect, not allowed in stack 'prod'" in found[0]["message"]


# -- --specs . and .. --------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "specs"), [("app-specs", "."), ("app-specs/apps", "..")])
def test_specs_given_as_dot_or_dotdot_find_the_stacks_beside_them(
    project: Path, where: str, specs: str
) -> None:
    # without the stacks, prod's refusal of loopback redirects was silently not checked
    _spec_with_redirect(project, "http://localhost:3000/cb")
    cwd = os.getcwd()
    os.chdir(project / where)
    try:
        result = invoke("validate", "--specs", specs)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    assert "not allowed in stack 'prod'" in result.stdout


# -- plan: where things are ---------------------------------------------------------------------


def test_plan_from_inside_the_specs_folder_finds_the_project(project: Path) -> None:
    # The project is the nearest folder above holding Pulumi.yaml (as pulumi finds it).
    cwd = os.getcwd()
    os.chdir(project / "app-specs")
    try:
        result = invoke("plan", "--stack", "dev")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output


def test_a_base_folder_without_apps_is_a_usage_error(project: Path, inside: None) -> None:
    (project / "not-specs").mkdir()
    result = invoke("plan", "--stack", "dev", "--base", "not-specs")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--base: 'not-specs/apps' does not exist" in result.stderr
    detailed = invoke("plan", "--stack", "dev", "--base", "not-specs", "--detailed-exitcode")
    assert detailed.exit_code == 1


# -- plan: state nested too deeply ------------------------------------------------------------


def _nested(depth: int) -> str:
    stack = "urn:pulumi:dev::appspecs::pulumi:pulumi:Stack::appspecs-dev"
    root = json.dumps({"urn": stack, "type": "pulumi:pulumi:Stack", "outputs": {"x": "X"}})
    value = "[" * depth + "1" + "]" * depth
    doc = '{"version": 3, "deployment": {"resources": [' + root + "]}}"
    return doc.replace('"X"', value)


@pytest.mark.parametrize("depth", [100, 5000])
def test_state_nested_too_deeply_is_one_clear_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_nested(depth), encoding="utf-8")
    with pytest.raises(StateError, match=r"^state file .*deep\.json: .*nest"):
        read_state(path)


def test_plan_with_deeply_nested_state_exits_2_without_internal_error(
    project: Path, inside: None
) -> None:
    Path("deep.json").write_text(_nested(400), encoding="utf-8")
    for fmt in ("text", "json", "markdown"):
        result = invoke("plan", "--stack", "dev", "--state", "deep.json", "--format", fmt)
        assert result.exit_code == 2, result.output
        assert "internal error" not in result.stderr
        assert result.stderr.startswith("appspec: state file deep.json: ")


def test_state_nested_a_little_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(_nested(10), encoding="utf-8")
    assert read_state(path).stack_outputs["x"] is not None


# -- approvals ----------------------------------------------------------------------------------


def test_approve_refuses_a_ticket_with_a_line_break_in_one_line(
    project: Path, inside: None
) -> None:
    result = invoke("approve", "orbit-mobile", "--by", "s@acme.example", "--ticket", "SEC-1\nx")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "'SEC-1\\nx' is not accepted" in result.stderr
    assert "orbit-mobile" not in Path("app-specs/approvals.yaml").read_text(encoding="utf-8")


def test_approve_of_a_path_is_no_app_not_an_app_with_errors(project: Path, inside: None) -> None:
    result = invoke("approve", "../apps/orbit-mobile", "--by", "s@acme.example", "--ticket", "S")
    assert result.exit_code == 2
    assert "no app named '../apps/orbit-mobile'" in result.stderr
    assert "has errors" not in result.stderr


def test_an_approval_naming_a_path_or_holding_a_line_break_is_reported(
    project: Path, inside: None
) -> None:
    with open("app-specs/approvals.yaml", "a", encoding="utf-8") as fh:
        fh.write(
            "- app: ../apps/orbit-mobile\n"
            "  digest: sha256:" + "0" * 64 + "\n"
            "  approved_by: s@acme.example\n"
            '  ticket: "SEC-1\\nSEC-2"\n'
            "  approved_at: '2026-11-20T14:05:00+00:00'\n"
        )
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 1
    found = {
        d["path"]: d["message"]
        for d in json.loads(result.stdout)["diagnostics"]
        if d["code"] == "approval"
    }
    assert "expected an app name" in found["approvals[1].app"]
    assert "'SEC-1\\nSEC-2' is not accepted" in found["approvals[1].ticket"]


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@acme.example",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@acme.example",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_ref_whose_specs_folder_has_no_apps_yet_has_no_apps(project: Path, inside: None) -> None:
    # git keeps no empty folder: the commit that added the catalog had no apps/ at all
    apps = project / "app-specs" / "apps"
    moved = project / "later"
    apps.rename(moved)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "catalog only")
    moved.rename(apps)
    result = invoke("plan", "--stack", "dev", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "appspec-base-" not in result.stderr  # no temporary path, no "cannot be read"
    data = json.loads(result.stdout)
    assert {a["change"] for a in data["apps"] if a["name"] != "orbit-mobile"} == {"added"}
    assert not any("has no specs folder" in n for n in data["summary"]["notes"])


# -- files that are not what they seem ----------------------------------------------------------


def test_a_logo_symlinked_out_of_the_specs_folder_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.png"
    shutil.copyfile(project / "app-specs" / "logos" / "crm-sync.png", outside)
    logo = project / "app-specs" / "logos" / "crm-sync.png"
    logo.unlink()
    logo.symlink_to(outside)
    result = invoke("validate", "--specs", str(project / "app-specs"), "--format", "json")
    assert result.exit_code == 1, result.output
    [d] = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert (d["code"], d["path"]) == ("logo", "logo")
    assert "leads outside app-specs/" in d["message"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_among_the_specs_is_refused_not_read(project: Path) -> None:
    # Reading it would block for ever; only regular files are read.
    os.mkfifo(project / "app-specs" / "apps" / "pipe.yaml")
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "appspecs", "validate"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "pipe.yaml: cannot read: not a regular file" in proc.stderr
