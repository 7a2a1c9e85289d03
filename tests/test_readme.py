"""The README's and docs' commands, run as written on a clean clone; their tables checked against
the code; their pages linked from the README and their relative links resolved.

The pages: README.md and every docs/*.md (``PAGES``). Which commands: read from the pages at
collection time, each page on its own (an ``export`` reaches the later commands of its page). Every
line of a shell block (```sh and
friends), plus a command named in a line's comment after ``or:``, plus every code span in the
prose that starts with a program (``appspec``, ``.venv/bin/...``, ``scripts/...``, ``pulumi``)
and passes a flag. A command is known by its program and subcommand (``appspec secret rotate``,
``scripts/check``); each is either run here (RUNS) or skipped with its reason (SKIPS), so a
changed flag is run as changed, and a command of a new kind fails
``test_every_readme_command_is_run_or_skipped`` until it is given a runner or a reason.

The clean clone: the project's tracked and new (not ignored) files, committed to a temporary
repository as ``main`` and cloned from there, so ``origin/main`` exists. Its ``.venv`` is a
symlink to the project's. Each command gets its own clone; the real ``app-specs/`` is never
written.

Substitutions, and nothing else changes:

- the value after ``--org-url`` (a URL or ``...``) becomes the stand-in Okta's loopback URL;
- ``export VAR=...`` puts VAR in the environment of every later command, as in a reader's shell,
  ``...`` becoming the stand-in's token; no other Okta variable is set;
- a bare ``appspec`` is ``.venv/bin/appspec``; ``NAME`` is the bundled partner app awaiting
  approval; ``<token>`` is the stand-in's token. Any other ``...`` fails the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import click
import pytest
import yaml

from appspecs.audit.findings import CODES as FINDING_CODES
from appspecs.cli.main import COMMANDS, cli
from appspecs.desired.model import DesiredState
from appspecs.desired.render import render
from appspecs.diagnostics import CODES as DIAGNOSTIC_CODES
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests.approver import example_key
from tests.standin import StandinOkta
from tests.standin.seed import seed_org

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
VENV = REPO / ".venv"
TOKEN = "tok-README-3f9c1e7a5b2d"
SHELL_FENCES = ("sh", "bash", "shell", "console", "zsh")
PROGRAMS = re.compile(r"^(appspec|pulumi|\.venv/bin/\S+|scripts/\S+|\.ci/\S+)\s")
# Variables the README names for Okta; the test's own environment never leaks into commands.
OKTA_VARS = ("OKTA_API_TOKEN", "OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY", "OKTA_PRIVATE_KEY_ID")
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "readme-test",
    "GIT_AUTHOR_EMAIL": "readme-test@acme.example",
    "GIT_COMMITTER_NAME": "readme-test",
    "GIT_COMMITTER_EMAIL": "readme-test@acme.example",
}
NO_PULUMI = "the Pulumi CLI is not on PATH (it cannot be installed here)"


# -- the README, parsed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One command as the README writes it, with where it stands."""

    text: str
    line: int
    block: int | None  # the shell block's number; None for a command in the prose
    page: str = "README.md"  # relative to the repository root

    @property
    def place(self) -> str:
        return f"{self.page}:{self.line}"

    def before(self, other: Command) -> bool:
        """Whether a reader of ``other``'s page has typed this command before ``other``."""
        return self.page == other.page and self.line < other.line

    @property
    def words(self) -> list[str]:
        return shlex.split(self.text)

    @property
    def key(self) -> str:
        """Program and subcommand: what decides how the command is run."""
        words = self.words
        program = words[0].removeprefix(".venv/bin/")
        if program == "appspec":
            subcommand = words[1 : 3 if words[1:2] == ["secret"] else 2]
            return " ".join([program, *subcommand])
        if program == "pulumi":
            return " ".join(words[:2])
        return program

    def flag(self, name: str) -> str:
        """The value the command gives a flag its runner checks the result of."""
        words = self.words
        assert name in words[:-1], f"`{self.text}`: its runner expects {name} VALUE"
        return words[words.index(name) + 1]


