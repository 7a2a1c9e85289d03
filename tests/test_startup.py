"""What `appspec validate` loads: the pre-commit hook runs it on every commit, where the start-up
is most of its time. The SDKs of the other commands stay out of it (see docs/performance.md), and
so do the modules of the files a project may not have."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import copy_project

# Modules that only plan, preview, audit, import and secret need, each tens of milliseconds.
HEAVY = ("pulumi", "pulumi_okta", "grpc", "httpx", "httpcore", "cryptography", "jwt", "anyio")
SWITCH = "PYDANTIC_DISABLE_PLUGINS"

# The process ends once its exit handlers have run (appspecs/cli/entry.py): what it loaded is
# said from one of them, and its exit code is the process's.
CODE = """
import atexit, json, os, runpy, sys
sys.argv = ["appspec", "validate"]
atexit.register(
    lambda: print(json.dumps([sorted(sys.modules), os.environ.get(SWITCH)]), file=sys.stderr)
)
runpy.run_module("appspecs", run_name="__main__")
"""


class Run:
    """One `appspec validate` process: its exit code, output and the modules it imported."""

    def __init__(self, root: Path, switch: str | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k != SWITCH}
        if switch is not None:
            env[SWITCH] = switch
        done = subprocess.run(
            [sys.executable, "-c", f"SWITCH = {SWITCH!r}\n{CODE}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        *_, last = done.stderr.strip().splitlines()
        modules, self.switch = json.loads(last)
        self.code = done.returncode
        assert self.code in (0, 1), done.stderr
        self.modules = set(modules)
        self.stdout = done.stdout

    @property
    def heavy(self) -> list[str]:
        return sorted({m.split(".")[0] for m in self.modules} & set(HEAVY))


def _without_inline_keys(root: Path) -> None:
    worker = root / "app-specs" / "apps" / "enrichment-worker.yaml"
    text = worker.read_text(encoding="utf-8")
    keys = text[text.index("  auth: private_key_jwt") : text.index("scopes:")]
    worker.write_text(text.replace(keys, ""), encoding="utf-8")


def _plain_specs(tmp_path: Path) -> Path:
    """The bundled specs as a project without partner review has them: no approvals.yaml,
    partners.yaml nor allowed_signers (so its partner apps name no partner, and are held), and
    no inline public keys."""
    root = copy_project(tmp_path)
    specs = root / "app-specs"
    for name in ("allowed_signers", "approvals.yaml", "partners.yaml"):
        (specs / name).unlink()
    for app in (specs / "apps").glob("*.yaml"):
        text = app.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines(keepends=True) if not line.startswith("partner:")]
        app.write_text("".join(lines), encoding="utf-8")
    _without_inline_keys(root)
    return root


def test_validate_loads_none_of_the_other_commands_sdks(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    # Without inline public keys (private_key_jwt) nor signed approvals to verify (no
    # allowed_signers), nothing heavy at all.
    (root / "app-specs" / "allowed_signers").unlink()
    _without_inline_keys(root)
    run = Run(root)
    assert run.code == 0
    assert run.heavy == [], f"validate imported {run.heavy}"


def test_validate_loads_cryptography_only_to_parse_inline_keys(tmp_path: Path) -> None:
    # The bundled enrichment-worker lists a public key: cryptography checks it, nothing else.
    root = copy_project(tmp_path)
    (root / "app-specs" / "allowed_signers").unlink()
    run = Run(root)
    assert run.code == 0
    assert run.heavy == ["cryptography"], f"validate imported {run.heavy}"


def test_validate_loads_cryptography_only_to_verify_signed_approvals(tmp_path: Path) -> None:
    # The bundled approval is signed and allowed_signers lists its key: cryptography (through
    # sshsig) verifies it, nothing else.
    root = copy_project(tmp_path)
    _without_inline_keys(root)
    run = Run(root)
    assert run.code == 0
    assert run.heavy == ["cryptography"], f"validate imported {run.heavy}"


def test_validate_builds_no_pydantic_plugin_loader(tmp_path: Path) -> None:
    # pydantic's plugin loader imports importlib.metadata (and email, zipfile, csv) and scans
    # every installed package; the CLI stands in for it (cli/no_plugins.py), in this process
    # only: nothing is set in the environment the commands' child processes get.
    run = Run(_plain_specs(tmp_path))
    assert run.code == 0
    assert run.switch is None
    assert not {"importlib.metadata", "email", "zipfile"} & run.modules
    assert "appspecs.cli.no_plugins" in run.modules


def test_a_pydantic_plugins_setting_of_the_users_runs_pydantics_loader(tmp_path: Path) -> None:
    # PYDANTIC_DISABLE_PLUGINS set (here to its documented "all"): pydantic's own loader
    # decides, and the results are the same.
    root = _plain_specs(tmp_path)
    theirs = Run(root, switch="__all__")
    ours = Run(root)
    assert "importlib.metadata" in theirs.modules
    assert (theirs.code, theirs.stdout) == (ours.code, ours.stdout)
    assert "held" in ours.stdout  # the report is a real one


def test_pydantics_plugin_loader_is_where_the_stand_in_replaces_it() -> None:
    # The stand-in takes the place of one private name: if a pydantic upgrade moves it, the
    # stand-in would quietly stop working (or break every model), so say so here.
    # Read from pydantic's files, not sys.modules, where the stand-in may sit.
    import importlib.machinery
    from pathlib import Path

    import pydantic.plugin

    def source(name: str) -> str:
        found = importlib.machinery.PathFinder.find_spec(name, list(pydantic.plugin.__path__))
        assert found is not None and found.origin is not None, name
        return Path(found.origin).read_text(encoding="utf-8")

    assert "\ndef get_plugins(" in source("_loader")
    assert "from ._loader import get_plugins\n" in source("_schema_validator")


def test_validate_of_plain_specs_builds_no_model_of_the_files_they_lack(tmp_path: Path) -> None:
    # No approvals.yaml, partners.yaml nor allowed_signers: their models and readers, the
    # signature check and the kept versions are not imported; nor are the other commands'
    # modules, nor the wording of validation errors (errors.py) for specs that have none.
    run = Run(_plain_specs(tmp_path))
    assert run.code == 0
    unused = {
        "appspecs.spec.approvals",
        "appspecs.spec.partners_file",
        "appspecs.spec.signers",
        "appspecs.spec.signatures",
        "appspecs.spec.versions",
        "appspecs.spec.schema",
        "appspecs.cli.approve",
        "appspecs.cli.schema",
        "appspecs.report.refused",
        "sshsig",
        "subprocess",
        "difflib",
        "appspecs.spec.errors",
    }
    assert sorted(unused & run.modules) == []
    assert "appspecs.spec.review" in run.modules  # its partner apps are held all the same


def test_validate_with_approvals_and_a_registry_builds_their_models(tmp_path: Path) -> None:
    # The same modules, there to be loaded when the files are (the bundled project has them).
    run = Run(copy_project(tmp_path))
    assert run.code == 0
    assert {"appspecs.spec.approvals", "appspecs.spec.partners_file"} <= run.modules
    assert {"appspecs.spec.signers", "appspecs.spec.signatures", "appspecs.spec.versions"} <= (
        run.modules
    )


# How the process ends (appspecs/cli/entry.py): as Python's exit would, less freeing its objects.
ENDING = """
import atexit, runpy, sys, threading, time
from pathlib import Path
sys.argv = ["appspec", "validate", "--format", "json"]
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
def late() -> None:
    time.sleep(0.3)
    Path("late.txt").write_text("written", encoding="utf-8")
