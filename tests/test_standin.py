"""The stand-in Okta over real HTTP: paging, filters, auth, rate limits, faults, secrets, tokens."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.standin import Fault, OktaApiError, StandinOkta, bucket_of, filters
from tests.standin.table import Table, UnknownCursor
from tests.waiting import wait_for

SSWS = {"Authorization": "SSWS test-token"}


@pytest.fixture
def okta() -> Iterator[StandinOkta]:
    with StandinOkta() as org:
        yield org


@pytest.fixture
def client(okta: StandinOkta) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=okta.url, headers=SSWS, timeout=5) as c:
        yield c


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _apps(okta: StandinOkta, n: int, prefix: str = "App") -> list[dict[str, Any]]:
    return [
        okta.add_oidc_app(label=f"{prefix} {i:03d}", redirect_uris=[f"https://a{i}.example/cb"])
        for i in range(n)
    ]


def _walk(c: httpx.Client, url: str) -> tuple[list[dict[str, Any]], list[httpx.Response]]:
    items: list[dict[str, Any]] = []
    responses = []
    next_url: str | None = url
    while next_url:
        r = c.get(next_url)
        assert r.status_code == 200, r.text
        responses.append(r)
        items += r.json()
        next_url = r.links.get("next", {}).get("url")
    return items, responses


# --- paging, filters, lookups --------------------------------------------------------------


def test_apps_page_in_creation_order_with_self_and_next_links(okta, client):
    made = _apps(okta, 45)
    items, pages = _walk(client, "/api/v1/apps?limit=20")
    assert [len(p.json()) for p in pages] == [20, 20, 5]
    assert [a["id"] for a in items] == [a["id"] for a in made]
    first = pages[0]
    assert first.links["self"]["url"] == f"{okta.url}/api/v1/apps?limit=20"
    assert first.links["next"]["url"] == f"{okta.url}/api/v1/apps?after={made[19]['id']}&limit=20"
    assert "next" not in pages[-1].links and "self" in pages[-1].links


def test_apps_default_limit_is_20_and_max_is_200(okta, client):
    _apps(okta, 201)
    assert len(client.get("/api/v1/apps").json()) == 20
    big = client.get("/api/v1/apps", params={"limit": 1000})
    assert len(big.json()) == 200
    assert "limit=200" in big.links["next"]["url"]


def test_app_filter_and_q_and_next_link_keeps_them(okta, client):
    _apps(okta, 3, "CRM")
    off = okta.add_oidc_app(label="CRM off", redirect_uris=["https://x/cb"], status="INACTIVE")
    _apps(okta, 2, "Billing")
    inactive = client.get("/api/v1/apps", params={"filter": 'status eq "INACTIVE"'}).json()
    assert [a["id"] for a in inactive] == [off["id"]]
    crm = client.get("/api/v1/apps", params={"q": "crm"}).json()
    assert len(crm) == 4
    both = client.get("/api/v1/apps", params={"filter": 'name eq "oidc_client"', "limit": 2})
    assert len(both.json()) == 2
    assert "filter=name%20eq%20%22oidc_client%22" in both.links["next"]["url"]
    items, _ = _walk(client, both.links["next"]["url"])
    assert len(items) == 4
    bad = client.get("/api/v1/apps", params={"filter": 'label eq "x"'})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "E0000031"


def test_get_app_and_okta_404_and_405_bodies(okta, client):
    app = _apps(okta, 1)[0]
    got = client.get(f"/api/v1/apps/{app['id']}").json()
    assert got["id"] == app["id"] and got["credentials"]["oauthClient"]["client_id"] == app["id"]
    assert got["id"].startswith("0oa") and len(got["id"]) == 20
    missing = client.get("/api/v1/apps/0oaNOPE")
    assert missing.status_code == 404
    body = missing.json()
    assert body["errorCode"] == "E0000007" and body["errorLink"] == "E0000007"
    assert body["errorSummary"] == "Not found: Resource not found: 0oaNOPE (AppInstance)"
    assert body["errorId"].startswith("oae") and body["errorCauses"] == []
    assert missing.headers["content-type"] == "application/json"
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert client.patch("/api/v1/apps").json()["errorCode"] == "E0000022"


def test_app_groups_limit_is_clamped_to_20_and_paged(okta, client):
    app = _apps(okta, 1)[0]
    groups = [okta.add_group(f"g{i:02d}") for i in range(25)]
    for i, g in enumerate(groups):
        okta.assign_group(app["id"], g["id"], priority=i)
    items, pages = _walk(client, f"/api/v1/apps/{app['id']}/groups?limit=5")
    assert [len(p.json()) for p in pages] == [20, 5]
    assert [a["id"] for a in items] == [g["id"] for g in groups]
    assert items[3]["priority"] == 3 and items[3]["_links"]["group"]["href"].endswith(
        groups[3]["id"]
    )


def test_assign_unassign_over_http_and_group_apps(okta, client):
    app, other = _apps(okta, 2)
    grp = okta.add_group("sales-ops")
    put = client.put(
        f"/api/v1/apps/{app['id']}/groups/{grp['id']}", json={"priority": 2, "profile": {"r": 1}}
    )
    assert put.status_code == 200 and put.json()["priority"] == 2
    okta.assign_group(other["id"], grp["id"])
    listed = client.get(f"/api/v1/groups/{grp['id']}/apps").json()
    assert [a["id"] for a in listed] == [app["id"], other["id"]]
    assert listed[0]["settings"]["oauthClient"]["redirect_uris"] == ["https://a0.example/cb"]
    assert client.delete(f"/api/v1/apps/{app['id']}/groups/{grp['id']}").status_code == 204
    assert client.get(f"/api/v1/apps/{app['id']}/groups/{grp['id']}").status_code == 404
    assert [a["id"] for a in client.get(f"/api/v1/groups/{grp['id']}/apps").json()] == [other["id"]]


def test_group_search_q_and_filter(okta, client):
    sales = okta.add_group("Sales-Ops", description="sales")
    okta.add_group("sales-eu")
    okta.add_group("finance")
    eq = client.get("/api/v1/groups", params={"search": 'profile.name eq "sales-ops"'}).json()
    assert [g["id"] for g in eq] == [sales["id"]]
    sw = client.get("/api/v1/groups", params={"search": 'profile.name sw "sales"'}).json()
    assert len(sw) == 2
    assert len(client.get("/api/v1/groups", params={"q": "fin"}).json()) == 1
    typed = client.get("/api/v1/groups", params={"filter": 'type eq "OKTA_GROUP"'}).json()
    assert len(typed) == 3
    paged = client.get("/api/v1/groups", params={"limit": 2})
    assert len(paged.json()) == 2 and "next" in paged.links
    assert client.get(f"/api/v1/groups/{sales['id']}").json()["profile"]["description"] == "sales"


def test_authorization_server_reads(okta, client):
    srv = okta.add_auth_server("appspecs-api", audiences=["api://appspecs"])
    other = okta.add_auth_server("other", audiences=["api://other"])
    scp = okta.add_scope(srv["id"], "api:data:company", metadata_publish="ALL_CLIENTS")
    pol = okta.add_policy(srv["id"], "crm-sync", client_ids=["0oaclient"], priority=1)
    rul = okta.add_rule(srv["id"], pol["id"], "crm-sync", scopes=["api:data:company"])
    base = f"/api/v1/authorizationServers/{srv['id']}"
    assert len(client.get("/api/v1/authorizationServers").json()) == 2
    assert client.get(base).json()["issuer"] == f"{okta.url}/oauth2/{srv['id']}"
    scopes = client.get(f"{base}/scopes").json()
    assert [(s["id"], s["metadataPublish"]) for s in scopes] == [(scp["id"], "ALL_CLIENTS")]
    assert client.get(f"{base}/scopes/{scp['id']}").json()["name"] == scp["name"]
    pols = client.get(f"{base}/policies").json()
    assert pols[0]["conditions"]["clients"]["include"] == ["0oaclient"]
    rules = client.get(f"{base}/policies/{pol['id']}/rules").json()
    assert rules[0]["conditions"]["scopes"]["include"] == ["api:data:company"]
    assert client.get(f"{base}/policies/{pol['id']}/rules/{rul['id']}").json()["id"] == rul["id"]
    wrong = client.get(f"/api/v1/authorizationServers/{other['id']}/policies/{pol['id']}")
    assert wrong.status_code == 404 and "(Policy)" in wrong.json()["errorSummary"]


def test_state_edits_show_in_responses(okta, client):
    app = _apps(okta, 1)[0]
    okta.state.apps[app["id"]]["label"] = "Renamed"
    assert client.get(f"/api/v1/apps/{app['id']}").json()["label"] == "Renamed"


# --- authentication and permissions --------------------------------------------------------


def test_missing_or_wrong_token_is_401(okta):
    for headers in ({}, {"Authorization": "SSWS nope"}, {"Authorization": "SSWStest-token"}):
        r = httpx.get(f"{okta.url}/api/v1/apps", headers=headers)
        assert r.status_code == 401
        assert r.json()["errorCode"] == "E0000011"
        assert r.json()["errorSummary"] == "Invalid token provided"


def test_read_only_and_deny_all_answer_403(okta, client):
    app = _apps(okta, 1)[0]
    okta.read_only = True
    assert client.get("/api/v1/apps").status_code == 200
    write = client.post(f"/api/v1/apps/{app['id']}/credentials/secrets", json={})
    assert write.status_code == 403 and write.json()["errorCode"] == "E0000006"
    okta.read_only = False
    okta.deny_all = True
    assert client.get("/api/v1/groups").status_code == 403
    okta.deny_all = False
    assert client.get("/api/v1/groups").status_code == 200


# --- rate limits ---------------------------------------------------------------------------


def test_bucket_names():
    assert bucket_of("/api/v1/apps") == "apps"
    assert bucket_of("/api/v1/apps/0oa1/groups") == "apps"
    assert bucket_of("/api/v1/apps/0oa1/credentials/secrets") == "apps"
    assert bucket_of("/api/v1/apps/0oa1") == "app"
    assert bucket_of("/api/v1/groups/00g1/apps") == "groups"
    assert bucket_of("/api/v1/authorizationServers/aus1/scopes") == "authorizationServers"
    assert bucket_of("/oauth2/v1/token") == "token"
    assert bucket_of("/api/v1/users") == "other"


def test_rate_limit_headers_then_429_then_reset():
    # The windows follow a clock this test moves: all four calls land in one window, and the
    # next window comes when the test says, not after a wait.
    now = [float(int(time.time()) // 10 * 10)]  # a window's start, this very window's
    with (
        StandinOkta(window_seconds=10.0, limits={"apps": 3}) as okta,
        httpx.Client(base_url=okta.url, headers=SSWS) as c,
    ):
        okta.limiter.clock = lambda: now[0]
        remaining = []
        for _ in range(3):
            r = c.get("/api/v1/apps")
            assert r.status_code == 200
            remaining.append(int(r.headers["X-Rate-Limit-Remaining"]))
            assert r.headers["X-Rate-Limit-Limit"] == "3"
        assert remaining == [2, 1, 0]
        r = c.get("/api/v1/apps")
        assert r.status_code == 429
        body = r.json()
        assert body["errorCode"] == "E0000047" and body["errorLink"] == "E0000047"
        assert body["errorSummary"] == "API call exceeded rate limit due to too many requests."
        assert body["errorCauses"] == [] and body["errorId"].startswith("oae")
        assert r.headers["X-Rate-Limit-Remaining"] == "0"
        reset = int(r.headers["X-Rate-Limit-Reset"])
        date = parsedate_to_datetime(r.headers["Date"]).timestamp()
        # the reset is the next window's start, ahead of the Date the answer carries
        assert reset == now[0] + 10 and 0 < reset - date <= 10
        assert c.get("/api/v1/groups").status_code == 200  # other buckets unaffected
        assert okta.rate_limited == 1 and okta.calls["apps"] == 4
        now[0] = reset - 0.5
        assert c.get("/api/v1/apps").status_code == 429  # still the same window
        now[0] = reset
        assert c.get("/api/v1/apps").status_code == 200


def test_enforce_false_only_reports():
    with (
        StandinOkta(limits={"groups": 1}, enforce=False) as okta,
        httpx.Client(base_url=okta.url, headers=SSWS) as c,
    ):
        statuses = [c.get("/api/v1/groups").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        assert c.get("/api/v1/groups").headers["X-Rate-Limit-Remaining"] == "0"
        assert okta.rate_limited == 0


def test_calls_request_log_and_reset_counters(okta, client):
    app = _apps(okta, 1)[0]
    client.get("/api/v1/apps", params={"limit": 5})
    client.get(f"/api/v1/apps/{app['id']}")
    client.get("/api/v1/apps/missing")
    assert okta.calls == {"apps": 1, "app": 2}
    assert [(r.method, r.path, r.status) for r in okta.requests] == [
        ("GET", "/api/v1/apps", 200),
        ("GET", f"/api/v1/apps/{app['id']}", 200),
        ("GET", "/api/v1/apps/missing", 404),
    ]
    assert okta.requests[0].query == {"limit": "5"} and okta.requests[0].auth == "SSWS"
    okta.reset_counters()
    assert not okta.calls and not okta.requests and okta.rate_limited == 0


def test_max_concurrent_answers_429_beyond_the_limit():
    with StandinOkta(latency=1.0, max_concurrent=1) as okta:
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def call() -> None:
            barrier.wait()
            statuses.append(httpx.get(f"{okta.url}/api/v1/groups", headers=SSWS).status_code)

        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 429]


# --- faults --------------------------------------------------------------------------------


def test_status_fault_hits_next_n_matching_requests(okta, client):
    fault = okta.faults.add(Fault(kind="status", status=503, path=r"^/api/v1/apps$", times=2))
    assert client.get("/api/v1/groups").status_code == 200  # path does not match
    first, second, third = (client.get("/api/v1/apps") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["errorCode"] == "E0000010"
    assert fault.hits == 2 and len(okta.faults) == 0
    assert okta.requests[1].fault == "status"


@pytest.mark.parametrize(("status", "code"), [(500, "E0000009"), (504, "E0000009")])
def test_server_error_faults_have_okta_bodies(okta, client, status, code):
    okta.faults.add(Fault(kind="status", status=status))
    r = client.get("/api/v1/apps")
    assert r.status_code == status and r.json()["errorCode"] == code


def test_429_fault_reset_ahead(okta, client):
    okta.faults.add(Fault(kind="status", status=429, reset_in=5))
    r = client.get("/api/v1/groups")
    assert r.status_code == 429 and r.json()["errorCode"] == "E0000047"
    assert r.headers["X-Rate-Limit-Remaining"] == "0"
    assert 4 <= int(r.headers["X-Rate-Limit-Reset"]) - time.time() <= 6.5
    assert okta.rate_limited == 1


def test_drop_fault_closes_without_response(okta, client):
    okta.faults.add(Fault(kind="drop", method="GET"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/v1/apps")
    assert okta.requests[-1].status == 0
    assert client.get("/api/v1/apps").status_code == 200


def test_truncate_faults(okta, client):
    _apps(okta, 3)
    okta.faults.add(Fault(kind="truncate"))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/v1/apps")
    okta.faults.add(Fault(kind="truncate", mode="json"))
    cut = client.get("/api/v1/apps")
    assert cut.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_malformed_faults(okta, client):
    app = _apps(okta, 1)[0]
    okta.faults.add(Fault(kind="malformed"))
    text = client.get("/api/v1/apps")
    assert text.status_code == 200 and text.text.startswith("<html>")
    okta.faults.add(Fault(kind="malformed", mode="shape"))
    assert isinstance(client.get("/api/v1/apps").json(), dict)
    okta.faults.add(Fault(kind="malformed", mode="shape"))
    assert isinstance(client.get(f"/api/v1/apps/{app['id']}").json(), list)


def test_broken_link_faults(okta, client):
    _apps(okta, 2)
    okta.faults.add(Fault(kind="broken-link"))
    r = client.get("/api/v1/apps")
    assert len(r.json()) == 2  # a last page, yet it carries a next link
    bad = client.get(r.links["next"]["url"])
    assert bad.status_code == 400 and bad.json()["errorCode"] == "E0000001"
    for mode, start in (("host", "http://okta.invalid/"), ("scheme", "https://127.0.0.1:")):
        okta.faults.add(Fault(kind="broken-link", mode=mode))
        assert client.get("/api/v1/apps").links["next"]["url"].startswith(start)
    okta.faults.add(Fault(kind="broken-link", mode="loop"))
    looped = client.get("/api/v1/apps?limit=1")
    assert looped.links["next"]["url"] == f"{okta.url}/api/v1/apps?limit=1"


def test_latency_fault_and_global_latency(okta, client):
    okta.faults.add(Fault(kind="latency", seconds=0.3, path="/groups"))
    t0 = time.perf_counter()
    client.get("/api/v1/apps")
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.get("/api/v1/groups")
    slow = time.perf_counter() - t0
    assert slow >= 0.3 > fast
    okta.latency = 0.2
    t0 = time.perf_counter()
    client.get("/api/v1/apps")
    assert time.perf_counter() - t0 >= 0.2


def test_fault_rejects_unknown_kind_or_mode():
    with pytest.raises(ValueError):
        Fault(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault(kind="truncate", mode="html")


# --- client secrets ------------------------------------------------------------------------


def test_secret_rules(okta, client):
    app = _apps(okta, 1)[0]
    base = f"/api/v1/apps/{app['id']}/credentials/secrets"
    first = client.post(base, json={})
    assert first.status_code == 201
    s1 = first.json()
    assert (
        s1["status"] == "ACTIVE" and s1["id"].startswith("ocs") and len(s1["client_secret"]) >= 14
    )
    s2 = client.post(base, json={"client_secret": "x" * 20}).json()
    assert s2["client_secret"] == "x" * 20
    third = client.post(base, json={})
    assert third.status_code == 400
    assert third.json()["errorCauses"] == [
        {"errorSummary": "You've reached the maximum number of client secrets per client."}
    ]
    deleting_active = client.delete(f"{base}/{s1['id']}")
    assert deleting_active.status_code == 400
    off = client.post(f"{base}/{s1['id']}/lifecycle/deactivate")
    assert off.status_code == 200 and off.json()["status"] == "INACTIVE"
    assert set(off.json()["_links"]) == {"activate", "delete"}
    only = client.post(f"{base}/{s2['id']}/lifecycle/deactivate")
    assert only.status_code == 400
    assert "only active" in only.json()["errorCauses"][0]["errorSummary"]
    assert client.delete(f"{base}/{s1['id']}").status_code == 204
    assert [s["id"] for s in client.get(base).json()] == [s2["id"]]
    assert client.get(f"{base}/{s1['id']}").status_code == 404
    short = client.post(base, json={"client_secret": "short"})
    assert short.status_code == 400 and short.json()["errorSummary"].endswith("client_secret")


def test_create_app_over_http_makes_a_secret(okta, client):
    body = {
        "name": "oidc_client",
        "label": "Made over HTTP",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_post"}},
        "settings": {
            "oauthClient": {
                "grant_types": ["authorization_code"],
                "redirect_uris": ["https://m.example/cb"],
                "response_types": ["code"],
                "application_type": "web",
            }
        },
    }
    r = client.post("/api/v1/apps", json=body)
    assert r.status_code == 200
    app = r.json()
    assert app["credentials"]["oauthClient"]["client_secret"]
    assert app["id"] in okta.state.apps
    assert (
        "client_secret"
        not in client.get(f"/api/v1/apps/{app['id']}").json()["credentials"]["oauthClient"]
    )
    assert len(client.get(f"/api/v1/apps/{app['id']}/credentials/secrets").json()) == 1
    saml = client.post("/api/v1/apps", json={**body, "signOnMode": "SAML_2_0"})
    assert saml.status_code == 400


# --- the token endpoint ----------------------------------------------------------------------


def _assertion(key: rsa.RSAPrivateKey, client_id: str, aud: str, **extra: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        **extra,
    }
    return jwt.encode(claims, key, algorithm="RS256")


def _token(okta: StandinOkta, assertion: str, scope: str) -> httpx.Response:
    return httpx.post(
        okta.token_url,
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )


def test_token_endpoint_issues_scoped_bearer_tokens(rsa_key):
    with StandinOkta(private_keys={"0oaservice": rsa_key}) as okta:
        okta.add_group("g")
        assertion = _assertion(rsa_key, "0oaservice", okta.token_url)
        r = _token(okta, assertion, "okta.apps.read")
        assert r.status_code == 200, r.text
        tok = r.json()
        assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600
        assert tok["scope"] == "okta.apps.read"
        bearer = {"Authorization": f"Bearer {tok['access_token']}"}
        assert httpx.get(f"{okta.url}/api/v1/apps", headers=bearer).status_code == 200
        denied = httpx.get(f"{okta.url}/api/v1/groups", headers=bearer)
        assert denied.status_code == 403 and denied.json()["errorCode"] == "E0000006"
        assert "insufficient_scope" in denied.headers["WWW-Authenticate"]
        replay = _token(okta, assertion, "okta.apps.read")
        assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
        assert okta.calls["token"] == 2
        bad = httpx.get(f"{okta.url}/api/v1/apps", headers={"Authorization": "Bearer forged"})
        assert bad.status_code == 401 and bad.json()["errorCode"] == "E0000011"


def test_token_endpoint_rejects_bad_assertions(rsa_key):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with StandinOkta(private_keys={"0oaservice": rsa_key.public_key()}) as okta:
        wrong_aud = _assertion(rsa_key, "0oaservice", f"{okta.url}/oauth2/default/v1/token")
        wrong_key = _assertion(other_key, "0oaservice", okta.token_url)
        unknown = _assertion(rsa_key, "0oaunknown", okta.token_url)
        other_sub = _assertion(rsa_key, "0oaservice", okta.token_url, sub="someone")
        for assertion in (wrong_aud, wrong_key, unknown, other_sub):
            r = _token(okta, assertion, "okta.apps.read")
            assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        no_scope = _token(okta, _assertion(rsa_key, "0oaservice", okta.token_url), "")
        assert no_scope.status_code == 400 and no_scope.json()["error"] == "invalid_scope"


def test_token_endpoint_uses_a_service_apps_jwks(rsa_key):
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk["kid"] = "k1"
    with StandinOkta() as okta:
        svc = okta.add_oidc_app(
            label="auditor",
            application_type="service",
            grant_types=["client_credentials"],
            response_types=["token"],
            token_endpoint_auth_method="private_key_jwt",
            jwks={"keys": [jwk]},
        )
        client_id = svc["credentials"]["oauthClient"]["client_id"]
        signed = jwt.encode(
            {
                "iss": client_id,
                "sub": client_id,
                "aud": okta.token_url,
                "exp": int(time.time()) + 60,
            },
            rsa_key,
            algorithm="RS256",
            headers={"kid": "k1"},
        )
        r = _token(okta, signed, "okta.groups.read okta.apps.read")
        assert r.status_code == 200, r.text
        bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert httpx.get(f"{okta.url}/api/v1/groups", headers=bearer).status_code == 200


# --- building blocks -------------------------------------------------------------------------


def test_filter_expressions():
    allow = lambda attr: True  # noqa: E731
    obj = {"status": "ACTIVE", "name": "oidc_client", "profile": {"name": "Sales"}, "n": 3}
    assert filters.parse('status eq "ACTIVE" and name eq "oidc_client"', allow)(obj)
    assert filters.parse('status eq "INACTIVE" or (n gt 2 and n le 3)', allow)(obj)
    assert not filters.parse('profile.name eq "sales"', allow)(obj)  # filter: exact values
    assert filters.parse('profile.name EQ "sales"', allow, caseless=True)(obj)  # search
    assert filters.parse("profile.name pr", allow)(obj)
    with pytest.raises(OktaApiError) as info:
        filters.parse('status eq "ACTIVE" and', allow)
    assert info.value.status == 400 and info.value.code == "E0000031"


def test_table_cursor_survives_deletes_and_reinsertion_moves_to_the_end():
    table: Table[dict[str, str]] = Table()
    for key in "abcde":
        table[key] = {"id": key}
    page, more = table.page(None, 2)
    assert [v["id"] for v in page] == ["a", "b"] and more
    del table["b"]
    page, more = table.page("b", 2)  # a deleted key still works as a cursor
    assert [v["id"] for v in page] == ["c", "d"] and more
    table["a"] = {"id": "a2"}  # an update keeps its place
    del table["c"]
    table["c"] = {"id": "c"}  # a re-insert goes last
    assert list(table) == ["a", "d", "e", "c"]
    assert table.page("e", 5) == ([{"id": "c"}], False)
    with pytest.raises(UnknownCursor):
        table.page("zz", 1)


def test_unknown_cursor_is_a_400(okta, client):
    _apps(okta, 1)
    r = client.get("/api/v1/apps", params={"after": "0oaNeverIssued"})
    assert r.status_code == 400 and r.json()["errorCode"] == "E0000001"


def test_a_client_that_hangs_up_mid_request_prints_no_traceback(okta, capfd):
    host, port = okta.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET /api/v1/apps HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        # Linger 0: close() sends a reset, as a killed client does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # the handler thread reads the reset, and closes its end: any traceback is printed by then
    wait_for(lambda: okta.closed_connections == 1, "the stand-in to close the reset connection")
    assert httpx.get(f"{okta.url}/api/v1/apps", headers=SSWS).status_code == 200
    assert "Traceback" not in capfd.readouterr().err