def pages() -> list[Path]:
    """The README and every page under docs/: what this module's checks read."""
    return [README, *sorted(DOCS.glob("*.md"))]


def page_name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


def readme_commands(text: str, page: str = "README.md") -> list[Command]:
    """Every command of a page's shell blocks and prose (see the module docstring)."""
    commands: list[Command] = []
    fence: str | None = None
    blocks = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
            blocks += fence in SHELL_FENCES
            continue
        if fence in SHELL_FENCES:
            code, comment = split_comment(line)
            if code.strip():
                commands.append(Command(code.strip(), number, blocks, page))
            alternative = re.search(r"\bor: (.+)$", comment)
            if alternative:
                commands.append(Command(alternative.group(1).strip(), number, blocks, page))
        elif fence is None and not line.startswith("|"):
            for span in re.findall(r"`([^`]+)`", line):
                if PROGRAMS.match(span) and any(w.startswith("-") for w in span.split()[1:]):
                    commands.append(Command(span, number, None, page))
    return commands


def split_comment(line: str) -> tuple[str, str]:
    """Code and comment of a shell line (a ``#`` starting a word starts the comment)."""
    match = re.search(r"(?:^|\s)#", line)
    return (line, "") if match is None else (line[: match.start()], line[match.end() :])


def table_after(heading: str) -> list[list[str]]:
    """The body rows of the first table after the one heading of all pages that starts with
    ``heading`` (two such headings fail: which one a check reads would be a guess)."""
    found = [
        (lines, i)
        for lines in (page.read_text(encoding="utf-8").splitlines() for page in pages())
        for i, line in enumerate(lines)
        if line.startswith(heading)
    ]
    assert len(found) == 1, f"{len(found)} headings start with {heading!r} in README and docs/"
    [(lines, start)] = found
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif rows:
            break
    return rows[2:]  # the header and the |---| line


def code_of(cell: str) -> str:
    return cell.strip("`")


COMMANDS_IN_README = [
    command
    for page in pages()
    for command in readme_commands(page.read_text(encoding="utf-8"), page_name(page))
]


# -- the clean clone ------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=os.environ | GIT_ENV, capture_output=True, text=True
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as a clean clone would have it, committed as ``main``."""
    if not (VENV / "bin" / "appspec").exists():
        pytest.skip(f"no {VENV}/bin/appspec: run scripts/check once to make the virtualenv")
    root = tmp_path_factory.mktemp("origin")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file being deleted in the shared tree is not copied
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "clean clone")
    return root


@dataclass
class Clone:
    """A working copy with ``origin/main``, where README commands run."""

    path: Path
    home: Path  # for tools that keep state in the user's home (Pulumi)

    def run(
        self, command: Command, *, org_url: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The command through bash, substituted (and only substituted) as the docstring says."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKTA_", "PULUMI_"))}
        env |= GIT_ENV | exported_before(command)
        env |= {"PULUMI_HOME": str(self.home), "PULUMI_SKIP_UPDATE_CHECK": "1"}
        env |= {"PULUMI_CONFIG_PASSPHRASE": "readme-test"}
        key = str(example_key(self.home))
        line = substitute(command, org_url=org_url, name=self.held_partner(), key=key)
        return subprocess.run(
            ["bash", "-c", line],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def held_partner(self) -> str | None:
        held = load_specs(self.path / "app-specs", stacks_dir=self.path / "stacks").held
        return held[0] if held else None

    def desired(self, stack: str) -> DesiredState:
        specs = load_specs(self.path / "app-specs", stacks_dir=self.path / "stacks")
        return render(specs, load_stack_config(self.path / "stacks", stack))

    def changes(self) -> list[str]:
        """What differs from the commit cloned (the .venv symlink aside)."""
        status = git(self.path, "status", "--porcelain", "--", ".", ":!.venv")
        return status.splitlines()


@pytest.fixture
def clone(origin: Path, tmp_path: Path) -> Clone:
    path = tmp_path / "appspecs"
    git(tmp_path, "clone", "-q", str(origin), str(path))
    (path / ".venv").symlink_to(VENV, target_is_directory=True)
    (tmp_path / "home").mkdir()
    return Clone(path, tmp_path / "home")


def exported_before(command: Command) -> dict[str, str]:
    """What the ``export`` lines before this command in its page put in a reader's shell."""
    env: dict[str, str] = {}
    for earlier in COMMANDS_IN_README:
        if earlier.key == "export" and earlier.before(command):
            name, _, value = earlier.words[1].partition("=")
            env[name] = TOKEN if value == "..." else value
    return env


