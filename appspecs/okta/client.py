"""The Okta Management API client: paging, per-bucket pacing, retries, typed errors, stats.

The retry policy is described in ``retry.py``; this module runs requests through it, spending a
client-wide budget of ``retry_budget_seconds`` on retry waits (concurrent waits each count).
Pacing waits ahead of a bucket's reset are not retries and do not spend that budget.
"""

from __future__ import annotations

import builtins
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from appspecs.okta.auth import TOKEN_PATH, Credentials, ServiceAppCredentials
from appspecs.okta.buckets import TOKEN, bucket_of
from appspecs.okta.errors import BadResponse, CredentialsError, OktaError, ProxySettingsError
from appspecs.okta.orgurl import is_loopback_host, normalize_org_url
from appspecs.okta.paging import PageCursor, page_cap, page_limit
from appspecs.okta.ratelimit import RateLimiter
from appspecs.okta.responses import bad_response, body_is_complete, json_type, parse_json
from appspecs.okta.retry import Attempts, Failed, RetryPolicy
from appspecs.okta.stats import ClientStats

log = logging.getLogger("appspecs.okta")

T = TypeVar("T")
R = TypeVar("R")

Params = Mapping[str, str | int | bool]

#: Okta allows 75 concurrent requests per org, shared with every other client of the org.
MAX_CONCURRENCY = 75
USER_AGENT = "appspecs/0.1 (+httpx)"

_SEND_ERRORS = (
    httpx.ConnectError,
    httpx.ProxyError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.TimeoutException,
)
_BODY_ERRORS = (httpx.ReadError, httpx.RemoteProtocolError, httpx.TimeoutException)


