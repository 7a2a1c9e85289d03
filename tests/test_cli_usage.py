"""Usage problems as a new user meets them, through the real `appspec` command: one clear line
(or click's usage message), exit 2, said before any work is done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
# Nothing listens here: a command that got as far as calling Okta would fail differently.
NOWHERE = "https://127.0.0.1:9"


def appspec(
    cwd: Path | None,
    *args: str,
    more_env: dict[str, str] | None = None,
    stdout: Any = None,
    stderr: Any = None,
    shell: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`appspec ARGS` as a process in ``cwd``; its stdout and stderr captured, or into
    ``stdout`` and ``stderr``. ``shell``: run by `sh -c SHELL`, in which `"$0" -m appspecs "$@"`
    is the command, for what subprocess cannot set up (a descriptor closed, the folder gone)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OKTA_API_TOKEN": "t0ken", **(more_env or {})}
    env.pop("APPSPECS_DEBUG", None)
    command = [sys.executable, "-m", "appspecs", *args]
    if shell is not None:
        command = ["sh", "-c", shell, sys.executable, *args]
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE if stderr is None else stderr,
        text=True,
        timeout=120,
        check=False,
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr


OUT_COMMANDS = {
    "schema": ["schema"],
    "plan": ["plan", "--stack", "dev"],
    "status": ["status", "--stack", "dev"],
    "audit": ["audit", "--stack", "dev", "--org-url", NOWHERE],
    "secret rotate": ["secret", "rotate", "crm-sync", "--stack", "dev", "--org-url", NOWHERE],
}


@pytest.mark.parametrize("command", sorted(OUT_COMMANDS))
def test_out_in_a_missing_folder_is_a_usage_error_said_first(command: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    out = tmp_path / "no-such-folder" / "report.txt"
    result = appspec(project, *OUT_COMMANDS[command], "--out", str(out))
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert f"cannot write {out}: the folder {out.parent} does not exist" in result.stderr
    assert result.stdout == "" and not out.parent.exists()


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("plan", "state.json"),
        ("plan", "app-specs/approvals.yaml"),
        ("status", "stacks/Pulumi.dev.yaml"),
        ("audit", "app-specs/apps/crm-sync.yaml"),
        ("audit", "Pulumi.yaml"),
    ],
)
def test_out_naming_a_file_the_command_reads_is_refused_and_the_file_kept(
    command: str, target: str, tmp_path: Path
) -> None:
    # The sampled defect: `plan --state s.json --out s.json` replaced the recorded state with
    # the plan, `--out app-specs/approvals.yaml` the signed approvals; a failure's report,
    # which goes to --out too, must not replace them either
    project = copy_project(tmp_path)
    state = project / "state.json"
    state.write_text('{"version": 3, "deployment": {"resources": []}}', encoding="utf-8")
    before = (project / target).read_bytes()
    args = [*OUT_COMMANDS[command], "--out", target, "--format", "json"]
    if command == "plan":
        args += ["--state", "state.json"]
    result = appspec(project, *args)
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"appspec: --out {target} "), result.stderr
    assert "write the report elsewhere" in result.stderr
    assert (project / target).read_bytes() == before
    # a new file beside them is written as asked
    fresh = appspec(project, "plan", "--stack", "dev", "--out", "app-specs/plan.txt")
    assert fresh.returncode == 0, fresh.stderr
    assert (project / "app-specs" / "plan.txt").read_text(encoding="utf-8")


def test_out_under_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, "schema", "--out", "Pulumi.yaml/schema.json")
    assert result.returncode == 2
    assert "cannot write Pulumi.yaml/schema.json: Pulumi.yaml is not a folder" in result.stderr


def test_plan_detailed_exitcode_keeps_2_for_changes(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, "plan", "--stack", "dev", "--detailed-exitcode", "--out", "x/y")
    assert result.returncode == 1  # 2 would read as "changes present"
    assert "the folder x does not exist" in result.stderr


def test_import_out_folder_missing_is_said_before_okta(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, "import", "--stack", "dev", "--org-url", NOWHERE, "--out", "specs")
    no_traceback(result)
    assert result.returncode == 2
    assert result.stderr == "appspec: --out: the folder specs does not exist\n"


# -- file names from any folder -----------------------------------------------------------------

BROKEN_SPEC = "name: broken\nlabel: Broken\ntype: internal\nowner: nobody\n"


def broken_project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path)
    (project / ".git").mkdir()  # the repository's root, where GitHub resolves file=
    (project / "app-specs" / "apps" / "broken.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    return project


@pytest.mark.parametrize("folder", [".", "app-specs", "app-specs/apps", "stacks"])
def test_github_annotations_name_files_from_the_repository_root(
    folder: str, tmp_path: Path
) -> None:
    project = broken_project(tmp_path)
    result = appspec(project / folder, "validate", "--format", "github")
    assert result.returncode == 1, result.stderr
    files = {
        line.split("file=")[1].split(",")[0]
        for line in result.stdout.splitlines()
        if "file=" in line  # not the summary's notice, which is about the run
    }
    assert "app-specs/apps/broken.yaml" in files
    assert all((project / f).is_file() for f in files), files


def test_a_github_annotation_on_a_broken_stack_file_names_it_from_the_root(tmp_path: Path) -> None:
    project = broken_project(tmp_path)
    with (project / "stacks" / "Pulumi.prod.yaml").open("a", encoding="utf-8") as f:
        f.write("config: {}\n")  # a repeated key
    result = appspec(project / "app-specs" / "apps", "validate", "--format", "github")
    assert result.returncode == 2, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if "Pulumi.prod.yaml" in x]
    # the place and the message say the same name, the one the pull request shows
    assert line.startswith("::error file=stacks/Pulumi.prod.yaml,line=")
    assert "::stacks/Pulumi.prod.yaml:" in line and "../" not in line
    # stderr keeps the working folder's names, as every other format does
    assert "appspec: ../../stacks/Pulumi.prod.yaml:" in result.stderr


def test_github_annotations_from_outside_with_an_absolute_specs_folder(tmp_path: Path) -> None:
    project = broken_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    specs = str(project / "app-specs")
    result = appspec(elsewhere, "validate", "--specs", specs, "--format", "github")
    assert result.returncode == 1
    assert "::error file=app-specs/apps/broken.yaml,line=4,col=8," in result.stdout


def test_text_and_json_name_files_from_the_working_folder(tmp_path: Path) -> None:
    project = broken_project(tmp_path)
    here = project / "stacks"
    text = appspec(here, "validate")
    report = json.loads(appspec(here, "validate", "--format", "json").stdout)
    shown = "../app-specs/apps/broken.yaml"
    assert f"{shown}:4:8: error[invalid-value] owner:" in text.stdout
    files = {d["file"] for d in report["diagnostics"]}
    assert shown in files
    assert all((here / f).is_file() for f in files), files


@pytest.mark.parametrize("flag", ["--app", "--partner"])
@pytest.mark.parametrize("value", ["", "  ", "crm\tsync", "crm\nsync"])
def test_import_refuses_a_value_that_names_no_app(flag: str, value: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, "import", "--stack", "dev", "--org-url", NOWHERE, flag, value)
    no_traceback(result)
    assert result.returncode == 2
    assert f"Invalid value for '{flag}': {value!r} names no app; give an app id" in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in (project / "app-specs" / "apps").iterdir()) == sorted(
        p.name for p in (ROOT / "app-specs" / "apps").iterdir()
    )


# -- empty values: click takes '' for '.', the working folder -----------------------------------

EMPTY_PATHS = {
    "validate --specs": ["validate", "--specs", ""],
    "validate --stacks": ["validate", "--stacks", ""],
    "schema --out": ["schema", "--out", ""],
    "plan --state": ["plan", "--stack", "dev", "--state", ""],
    "status --state": ["status", "--stack", "dev", "--state", ""],
    "import --out": ["import", "--stack", "dev", "--org-url", NOWHERE, "--out", ""],
    "import --import-file": ["import", "--stack", "dev", "--org-url", NOWHERE, "--import-file", ""],
}


@pytest.mark.parametrize("command", sorted(EMPTY_PATHS))
def test_an_empty_path_is_refused_not_taken_for_the_working_folder(
    command: str, tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, *EMPTY_PATHS[command])
    no_traceback(result)
    assert result.returncode == 2
    flag = command.split()[-1]
    assert f"Invalid value for '{flag}': '' names no file or folder" in result.stderr


@pytest.mark.parametrize("detailed", [[], ["--detailed-exitcode"]])
def test_plan_base_empty_is_refused_not_a_plan_against_state(
    detailed: list[str], tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, "plan", "--stack", "dev", "--base", "", *detailed)
    assert result.returncode == (1 if detailed else 2)
    assert result.stderr == "appspec: --base '' names no folder or git ref (is a variable unset?)\n"
    assert result.stdout == ""


def test_a_misspelt_command_is_answered_with_the_nearest(tmp_path: Path) -> None:
    result = appspec(tmp_path, "valdate")
    assert result.returncode == 2
    assert "No such command 'valdate'. Did you mean 'validate'?" in result.stderr
    assert appspec(tmp_path, "secret", "rotat").stderr.endswith("Did you mean 'rotate'?\n")


def test_a_broken_catalog_is_shown_alone_without_a_count_of_apps(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "app-specs" / "scope-catalog.yaml").unlink()
    result = appspec(project, "schema")
    assert result.returncode == 1
    assert (
        result.stdout
        == "app-specs/scope-catalog.yaml: error[catalog] the scope catalog is missing\n"
    )
    assert result.stderr == "appspec: the scope catalog has errors\n"


HINT = "there is no Pulumi.yaml in this folder or above it: run appspec inside the project"


@pytest.mark.parametrize(
    "args", [["validate"], ["plan", "--stack", "dev"], ["status", "--stack", "dev"], ["schema"]]
)
def test_outside_a_project_the_missing_specs_folder_says_why(
    args: list[str], tmp_path: Path
) -> None:
    result = appspec(tmp_path, *args)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"appspec: specs folder 'app-specs' does not exist; {HINT}, or give --specs\n"
    )


def test_outside_a_project_a_missing_stack_says_why(tmp_path: Path) -> None:
    result = appspec(tmp_path, "audit", "--stack", "dev", "--org-url", NOWHERE)
    assert result.returncode == 2
    assert "appspec: unknown stack 'dev'; known stacks: none" in result.stderr
    assert HINT in result.stderr


def test_a_specs_folder_given_is_not_blamed_on_the_project(tmp_path: Path) -> None:
    result = appspec(tmp_path, "validate", "--specs", "elsewhere")
    assert result.returncode == 2
    assert result.stderr == "appspec: specs folder 'elsewhere' does not exist\n"


def test_every_format_counts_the_files_that_could_not_be_read(tmp_path: Path) -> None:
    # A folder named like a spec cannot be read: exit 2, and the summary does not read as if
    # every app had been checked.
    project = copy_project(tmp_path)
    (project / "app-specs" / "apps" / "x.yaml").mkdir()
    text = appspec(project, "validate")
    github = appspec(project, "validate", "--format", "github")
    report = json.loads(appspec(project, "validate", "--format", "json").stdout)
    summary = text.stdout.splitlines()[-1]
    assert (text.returncode, github.returncode) == (2, 2)
    assert summary.endswith(", 1 file not read (I/O errors)"), summary
    assert github.stdout.splitlines()[-1] == f"::notice title=appspec validate::{summary}"
    assert len(report["problems"]) == 1 and "x.yaml" in report["problems"][0]
    assert (report["filesNotRead"], report["stackFilesWithErrors"]) == (1, 0)


# A value quoted back from the command line or from a file name in apps/: a line break would
# split the one line in two, an ANSI escape would act on the reader's terminal.
ESCAPED = {"\n": "\\n", "\x1b": "\\x1b"}


@pytest.mark.parametrize("char", sorted(ESCAPED))
@pytest.mark.parametrize(
    ("args", "quoted"),
    [
        (["plan", "--stack", "de{c}v"], "'de{c}v'"),
        (["status", "--stack", "de{c}v", "--out", "report{c}.txt"], "'de{c}v'"),
        (["validate", "--specs", "app{c}specs"], "'app{c}specs'"),
        (
            ["approve", "orbit{c}mobile", "--by", "a@acme.example", "--ticket", "T-1"],
            "'orbit{c}mobile'",
        ),
        (
            ["plan", "--stack", "dev", "--out", "missing{c}folder/plan.txt"],
            "missing{c}folder/plan.txt:",
        ),
    ],
    ids=["stack", "text-out", "specs", "app", "out"],
)
def test_a_value_quoted_back_stays_on_one_line(
    args: list[str], quoted: str, char: str, tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    result = appspec(project, *(a.format(c=char) for a in args))
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    said = [line for line in result.stderr.splitlines() if quoted.format(c=ESCAPED[char]) in line]
    assert len(said) == 1 and "\x1b" not in result.stderr, result.stderr
    for written in project.glob("report*.txt"):  # the text --out file says it as stderr does
        assert written.read_text() == said[0] + "\n"


@pytest.mark.parametrize("char", sorted(ESCAPED))
def test_a_file_name_in_apps_that_cannot_be_read_is_said_on_one_line(
    char: str, tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    (project / "app-specs" / "apps" / f"new{char}app.yaml").write_text("name: new-app\n")
    for command in (["validate"], ["plan", "--stack", "dev"], ["status", "--stack", "dev"]):
        result = appspec(project, *command)
        no_traceback(result)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert f"appspec: app-specs/apps/new{ESCAPED[char]}app.yaml: cannot read" in lines[0]
        assert "\x1b" not in result.stderr, result.stderr


def test_a_file_name_in_apps_that_is_not_utf8_is_said_by_its_byte(tmp_path: Path) -> None:
    # The byte reaches Python as a lone surrogate (\udcff); no listing of the folder shows that.
    project = copy_project(tmp_path)
    apps = os.fsencode(project / "app-specs" / "apps")
    with open(apps + b"/new\xffapp.yaml", "w") as handle:
        handle.write("name: new-app\n")
    result = appspec(project, "validate")
    no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert (
        "appspec: app-specs/apps/new\\xffapp.yaml: cannot read: the path is not UTF-8: it holds"
        " the byte \\xff; file names here are UTF-8" in result.stderr.splitlines()
    ), result.stderr
    assert "udc" not in result.stderr and "control character" not in result.stderr


@pytest.mark.parametrize("char", sorted(ESCAPED))
def test_markdown_says_a_file_name_in_apps_as_the_text_report_does(
    char: str, tmp_path: Path
) -> None:
    # A line break said as a space would make the name read as another file's.
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (a test dependency)")
    gfm = markdown_it.MarkdownIt("commonmark")
    project = copy_project(tmp_path)
    (project / "app-specs" / "apps" / f"new{char}app.yaml").write_text("name: new-app\n")
    for command in (["plan", "--stack", "dev"], ["status", "--stack", "dev"]):
        result = appspec(project, *command, "--format", "markdown")
        no_traceback(result)
        assert result.returncode == 2, result.stderr
        assert "\x1b" not in result.stdout and "new\napp" not in result.stdout, result.stdout
        rendered = gfm.render(result.stdout)
        assert f"app-specs/apps/new{ESCAPED[char]}app.yaml: cannot read" in rendered, rendered


def _two_bad_settings(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.dev.yaml"
    text = stack.read_text().replace(
        "appspecs:maxSecretAgeDays: 180", "appspecs:maxSecretAgeDays: -1\n  appspecs:bogus: 1"
    )
    stack.write_text(text)


def test_each_bad_stack_setting_is_annotated_at_its_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    _two_bad_settings(project)
    result = appspec(project, "validate", "--format", "github")
    no_traceback(result)
    assert result.returncode == 2
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert [e.split("::")[1] for e in errors] == [
        "error file=stacks/Pulumi.dev.yaml,line=13,col=30,title=appspec",
        "error file=stacks/Pulumi.dev.yaml,line=14,col=3,title=appspec",
    ]
    assert "appspecs:maxSecretAgeDays" in errors[0] and "appspecs:bogus" in errors[1]
    # in the words of the specs' errors, not pydantic's ("input should be greater than ...")
    assert errors[0].endswith("number -1 is not accepted; expected a number of at least 1")
    # read, so not counted as a file that could not be read
    assert result.stdout.rstrip().endswith(", 1 stack file with errors")
    # JSON counts it as the text does: one stack file with errors, none not read
    report = json.loads(appspec(project, "validate", "--format", "json").stdout)
    assert (report["filesNotRead"], report["stackFilesWithErrors"]) == (0, 1)
    assert len(report["problems"]) == 2


def test_bad_stack_settings_are_a_line_each_in_every_command(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    _two_bad_settings(project)
    for command in (["validate"], ["plan", "--stack", "dev"], ["status", "--stack", "dev"]):
        result = appspec(project, *command)
        no_traceback(result)
        assert result.returncode == 2, result.stderr
        said = [line for line in result.stderr.splitlines() if "Pulumi.dev.yaml" in line]
        assert [line.split(": appspecs:")[0] for line in said] == [
            "appspec: stacks/Pulumi.dev.yaml:13:30",
            "appspec: stacks/Pulumi.dev.yaml:14:3",
        ], result.stderr
    report = json.loads(appspec(project, "plan", "--stack", "dev", "--format", "json").stdout)
    assert [p.split(": ")[0] for p in report["problems"]] == [
        "stacks/Pulumi.dev.yaml:13:30",
        "stacks/Pulumi.dev.yaml:14:3",
    ]


def test_a_git_error_never_repeats_a_token_in_a_remote_url(tmp_path: Path) -> None:
    # git quotes a remote as configured, and CI clones carry their token in it
    project = copy_project(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = bin_dir / "git"
    git.write_text(
        f"#!{sys.executable}\nimport sys\n"
        "sys.stderr.write(\"fatal: unable to access 'https://gitlab-ci-token:glcbt-SECRET@"
        "gitlab.example/acme/specs.git/': 403\\n\")\nsys.exit(128)\n"
    )
    git.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    result = appspec(
        project, "plan", "--stack", "dev", "--base", "origin/main", more_env={"PATH": path}
    )
    no_traceback(result)
    assert result.returncode == 2
    assert "glcbt-SECRET" not in result.stdout + result.stderr
    assert "'https://***@gitlab.example/acme/specs.git/': 403" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["plan", "--stack", "dev"],
        ["schema"],
        ["plan", "--stack", "dev", "--detailed-exitcode"],
        ["--help"],
        ["--version"],
        ["plan", "--help"],
        ["plan", "--detailed-exitcode", "--help"],
    ],
    ids=["validate", "plan", "schema", "detailed", "help", "version", "plan-help", "detailed-help"],
)
def test_a_closed_output_is_an_io_error_said_on_stderr(args: list[str], tmp_path: Path) -> None:
    # `appspec plan | head`: click took the broken pipe for exit 1, "not as declared", and
    # silenced stderr (so too for `appspec --help | head`, which click writes itself); under
    # --detailed-exitcode it was an internal error
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        result = appspec(copy_project(tmp_path), *args, stdout=write_end)
    finally:
        os.close(write_end)
    # exit 2, an I/O error; 1 under --detailed-exitcode, where 2 means changes
    assert (result.returncode, result.stderr) == (
        1 if "--detailed-exitcode" in args else 2,
        "appspec: cannot write the report: its reader closed the output (broken pipe)\n",
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    ("args", "broken", "code"),
    [
        (["validate"], True, 1),
        (["plan", "--stack", "dev"], True, 1),
        (["plan", "--stack", "dev", "--detailed-exitcode"], True, 1),
        (["plan", "--stack", "nosuch"], False, 2),
        (["plan", "--stack", "nosuch", "--detailed-exitcode"], False, 1),
        (["plan", "--no-such-flag"], False, 2),
        (["plan", "--stack", "dev", "--no-such-flag", "--detailed-exitcode"], False, 1),
    ],
    ids=[
        "validate",
        "plan",
        "plan-detailed",
        "unknown-stack",
        "unknown-stack-detailed",
        "bad-flag",
        "bad-flag-detailed",
    ],
)
def test_a_full_stderr_leaves_the_exit_code_as_it_was(
    args: list[str], broken: bool, code: int, tmp_path: Path
) -> None:
    # the errors cannot be said, so the exit code is all the caller has: a spec error stays 1,
    # never 2 ("changes") under --detailed-exitcode, as it was when saying it failed again
    project = copy_project(tmp_path)
    if broken:
        spec = sorted((project / "app-specs" / "apps").glob("*.yaml"))[0]
        spec.write_text(spec.read_text() + "bogus_field: 1\n")
    with open("/dev/full", "w") as full:
        result = appspec(project, *args, stdout=subprocess.DEVNULL, stderr=full)
    assert result.returncode == code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["plan", "--no-such-flag"], 2),
        (["plan", "--stack", "dev", "--detailed-exitcode", "--no-such-flag"], 1),
        (["no-such-command"], 2),
        (["secret", "rotate", "crm-sync", "--stack", "dev", "--reveal", "--no-such-flag"], 2),
    ],
    ids=["plan", "detailed", "command", "secret-reveal"],
)
def test_a_usage_error_with_stderr_closed_writes_nothing_on_stdout(
    args: list[str], code: int, tmp_path: Path
) -> None:
    # `SECRET=$(appspec secret rotate ... --reveal --typo 2>&-)`: click, finding no stderr,
    # wrote the usage and the error to stdout, which carries reports and secrets alone
    result = appspec(copy_project(tmp_path), *args, shell='exec "$0" -m appspecs "$@" 2>&-')
    assert (result.returncode, result.stdout) == (code, "")


# a usage or I/O error's exit codes: 2, and 1 under --detailed-exitcode, where 2 means changes
USAGE_OR_IO_ERROR = [
    (["validate"], 2),
    (["plan", "--stack", "dev"], 2),
    (["plan", "--stack", "dev", "--detailed-exitcode"], 1),
]


def test_detailed_exitcode_given_a_value_is_a_usage_error_exit_1(tmp_path: Path) -> None:
    # `--detailed-exitcode=yes`: the flag asked for, so its codes hold (2 would be "changes")
    result = appspec(copy_project(tmp_path), "plan", "--stack", "dev", "--detailed-exitcode=yes")
    assert result.returncode == 1, result.stderr
    assert "does not take a value" in result.stderr


HELP_OR_VERSION = [
    (["--help"], 2),
    (["--version"], 2),
    (["plan", "--help"], 2),
    (["secret", "--help"], 2),
    (["plan", "--detailed-exitcode", "--help"], 1),
]


@pytest.mark.parametrize(
    ("args", "code"),
    USAGE_OR_IO_ERROR + HELP_OR_VERSION,
    ids=["validate", "plan", "detailed", "help", "version", "plan-help", "group-help", "d-help"],
)
def test_a_closed_stdout_is_an_io_error(args: list[str], code: int, tmp_path: Path) -> None:
    # started with descriptor 1 closed (`appspec validate >&-`): Python has no sys.stdout, and
    # click.echo wrote the report (or click its --help and --version) nowhere, exit 0
    result = appspec(copy_project(tmp_path), *args, shell='exec "$0" -m appspecs "$@" >&-')
    assert (result.returncode, result.stderr) == (
        code,
        "appspec: cannot write the report: the standard output failed (closed)\n",
    )


@pytest.mark.parametrize(("args", "code"), USAGE_OR_IO_ERROR, ids=["validate", "plan", "detailed"])
def test_a_deleted_working_folder_is_a_usage_error(
    args: list[str], code: int, tmp_path: Path
) -> None:
    # the shell's folder deleted under it: every default folder is found from it, and
    # Path.cwd() raised an internal error (exit 2, "changes" under --detailed-exitcode)
    gone = tmp_path / "gone"
    gone.mkdir()
    script = f'cd "{gone}" && rmdir "{gone}" && exec "$0" -m appspecs "$@"'
    result = appspec(None, *args, shell=script)
    assert result.returncode == code, result.stderr
    assert (
        "Error: the folder this command runs in cannot be read (No such file or directory): it "
        "was deleted or moved since the shell entered it; cd into the project again"
    ) in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "json"],
        ["plan", "--stack", "dev"],
        ["plan", "--stack", "dev", "--format", "json"],
        ["status", "--stack", "dev"],
        ["schema"],
        ["plan", "--stack", "dev", "--detailed-exitcode"],
        ["--help"],
        ["--version"],
        ["validate", "--help"],
        ["plan", "--detailed-exitcode", "--help"],
    ],
    ids=[
        "validate",
        "validate-json",
        "plan",
        "plan-json",
        "status",
        "schema",
        "detailed",
        "help",
        "version",
        "validate-help",
        "detailed-help",
    ],
)
def test_a_full_output_is_an_io_error_said_on_stderr(args: list[str], tmp_path: Path) -> None:
    # `appspec validate > /dev/full`: an internal error (OSError ENOSPC) where --out said
    # "cannot write"; exit 2 both ways (--help and --version too, which click writes itself)
    with open("/dev/full", "w") as full:
        result = appspec(copy_project(tmp_path), *args, stdout=full)
    # exit 2, an I/O error; 1 under --detailed-exitcode, where 2 means changes
    assert (result.returncode, result.stderr) == (
        1 if "--detailed-exitcode" in args else 2,
        "appspec: cannot write the report: the standard output failed (No space left on device)\n",
    )