def substitute(
    command: Command, *, org_url: str | None, name: str | None, key: str | None = None
) -> str:
    words = command.words
    out: list[str] = []
    for i, word in enumerate(words):
        if i == 0 and word == "appspec":
            word = ".venv/bin/appspec"
        elif i > 0 and words[i - 1] == "--org-url":
            assert org_url is not None, f"{command.text}: reads Okta but no stand-in was given"
            word = org_url
        elif i > 0 and words[i - 1] == "--key":
            # the approver's own key: the examples' test key, which allowed_signers lists
            assert key is not None, f"{command.text}: signs, but no key was given"
            word = key
        elif word == "NAME":
            assert name is not None, f"{command.text}: NAME, but no partner app is held"
            word = name
        elif word == "<token>":
            word = TOKEN
        assert "..." not in word, f"{command.text}: a placeholder this test does not fill: {word}"
        out.append(word)
    return shlex.join(out)


def passed(done: subprocess.CompletedProcess[str], code: int = 0) -> str:
    """Assert the exit code; the output for further checks."""
    assert done.returncode == code, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


# -- runners: each runs one README command and checks what the README promises ---------------


def run_check(clone: Clone, command: Command) -> None:
    # _venv.sh would reinstall the project into the shared .venv from this temporary clone if
    # its stamp were stale; that must not happen from a test.
    stamp = (VENV / ".appspecs-installed").read_text().strip()
    pinned = (clone.path / "pyproject.toml").read_bytes() + (
        clone.path / "constraints.txt"
    ).read_bytes()
    want = hashlib.sha256(pinned).hexdigest()
    assert stamp == want, ".venv's install stamp is stale: run scripts/check in the project first"
    done = clone.run(command)
    out = passed(done)
    assert done.stderr == ""  # _venv.sh found the project installed: no pip, no venv made
    assert re.search(r"\d+ apps checked: 0 errors", out), out
    assert "Plan for stack dev" in out
    for app in clone.desired("dev").apps:
        assert app.name in out, app.name
    assert clone.changes() == []


def run_validate(clone: Clone, command: Command) -> None:
    out = passed(clone.run(command))
    assert re.search(r"\d+ apps checked: 0 errors", out), out


def run_plan(clone: Clone, command: Command) -> None:
    # A pull request: a branch that grants crm-sync one more catalog scope.
    catalog = yaml.safe_load((clone.path / "app-specs/scope-catalog.yaml").read_text())
    spec_file = clone.path / "app-specs/apps/crm-sync.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    scope = next(s["value"] for s in catalog["scopes"] if s["value"] not in spec["scopes"])
    text = spec_file.read_text()
    grown = text.replace("scopes:\n", f"scopes:\n  - {scope}\n", 1)
    assert grown != text
    git(clone.path, "checkout", "-q", "-b", "more-scopes")
    spec_file.write_text(grown)
    git(clone.path, "commit", "-q", "-am", "crm-sync reads more")
    out = passed(clone.run(command))
    assert "crm-sync" in out and scope in out, out
    assert "PRIVILEGE INCREASE" in out, out


