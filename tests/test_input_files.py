"""Every input file goes through one guarded reader (appspecs/inputfile.py): a file that is not
UTF-8, a named pipe, a link to /dev/zero or a huge file in the place of any input (stack
files, specs, catalog, approvals, logos, state) is a clear error, never a hang, an exhausted
memory or a traceback; and a folder that is there but cannot be listed is an I/O error (exit 2),
never taken for an absent one.

Commands run as processes with a timeout and a memory cap: before the fix a pipe hung the
command and /dev/zero read until memory ran out.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from appspecs.inputfile import (
    NotAFile,
    NotText,
    SizeLimit,
    TooLarge,
    Unreadable,
    list_folder,
    read_input_text,
)
from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")


def _cap_memory() -> None:
    # 1 GiB of address space: a read of /dev/zero fails fast instead of eating the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run(project: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULUMI_BACKEND_URL": "", "APPSPECS_DEBUG": ""}
    env.pop("OKTA_ORG_URL", None)
    return subprocess.run(
        [str(PYTHON), "-m", "appspecs", *args],
        cwd=cwd or project,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        preexec_fn=_cap_memory,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


# How a file is spoilt, and the words that say so.
def _not_utf8(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _huge(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"#" + b"x" * (5 * 1024 * 1024) + b"\n")


SPOILERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "not-utf8": (_not_utf8, "file is not UTF-8 text (byte 0xe9)"),
    "fifo": (_fifo, "cannot read: not a regular file (a named pipe)"),
    "dev-zero": (_dev_zero, "cannot read: not a regular file (a device)"),
    "huge": (_huge, "file is over "),
}
SPOILT = [
    pytest.param(
        name,
        marks=[needs_fifo] if name == "fifo" else [needs_dev_zero] if name == "dev-zero" else [],
    )
    for name in SPOILERS
]

STACK_COMMANDS = {
    "validate": ("validate",),
    "plan": ("plan", "--stack", "prod"),
    "approve": ("approve", "audience-studio", "--by", "a@acme.example", "--ticket", "SEC-1"),
}


@pytest.mark.parametrize("how", SPOILT)
@pytest.mark.parametrize("command", list(STACK_COMMANDS))
def test_a_spoilt_stack_file_is_an_io_error_in_every_command(
    project: Path, how: str, command: str
) -> None:
    spoil, words = SPOILERS[how]
    spoil(project / "stacks" / "Pulumi.prod.yaml")
    proc = run(project, *STACK_COMMANDS[command])
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if "Pulumi.prod.yaml" in x]
    assert words in line, proc.stderr
    if how == "not-utf8":
        # where the bad byte is, as an editor counts: the line after the file's last
        lines = (project / "stacks" / "Pulumi.prod.yaml").read_bytes().count(b"\n")
        assert f"Pulumi.prod.yaml:{lines}:6:" in line, line


@pytest.mark.parametrize("how", SPOILT)
@pytest.mark.parametrize(
    "file",
    [
        "app-specs/scope-catalog.yaml",
        "app-specs/approvals.yaml",
        "app-specs/allowed_signers",
        "app-specs/apps/crm-sync.yaml",
    ],
)
def test_every_specs_file_is_read_through_the_same_guard(
    project: Path, how: str, file: str
) -> None:
    spoil, words = SPOILERS[how]
    spoil(project / file)
    proc = run(project, "validate", "--format", "json")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    said = [d["message"] for d in report["diagnostics"] if d["file"].endswith(file)]
    said += [line for line in proc.stderr.splitlines() if file in line]
    assert any(words in s for s in said), (said, proc.stderr)
    # unreadable: an I/O error; readable but not fit to parse: a finding at its place
    assert proc.returncode == (2 if how in ("fifo", "dev-zero") else 1), proc.stderr


@pytest.mark.parametrize("how", [p for p in SPOILT if p.values[0] in ("fifo", "dev-zero")])
def test_a_logo_that_is_no_file_is_a_finding_at_its_line(project: Path, how: str) -> None:
    SPOILERS[how][0](project / "app-specs" / "logos" / "crm-sync.png")
    proc = run(project, "validate", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    [d] = [d for d in json.loads(proc.stdout)["diagnostics"] if d["code"] == "logo"]
    assert d["file"].endswith("crm-sync.yaml") and d["line"] is not None
    # a link to /dev/zero is refused as leading outside app-specs/ before anything is read
    assert ("is not a file" if how == "fifo" else "leads outside") in d["message"], d


@pytest.mark.parametrize("how", SPOILT)
def test_a_spoilt_state_file_is_an_io_error(project: Path, tmp_path: Path, how: str) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"version": 3, "deployment": {"resources": []}}\n', encoding="utf-8")
    SPOILERS[how][0](state)
    proc = run(project, "plan", "--stack", "dev", "--state", str(state))
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert "state.json" in proc.stderr
    if how in ("fifo", "dev-zero"):
        assert SPOILERS[how][1] in proc.stderr


# -- folders that are there but cannot be read -------------------------------------------------


def _emptied(folder: Path) -> Path:
    """``folder`` removed, with its files: its path, for something else to stand there."""
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return folder


def _loop(path: Path) -> None:
    """A link to itself: there, but never a folder one can list (as root, modes do not stop a
    read, so this is how a test makes a folder unreadable)."""
    path.symlink_to(path.name)


def test_an_unreadable_stacks_folder_is_an_io_error_not_no_stacks(project: Path) -> None:
    stacks = _emptied(project / "stacks")
    _loop(stacks)
    proc = run(project, "validate")
    assert proc.returncode == 2, proc.stderr
    assert "no stacks" not in proc.stderr
    assert "stacks: cannot list: " in proc.stderr, proc.stderr


def test_a_file_in_place_of_the_stacks_folder_is_an_io_error(project: Path) -> None:
    stacks = _emptied(project / "stacks")
    stacks.write_text("not a folder\n", encoding="utf-8")
    proc = run(project, "validate", "--format", "json")
    assert proc.returncode == 2, proc.stderr
    assert "no stacks" not in proc.stderr


def test_no_stacks_folder_at_all_is_still_only_a_note(project: Path) -> None:
    _emptied(project / "stacks")
    proc = run(project, "validate")
    assert proc.returncode == 0, proc.stderr
    assert "note: no stacks" in proc.stderr


def _logo_line(project: Path) -> int:
    """The line of crm-sync.yaml's `logo:`."""
    spec = project / "app-specs" / "apps" / "crm-sync.yaml"
    return 2 + spec.read_text(encoding="utf-8").split("\nlogo:")[0].count("\n")