class OktaClient:
    """A synchronous, thread-safe client of the Okta Management API."""

    def __init__(
        self,
        org_url: str,
        credentials: Credentials,
        *,
        transport: httpx.BaseTransport | None = None,
        concurrency: int = 8,
        max_retries: int = 6,
        retry_budget_seconds: float = 120.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        on_response: Callable[[str], None] | None = None,
    ) -> None:
        self.org_url = normalize_org_url(org_url)
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
        if max_retries < 0 or retry_budget_seconds < 0:
            raise ValueError("max_retries and retry_budget_seconds must not be negative")
        if isinstance(credentials, ServiceAppCredentials) and credentials.org_url != self.org_url:
            # The assertion's audience names the org; another org's token endpoint refuses it.
            raise CredentialsError("the service app credentials were made for another org URL")
        self._credentials = credentials
        self._concurrency = concurrency
        self._budget = retry_budget_seconds
        self._budget_spent = 0.0
        self._budget_lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self._on_response = on_response
        self._slots = threading.BoundedSemaphore(concurrency)
        self._policy = RetryPolicy(max_retries, rng)
        self._limiter = RateLimiter(clock=clock, sleep=sleep, jitter=self._policy.jitter)
        self._origin = httpx.URL(self.org_url)
        self.stats = ClientStats(clock=clock)
        try:
            self._http = httpx.Client(
                transport=transport,
                timeout=timeout,
                follow_redirects=False,
                limits=httpx.Limits(
                    max_connections=concurrency, max_keepalive_connections=concurrency
                ),
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                # Plain http is allowed only because it never leaves the machine: through an
                # HTTP_PROXY from the environment, the token would cross the network in clear.
                trust_env=not is_loopback_host(self._origin.host),
            )
        except (ValueError, ImportError, httpx.InvalidURL) as exc:
            # A proxy setting httpx cannot use (a bad URL, socks without socksio): said plainly.
            raise ProxySettingsError(str(exc)) from exc

    # -- public API ---------------------------------------------------------------------------

    def get(self, path: str, params: Params | None = None) -> Any:
        """GET a path below the org and return the parsed JSON body."""
        return parse_json(self._request("GET", self._url(path), params=params))

    def get_object(self, path: str, params: Params | None = None) -> dict[str, Any]:
        """GET a single object; a body that is not a JSON object is a ``BadResponse``."""
        response = self._request("GET", self._url(path), params=params)
        body = parse_json(response)
        if not isinstance(body, dict):
            raise self._shape_error(response, "a JSON object", body)
        return body

    def list(
        self, path: str, params: Params | None = None, *, limit: int | None = None
    ) -> list[Any]:
        """GET every page of a listing, following ``Link: rel="next"`` exactly as given.

        ``limit`` is the page size; by default the largest the endpoint accepts (none is sent
        for endpoints without paging). Each page must be a JSON list. An object whose ``id``
        was already listed is dropped: a cursor page can repeat an item when the org changes
        during the listing, and a repeat is not a second object (a duplicated app would look
        like two apps carrying one marker).
        """
        query: dict[str, str | int | bool] = dict(params or {})
        size = limit if limit is not None else page_limit(path)
        if size is not None and "limit" not in query:
            query["limit"] = size
        cursor = PageCursor(self._origin, page_cap(path, int(query.get("limit", 0)) or None))
        url: httpx.URL = self._url(path)
        page_params: Params | None = query
        items: list[Any] = []
        seen: set[str] = set()
        while True:
            response = self._request("GET", url, params=page_params)
            cursor.visited(response.request.url)
            page = parse_json(response)
            if not isinstance(page, list):
                raise self._shape_error(response, "a JSON list", page)
            before = len(items)
            for item in page:
                item_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(item_id, str):
                    if item_id in seen:
                        continue
                    seen.add(item_id)
                items.append(item)
            nxt = cursor.next_url(response, "GET", len(items) - before)
            if nxt is None:
                return items
            url, page_params = nxt, None

    def post(self, path: str, json: Any = None, *, idempotent: bool = False) -> Any:
        """POST JSON (or nothing, for lifecycle calls); the parsed body, or None when empty.

        A POST is retried on 502/503/504 and cut-off responses only if the caller declares it
        idempotent; on 429 and refused connections always (it cannot have been applied).
        """
        response = self._request("POST", self._url(path), json=json, idempotent=idempotent)
        return parse_json(response) if response.content.strip() else None

    def delete(self, path: str) -> None:
        """DELETE a path (204 expected; a body, if any, is ignored)."""
        self._request("DELETE", self._url(path))

    def map_concurrent(
        self, fn: Callable[[T], R], items: Iterable[T]
    ) -> builtins.list[R | OktaError]:
        """Run ``fn`` over ``items`` in up to ``concurrency`` threads, results in input order.

        An ``OktaError`` raised by ``fn`` takes that item's place in the result so one failure
        does not hide the others; any other exception is a bug and propagates.
        """
        todo = list(items)
        if not todo:
            return []

        def run(item: T) -> R | OktaError:
            try:
                return fn(item)
            except OktaError as e:
                return e

        workers = min(self._concurrency, len(todo))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="okta") as pool:
            return list(pool.map(run, todo))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OktaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OktaClient(org_url={self.org_url!r}, credentials={self._credentials!r})"

    # -- one request, with retries ----------------------------------------------------------

    def _url(self, path: str) -> httpx.URL:
        if not path.startswith("/") or path.startswith("//"):
            raise ValueError(f"path must start with a single '/': {path!r}")
        return httpx.URL(self.org_url + path)

    def _fetch_token(self, form: Mapping[str, str]) -> Any:
        url = httpx.URL(self.org_url + TOKEN_PATH)
        response = self._request("POST", url, data=dict(form), authenticate=False, idempotent=True)
        return parse_json(response)

    def _request(
        self,
        method: str,
        url: httpx.URL,
        *,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        authenticate: bool = True,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        if idempotent is None:
            idempotent = method in ("GET", "DELETE")
        bucket = bucket_of(url.path)
        attempts = Attempts()
        try:
            while True:
                authorization = (
                    self._credentials.authorization(self._fetch_token) if authenticate else None
                )
                headers = {"Authorization": authorization} if authorization else None
                request = self._http.build_request(
                    method, url, params=params, json=json, data=data, headers=headers
                )
                outcome = self._attempt(bucket, request, attempts.retries)
                cause: Exception | None = None
                if isinstance(outcome, Failed):
                    cause = outcome.error
                    decision = self._policy.after_failure(request, outcome, idempotent, attempts)
                elif 200 <= outcome.status_code < 300:
                    return outcome
                else:
                    if outcome.status_code == 429:
                        self.stats.count_429()
                    decision = self._policy.after_status(
                        outcome,
                        idempotent,
                        attempts,
                        can_reauthenticate=authenticate and self._credentials.refreshable,
                        token_endpoint=bucket == TOKEN,
                    )
                if isinstance(decision, OktaError):
                    raise decision from cause
                if not self._pause(decision.wait):
                    raise decision.give_up from cause
                if decision.rate_limited:
                    # We waited out the window ourselves; do not pace for it a second time.
                    self._limiter.window_passed(bucket)
                if decision.reauthenticate:
                    self._credentials.invalidate(authorization)
                    attempts.reauthenticated = True
                if not isinstance(outcome, Failed) and outcome.status_code == 500:
                    attempts.retried_500 = True
                attempts.retries += 1
        finally:
            if self._on_response is not None:
                self._on_response(url.path)

    def _attempt(
        self, bucket: str, request: httpx.Request, retries: int
    ) -> httpx.Response | Failed:
        """Send once, within the bucket's pacing and the client's concurrency."""
        waited = self._limiter.acquire(bucket)
        if waited:
            self.stats.add_pacing_wait(waited)
        response: httpx.Response | None = None
        try:
            with self._slots:
                self.stats.count_call(bucket)
                try:
                    response = self._http.send(request, stream=True)
                except _SEND_ERRORS as e:
                    log.debug(
                        "%s %s -> %s (attempt %d)",
                        request.method,
                        request.url.path,
                        type(e).__name__,
                        retries + 1,
                    )
                    return Failed(e, during_body=False)
                try:
                    response.read()
                except _BODY_ERRORS as e:
                    return Failed(e, during_body=True)
                finally:
                    response.close()
                log.debug(
                    "%s %s -> %d (bucket %s, attempt %d)",
                    request.method,
                    request.url.path,
                    response.status_code,
                    bucket,
                    retries + 1,
                )
                if not body_is_complete(response):
                    return Failed(None, during_body=True)
                return response
        finally:
            received = response.headers if response is not None else None
            self._limiter.release(bucket, received, self._clock())

    def _pause(self, seconds: float) -> bool:
        """Spend ``seconds`` of the retry budget and sleep; False (no sleep) if it is spent."""
        with self._budget_lock:
            if self._budget_spent + seconds > self._budget:
                return False
            self._budget_spent += seconds
        self.stats.count_retry()
        if seconds > 0:
            self.stats.add_retry_wait(seconds)
            self._sleep(seconds)
        return True

    @staticmethod
    def _shape_error(response: httpx.Response, expected: str, got: Any) -> BadResponse:
        return bad_response(response, f"expected {expected}, got a JSON {json_type(got)}")