def run_status(clone: Clone, command: Command) -> None:
    out = passed(clone.run(command))
    partner = clone.held_partner()
    assert partner is not None, "the bundled specs hold no partner app under review"
    (line,) = [x for x in out.splitlines() if x.startswith(f"{partner} ")]
    assert "under review" in line, out
    # a fresh clone has no recorded state: what deploys is approved, not claimed live
    assert re.search(r"^\d+ apps: \d+ approved, ", out, re.M), out


def run_approve(clone: Clone, command: Command) -> None:
    partner = clone.held_partner()
    assert partner is not None, "the bundled specs hold no partner app to approve"
    passed(clone.run(command))
    approvals = yaml.safe_load((clone.path / "app-specs/approvals.yaml").read_text())["approvals"]
    recorded = [a for a in approvals if a["app"] == partner]
    assert [a["ticket"] for a in recorded] == [command.flag("--ticket")]
    assert (
        partner not in load_specs(clone.path / "app-specs", stacks_dir=clone.path / "stacks").held
    )


def run_schema(clone: Clone, command: Command) -> None:
    passed(clone.run(command))
    written = clone.path / command.flag("--out")
    assert json.loads(written.read_text())["type"] == "object"
    # Regenerating in a clean clone changes nothing: the committed schema is not stale.
    assert clone.changes() == []


@pytest.fixture
def okta() -> Iterator[StandinOkta]:
    with StandinOkta(token=TOKEN) as org:
        yield org


def run_audit(clone: Clone, command: Command, okta: StandinOkta) -> None:
    seed_org(okta, clone.desired(command.flag("--stack")))
    done = clone.run(command, org_url=okta.url)
    passed(done)  # the org is exactly as declared: in sync
    report = (clone.path / command.flag("--out")).read_text()
    assert report.lstrip().startswith("#"), report[:200]
    assert TOKEN not in done.stdout + done.stderr + report


def run_import(clone: Clone, command: Command, okta: StandinOkta) -> None:
    # Onboarding: the stack's authorization server, made before the specs, and an app someone
    # made by hand in the admin console.
    desired = clone.desired(command.flag("--stack"))
    org = seed_org(okta, replace(desired, apps=()), extra_groups=["finance"])
    app = okta.add_oidc_app(
        "Billing Export",
        redirect_uris=["https://billing.acme.example/oauth/callback"],
        secret=True,
    )
    client_id = app["credentials"]["oauthClient"]["client_id"]
    policy = okta.add_policy(org.server_id, "Billing Export access", client_ids=[client_id])
    group = org.groups["finance"]
    scope = desired.auth_server.scopes[0].name
    okta.add_rule(
        org.server_id,
        policy["id"],
        "Allow sign-in",
        grant_types=["authorization_code"],
        scopes=[scope],
        group_ids=[group["id"]],
    )
    okta.assign_group(app["id"], group["id"])
    out = passed(clone.run(command, org_url=okta.url))
    assert "as billing-export" in out, out
    # The spec, and the file `pulumi import` adopts the live objects from.
    # (the import file is ignored by git: it is written for one `pulumi import`, not kept)
    assert clone.changes() == ["?? app-specs/apps/billing-export.yaml"]
    assert (clone.path / "pulumi-import.dev.json").is_file()
    specs = load_specs(clone.path / "app-specs", stacks_dir=clone.path / "stacks")
    errors = [(d.code, d.path, Path(d.file).name) for d in specs.diagnostics if d.is_error]
    # The owner is left for a person to fill in, and validate says so; nothing else is wrong.
    assert errors == [("invalid-value", "owner", "billing-export.yaml")]


def _seed_for_secret(clone: Clone, command: Command, okta: StandinOkta) -> str:
    """Seed the command's stack; the app id of the command's app."""
    org = seed_org(okta, clone.desired(command.flag("--stack")))
    name = command.words[command.words.index("secret") + 2]
    return org.apps[name].id


