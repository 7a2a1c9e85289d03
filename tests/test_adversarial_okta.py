"""The Okta reader against an org, a network and credentials that misbehave.

Each case was found by trying it: an org URL on the wrong scheme, tokens that cannot go into a
header, rate-limit headers that make no sense, next links that are odd but valid (or valid-looking
but wrong), pages that repeat items, and objects deleted while the audit reads the org. Fakes stay
at the HTTP boundary: the stand-in over loopback, or an httpx transport.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from click.testing import CliRunner

from appspecs.cli.main import cli
from appspecs.okta import (
    ApiToken,
    BadResponse,
    CredentialsError,
    OktaClient,
    OktaError,
    OrgUrlError,
    ServiceAppCredentials,
    TlsError,
    normalize_org_url,
)
from tests.audit_support import (
    SPECS_DIR,
    TOKEN,
    Org,
    audit_cli,
    audit_lib,
    codes,
    report_of,
    seeded_org,
)
from tests.standin import Fault
from tests.test_okta_fakes import (
    ORG,
    SERVER_NOW,
    FakeTime,
    make_client,
    okta_error,
    okta_response,
    rate_limited,
)


@pytest.fixture
def org() -> Iterator[Org]:
    yield from seeded_org()


# --- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["tok-é-AUDIT", "tok\x01AUDIT", "tok“AUDIT”"])
def test_a_token_that_cannot_be_a_header_is_refused_in_one_line(org: Org, token: str) -> None:
    result = audit_cli(org, env={"OKTA_API_TOKEN": token}, fmt="text")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("appspec: Okta credentials: OKTA_API_TOKEN holds characters")
    assert token not in result.stderr and "internal error" not in result.stderr
    assert org.okta.requests == []


def test_a_bearer_token_that_cannot_be_a_header_is_a_bad_response() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"access_token": "tökén", "token_type": "Bearer", "expires_in": 3600}
        return okta_response(200, body)

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    credentials = ServiceAppCredentials(ORG, "0oaService", key)
    with (
        OktaClient(ORG, credentials, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(BadResponse, match="did not return a bearer access_token") as info,
    ):
        client.get("/api/v1/apps/0oa1")
    assert "tökén" not in str(info.value)


def test_api_token_refuses_control_characters_without_quoting_them() -> None:
    with pytest.raises(CredentialsError) as info:
        ApiToken("abc\x7fdef")
    assert "abc" not in str(info.value)


# --- TLS ---------------------------------------------------------------------------------------


def test_https_to_a_plain_http_port_fails_at_once_saying_tls(org: Org) -> None:
    ft = FakeTime()
    url = org.okta.url.replace("http://", "https://")
    with (
        OktaClient(url, ApiToken(TOKEN), sleep=ft.sleep, clock=ft.clock) as client,
        pytest.raises(TlsError, match="TLS handshake failed") as info,
    ):
        client.get("/api/v1/groups")
    # A certificate or a wrong port does not change by waiting: no retry, no sleep.
    assert ft.sleeps == [] and client.stats.to_json()["retries"] == 0
    assert "scheme and port" in str(info.value)


def test_an_audit_over_https_to_an_http_port_is_one_clear_line(org: Org) -> None:
    url = org.okta.url.replace("http://", "https://")
    result = audit_cli(org, "--org-url", url, drop_org_url=True, fmt="text")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert "TLS handshake failed" in line
    assert report_calls(result.stdout) == 3  # the three first reads, once each


def report_calls(text: str) -> int:
    [calls] = [line for line in text.splitlines() if line.startswith("Okta calls: ")]
    return int(calls.split()[2])


# --- rate-limit headers ------------------------------------------------------------------------


def _429_then_ok(first: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    answers = iter([first])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or okta_response(200, [])

    return handler


def test_a_429_whose_reset_is_an_hour_away_waits_one_window_not_the_hour() -> None:
    ft = FakeTime()
    with make_client(_429_then_ok(rate_limited(reset=SERVER_NOW + 3600)), fake_time=ft) as client:
        assert client.list("/api/v1/apps") == []
    assert ft.sleeps == [65.5]  # Okta's one-minute window (and slack), plus the fixed jitter


def test_a_429_without_date_does_not_wait_on_a_far_local_clock() -> None:
    # Okta's clock (SERVER_NOW, 2030) is years from the local one this falls back to.
    response = rate_limited(reset=SERVER_NOW + 30)
    del response.headers["Date"]
    ft = FakeTime()
    with make_client(_429_then_ok(response), fake_time=ft) as client:
        assert client.list("/api/v1/apps") == []
    assert len(ft.sleeps) == 1 and ft.sleeps[0] <= 66


@pytest.mark.parametrize("header", ["X-Rate-Limit-Reset", "X-Rate-Limit-Limit"])
def test_rate_limit_numbers_too_large_for_a_float_are_ignored(header: str) -> None:
    huge = {header: "9" * 400}

    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, [], remaining=0, headers=huge)

    with make_client(handler) as client:
        assert client.list("/api/v1/apps") == []
        assert client.list("/api/v1/apps") == []  # pacing reads what the first one left


def test_a_429_with_an_absurd_reset_backs_off_instead_of_crashing() -> None:
    response = okta_error(429, "E0000047", "rate", remaining=0, headers={})
    response.headers["X-Rate-Limit-Reset"] = "9" * 400
    ft = FakeTime()
    with make_client(_429_then_ok(response), fake_time=ft) as client:
        assert client.list("/api/v1/apps") == []
    assert ft.sleeps == [0.75]


# --- next links and pages ----------------------------------------------------------------------


def _two_pages(link: str) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if len(seen) == 1:
            return okta_response(200, [{"id": "a"}], headers={"Link": link})
        return okta_response(200, [{"id": "b"}])

    return handler, seen


def test_a_next_link_naming_several_relations_is_followed() -> None:
    handler, seen = _two_pages(f'<{ORG}/api/v1/apps?after=a&limit=200>; rel="next last"')
    with make_client(handler) as client:
        assert client.list("/api/v1/apps") == [{"id": "a"}, {"id": "b"}]
    assert seen[1] == f"{ORG}/api/v1/apps?after=a&limit=200"


def test_a_next_link_with_extra_parameters_and_a_relative_url_is_followed() -> None:
    link = '</api/v1/apps?after=a&limit=200>; rel="next"; title="page 2"; type="application/json"'
    handler, seen = _two_pages(link)
    with make_client(handler) as client:
        assert client.list("/api/v1/apps") == [{"id": "a"}, {"id": "b"}]
    assert seen[1] == f"{ORG}/api/v1/apps?after=a&limit=200"


def test_a_link_without_rel_next_ends_the_listing() -> None:
    handler, seen = _two_pages(f"<{ORG}/api/v1/apps?after=a>; title=next")
    with make_client(handler) as client:
        assert client.list("/api/v1/apps") == [{"id": "a"}]
    assert len(seen) == 1


def test_a_next_link_to_another_listing_of_the_org_is_refused() -> None:
    handler, seen = _two_pages(f'<{ORG}/api/v1/users?after=a>; rel="next"')
    with make_client(handler) as client, pytest.raises(BadResponse, match="another listing"):
        client.list("/api/v1/apps")
    assert len(seen) == 1


def test_an_item_repeated_on_the_next_page_is_listed_once() -> None:
    pages = {
        None: ([{"id": "a"}, {"id": "b"}], f'<{ORG}/api/v1/groups?after=b>; rel="next"'),
        "b": ([{"id": "b"}, {"id": "c"}], None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        body, link = pages[request.url.params.get("after")]
        return okta_response(200, body, headers={"Link": link} if link else None)

    with make_client(handler) as client:
        assert [g["id"] for g in client.list("/api/v1/groups")] == ["a", "b", "c"]


class RepeatOnePage(httpx.BaseTransport):
    """Loopback HTTP to the stand-in, but the OIDC app listing comes in two pages whose second
    starts with the last item of the first, as a cursor can when the org changes mid-listing."""

    def __init__(self) -> None:
        self._http = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/api/v1/apps" or request.method != "GET":
            return self._http.handle_request(request)
        # Both pages are cut from the stand-in's whole listing (which has no "after" of ours).
        whole = httpx.Request(
            "GET", request.url.copy_remove_param("after"), headers=request.headers
        )
        response = self._http.handle_request(whole)
        response.read()
        response.close()
        apps = json.loads(response.content)
        if "after" not in request.url.params:
            nxt = request.url.copy_merge_params({"after": "half"})
            return httpx.Response(200, json=apps[:3], headers={"Link": f'<{nxt}>; rel="next"'})
        return httpx.Response(200, json=apps[2:])

    def close(self) -> None:
        self._http.close()


def test_a_repeated_app_across_pages_is_not_reported_as_a_duplicate(org: Org) -> None:
    result = audit_lib(org, transport=RepeatOnePage())
    assert result.complete
    assert result.findings == ()


# --- objects deleted while the audit reads -----------------------------------------------------


def test_a_group_deleted_between_the_listing_and_its_apps_is_not_a_failed_read(org: Org) -> None:
    # Okta answers a deleted group (and its apps) with 404: the group assigns nobody any more.
    gid = org.group_id("marketing")
    org.okta.faults.add(
        Fault(kind="status", status=404, path=f"/groups/{gid}(/apps)?$", times=None)
    )
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 1, result.stderr
    assert report["complete"] and report["failed_reads"] == []
    assert codes(report) == {("groups-removed-live", "medium", "audience-studio", "groups")}


def test_a_policy_deleted_before_its_rules_are_read_shows_as_drift(org: Org) -> None:
    pid = org.policy("crm-sync")["id"]
    org.okta.faults.add(
        Fault(kind="status", status=404, path=f"/policies/{pid}(/rules)?$", times=None)
    )
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 1, result.stderr
    assert report["complete"]
    assert ("rule-missing", "high", "crm-sync", "rule") in codes(report)


@pytest.mark.parametrize(
    "listing",
    [r"/credentials/secrets$", r"/scopes$", r"/policies$", r"/rules$", r"/groups/[^/]+/apps$"],
)
def test_a_404_on_a_listing_whose_object_is_there_is_a_failed_read(org: Org, listing: str) -> None:
    # Not "deleted mid-audit" (the object answers), so not "no children": the read failed.
    org.okta.faults.add(Fault(kind="status", status=404, path=listing, times=None))
    result = audit_cli(org)
    report = report_of(result)
    assert result.exit_code == 2, result.stderr
    assert report["complete"] is False and report["failed_reads"]
    assert report["findings"] == []


# -- proxies, URLs and what Okta says -------------------------------------------------------------


class _Proxy:
    """A proxy on loopback that answers every request with one fixed status, and counts them."""

    def __init__(self, status: bytes) -> None:
        self.hits = 0
        self._status = status
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                self.hits += 1
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 " + self._status + b"\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self._sock.close()


def test_a_loopback_org_is_never_reached_through_a_proxy(org: Org) -> None:
    # Plain http is allowed only because it stays on this machine: through HTTP_PROXY the
    # token would cross the network in clear text.
    proxy = _Proxy(b"502 Bad Gateway")
    try:
        env = {"HTTP_PROXY": proxy.url, "ALL_PROXY": proxy.url, "NO_PROXY": ""}
        result = audit_cli(org, env=env)
    finally:
        proxy.close()
    assert result.exit_code == 0, result.stderr
    assert proxy.hits == 0


def test_a_proxy_that_refuses_is_said_at_once_not_an_internal_error(org: Org) -> None:
    proxy = _Proxy(b"407 Proxy Authentication Required")
    try:
        env = {"HTTPS_PROXY": proxy.url, "NO_PROXY": ""}
        result = audit_cli(org, "--org-url", "https://acme.okta.com", env=env, drop_org_url=True)
    finally:
        proxy.close()
    assert result.exit_code == 2
    assert "internal error" not in result.stderr
    assert "the proxy refused the request" in result.stderr
    assert proxy.hits == 3  # one per read of the first round, none retried


def test_proxy_settings_httpx_cannot_use_exit_2_in_one_line(org: Org) -> None:
    env = {"HTTPS_PROXY": "http://u:p@127.0.0.1:notaport", "NO_PROXY": ""}
    result = audit_cli(org, "--org-url", "https://acme.okta.com", env=env, drop_org_url=True)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("appspec: unusable proxy settings") and "internal error" not in line


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:hunter2@acme.okta.com",
        "https://admin:hunter2@acme.okta.com:abc",
        "ftp://admin:hunter2@x",
        # spellings whose password ends the host early, or that have no '//'
        "https://admin:hun/ter2@acme.okta.com",
        "https://admin:hun#ter2@acme.okta.com",
        "https://admin:hun?ter2@acme.okta.com",
        "https:admin:hunter2@acme.okta.com",
        "admin:hunter2@acme.okta.com",
    ],
)
def test_an_org_url_with_a_password_is_refused_without_quoting_it(org: Org, url: str) -> None:
    result = audit_cli(org, "--org-url", url, drop_org_url=True)
    assert result.exit_code == 2
    assert "hunter2" not in result.output and "hun" not in result.output
    assert "must not contain a user name or password" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "https://admin:hunter2",  # no '@': the "port" is the password
        "https://acme.okta.com:hunter2",
        "admin:hunter2",
        "https://acme.okta.com/?token=hunter2",
        "https://acme.okta.com/#hunter2",
        "ftp://acme.okta.com/hunter2",
        # a token or a password given as the org URL: a word, not a host name
        "hunter2secret",
        "00hunter2-hunter2",
        "hunter2:8080",
    ],
)
def test_no_org_url_error_quotes_what_could_be_a_secret(url: str) -> None:
    with pytest.raises(OrgUrlError) as info:
        normalize_org_url(url)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("acme.okta.com", "org URL 'acme.okta.com' has no scheme: write https://acme.okta.com"),
        ("acme.okta.com/", "has no scheme: write https://acme.okta.com"),
        ("localhost:8080", "org URL 'localhost:8080' has no scheme: write https://localhost:8080"),
        ("hunter2secret", "org URL must start with https://; expected https://<org>.okta.com"),
        ("https:acme.okta.com", "must start with https://"),
    ],
)
def test_an_org_url_without_its_scheme_says_so(org: Org, url: str, words: str) -> None:
    result = audit_cli(org, "--org-url", url, drop_org_url=True)
    assert result.exit_code == 2
    assert words in result.stderr and "has no host" not in result.stderr


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://ＡＣＭＥ.okta.com", "https://acme.okta.com"),
        ("http://127.0.0.1.:8080", "http://127.0.0.1:8080"),
        ("http://ｌｏｃａｌｈｏｓｔ:9", "http://localhost:9"),
        ("http://0x7f.1:9", "http://127.0.0.1:9"),
        ("https://acme.okta.com:443", "https://acme.okta.com"),
    ],
)
def test_the_org_url_host_is_read_as_a_browser_reads_it(url: str, normal: str) -> None:
    assert normalize_org_url(url) == normal


def test_the_org_url_comes_from_the_environment_in_every_command(org: Org) -> None:
    # the workflow sets OKTA_ORG_URL; no command may need --org-url besides it
    env = {"OKTA_ORG_URL": "acme.okta.com", "OKTA_API_TOKEN": TOKEN}
    for argv in (
        ["audit", "--stack", "dev"],
        ["import", "--stack", "dev"],
        ["secret", "list", "crm-sync", "--stack", "dev"],
    ):
        result = CliRunner(env=env).invoke(cli, [*argv, "--specs", str(SPECS_DIR)])
        assert result.exit_code == 2, (argv, result.output)
        assert "has no scheme: write https://acme.okta.com" in result.stderr, (argv, result.output)


def test_okta_error_words_are_shown_escaped_never_sent_to_the_terminal() -> None:
    error = OktaError(
        error_summary="You do not have permission \x1b]0;owned\x07\x1b[31mRED\x1b[0m",
        error_code="E0000006\x1b[2J",
    )
    assert not [c for c in str(error) if not c.isprintable()]
    assert "\\x1b]0;owned\\x07" in str(error)
