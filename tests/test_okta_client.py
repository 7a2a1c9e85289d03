"""The Okta client at the HTTP boundary: paging, headers, typed errors, bad responses, threads."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs

import httpx
import pytest

from appspecs.okta import (
    ApiToken,
    AuthError,
    BadResponse,
    NotFound,
    OktaClient,
    OktaError,
    OrgUrlError,
    PermissionDenied,
    RequestRejected,
    ServerError,
    TransientError,
    normalize_org_url,
)
from appspecs.okta.paging import page_cap
from tests.test_okta_fakes import (
    API_TOKEN,
    ORG,
    FakeTime,
    make_client,
    oidc_app,
    okta_error,
    okta_response,
)

# -- paging -----------------------------------------------------------------------------------


def test_list_follows_next_links_exactly_and_sends_the_largest_limit() -> None:
    seen: list[str] = []
    pages = {
        None: ([oidc_app("0oa1"), oidc_app("0oa2")], "0oa2"),
        "0oa2": ([oidc_app("0oa3"), oidc_app("0oa4")], "0oa4"),
        "0oa4": ([oidc_app("0oa5")], None),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        after = request.url.params.get("after")
        items, nxt = pages[after]
        headers = {"Link": f'<{request.url.copy_with(query=None)}>; rel="self"'}
        if nxt is not None:
            # Okta's next link carries the filter and limit along, plus its own cursor.
            link = f"{ORG}/api/v1/apps?after={nxt}&limit=200&filter=name+eq+%22oidc_client%22"
            headers["Link"] += f', <{link}>; rel="next"'
        return okta_response(200, items, headers=headers)

    with make_client(handler) as client:
        apps = client.list("/api/v1/apps", {"filter": 'name eq "oidc_client"'})

    assert [a["id"] for a in apps] == ["0oa1", "0oa2", "0oa3", "0oa4", "0oa5"]
    assert len(seen) == 3
    first = parse_qs(httpx.URL(seen[0]).query.decode())
    assert first == {"filter": ['name eq "oidc_client"'], "limit": ["200"]}
    # Pages after the first are fetched with the link's URL byte for byte: no params re-added.
    assert seen[1] == f"{ORG}/api/v1/apps?after=0oa2&limit=200&filter=name+eq+%22oidc_client%22"
    assert seen[2] == f"{ORG}/api/v1/apps?after=0oa4&limit=200&filter=name+eq+%22oidc_client%22"
    assert client.stats.calls == {"apps": 3}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/apps", "200"),
        ("/api/v1/apps/0oa1/groups", "200"),
        ("/api/v1/groups", "1000"),
        ("/api/v1/groups/00g1/apps", "200"),
        ("/api/v1/authorizationServers", "200"),
        ("/api/v1/authorizationServers/aus1/scopes", "200"),
        ("/api/v1/authorizationServers/aus1/policies", None),
        ("/api/v1/authorizationServers/aus1/policies/00p1/rules", None),
    ],
)
def test_list_sends_each_endpoints_page_limit(path: str, expected: str | None) -> None:
    limits: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        limits.append(request.url.params.get("limit"))
        return okta_response(200, [])

    with make_client(handler) as client:
        assert client.list(path) == []
    assert limits == [expected]


def test_an_explicit_limit_wins_over_the_table() -> None:
    limits: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        limits.append(request.url.params.get("limit"))
        return okta_response(200, [])

    with make_client(handler) as client:
        client.list("/api/v1/apps", limit=20)
    assert limits == ["20"]


def test_a_next_link_to_another_host_is_refused_before_any_request_goes_there() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        link = '<https://evil.example.com/api/v1/apps?after=0oa1>; rel="next"'
        return okta_response(200, [oidc_app("0oa1")], headers={"Link": link})

    with make_client(handler) as client, pytest.raises(BadResponse) as info:
        client.list("/api/v1/apps")
    assert hosts == ["acme.okta.com"]
    assert "evil.example.com" in str(info.value)


def test_a_next_link_with_another_scheme_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        link = '<http://acme.okta.com/api/v1/apps?after=0oa1>; rel="next"'
        return okta_response(200, [oidc_app("0oa1")], headers={"Link": link})

    with make_client(handler) as client, pytest.raises(BadResponse):
        client.list("/api/v1/apps")


def test_a_cursor_that_loops_is_an_error_not_an_endless_listing() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        after = "0oa1" if calls % 2 else "0oa2"
        link = f'<{ORG}/api/v1/apps?after={after}&limit=200>; rel="next"'
        # each page new, so that only the cursor loops
        return okta_response(200, [oidc_app(f"0oa{calls}")], headers={"Link": link})

    with make_client(handler) as client, pytest.raises(BadResponse, match="loops"):
        client.list("/api/v1/apps")
    assert calls == 3


def test_a_listing_that_adds_nothing_new_ends_as_a_failed_read() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        link = f'<{ORG}/api/v1/apps?after=c{calls}&limit=200>; rel="next"'
        return okta_response(200, [] if calls > 1 else [oidc_app("0oa1")], headers={"Link": link})

    with make_client(handler) as client, pytest.raises(BadResponse, match="added nothing new"):
        client.list("/api/v1/apps")
    assert calls == 2


def test_a_listing_that_never_ends_stops_at_the_page_cap() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        link = f'<{ORG}/api/v1/authorizationServers?after=c{calls}&limit=200>; rel="next"'
        page = [{"id": f"aus{calls}-{i}", "name": "x"} for i in range(200)]
        return okta_response(200, page, headers={"Link": link})

    with make_client(handler) as client, pytest.raises(BadResponse, match="does not end"):
        client.list("/api/v1/authorizationServers")
    # 1,000 servers at most, in pages of 200, and one more page for an empty last one
    assert calls == page_cap("/api/v1/authorizationServers", 200) == 6


def test_a_page_that_is_an_object_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, oidc_app("0oa1"))

    with make_client(handler) as client, pytest.raises(BadResponse, match="expected a JSON list"):
        client.list("/api/v1/apps")


# -- headers and methods ----------------------------------------------------------------------


def test_api_token_header_is_ssws_space_token() -> None:
    got: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request)
        return okta_response(200, oidc_app("0oa1"))

    with make_client(handler) as client:
        assert client.get_object("/api/v1/apps/0oa1")["id"] == "0oa1"
    assert got[0].headers["Authorization"] == f"SSWS {API_TOKEN}"
    assert got[0].headers["Accept"] == "application/json"
    assert client.stats.calls == {"app": 1}


def test_post_sends_json_and_delete_accepts_204() -> None:
    got: list[tuple[str, str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append((request.method, request.url.path, request.content))
        if request.method == "POST":
            return okta_response(201, {"id": "ocs1", "status": "ACTIVE"})
        return okta_response(204)

    with make_client(handler) as client:
        created = client.post("/api/v1/apps/0oa1/credentials/secrets", {})
        client.delete("/api/v1/apps/0oa1/credentials/secrets/ocs1")
    assert created == {"id": "ocs1", "status": "ACTIVE"}
    assert got == [
        ("POST", "/api/v1/apps/0oa1/credentials/secrets", b"{}"),
        ("DELETE", "/api/v1/apps/0oa1/credentials/secrets/ocs1", b""),
    ]


def test_on_response_reports_each_finished_request() -> None:
    done: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("missing"):
            return okta_error(404, "E0000007", "Not found: Resource not found: missing")
        return okta_response(200, [])

    with make_client(handler, on_response=done.append) as client:
        client.list("/api/v1/groups")
        with pytest.raises(NotFound):
            client.get("/api/v1/apps/missing")
    assert done == ["/api/v1/groups", "/api/v1/apps/missing"]


# -- typed errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "summary", "cls"),
    [
        (401, "E0000011", "Invalid token provided", AuthError),
        (
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
            PermissionDenied,
        ),
        (404, "E0000007", "Not found: Resource not found: 0oa1 (AppInstance)", NotFound),
        (
            405,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
            RequestRejected,
        ),
    ],
)
def test_error_statuses_map_to_typed_errors_with_okta_fields(
    status: int, code: str, summary: str, cls: type[OktaError]
) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return okta_error(status, code, summary, error_id="oaeAbC123xyz")

    with make_client(handler) as client, pytest.raises(cls) as info:
        client.get("/api/v1/apps/0oa1")
    err = info.value
    assert calls == 1  # never retried
    assert (err.status, err.error_code, err.error_id) == (status, code, "oaeAbC123xyz")
    assert err.error_summary == summary
    assert err.method == "GET" and err.url == f"{ORG}/api/v1/apps/0oa1"
    text = str(err)
    assert "\n" not in text
    assert code in text and "oaeAbC123xyz" in text and f"HTTP {status}" in text


def test_validation_error_includes_its_causes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_error(
            400,
            "E0000001",
            "Api validation failed: client_secret",
            causes=["You can't have more than two secrets for a client."],
        )

    with make_client(handler) as client, pytest.raises(RequestRejected) as info:
        client.post("/api/v1/apps/0oa1/credentials/secrets", {})
    assert "more than two secrets" in str(info.value)
    assert info.value.error_code == "E0000001"


def test_500_is_retried_once_for_get_then_server_error() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return okta_error(500, "E0000009", "Internal Server Error")

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client, pytest.raises(ServerError):
        client.get("/api/v1/apps")
    assert calls == 2
    assert len(ft.sleeps) == 1


def test_500_on_post_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return okta_error(500, "E0000009", "Internal Server Error")

    with make_client(handler) as client, pytest.raises(ServerError):
        client.post("/api/v1/apps/0oa1/credentials/secrets", {})
    assert calls == 1


def test_503_on_post_is_not_retried_because_it_may_have_been_applied() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return okta_response(503, content=b"<html>Service Unavailable</html>")

    with make_client(handler) as client, pytest.raises(TransientError, match="may have been"):
        client.post("/api/v1/apps/0oa1/credentials/secrets", {})
    assert calls == 1


# -- responses that cannot be trusted ---------------------------------------------------------


def test_malformed_json_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, content=b"<html><body>Okta is down for maintenance</body>")

    with make_client(handler) as client, pytest.raises(BadResponse, match="not valid JSON"):
        client.get("/api/v1/apps/0oa1")


def test_an_empty_body_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, content=b"")

    with make_client(handler) as client, pytest.raises(BadResponse, match="empty body"):
        client.get("/api/v1/apps/0oa1")


def test_an_object_where_a_list_is_expected_and_vice_versa() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return okta_response(200, [oidc_app("0oa1")])

    with make_client(handler) as client, pytest.raises(BadResponse, match="got a JSON list"):
        client.get_object("/api/v1/apps/0oa1")


def test_a_truncated_body_is_retried_then_a_bad_response() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        # The server promised 4 KiB and the connection ended after a few bytes.
        return okta_response(
            200, content=b'[{"id": "0oa1", "la', headers={"Content-Length": "4096"}
        )

    with make_client(handler, max_retries=2) as client, pytest.raises(BadResponse, match="trunc"):
        client.list("/api/v1/apps")
    assert calls == 3


def test_a_truncated_body_that_arrives_whole_on_retry_is_fine() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return okta_response(200, content=b"[{", headers={"Content-Length": "99"})
        return okta_response(200, [oidc_app("0oa1")])

    with make_client(handler) as client:
        assert [a["id"] for a in client.list("/api/v1/apps")] == ["0oa1"]


@pytest.mark.parametrize("status", [301, 302, 307])
def test_redirects_are_not_followed(status: int) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(status, headers={"Location": "https://login.example.com/x"})

    with make_client(handler) as client, pytest.raises(BadResponse, match="redirect") as info:
        client.get("/api/v1/apps")
    assert hosts == ["acme.okta.com"]
    assert info.value.status == status


# -- org URL ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.okta.com",
        "http://10.0.0.5:8080",
        "ftp://acme.okta.com",
        "acme.okta.com",
        "https://acme-admin.okta.com/admin/dashboard",
        "https://user:pw@acme.okta.com",
    ],
)
def test_unusable_org_urls_are_refused(url: str) -> None:
    with pytest.raises(OrgUrlError) as info:
        OktaClient(url, ApiToken(API_TOKEN))
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("https://acme.okta.com///", "https://acme.okta.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.3.4.5", "http://127.3.4.5"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_https_and_loopback_http_are_accepted_without_trailing_slashes(
    url: str, normal: str
) -> None:
    assert normalize_org_url(url) == normal
    with OktaClient(url, ApiToken(API_TOKEN)) as client:
        assert client.org_url == normal


def test_the_http_message_says_why() -> None:
    with pytest.raises(OrgUrlError, match="https://"):
        normalize_org_url("http://acme.okta.com")


# -- concurrency ------------------------------------------------------------------------------


def test_map_concurrent_is_bounded_keeps_order_and_gathers_errors() -> None:
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    # Each request waits for two others to be in flight with it, rather than for a time that a
    # slow machine could let pass before they come: 12 requests, 4 rounds of 3. More than 3 at
    # once shows in `peak`; fewer never fill a round, and the wait's deadline fails the test.
    piled_up = threading.Barrier(3)

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            piled_up.wait(timeout=30)
            app_id = request.url.path.split("/")[4]
            if app_id == "0oa7":
                return okta_error(404, "E0000007", "Not found: Resource not found: 0oa7")
            return okta_response(200, [{"id": f"00g-{app_id}", "priority": 0, "profile": {}}])
        finally:
            with lock:
                in_flight -= 1

    ids = [f"0oa{i}" for i in range(12)]
    with make_client(handler, concurrency=3) as client:
        results = client.map_concurrent(lambda i: client.list(f"/api/v1/apps/{i}/groups"), ids)

    assert peak == 3
    assert len(results) == 12
    assert isinstance(results[7], NotFound)
    for i, result in enumerate(results):
        if i != 7:
            assert result == [{"id": f"00g-0oa{i}", "priority": 0, "profile": {}}]


def test_concurrency_must_respect_oktas_per_org_limit() -> None:
    with pytest.raises(ValueError, match="75"):
        OktaClient(ORG, ApiToken(API_TOKEN), concurrency=100)