def run_rotate(clone: Clone, command: Command, okta: StandinOkta) -> None:
    app_id = _seed_for_secret(clone, command, okta)
    done = clone.run(command, org_url=okta.url)
    passed(done)
    out = clone.path / command.flag("--out")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    secrets = sorted(okta.state.secrets[app_id].values(), key=lambda s: str(s["created"]))
    assert [s["status"] for s in secrets] == ["ACTIVE", "ACTIVE"]  # the old one stays active
    new = [s for s in secrets if s["client_secret"] == out.read_text()]
    assert len(new) == 1, "the file does not hold the new secret"
    assert out.read_text() not in done.stdout + done.stderr


def run_retire(clone: Clone, command: Command, okta: StandinOkta) -> None:
    app_id = _seed_for_secret(clone, command, okta)
    [old] = okta.state.secrets[app_id].values()
    old["created"] = old["lastUpdated"] = "2025-01-02T03:04:05.000Z"  # issued long ago
    new = okta.add_secret(app_id)  # what `secret rotate` made
    out = passed(clone.run(command, org_url=okta.url))
    assert list(okta.state.secrets[app_id]) == [new["id"]]
    assert f"retired secret {old['id']}" in out, out


def run_standin(clone: Clone, command: Command) -> None:
    """The stand-in Okta started as written serves the bundled org: the export line and the
    audit command it prints, pasted, give an audit in sync."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKTA_", "PULUMI_"))}
    line = substitute(command, org_url=None, name=None)
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {line}"],
        cwd=clone.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        printed = [proc.stdout.readline() for _ in range(3)]
        [export] = [p.strip() for p in printed if p.strip().startswith("export ")]
        [audit] = [p.strip() for p in printed if "appspec audit" in p]
        exported = dict(w.split("=", 1) for w in shlex.split(export)[1:])
        assert set(exported) == {"OKTA_ORG_URL", "OKTA_API_TOKEN"}, export
        done = subprocess.run(
            ["bash", "-c", audit],
            cwd=clone.path,
            env=env | exported,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "in sync" in passed(done), done.stdout
    finally:
        proc.terminate()
        proc.communicate(timeout=30)  # waits, and closes the pipes
    assert proc.returncode == 0


def run_pulumi(clone: Clone, command: Command) -> None:
    if shutil.which("pulumi") is None:
        pytest.skip(NO_PULUMI)
    # A reader types the block in order: login before stack select before config set.
    for earlier in COMMANDS_IN_README:
        same_block = earlier.block == command.block and earlier.before(command)
        if same_block and earlier.key in RUNS:
            passed(clone.run(earlier))
    passed(clone.run(command))


def check_export(clone: Clone, command: Command) -> None:
    """Not run alone: it sets the environment of the later commands, which need it."""
    name, _, value = command.words[1].partition("=")
    assert name in OKTA_VARS and value == "...", command.text
    later = [c for c in COMMANDS_IN_README if command.before(c) and "--org-url" in c.words]
    assert later, "an export that no later Okta command uses"


Runner = Callable[..., None]
RUNS: dict[str, Runner] = {
    "scripts/check": run_check,
    "appspec validate": run_validate,
    "appspec plan": run_plan,
    "appspec status": run_status,
    "appspec approve": run_approve,
    "appspec schema": run_schema,
    "appspec audit": run_audit,
    "appspec import": run_import,
    "appspec secret rotate": run_rotate,
    "appspec secret retire": run_retire,
    "pulumi login": run_pulumi,
    "pulumi stack": run_pulumi,
    "export": check_export,
    "python": run_standin,
}
NEEDS_OKTA = {run_audit, run_import, run_rotate, run_retire}
SKIPS: dict[str, str] = {
    "scripts/test": "it runs this suite (CI runs it on a clean clone as .ci/run); from here it would recurse",
    "pulumi preview": "needs the Pulumi CLI and a real Okta org: pulumi-okta's provider reads the groups from it",
    "pulumi up": "needs the Pulumi CLI and a real Okta org to deploy to",
    "pulumi state": "needs the Pulumi CLI and a stack's recorded state; the plan prints this "
    "command with the URNs (tests/test_protected_partner.py)",
    "appspec preview": "needs the Pulumi CLI (a pulumi preview through the Automation API) and a real Okta org",
}


@pytest.mark.parametrize(
    "command", COMMANDS_IN_README, ids=[f"{c.place}-{c.key}" for c in COMMANDS_IN_README]
)
def test_readme_command_works_as_written(command: Command, request: pytest.FixtureRequest) -> None:
    if command.key in SKIPS:
        pytest.skip(SKIPS[command.key])
    runner = RUNS.get(command.key)
    assert runner is not None, f"{command.place}: `{command.text}` is neither run nor skipped"
    clone: Clone = request.getfixturevalue("clone")
    if runner in NEEDS_OKTA:
        runner(clone, command, request.getfixturevalue("okta"))
    else:
        runner(clone, command)


def test_every_readme_command_is_run_or_skipped() -> None:
    keys = {c.key for c in COMMANDS_IN_README}
    unknown = [f"{c.place}: {c.text}" for c in COMMANDS_IN_README if c.key not in RUNS | SKIPS]
    assert unknown == [], "give these a runner in RUNS or a reason in SKIPS"
    stale = sorted((set(RUNS) | set(SKIPS)) - keys)
    assert stale == [], "RUNS or SKIPS name commands the README no longer has"


SAMPLE = """\
Run `scripts/check`, or `appspec approve NAME --by a@b.example --ticket T-1` for a partner.
```sh
scripts/check   # or: .venv/bin/appspec validate
export OKTA_API_TOKEN=...   # a token; or OKTA_CLIENT_ID
                            # with OKTA_PRIVATE_KEY
pulumi login file://.       # or your backend
```
| `appspec plan --stack NAME` | a synopsis, not a command |
```yaml
run: appspec validate --format json
```
"""


def test_commands_are_found_in_shell_blocks_their_comments_and_the_prose() -> None:
    found = [(c.text, c.line, c.block) for c in readme_commands(SAMPLE)]
    assert found == [
        ("appspec approve NAME --by a@b.example --ticket T-1", 1, None),
        ("scripts/check", 3, 1),
        (".venv/bin/appspec validate", 3, 1),
        ("export OKTA_API_TOKEN=...", 4, 1),
        ("pulumi login file://.", 6, 1),
    ]
    keys = [c.key for c in readme_commands(SAMPLE)]
    assert keys == [
        "appspec approve",
        "scripts/check",
        "appspec validate",
        "export",
        "pulumi login",
    ]


# -- the README's tables ---------------------------------------------------------------------


def test_diagnostic_code_table_matches_the_code() -> None:
    rows = table_after("## Diagnostic codes")
    assert [code_of(r[0]) for r in rows] == list(DIAGNOSTIC_CODES)


def test_finding_code_table_matches_the_code() -> None:
    rows = table_after("## Audit finding codes")
    assert sorted(code_of(r[0]) for r in rows) == sorted(FINDING_CODES)
    for code, severity, _ in rows:
        if severity != "varies":
            assert severity == FINDING_CODES[code_of(code)], code


def leaf_commands() -> dict[str, click.Command]:
    """Every runnable `appspec` command by its full name (``secret rotate``)."""
    ctx = click.Context(cli)
    leaves: dict[str, click.Command] = {}
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            leaves |= {f"{name} {sub}": c for sub, c in command.commands.items()}
        else:
            leaves[name] = command
    return leaves


def test_command_table_lists_every_command_with_its_flags() -> None:
    rows: dict[str, str] = {}
    for cell, _ in table_after("# Commands"):
        words = code_of(cell).split()
        name = " ".join(words[1:3] if words[1] == "secret" else words[1:2])
        rows[name] = code_of(cell)
    leaves = leaf_commands()
    assert sorted(rows) == sorted(leaves)
    for name, synopsis in rows.items():
        options = {o for p in leaves[name].params if isinstance(p, click.Option) for o in p.opts}
        shown = set(re.findall(r"--[a-z-]+", synopsis))
        # --specs and --stacks are described once above the table, for every command.
        assert shown == options - {"--specs", "--stacks", "--help"}, name
        has_name = any(isinstance(p, click.Argument) for p in leaves[name].params)
        positional = synopsis.split()[1 + len(name.split())]
        assert (positional == "NAME") == has_name, name


def test_every_command_takes_specs_and_all_but_schema_stacks() -> None:
    for name, command in leaf_commands().items():
        options = {o for p in command.params for o in getattr(p, "opts", ())}
        assert "--specs" in options, name
        assert ("--stacks" in options) == (name != "schema"), name


def test_exit_code_table_lists_0_1_2() -> None:
    assert [r[0] for r in table_after("## Exit codes")] == ["0", "1", "2"]


# -- the pages and their links -------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def links(text: str) -> list[str]:
    """The targets of a page's Markdown links, outside code blocks and code spans."""
    targets: list[str] = []
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            targets += LINK.findall(re.sub(r"`[^`]*`", "", line))
    return targets


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings (lowercased, punctuation dropped, spaces as
    hyphens, a repeated one numbered)."""
    seen: dict[str, int] = {}
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        heading = re.match(r"#{1,6} (.+)", line)
        if heading and not fence:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            seen[slug] = seen.get(slug, -1) + 1
            if seen[slug]:
                seen[f"{slug}-{seen[slug]}"] = 0
    return set(seen)


def broken_links(page: Path) -> list[str]:
    """The page's relative links whose file, or whose heading in that file, does not exist."""
    broken: list[str] = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not a relative link
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text("utf-8")):
            broken.append(f"{target}: no such heading in {file.name}")
    return broken


