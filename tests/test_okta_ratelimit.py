"""Rate-limit buckets, pacing on the server's clock, retries, the wait budget, and stats."""

from __future__ import annotations

import json

import httpx
import pytest

from appspecs.okta import NotFound, RateLimitExhausted, TransientError, bucket_of
from appspecs.okta.ratelimit import RateLimiter
from tests.test_okta_fakes import (
    SERVER_NOW,
    FakeTime,
    make_client,
    oidc_app,
    okta_error,
    okta_response,
    rate_limited,
)

JITTER = 0.5  # make_client fixes rng at 0.5 and jitter spans one second


@pytest.mark.parametrize(
    ("path", "bucket"),
    [
        ("/api/v1/apps", "apps"),
        ("/api/v1/apps/", "apps"),
        ("/api/v1/apps?filter=x", "apps"),
        ("/api/v1/apps/0oa1", "app"),
        ("/api/v1/apps/0oa1/groups", "apps"),
        ("/api/v1/apps/0oa1/credentials/secrets/ocs1/lifecycle/activate", "apps"),
        ("/api/v1/groups", "groups"),
        ("/api/v1/groups/00g1/apps", "groups"),
        ("/api/v1/authorizationServers", "authorizationServers"),
        ("/api/v1/authorizationServers/aus1/policies/00p1/rules", "authorizationServers"),
        ("/oauth2/v1/token", "token"),
        ("/api/v1/users", "other"),
        ("/api/v1/appsettings", "other"),
        ("https://acme.okta.com/api/v1/apps?after=0oa1&limit=200", "apps"),
    ],
)
def test_bucket_of(path: str, bucket: str) -> None:
    assert bucket_of(path) == bucket


def test_429_waits_reset_minus_server_date_plus_jitter_then_succeeds() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            # The server's clock says 2030: only reset - Date gives a sane 7 s.
            return rate_limited(reset=SERVER_NOW + 7, date=SERVER_NOW)
        return okta_response(200, [oidc_app("0oa1")], reset=SERVER_NOW + 67, date=SERVER_NOW + 8)

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client:
        apps = client.list("/api/v1/apps")
    assert [a["id"] for a in apps] == ["0oa1"]
    assert ft.sleeps == [7 + JITTER]
    assert client.stats.to_json() == {
        "calls": {"apps": 2},
        "total_calls": 2,
        "retries": 1,
        "rate_limited": 1,
        "wait_seconds": 7.5,
        "retry_wait_seconds": 7.5,
        "pacing_wait_seconds": 0.0,
    }


def test_429_storm_beyond_max_retries_raises_rate_limit_exhausted() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return rate_limited(reset=SERVER_NOW + 2)

    ft = FakeTime()
    with (
        make_client(handler, fake_time=ft, max_retries=3) as client,
        pytest.raises(RateLimitExhausted) as info,
    ):
        client.get("/api/v1/apps")
    assert calls == 4
    assert ft.sleeps == [2.5, 2.5, 2.5]
    err = info.value
    assert isinstance(err, TransientError)
    assert (err.status, err.error_code) == (429, "E0000047")
    assert "after 3 retries" in str(err)
    assert client.stats.rate_limited == 4 and client.stats.retries == 3


def test_429_storm_beyond_the_wait_budget_stops_without_sleeping_past_it() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return rate_limited(reset=SERVER_NOW + 50)

    ft = FakeTime()
    with (
        make_client(handler, fake_time=ft, retry_budget_seconds=120.0) as client,
        pytest.raises(RateLimitExhausted, match="budget"),
    ):
        client.get("/api/v1/groups")
    assert ft.sleeps == [50.5, 50.5]  # a third 50.5 s wait would pass 120 s
    assert calls == 3


def test_the_budget_is_shared_by_all_requests_of_a_client() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return rate_limited(reset=SERVER_NOW + 50)

    ft = FakeTime()
    with (
        make_client(handler, fake_time=ft, retry_budget_seconds=60.0) as client,
        pytest.raises(RateLimitExhausted),
    ):
        client.get("/api/v1/apps/0oa1")
        with pytest.raises(RateLimitExhausted, match="budget"):
            client.get("/api/v1/apps/0oa2")
    # The first request spent 50.5 of 60 s; the second may not wait at all.
    assert ft.sleeps == [50.5]


def test_proactive_wait_when_remaining_reaches_the_reserve() -> None:
    events: list[str] = []
    remaining = iter([7, 6, 5, 99])

    def handler(request: httpx.Request) -> httpx.Response:
        events.append("call")
        left = next(remaining)
        reset = SERVER_NOW + 30 if left != 99 else SERVER_NOW + 90
        return okta_response(200, [], limit=100, remaining=left, reset=reset, date=SERVER_NOW)

    ft = FakeTime()
    original_sleep = ft.sleep

    def sleep(seconds: float) -> None:
        events.append(f"sleep {seconds}")
        original_sleep(seconds)

    with make_client(handler, fake_time=ft, sleep=sleep) as client:
        for _ in range(4):
            client.list("/api/v1/groups")
    # Reserve is max(1, 5% of 100) = 5: after Remaining 5 arrives, the next call waits for
    # the reset (30 s after the server's Date) before it is sent.
    assert events == ["call", "call", "call", "sleep 30.5", "call"]
    assert client.stats.pacing_wait_seconds == 30.5
    assert client.stats.retries == 0


