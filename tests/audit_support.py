"""Shared by the `test_audit_*` files: the bundled specs rendered, a seeded stand-in, and the
audit run as users run it (the CLI, in-process) or as a library with recorded sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from appspecs.audit.compare import AuditOptions
from appspecs.audit.run import AuditResult, run_audit
from appspecs.cli.main import cli
from appspecs.desired.model import DesiredState
from appspecs.desired.render import render
from appspecs.okta import ApiToken, OktaClient
from appspecs.spec.load import load_specs
from appspecs.stackconfig import load_stack_config
from tests.standin import StandinOkta
from tests.standin.seed import SeededOrg, seed_org
from tests.test_okta_fakes import FakeTime

REPO = Path(__file__).resolve().parents[1]
SPECS_DIR = REPO / "app-specs"
STACKS_DIR = REPO / "stacks"
# Distinctive, so a test can look for it anywhere the audit writes.
TOKEN = "tok-AUDIT-5e2b8c1d9f7a3e6b"
CREDENTIAL_VARS = ("OKTA_API_TOKEN", "OKTA_CLIENT_ID", "OKTA_PRIVATE_KEY", "OKTA_PRIVATE_KEY_ID")


@lru_cache(maxsize=4)
def desired_for(stack: str) -> DesiredState:
    """The bundled specs rendered for one of the bundled stacks."""
    specs = load_specs(SPECS_DIR, stacks_dir=STACKS_DIR)
    return render(specs, load_stack_config(STACKS_DIR, stack))


@dataclass
class Org:
    """A running stand-in seeded from the dev stack, and the ids of what was seeded."""

    okta: StandinOkta
    seeded: SeededOrg

    def app_id(self, name: str) -> str:
        return self.seeded.apps[name].id

    def client_id(self, name: str) -> str:
        return self.seeded.apps[name].client_id

    def policy(self, name: str) -> dict[str, Any]:
        return self.seeded.apps[name].policy

    def rule(self, name: str) -> dict[str, Any]:
        return self.seeded.apps[name].rule

    def group_id(self, name: str) -> str:
        return str(self.seeded.groups[name]["id"])


def seeded_org(**standin: Any) -> Iterator[Org]:
    """A fixture body: the dev stack's org exactly as Pulumi leaves it."""
    with StandinOkta(token=TOKEN, **standin) as okta:
        yield Org(okta, seed_org(okta, desired_for("dev")))


def audit_cli(
    org: Org,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    fmt: str = "json",
    stack: str = "dev",
    specs: Path = SPECS_DIR,
    drop_org_url: bool = False,
) -> Result:
    """`appspec audit` in-process, with the token in the environment as CI would set it."""
    environ: dict[str, str | None] = {name: None for name in CREDENTIAL_VARS}
    environ.update({"OKTA_API_TOKEN": TOKEN, "OKTA_ORG_URL": None})
    environ.update(env or {})
    argv = ["audit", "--stack", stack, "--format", fmt]
    if not drop_org_url:
        argv += ["--org-url", org.okta.url]
    argv += ["--specs", str(specs), *args]
    if "--stacks" not in args:
        argv += ["--stacks", str(STACKS_DIR)]
    return CliRunner(env=environ).invoke(cli, argv, catch_exceptions=False)


def report_of(result: Result) -> dict[str, Any]:
    """The JSON report: exactly one object on stdout."""
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def codes(report: Mapping[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    """(code, severity, app, field) of every finding."""
    return {(f["code"], f["severity"], f["app"], f["field"]) for f in report["findings"]}


def audit_lib(
    org: Org,
    *,
    stack: str = "dev",
    fake_time: FakeTime | None = None,
    options: AuditOptions | None = None,
    desired: DesiredState | None = None,
    **client: Any,
) -> AuditResult:
    """The audit as a library, over real HTTP, with retry waits recorded instead of slept."""
    ft = fake_time or FakeTime()
    settings: dict[str, Any] = {"sleep": ft.sleep, "clock": ft.clock, "rng": lambda: 0.5}
    settings.update(client)
    desired = desired or desired_for(stack)
    with OktaClient(org.okta.url, ApiToken(TOKEN), **settings) as okta_client:
        return run_audit(okta_client, desired, options or AuditOptions())