def test_an_unreadable_logos_folder_is_an_io_error_at_the_logo_line(project: Path) -> None:
    _loop(_emptied(project / "app-specs" / "logos"))
    proc = run(project, "validate", "--format", "json")
    assert proc.returncode == 2, proc.stderr
    line = _logo_line(project)
    assert f"app-specs/apps/crm-sync.yaml:{line}:7: logo 'logos/crm-sync.png' cannot be read: " in (
        proc.stderr
    ), proc.stderr
    report = json.loads(proc.stdout)
    assert not report["ok"] and any("cannot be read" in p for p in report["problems"])
    # not mistaken for a logo that is not there
    assert "does not exist" not in proc.stdout + proc.stderr


def test_an_unreadable_apps_folder_is_an_io_error(project: Path) -> None:
    apps = _emptied(project / "app-specs" / "apps")
    _loop(apps)
    proc = run(project, "validate")
    assert proc.returncode == 2, proc.stderr


# -- each problem on its file, in the github format ---------------------------------------------
# An annotation without `file=` shows on the run alone, not on the file of the pull request that
# is to blame; a folder in the place of a file is what a test can make unreadable as root.

FOLDER_IN_PLACE = [
    "app-specs/apps/x.yaml",
    "app-specs/scope-catalog.yaml",
    "app-specs/partners.yaml",
    "app-specs/approvals.yaml",
    "app-specs/allowed_signers",
    "stacks/Pulumi.prod.yaml",
]


@pytest.mark.parametrize("file", FOLDER_IN_PLACE)
def test_an_unreadable_file_is_annotated_on_that_file(project: Path, file: str) -> None:
    target = project / file
    if target.exists():
        target.unlink()
    target.mkdir()
    proc = run(project, "validate", "--format", "github")
    assert proc.returncode == 2, proc.stderr
    said = f"::error file={file},title=appspec::{file}: cannot read: not a regular file (a folder)"
    assert said in proc.stdout.splitlines(), proc.stdout


def test_a_broken_stack_file_is_annotated_at_its_line(project: Path) -> None:
    stack = project / "stacks" / "Pulumi.prod.yaml"
    stack.write_text(stack.read_text(encoding="utf-8") + "  broken: [\n", encoding="utf-8")
    proc = run(project, "validate", "--format", "github")
    assert proc.returncode == 2, proc.stderr
    [line] = [x for x in proc.stdout.splitlines() if "Pulumi.prod.yaml" in x]
    assert re.match(
        r"::error file=stacks/Pulumi\.prod\.yaml,line=\d+,col=\d+,title=appspec::", line
    )


def test_an_unreadable_logo_is_annotated_at_the_logo_line(project: Path) -> None:
    _loop(_emptied(project / "app-specs" / "logos"))
    proc = run(project, "validate", "--format", "github")
    assert proc.returncode == 2, proc.stderr
    line = _logo_line(project)
    head = f"::error file=app-specs/apps/crm-sync.yaml,line={line},col=7,title=appspec::"
    assert any(x.startswith(head) for x in proc.stdout.splitlines()), proc.stdout


# -- the reader itself ---------------------------------------------------------------------------

LIMIT = SizeLimit(1024, "small")


def test_reader_refuses_what_is_no_regular_file(tmp_path: Path) -> None:
    with pytest.raises(NotAFile, match=r"\(a folder\)"):
        read_input_text(tmp_path, LIMIT)
    with pytest.raises(Unreadable, match="No such file"):
        read_input_text(tmp_path / "absent.yaml", LIMIT)
    with pytest.raises(Unreadable, match="NUL"):
        read_input_text(tmp_path / "a\0b.yaml", LIMIT)


def test_reader_limits_and_decodes(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 1025)
    with pytest.raises(TooLarge, match="over 1 KiB"):
        read_input_text(path, LIMIT)
    path.write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(NotText) as bad:
        read_input_text(path, LIMIT)
    assert (bad.value.at.line, bad.value.at.column) == (2, 4)
    path.write_bytes(b"x" * 1024)
    assert read_input_text(path, LIMIT) == "x" * 1024


def test_list_folder_never_says_empty_for_unreadable(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match="cannot list"):
        list_folder(tmp_path / "absent")
    loop = tmp_path / "loop"
    _loop(loop)
    with pytest.raises(Unreadable, match="cannot list"):
        list_folder(loop)
