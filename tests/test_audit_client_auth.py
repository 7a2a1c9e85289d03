"""`appspec audit` on keys, refresh-token rotation, token lifetimes and consent links, against a
stand-in seeded from the bundled dev stack (its answers shaped as Okta's OpenAPI says: keys as
``OAuth2ClientJsonSigningKeyResponse`` with id and status, ``refresh_token`` as
``{rotation_type, leeway}``, the rule's lifetimes under ``actions.token``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import ec

from appspecs.cli.main import cli
from tests.audit_support import (
    SPECS_DIR,
    STACKS_DIR,
    TOKEN,
    Org,
    audit_cli,
    codes,
    report_of,
    seeded_org,
)

Alter = Callable[[Org], None]


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


def _client(org: Org, app: str) -> dict:  # type: ignore[type-arg]
    return org.okta.state.apps[org.app_id(app)]["settings"]["oauthClient"]  # type: ignore[no-any-return]


def _ec_key(kid: str) -> dict[str, str]:
    numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()

    def b64(i: int) -> str:
        return base64.urlsafe_b64encode(i.to_bytes(32, "big")).rstrip(b"=").decode()

    return {"kid": kid, "kty": "EC", "x": b64(numbers.x), "y": b64(numbers.y), "status": "ACTIVE"}


def test_the_seeded_org_reads_back_every_new_field_in_sync(org: Org) -> None:
    worker = _client(org, "enrichment-worker")
    (key,) = worker["jwks"]["keys"]
    assert key["id"].startswith("pks") and key["status"] == "ACTIVE" and key["kid"] == "svc-2026-11"
    assert _client(org, "audience-studio")["refresh_token"] == {
        "rotation_type": "ROTATE",
        "leeway": 30,
    }
    assert _client(org, "acme-analytics")["tos_uri"] == "https://acme-analytics.example/terms"
    assert org.rule("enrichment-worker")["actions"]["token"]["accessTokenLifetimeMinutes"] == 30
    report = report_of(audit_cli(org))
    assert report["findings"] == [] and report["in_sync"]


def add_unlisted_key(org: Org) -> None:
    _client(org, "enrichment-worker")["jwks"]["keys"].append(_ec_key("someone-else"))


def replace_key_material(org: Org) -> None:
    (key,) = _client(org, "enrichment-worker")["jwks"]["keys"]
    key["n"] = key["n"][:-4] + "AAAA"


def drop_declared_key(org: Org) -> None:
    _client(org, "enrichment-worker")["jwks"]["keys"].clear()


def back_to_a_secret(org: Org) -> None:
    app = org.okta.state.apps[org.app_id("enrichment-worker")]
    app["credentials"]["oauthClient"]["token_endpoint_auth_method"] = "client_secret_basic"
    del app["settings"]["oauthClient"]["jwks"]


def static_refresh_tokens(org: Org) -> None:
    _client(org, "audience-studio")["refresh_token"] = {"rotation_type": "STATIC", "leeway": 30}


def no_leeway(org: Org) -> None:
    _client(org, "audience-studio")["refresh_token"]["leeway"] = 0


def longer_access_tokens(org: Org) -> None:
    org.rule("enrichment-worker")["actions"]["token"]["accessTokenLifetimeMinutes"] = 120


def longer_default_refresh_window(org: Org) -> None:
    org.rule("crm-sync")["actions"]["token"]["refreshTokenWindowMinutes"] = 525600


def shorter_access_tokens(org: Org) -> None:
    org.rule("crm-sync")["actions"]["token"]["accessTokenLifetimeMinutes"] = 15


def changed_terms(org: Org) -> None:
    _client(org, "acme-analytics")["tos_uri"] = "https://evil.example/terms"


def dropped_privacy(org: Org) -> None:
    del _client(org, "acme-analytics")["policy_uri"]


CASES: dict[str, tuple[Alter, set[tuple[str, str, str | None, str | None]]]] = {
    "a live key the spec does not list": (
        add_unlisted_key,
        {("key-unlisted", "high", "enrichment-worker", "jwks[someone-else]")},
    ),
    "a declared kid holding another key": (
        replace_key_material,
        {("key-changed", "high", "enrichment-worker", "jwks[svc-2026-11]")},
    ),
    "a declared key gone": (
        drop_declared_key,
        {("key-missing", "medium", "enrichment-worker", "jwks[svc-2026-11]")},
    ),
    "a key-based client back on a shared secret": (
        back_to_a_secret,
        {
            ("app-changed", "high", "enrichment-worker", "token_endpoint_auth_method"),
            ("key-missing", "medium", "enrichment-worker", "jwks[svc-2026-11]"),
        },
    ),
    "refresh tokens no longer rotated": (
        static_refresh_tokens,
        {("app-changed", "medium", "audience-studio", "refresh_token_rotation")},
    ),
    "rotation without its leeway": (
        no_leeway,
        {("app-changed", "medium", "audience-studio", "refresh_token_leeway")},
    ),
    "access tokens longer than declared": (
        longer_access_tokens,
        {("rule-changed", "high", "enrichment-worker", "access_token_lifetime_minutes")},
    ),
    "a refresh window longer than Okta's default, none declared": (
        longer_default_refresh_window,
        {("rule-changed", "high", "crm-sync", "refresh_token_window_minutes")},
    ),
    "access tokens shorter than Okta's default": (
        shorter_access_tokens,
        {("rule-changed", "medium", "crm-sync", "access_token_lifetime_minutes")},
    ),
    "a changed consent link": (
        changed_terms,
        {("app-changed", "medium", "acme-analytics", "tos_uri")},
    ),
    "a consent link removed": (
        dropped_privacy,
        {("app-changed", "medium", "acme-analytics", "policy_uri")},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_alteration_is_exactly_its_finding(org: Org, case: str) -> None:
    alter, expected = CASES[case]
    alter(org)
    result = audit_cli(org)
    report = report_of(result)
    assert codes(report) == expected
    assert result.exit_code == 1
    assert not report["in_sync"]


def test_the_findings_name_the_kid_and_the_minutes(org: Org) -> None:
    add_unlisted_key(org)
    longer_access_tokens(org)
    report = report_of(audit_cli(org))
    messages = {f["code"]: f for f in report["findings"]}
    key = messages["key-unlisted"]
    assert "'someone-else' (EC)" in key["message"] and key["live"]["kid"] == "someone-else"
    rule = messages["rule-changed"]
    assert (rule["declared"], rule["live"]) == (30, 120)
    text = audit_cli(org, fmt="text").stdout
    assert "someone-else" in text and "120" in text


# -- appspec secret on a key-based client -----------------------------------------------------


def secret_cli(org: Org, *args: str) -> Result:
    argv = ["secret", *args, "--stack", "dev", "--org-url", org.okta.url]
    argv += ["--specs", str(SPECS_DIR), "--stacks", str(STACKS_DIR)]
    env = {"OKTA_API_TOKEN": TOKEN, "OKTA_CLIENT_ID": None, "OKTA_PRIVATE_KEY": None}
    return CliRunner(env=env).invoke(cli, argv, catch_exceptions=False)


@pytest.mark.parametrize("command", ["rotate", "retire"])
def test_secret_rotation_of_a_key_based_client_explains_key_rotation(
    org: Org, command: str, tmp_path: Path
) -> None:
    out = ("--out", str(tmp_path / "secret")) if command == "rotate" else ()
    result = secret_cli(org, command, "enrichment-worker", *out)
    assert result.exit_code == 1
    assert "signs its token requests with a private key (private_key_jwt)" in result.stderr
    assert "add the new public key to client.jwks under a new kid and deploy" in result.stderr
    assert "remove the old key" in result.stderr
    assert not org.okta.state.secrets[org.app_id("enrichment-worker")]  # nothing was made
    assert not (tmp_path / "secret").exists()


def test_secret_list_of_a_key_based_client_lists_its_keys(org: Org) -> None:
    text = secret_cli(org, "list", "enrichment-worker")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].endswith("no client secrets (private_key_jwt); 1 public key")
    assert lines[1].split() == ["svc-2026-11", "RSA"]
    assert "add the new public key to client.jwks" in lines[2]
    data = json.loads(secret_cli(org, "list", "enrichment-worker", "--format", "json").stdout)
    assert data["keys"] == [{"kid": "svc-2026-11", "kty": "RSA"}]
    assert data["secrets"] == [] and "remove the old key" in data["key_rotation"]
