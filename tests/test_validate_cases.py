"""`appspec validate` run as users run it, on the data-file cases under tests/cases/validate/.

Each case folder is laid over `_base/` (see its README) in a temporary folder; the CLI runs there
as a subprocess and its JSON report, exit code and stderr are compared with `expected.json`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appspecs.diagnostics import CODES

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases" / "validate"
BASE = CASES / "_base"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))
KEYS = ("severity", "code", "file", "line", "column", "path")


def build_tree(case: str, dest: Path) -> dict[str, Any]:
    """Copy the base tree, lay the case over it, apply `remove` and `pad`; returns expected.json."""
    shutil.copytree(BASE, dest)
    source = CASES / case
    expected: dict[str, Any] = json.loads((source / "expected.json").read_text(encoding="utf-8"))
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and rel != Path("expected.json"):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)
    for rel in expected.get("remove", []):
        target = dest / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    for rel, size in expected.get("pad", {}).items():
        pad(dest / rel, size)
    (dest / "app-specs" / "apps").mkdir(exist_ok=True)
    return expected


def pad(path: Path, size: int) -> None:
    """Grow a file to exactly `size` bytes: comment lines for YAML, zero bytes for the rest."""
    data = path.read_bytes()
    missing = size - len(data)
    assert missing >= 0, f"{path} is already larger than {size} bytes"
    if path.suffix != ".yaml":
        path.write_bytes(data + b"\0" * missing)
        return
    lines = []
    while missing > 0:
        line = b"#" + b" padding" * 10 + b"\n"
        line = line if len(line) <= missing else b"#" * (missing - 1) + b"\n"
        lines.append(line if missing > 1 else b"\n")
        missing -= len(lines[-1])
    path.write_bytes(data + b"".join(lines))
    assert path.stat().st_size == size


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("APPSPECS_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "appspecs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def validate_json(tree: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "json")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert isinstance(report, dict)
    return result, report


@dataclass
class CaseRun:
    expected: dict[str, Any]
    result: subprocess.CompletedProcess[str]


def run_case(case: str, tmp: Path) -> CaseRun:
    tree = tmp / case
    expected = build_tree(case, tree)
    # the default folders, as the cases' messages name the commands they suggest (a --specs
    # given would be repeated in them)
    return CaseRun(expected, run_cli(tree, "validate", "--format", "json"))


@pytest.fixture(scope="module")
def case_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[CaseRun]]]:
    """Start the selected cases' CLI runs side by side: each is a fresh interpreter, mostly
    waiting on imports, and one after the other they take most of this file's time."""
    selected = sorted(
        {
            item.callspec.params["case"]
            for item in request.session.items
            if isinstance(item, pytest.Function)
            and item.originalname == "test_case"
            and hasattr(item, "callspec")
        }
    )
    tmp = tmp_path_factory.mktemp("cases")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        yield {case: pool.submit(run_case, case, tmp) for case in selected}


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case(case: str, case_runs: dict[str, Future[CaseRun]]) -> None:
    run = case_runs[case].result()
    expected, result = run.expected, run.result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout

    got = [{k: d[k] for k in KEYS} for d in report["diagnostics"]]
    want = [{k: d[k] for k in KEYS} for d in expected["diagnostics"]]
    assert got == want, "\n".join(
        f"{d['file']}:{d['line']}:{d['column']}: {d['severity']}[{d['code']}] {d['path']}: "
        f"{d['message']}"
        for d in report["diagnostics"]
    )
    for got_d, want_d in zip(report["diagnostics"], expected["diagnostics"], strict=True):
        assert want_d["message"] in got_d["message"], (got_d["path"], got_d["message"])
        assert "\n" not in got_d["message"]
    assert sorted(report) == [
        "apps",
        "diagnostics",
        "errors",
        "filesNotRead",
        "held",
        "ok",
        "problems",
        "stackFilesWithErrors",
        "warnings",
    ]
    # counted as the text and github formats count them
    severities = [d["severity"] for d in report["diagnostics"]]
    assert (report["errors"], report["warnings"]) == (
        severities.count("error"),
        severities.count("warning"),
    )
    assert report["problems"] == []
    assert (report["filesNotRead"], report["stackFilesWithErrors"]) == (0, 0)
    assert report["held"] == expected["held"]
    if "apps" in expected:
        assert report["apps"] == expected["apps"]
    assert result.returncode == expected["exit"], result.stderr
    assert report["ok"] is (expected["exit"] == 0)
    assert result.stderr == "", "exit 0 and 1 say everything on stdout"


