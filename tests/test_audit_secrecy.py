"""Nothing secret leaves the audit: not the API token, not a client secret, in any output or log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appspecs.okta import READ_SCOPES
from tests.audit_support import TOKEN, Org, audit_cli, report_of, seeded_org
from tests.standin import Fault


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


SCENARIOS = {
    "in sync": (None, {}, 0),
    "drift": ("label", {}, 1),
    "rate limit exhausted": ("429", {"APPSPECS_OKTA_MAX_RETRIES": "0"}, 2),
    "wrong token": ("401", {"OKTA_API_TOKEN": TOKEN + "-wrong"}, 2),
}


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_token_or_secret_in_stdout_stderr_report_file_or_logs(
    org: Org, tmp_path: Path, caplog: pytest.LogCaptureFixture, scenario: str, fmt: str
) -> None:
    change, env, exit_code = SCENARIOS[scenario]
    if change == "label":
        org.okta.state.apps[org.app_id("crm-sync")]["label"] = "CRM"
    elif change == "429":
        org.okta.faults.add(Fault(kind="status", status=429, path=r"/groups$", times=None))
    out = tmp_path / "audit.out"
    caplog.set_level(logging.DEBUG)  # the client's, httpx's and httpcore's debug logs too
    printed = audit_cli(org, fmt=fmt, env=env)
    written = audit_cli(org, "--out", str(out), fmt=fmt, env=env)
    assert printed.exit_code == written.exit_code == exit_code
    # The same report (error ids differ from run to run), in the file and not on stdout.
    assert out.read_text(encoding="utf-8").splitlines()[0] == printed.stdout.splitlines()[0]
    assert written.stdout == ""
    secrets = [TOKEN, TOKEN + "-wrong"] + [
        s["client_secret"] for table in org.okta.state.secrets.values() for s in table.values()
    ]
    # the token, the wrong one, the secrets of the two clients that have one (enrichment-worker
    # signs with a key)
    assert len(secrets) == 4
    everything = "\n".join(
        [printed.stdout, printed.stderr, written.stdout, written.stderr, out.read_text()]
        + [r.getMessage() for r in caplog.records]
    )
    assert caplog.records, "debug logging was on: something should have been logged"
    for secret in secrets:
        assert secret not in everything
    # The token did reach the server: the test would be empty if no request carried it.
    assert {r.auth for r in org.okta.requests} == {"SSWS"}


def test_a_service_app_audits_with_read_scopes_and_its_tokens_stay_hidden(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    org.okta.register_client_key("0oaAuditService00001", key, scopes=READ_SCOPES)
    caplog.set_level(logging.DEBUG)
    result = audit_cli(
        org,
        env={
            "OKTA_API_TOKEN": None,
            "OKTA_CLIENT_ID": "0oaAuditService00001",
            "OKTA_PRIVATE_KEY": pem,
        },
    )
    assert result.exit_code == 0, result.stderr
    report = report_of(result)
    assert report["calls"]["token"] == 1  # one token for the whole audit, on its own bucket
    issued = list(org.okta.authority.issued)
    assert len(issued) == 1
    everything = "\n".join(
        [result.stdout, result.stderr] + [r.getMessage() for r in caplog.records]
    )
    for secret in [*issued, pem.splitlines()[1]]:
        assert secret not in everything
    assert {r.auth for r in org.okta.requests if r.path.startswith("/api/")} == {"Bearer"}
