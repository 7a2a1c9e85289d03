"""The client against the stand-in Okta over real HTTP on 127.0.0.1 (sockets, httpcore, h11)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from appspecs.okta import (
    ApiToken,
    AuthError,
    BadResponse,
    OktaClient,
    PermissionDenied,
    RequestRejected,
    ServiceAppCredentials,
)
from tests.test_okta_fakes import FakeTime

pytest.importorskip("tests.standin", reason="the stand-in Okta is not available")
from tests.standin import Fault, FaultKind, StandinOkta

TOKEN = "standin-ssws-token-0123456789abcdef"


def client_for(
    okta: StandinOkta, *, fake_time: FakeTime | None = None, **kwargs: Any
) -> OktaClient:
    """A client of the stand-in whose retry waits are recorded, not slept."""
    ft = fake_time or FakeTime()
    options: dict[str, Any] = {"sleep": ft.sleep, "clock": ft.clock, "rng": lambda: 0.5}
    options.update(kwargs)
    return OktaClient(okta.url, ApiToken(TOKEN), **options)


@pytest.fixture
def okta() -> Iterator[StandinOkta]:
    with StandinOkta(token=TOKEN, window_seconds=60.0) as server:
        group = server.add_group("sales-ops")
        for i in range(5):
            app = server.add_oidc_app(label=f"app-{i}", redirect_uris=[f"https://a{i}.example/cb"])
            server.assign_group(app["id"], group["id"])
        yield server


def test_pages_over_real_http_and_counts_like_the_server(okta: StandinOkta) -> None:
    with client_for(okta) as client:
        apps = client.list("/api/v1/apps", limit=2)
        groups = client.list(f"/api/v1/apps/{apps[0]['id']}/groups")
    assert sorted(a["label"] for a in apps) == [f"app-{i}" for i in range(5)]
    assert len(groups) == 1
    assert [r.query.get("limit") for r in okta.requests] == ["2", "2", "2", "200"]
    assert client.stats.calls == dict(okta.calls)
    assert {r.auth for r in okta.requests} == {"SSWS"}


def test_a_wrong_token_is_an_auth_error(okta: StandinOkta) -> None:
    with (
        OktaClient(okta.url, ApiToken("not-the-token")) as client,
        pytest.raises(AuthError) as info,
    ):
        client.list("/api/v1/apps")
    assert info.value.error_code == "E0000011"
    assert info.value.error_id


@pytest.mark.parametrize("status", [503, 504])
def test_injected_gateway_errors_are_retried(okta: StandinOkta, status: int) -> None:
    okta.faults.add(Fault(kind="status", status=status, path=r"^/api/v1/apps$", times=2))
    ft = FakeTime()
    with client_for(okta, fake_time=ft) as client:
        assert len(client.list("/api/v1/apps")) == 5
    assert [r.status for r in okta.requests] == [status, status, 200]
    assert ft.sleeps == [0.75, 1.5]


def test_injected_429_waits_for_the_reset_by_the_server_date(okta: StandinOkta) -> None:
    okta.faults.add(Fault(kind="status", status=429, path=r"^/api/v1/groups$", reset_in=3.0))
    ft = FakeTime()
    with client_for(okta, fake_time=ft) as client:
        assert len(client.list("/api/v1/groups")) == 1
    # Reset is rounded up to a whole second and Date truncated to one: 3 to 5 s, plus jitter.
    assert len(ft.sleeps) == 1 and 3.5 <= ft.sleeps[0] <= 5.5
    assert client.stats.rate_limited == 1 == okta.rate_limited


@pytest.mark.parametrize(
    ("kind", "mode"),
    [("drop", ""), ("truncate", "length")],
)
def test_dropped_and_cut_off_responses_are_retried(
    okta: StandinOkta, kind: FaultKind, mode: str
) -> None:
    okta.faults.add(Fault(kind=kind, mode=mode, path=r"^/api/v1/apps$"))
    with client_for(okta) as client:
        assert len(client.list("/api/v1/apps")) == 5
    assert client.stats.retries == 1


@pytest.mark.parametrize(
    ("kind", "mode", "error"),
    [
        ("truncate", "json", BadResponse),
        ("malformed", "text", BadResponse),
        ("malformed", "shape", BadResponse),
        ("broken-link", "host", BadResponse),
        ("broken-link", "scheme", BadResponse),
        ("broken-link", "loop", BadResponse),
        ("broken-link", "cursor", RequestRejected),
    ],
)
def test_responses_that_cannot_be_trusted(
    okta: StandinOkta, kind: FaultKind, mode: str, error: type[Exception]
) -> None:
    okta.faults.add(Fault(kind=kind, mode=mode, path=r"^/api/v1/apps$"))
    with client_for(okta) as client, pytest.raises(error):
        client.list("/api/v1/apps")
    # Never a request to another host: every request the stand-in saw is all there was.
    assert client.stats.total_calls == len(okta.requests)


def test_pacing_keeps_a_small_bucket_from_ever_answering_429() -> None:
    with StandinOkta(token=TOKEN, window_seconds=1.0, limits={"apps": 20}) as okta:
        for i in range(25):
            okta.add_oidc_app(label=f"app-{i:02d}")
        # Started anywhere in a window, the 25 calls could straddle its reset with fewer than 20
        # on each side and never need pacing.
        okta.limiter.wait_for_window_start()
        # Real sleeps: the stand-in's window must really pass. No jitter, to stay quick.
        with OktaClient(okta.url, ApiToken(TOKEN), rng=lambda: 0.0) as client:
            apps = client.list("/api/v1/apps", limit=1)
        assert len(apps) == 25
        assert okta.rate_limited == 0
        assert client.stats.pacing_wait_seconds > 0
        assert client.stats.retries == 0


def test_concurrency_stays_under_the_servers_limit() -> None:
    with StandinOkta(token=TOKEN, latency=0.03, max_concurrent=3) as okta:
        ids = [okta.add_oidc_app(label=f"app-{i}")["id"] for i in range(12)]
        with client_for(okta, concurrency=3) as client:
            results = client.map_concurrent(lambda i: client.get_object(f"/api/v1/apps/{i}"), ids)
        assert [r["id"] for r in results if isinstance(r, dict)] == ids
        assert okta.rate_limited == 0


def test_service_app_bearer_flow_against_the_standin(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with StandinOkta(token=TOKEN) as okta:
        okta.add_oidc_app(label="one")
        okta.register_client_key(
            "0oa8svc", key, ["okta.apps.read", "okta.groups.read", "okta.authorizationServers.read"]
        )
        creds = ServiceAppCredentials(okta.url, "0oa8svc", key, key_id="k1")
        with OktaClient(okta.url, creds) as client:
            assert len(client.list("/api/v1/apps")) == 1
            assert client.list("/api/v1/groups") == []
            with pytest.raises(PermissionDenied):  # read scopes only
                client.post("/api/v1/apps/0oaX/credentials/secrets", {})
        assert [r.auth for r in okta.requests] == ["", "Bearer", "Bearer", "Bearer"]
        assert client.stats.calls == {"token": 1, "apps": 2, "groups": 1}
        issued = list(okta.authority._issued)  # the bearer token the stand-in handed out
    assert len(issued) == 1
    assert issued[0] not in caplog.text


def test_the_token_never_reaches_the_logs_over_real_http(
    okta: StandinOkta,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every step at DEBUG
    okta.faults.add(Fault(kind="drop", path=r"^/api/v1/apps$"))
    with client_for(okta) as client:
        client.list("/api/v1/apps")
    with (
        OktaClient(okta.url, ApiToken("wrong-" + TOKEN)) as wrong,
        pytest.raises(AuthError) as info,
    ):
        wrong.list("/api/v1/apps")
    assert "send_request_headers" in caplog.text  # httpcore's DEBUG lines were captured
    assert TOKEN not in caplog.text
    assert TOKEN not in str(info.value) and TOKEN not in repr(wrong)