def test_pacing_is_per_bucket() -> None:
    events: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        events.append(bucket_of(request.url.path))
        if bucket_of(request.url.path) == "apps":
            return okta_response(200, [], limit=100, remaining=1, reset=SERVER_NOW + 40)
        return okta_response(200, [], limit=600, remaining=500, reset=SERVER_NOW + 40)

    def sleep(seconds: float) -> None:
        events.append(f"sleep {seconds}")

    with make_client(handler, sleep=sleep) as client:
        client.list("/api/v1/apps")
        client.list("/api/v1/groups")  # the nearly spent apps bucket must not hold this up
        client.list("/api/v1/apps/0oa1/groups")
    assert events == ["apps", "groups", "sleep 40.5", "apps"]


def test_reserve_counts_calls_in_flight() -> None:
    ft = FakeTime()
    limiter = RateLimiter(clock=ft.clock, sleep=ft.sleep, jitter=lambda: 0.0)
    headers = httpx.Headers(
        {
            "Date": "Tue, 01 Jan 2030 00:00:00 GMT",
            "X-Rate-Limit-Limit": "20",
            "X-Rate-Limit-Remaining": "4",
            "X-Rate-Limit-Reset": str(SERVER_NOW + 10),
        }
    )
    limiter.acquire("apps")
    limiter.release("apps", headers, ft.clock())
    # Remaining 4, reserve max(1, 5% of 20) = 1: three may go at once, the fourth waits.
    for _ in range(3):
        assert limiter.acquire("apps") == 0.0
    assert limiter.acquire("apps") == 10.0
    assert ft.sleeps == [10.0]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_with_exponential_backoff(status: int) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:
            return okta_response(status, content=b"<html>upstream unavailable</html>")
        return okta_response(200, [oidc_app("0oa1")])

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client:
        assert len(client.list("/api/v1/apps")) == 1
    # Equal jitter at rng 0.5: 1 s ceiling -> 0.75, 2 s ceiling -> 1.5.
    assert ft.sleeps == [0.75, 1.5]
    assert client.stats.retries == 2 and client.stats.calls == {"apps": 3}


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadTimeout("The read operation timed out"),
    ],
)
def test_connection_failures_are_retried(error: Exception) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise error
        return okta_response(200, {"id": "0oa1"})

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client:
        assert client.get("/api/v1/apps/0oa1") == {"id": "0oa1"}
    assert calls == 2 and ft.sleeps == [0.75]


def test_connection_failures_that_persist_raise_transient_error_from_the_cause() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("[Errno 104] Connection reset by peer")

    with (
        make_client(handler, max_retries=4) as client,
        pytest.raises(TransientError, match="ReadError after 4 retries") as info,
    ):
        client.get("/api/v1/apps/0oa1")
    assert isinstance(info.value.__cause__, httpx.ReadError)
    assert client.stats.calls == {"app": 5}


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectError("[Errno -2] Name or service not known"),
    ],
)
def test_a_refused_connection_or_unknown_host_is_retried_twice_only(error: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    ft = FakeTime()
    with (
        make_client(handler, max_retries=6, fake_time=ft) as client,
        pytest.raises(TransientError, match="ConnectError after 2 retries") as info,
    ):
        client.get("/api/v1/apps/0oa1")
    assert str(error) in str(info.value)
    assert client.stats.calls == {"app": 3}
    assert ft.sleeps == [0.75, 1.5]


def test_a_connect_timeout_still_gets_every_retry() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out")

    with (
        make_client(handler, max_retries=4, fake_time=FakeTime()) as client,
        pytest.raises(TransientError, match="ConnectTimeout after 4 retries"),
    ):
        client.get("/api/v1/apps/0oa1")
    assert client.stats.calls == {"app": 5}


def test_a_post_is_retried_on_429_and_on_a_connection_never_made() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        if calls == 2:
            return rate_limited(reset=SERVER_NOW + 3)
        return okta_response(201, {"id": "ocs2", "status": "ACTIVE"})

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client:
        assert client.post("/api/v1/apps/0oa1/credentials/secrets", {})["id"] == "ocs2"
    assert ft.sleeps == [0.75, 3.5]


def test_a_post_is_not_retried_after_a_connection_reset() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadError("[Errno 104] Connection reset by peer")

    with make_client(handler) as client, pytest.raises(TransientError):
        client.post("/api/v1/apps/0oa1/credentials/secrets", {})
    assert calls == 1


def test_429_without_rate_limit_headers_backs_off() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(429, json={"errorCode": "E0000047"})
        return okta_response(200, [])

    ft = FakeTime()
    with make_client(handler, fake_time=ft) as client:
        client.list("/api/v1/groups")
    assert ft.sleeps == [0.75]


def test_stats_count_every_attempt_per_bucket_and_serialize() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if request.url.path == "/api/v1/groups" and calls == 2:
            return okta_error(503, "E0000009", "Service unavailable")
        if request.url.path == "/api/v1/users/me":
            return okta_error(404, "E0000007", "Not found: Resource not found: me (User)")
        return okta_response(200, [])

    with make_client(handler) as client:
        client.list("/api/v1/apps")
        client.list("/api/v1/groups")
        client.list("/api/v1/authorizationServers")
        with pytest.raises(NotFound):
            client.get("/api/v1/users/me")
    stats = client.stats.to_json()
    assert stats["calls"] == {"apps": 1, "authorizationServers": 1, "groups": 2, "other": 1}
    assert stats["total_calls"] == 5 and stats["retries"] == 1
    assert json.loads(json.dumps(stats)) == stats