def test_every_code_has_a_case() -> None:
    covered: set[str] = set()
    for case in CASE_NAMES:
        expected = json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))
        covered |= {d["code"] for d in expected["diagnostics"]}
    assert set(CODES) - covered == set(), "codes without a case"
    assert covered <= set(CODES), "cases expect codes the tool does not declare"


def test_every_case_is_complete() -> None:
    for case in CASE_NAMES:
        expected = json.loads((CASES / case / "expected.json").read_text(encoding="utf-8"))
        assert expected.get("description"), f"{case}: say what the case shows"
        assert expected["exit"] in (0, 1), case
        positive = case.startswith("valid-")
        assert positive == (expected["exit"] == 0 and not expected["diagnostics"]), case


# ---------------------------------------------------------------- other formats, same findings

TEXT_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info)"
    r"\[(?P<code>[a-z-]+)\](?: (?P<path>[^ ]+):)? (?P<message>.*)$"
)


def test_text_format_says_the_same_as_json(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("redirect-uri-loopback-prod", tree)
    _, report = validate_json(tree)
    result = run_cli(tree, "validate", "--specs", "app-specs")
    assert result.returncode == 1
    *lines, summary = result.stdout.rstrip("\n").split("\n")
    parsed = []
    for line in lines:
        match = TEXT_LINE.match(line)
        assert match, line
        parsed.append(
            {**match.groupdict(), "line": int(match["line"]), "column": int(match["column"])}
        )
    assert [{**d, "path": d["path"] or None} for d in report["diagnostics"]] == parsed
    assert summary == "3 apps checked: 5 errors, 0 warnings"
    assert lines[0].startswith("app-specs/apps/everywhere.yaml:10:7: error[redirect-uri] ")


def test_text_format_summary_counts_held_apps(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("held-pending", tree)
    result = run_cli(tree, "validate", "--specs", "app-specs")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "2 apps checked: 0 errors, 0 warnings, 1 held (orbit)"
    assert result.stdout.startswith("app-specs/apps/orbit.yaml:4:7: info[held] type: ")


def test_github_format_annotates_each_line(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("approval-malformed", tree)
    _, report = validate_json(tree)
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "github")
    assert result.returncode == 1
    *lines, summary = result.stdout.splitlines()
    assert summary.startswith("::notice title=appspec validate::") and " checked: " in summary
    assert len(lines) == len(report["diagnostics"])
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for line, d in zip(lines, report["diagnostics"], strict=True):
        head = (
            f"::{level[d['severity']]} file={d['file']},line={d['line']},col={d['column']},"
            f"title=appspec {d['code']}::{d['path']}: "
        )
        assert line.startswith(head), line
    assert lines[-1].startswith("::notice file=app-specs/apps/partner-two.yaml,line=3,col=7,")


def test_github_format_gives_only_the_counts_when_clean(tmp_path: Path) -> None:
    # GitHub shows a step's first annotations only: the totals are a notice of their own,
    # the same summary as the text format's, clean or not.
    tree = tmp_path / "tree"
    build_tree("valid-every-kind", tree)
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "github")
    text = run_cli(tree, "validate", "--specs", "app-specs")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"::notice title=appspec validate::{text.stdout.splitlines()[-1]}\n"


def test_a_password_in_a_redirect_uri_is_never_printed(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("redirect-uri-rules", tree)
    # user info together with other problems, which are reported first
    (tree / "app-specs" / "apps" / "more-secrets.yaml").write_text(
        "name: more-secrets\nlabel: More\ntype: internal\nowner: a@acme.example\n"
        "client:\n  kind: web\n  redirect_uris:\n"
        "    - https://admin:secret@*.acme.example/cb\n"
        "    - 'https://admin:secret@app.acme.example/c b'\n"
        "    - https://admin:secret@app.acme.example:99999/cb\n"
        "    - http://admin:secret@app.acme.example/cb#x\n"
        "scopes: [api:data:company]\n",
        encoding="utf-8",
    )
    _, report = validate_json(tree)
    masked = [d for d in report["diagnostics"] if "***@" in d["message"]]
    assert len(masked) == 5
    for fmt in ("text", "json", "github"):
        result = run_cli(tree, "validate", "--specs", "app-specs", "--format", fmt)
        assert "admin:secret" not in result.stdout + result.stderr
        assert "secret@" not in result.stdout + result.stderr


def test_control_characters_in_a_spec_stay_escaped_on_one_line(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("no-apps", tree)
    (tree / "app-specs" / "apps" / "ansi.yaml").write_text(
        'name: ansi\nlabel: "Red\\e[31m\\nNext line"\n', encoding="utf-8"
    )
    result = run_cli(tree, "validate", "--specs", "app-specs")
    assert result.returncode == 1
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    label = [line for line in lines if "error[invalid-value] label: " in line]
    assert len(label) == 1, lines
    assert label[0].startswith("app-specs/apps/ansi.yaml:2:8: error[invalid-value] label: ")
    assert "'Red\\x1b[31m\\nNext line'" in label[0]
    assert all(TEXT_LINE.match(line) for line in lines[:-1]), lines


# ---------------------------------------------------------------- several files, I/O problems


def test_every_file_is_checked_before_reporting(tmp_path: Path) -> None:
    """Errors in the catalog-independent parts of many files all show in one run."""
    tree = tmp_path / "tree"
    build_tree("no-apps", tree)
    apps = tree / "app-specs" / "apps"
    for i in range(5):
        (apps / f"broken-{i}.yaml").write_text(f"name: broken-{i}\nlabel: [\n", encoding="utf-8")
    (apps / "fine.yaml").write_text(
        (CASES / "valid-loopback-allowed-everywhere" / "app-specs" / "apps" / "laptop.yaml")
        .read_text(encoding="utf-8")
        .replace("laptop", "fine")
        .replace("http://localhost:3000", "https://fine.acme.example"),
        encoding="utf-8",
    )
    (tree / "app-specs" / "approvals.yaml").write_text("approvals: {}\n", encoding="utf-8")
    _, report = validate_json(tree)
    files = [d["file"] for d in report["diagnostics"]]
    assert files == ["app-specs/approvals.yaml"] + [
        f"app-specs/apps/broken-{i}.yaml" for i in range(5)
    ]
    assert report["apps"] == 6


def _expect_usage_error(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert reason in result.stderr, result.stderr


def test_missing_specs_folder_exits_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "validate", "--specs", "no-such-folder")
    _expect_usage_error(result, "specs folder 'no-such-folder' does not exist")
    assert result.stderr.count("\n") == 1, "one line"
    assert result.stdout == ""


def test_missing_apps_folder_exits_2(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("no-apps", tree)
    shutil.rmtree(tree / "app-specs" / "apps")
    result = run_cli(tree, "validate", "--specs", "app-specs")
    _expect_usage_error(result, "'app-specs/apps' does not exist")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("where", "make"),
    [
        ("app-specs/apps/dangling.yaml", "dangling symlink"),
        ("app-specs/apps/folder.yaml", "folder"),
        ("app-specs/approvals.yaml", "folder"),
        ("app-specs/scope-catalog.yaml", "dangling symlink"),
    ],
)
def test_unreadable_file_exits_2_after_checking_the_rest(
    tmp_path: Path, where: str, make: str
) -> None:
    """We run as root here, so chmod 000 would not stop a read: use things no one can read."""
    tree = tmp_path / "tree"
    build_tree("held-pending", tree)
    target = tree / where
    if target.exists():
        target.unlink()
    if make == "folder":
        target.mkdir()
    else:
        target.symlink_to(tmp_path / "nowhere.yaml")
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"appspec: {where}"), result.stderr
    # the other files were still checked and reported
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["held"] == ["orbit"]


def test_broken_stack_settings_exit_2(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("held-pending", tree)
    (tree / "stacks" / "Pulumi.prod.yaml").write_text("config: [not, a, mapping]\n")
    result = run_cli(tree, "validate", "--specs", "app-specs")
    _expect_usage_error(
        result, "Pulumi.prod.yaml:1:9: config: expected a mapping of settings, found a list"
    )
    # Machine formats carry it too, not only stderr.
    as_json = run_cli(tree, "validate", "--specs", "app-specs", "--format", "json")
    assert as_json.returncode == 2
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem.endswith(
        "Pulumi.prod.yaml:1:9: config: expected a mapping of settings, found a list"
    )
    github = run_cli(tree, "validate", "--specs", "app-specs", "--format", "github")
    assert github.returncode == 2
    # on the stack file at its line, as GitHub shows it on the pull request's file
    assert "::error file=stacks/Pulumi.prod.yaml,line=1,col=9,title=appspec::" in github.stdout
    assert (
        "Pulumi.prod.yaml:1:9: config: expected a mapping of settings, found a list"
        in github.stdout
    )


def test_a_broken_stack_file_makes_no_spec_naming_that_stack_wrong(tmp_path: Path) -> None:
    # The stack exists, its file is broken (exit 2, said once): specs naming it are not in error.
    tree = tmp_path / "tree"
    build_tree("redirect-uri-loopback-prod", tree)
    prod = tree / "stacks" / "Pulumi.prod.yaml"
    prod.write_text(prod.read_text() + "  appspecs:allowLoopbackRedirect: true\n")
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "json")
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    [problem] = report["problems"]
    assert "appspecs:allowLoopbackRedirect: unknown setting" in problem
    assert not [d for d in report["diagnostics"] if "no stack named" in d["message"]]


def test_a_file_named_like_a_stacks_that_pulumi_never_reads_is_warned_of(tmp_path: Path) -> None:
    # prod's loopback ban lives in Pulumi.prod.yaml; the same settings in a .yml file set nothing
    # for pulumi (a stack's file takes Pulumi.yaml's extension), and were skipped in silence
    tree = tmp_path / "tree"
    build_tree("redirect-uri-loopback-prod", tree)
    stacks = tree / "stacks"
    before_result, before = validate_json(tree)
    (stacks / "Pulumi.qa.yml").write_text((stacks / "Pulumi.prod.yaml").read_text())
    (stacks / "Pulumi..yaml").write_text("config: {}\n")  # names no stack
    (stacks / "Pulumi.yml").write_text("name: x\n")  # a project's file, not a stack's
    # names are case-sensitive where CI runs: pulumi looks for Pulumi.stage.yaml
    (stacks / "pulumi.stage.yaml").write_text((stacks / "Pulumi.prod.yaml").read_text())
    result, report = validate_json(tree)
    ignored = [d for d in report["diagnostics"] if d["file"].startswith("stacks/")]
    assert [(d["file"], d["severity"]) for d in ignored] == [
        ("stacks/Pulumi..yaml", "warning"),
        ("stacks/Pulumi.qa.yml", "warning"),
        ("stacks/pulumi.stage.yaml", "warning"),
    ]
    assert all("ignored: pulumi reads a stack's settings from" in d["message"] for d in ignored)
    # the name it would take, for a file that names a stack
    renames = [d["message"].partition("checked from it")[2] for d in ignored]
    assert renames == [
        "",
        "; for stack 'qa', name it Pulumi.qa.yaml",
        "; for stack 'stage', name it Pulumi.stage.yaml",
    ]
    # and a command for that stack says which file it meant
    plan = run_cli(tree, "plan", "--stack", "qa", "--specs", "app-specs")
    assert plan.returncode == 2
    assert plan.stderr.strip().endswith(
        "unknown stack 'qa'; known stacks: dev, prod; "
        "stacks/Pulumi.qa.yml is not read: pulumi reads Pulumi.qa.yaml"
    ), plan.stderr
    # nothing else changes: no stack qa is checked, the errors and the exit code are the same
    assert [d for d in report["diagnostics"] if d not in ignored] == before["diagnostics"]
    assert result.returncode == before_result.returncode == 1


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("no-apps", tree)
    result = run_cli(tree, "validate", "--specs", "app-specs", "--format", "xml")
    _expect_usage_error(result, "Invalid value for '--format'")


def test_bundled_specs_pass() -> None:
    result = run_cli(REPO, "validate", "--format", "json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert all(d["severity"] != "error" for d in report["diagnostics"])


@pytest.mark.parametrize(
    ("stacks", "reason"),
    [("no-such-stacks", "is not a folder"), ("app-specs", "holds no Pulumi.<stack>.yaml")],
)
def test_a_stacks_folder_without_stacks_is_a_usage_error(
    tmp_path: Path, stacks: str, reason: str
) -> None:
    # Else a typo in --stacks would turn prod's loopback ban off and let this case pass.
    tree = tmp_path / "tree"
    build_tree("redirect-uri-loopback-prod", tree)
    result = run_cli(tree, "validate", "--specs", "app-specs", "--stacks", stacks)
    _expect_usage_error(result, f"appspec: --stacks {stacks} {reason}")
    assert result.stdout == ""
    # Tools reading the machine formats get their report, with the problem, even then.
    as_json = run_cli(
        tree, "validate", "--specs", "app-specs", "--stacks", stacks, "--format", "json"
    )
    assert as_json.returncode == 2
    report = json.loads(as_json.stdout)
    assert (report["ok"], report["problems"]) == (False, [f"--stacks {stacks} {reason}"])
    github = run_cli(
        tree, "validate", "--specs", "app-specs", "--stacks", stacks, "--format", "github"
    )
    assert github.stdout.startswith(f"::error title=appspec::--stacks {stacks} ")


def test_without_a_stacks_folder_validate_says_what_it_did_not_check(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    build_tree("valid-every-kind", tree)
    shutil.rmtree(tree / "stacks")
    result = run_cli(tree, "validate", "--specs", "app-specs")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "appspec: note: no stacks in stacks; per-stack rules (environments, loopback redirects) "
        "are not checked (give --stacks)\n"
    )


def test_a_value_written_as_nothing_is_not_offered_as_quoted_text(tmp_path: Path) -> None:
    # `label:` holds no text to quote; `label: no` does (invalid-value-yaml11)
    tree = tmp_path / "tree"
    build_tree("invalid-value-types", tree)
    _, report = validate_json(tree)
    (label,) = [
        d
        for d in report["diagnostics"]
        if d["file"].endswith("null-values.yaml") and d["path"] == "label"
    ]
    assert label["message"] == "expected text, found nothing (null)"


def test_a_file_that_is_not_a_mapping_is_named_by_its_kind_never_quoted(tmp_path: Path) -> None:
    # a key or a token saved in apps/ by mistake must not reach a pull-request comment
    tree = tmp_path / "tree"
    build_tree("invalid-value-types", tree)
    for fmt in ("text", "json", "github"):
        result = run_cli(tree, "validate", "--specs", "app-specs", "--format", fmt)
        assert "plain-text.yaml" in result.stdout
        assert "root:x" not in result.stdout + result.stderr
    _, report = validate_json(tree)
    (found,) = [d for d in report["diagnostics"] if d["file"].endswith("plain-text.yaml")]
    assert found["message"] == "expected an app spec (a YAML mapping), found text"


def test_a_misnamed_stack_file_beside_the_stacks_own_is_not_to_be_renamed_over_it(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    build_tree("redirect-uri-loopback-prod", tree)
    stacks = tree / "stacks"
    (stacks / "Pulumi.prod.yml").write_text((stacks / "Pulumi.prod.yaml").read_text())
    _, report = validate_json(tree)
    (ignored,) = [d for d in report["diagnostics"] if d["file"] == "stacks/Pulumi.prod.yml"]
    assert ignored["message"].endswith(
        "; stack 'prod' has its file, Pulumi.prod.yaml: merge this one into it or remove it"
    )
    # a file named for no stack is no known stack, and a command for it says which file it is
    (stacks / "Pulumi.qa .yaml").write_text((stacks / "Pulumi.prod.yaml").read_text())
    plan = run_cli(tree, "plan", "--stack", "qa", "--specs", "app-specs")
    assert plan.returncode == 2
    assert plan.stderr.strip().endswith(
        "unknown stack 'qa'; known stacks: dev, prod; "
        "stacks/Pulumi.qa .yaml is not read: pulumi reads Pulumi.qa.yaml"
    ), plan.stderr