if THREAD:
    threading.Thread(target=late).start()
runpy.run_module("appspecs", run_name="__main__")
"""


@pytest.mark.parametrize("thread", [False, True])
def test_the_process_ends_as_pythons_exit_would(tmp_path: Path, thread: bool) -> None:
    root = copy_project(tmp_path)
    spec = root / "app-specs" / "apps" / "crm-sync.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "surprise: 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", f"THREAD = {thread}\n{ENDING}"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # its exit code, its whole output flushed, the exit handlers registered before it run
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["errors"] >= 1
    assert done.stderr.strip().splitlines()[-1] == "exit handler ran"
    # a thread still running is waited for, as Python's exit waits for it, not cut off
    assert (root / "late.txt").exists() == thread


def test_a_process_started_without_stdout_or_stderr_ends_as_it_should(tmp_path: Path) -> None:
    # a cron job or daemon may start it with a descriptor closed: sys.stdout is then None, and
    # the end flushed None and exited 1. Without stderr the exit code is the run's; without
    # stdout the report is lost, an I/O error said on stderr (exit 2), as with a full disk
    root = copy_project(tmp_path)
    for closed, code in (("stdout", 2), ("stderr", 0)):
        done = subprocess.run(
            f"{sys.executable} -m appspecs validate {'>&-' if closed == 'stdout' else '2>&-'}",
            shell=True, cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == code, (closed, done.stdout, done.stderr)
        if closed == "stdout":
            assert done.stderr == (
                "appspec: cannot write the report: the standard output failed (closed)\n"
            )