def test_links_and_anchors_are_found_as_github_renders_them() -> None:
    text = (
        "# Exit codes\n## App spec (`apps/<name>.yaml`)\n## Exit codes\n```\n# not a heading\n```\n"
    )
    assert anchors(text) == {"exit-codes", "app-spec-appsnameyaml", "exit-codes-1"}
    sample = "[a](docs/a.md) ![img](logo.png) `[b](b.md)` [c](https://x.example) [d](#top)\n"
    assert links(sample + "```\n[e](e.md)\n```\n") == ["docs/a.md", "https://x.example", "#top"]


def test_relative_links_of_the_readme_and_docs_point_at_what_exists(tmp_path: Path) -> None:
    for page in pages():
        assert broken_links(page) == [], page_name(page)
    # and a link that does not resolve is found
    (tmp_path / "there.md").write_text("# Here\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md#here) [gone](gone.md) [bad](there.md#nowhere)\n", "utf-8")
    assert broken_links(page) == [
        "gone.md: no such file",
        "there.md#nowhere: no such heading in there.md",
    ]


def test_every_docs_page_is_linked_from_the_readme() -> None:
    docs = sorted(DOCS.glob("*.md"))
    assert docs, "no docs/ pages: the reference has moved back into the README?"
    linked = {(REPO / t.partition("#")[0]).resolve() for t in links(README.read_text("utf-8"))}
    assert [page_name(p) for p in docs if p.resolve() not in linked] == []


def test_every_docs_page_starts_with_its_title_and_a_one_line_statement() -> None:
    for page in sorted(DOCS.glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# "), f"{page_name(page)}: the first line is not its title"
        assert lines[1] == "" and lines[2].strip() and lines[3:4] in ([], [""]), (
            f"{page_name(page)}: the title is not followed by a one-line statement of what it covers"
        )
