"""The Okta Management API client: paging, per-bucket pacing, retries, typed errors, stats.

Retry policy, per request (``max_retries`` retries at most, and all retry waits of a client
together at most ``retry_budget_seconds``; waits of concurrent requests each count):

- 429: wait until the bucket's reset (``X-Rate-Limit-Reset`` minus the response's ``Date``)
  plus jitter, then retry; when retries or budget run out, ``RateLimitExhausted``.
- 502, 503, 504, connection errors, timeouts, a body cut off: exponential backoff with jitter;
  then ``TransientError`` (``BadResponse`` for a body that never arrives whole).
- 500: retried once, GET only: Okta's 500s are occasionally transient, but a POST that failed
  with 500 may have been applied. Then ``ServerError``.
- 401 with a service app: the cached bearer token is dropped and fetched again, once.
- POST is retried only where it cannot have been applied (429, a connection never made),
  unless the caller declares it idempotent.
- Anything else (other 4xx, 3xx) is raised at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from appspecs.okta.auth import TOKEN_PATH, Credentials, ServiceAppCredentials
from appspecs.okta.buckets import TOKEN, bucket_of
from appspecs.okta.errors import (
    BadResponse,
    CredentialsError,
    OktaError,
    RateLimitExhausted,
    TransientError,
)
from appspecs.okta.orgurl import normalize_org_url
from appspecs.okta.paging import PageCursor, page_limit
from appspecs.okta.ratelimit import RateLimiter, rate_limit_info
from appspecs.okta.responses import (
    body_is_complete,
    okta_fields,
    parse_json,
    shown_url,
    status_error,
)
from appspecs.okta.stats import ClientStats

log = logging.getLogger("appspecs.okta")

T = TypeVar("T")
R = TypeVar("R")

Params = Mapping[str, str | int | bool]

#: Okta allows 75 concurrent requests per org, shared with every other client of the org.
MAX_CONCURRENCY = 75
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
JITTER_SECONDS = 1.0
USER_AGENT = "appspecs/0.1 (+httpx)"

_GATEWAY_STATUSES = frozenset({502, 503, 504})
_SEND_ERRORS = (
    httpx.ConnectError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.TimeoutException,
)
_BODY_ERRORS = (httpx.ReadError, httpx.RemoteProtocolError, httpx.TimeoutException)
# Failures before the request could reach Okta: safe to retry even for a POST.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class _Failed:
    """An attempt without a usable response: the connection failed or the body was cut off."""

    error: Exception | None
    during_body: bool


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
        self._max_retries = max_retries
        self._budget = retry_budget_seconds
        self._budget_spent = 0.0
        self._budget_lock = threading.Lock()
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self._on_response = on_response
        self._slots = threading.BoundedSemaphore(concurrency)
        self._limiter = RateLimiter(clock=clock, sleep=sleep, jitter=self._jitter)
        self._origin = httpx.URL(self.org_url)
        self.stats = ClientStats()
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(
                max_connections=concurrency, max_keepalive_connections=concurrency
            ),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

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

    def list(self, path: str, params: Params | None = None, *, limit: int | None = None) -> list[Any]:
        """GET every page of a listing, following ``Link: rel="next"`` exactly as given.

        ``limit`` is the page size; by default the largest the endpoint accepts (none is sent
        for endpoints without paging). Each page must be a JSON list.
        """
        query: dict[str, str | int | bool] = dict(params or {})
        size = limit if limit is not None else page_limit(path)
        if size is not None and "limit" not in query:
            query["limit"] = size
        cursor = PageCursor(self._origin)
        url: httpx.URL = self._url(path)
        page_params: Params | None = query
        items: list[Any] = []
        while True:
            response = self._request("GET", url, params=page_params)
            cursor.visited(response.request.url)
            page = parse_json(response)
            if not isinstance(page, list):
                raise self._shape_error(response, "a JSON list", page)
            items.extend(page)
            nxt = cursor.next_url(response, "GET")
            if nxt is None:
                return items
            url, page_params = nxt, None

    def post(self, path: str, json: Any = None, *, idempotent: bool = False) -> Any:
        """POST JSON (or nothing, for lifecycle calls); the parsed body, or None when empty.

        A POST is retried on 5xx and read failures only if the caller says it is idempotent.
        """
        response = self._request("POST", self._url(path), json=json, idempotent=idempotent)
        return parse_json(response) if response.content.strip() else None

    def delete(self, path: str) -> None:
        """DELETE a path (204 expected; a body, if any, is ignored)."""
        self._request("DELETE", self._url(path))

    def map_concurrent(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R | OktaError]:
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

    def _jitter(self) -> float:
        return JITTER_SECONDS * self._rng()

    def _backoff(self, retries: int) -> float:
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**retries)
        return ceiling / 2 + ceiling / 2 * self._rng()

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
        retries = 0
        reauthenticated = False
        retried_500 = False
        try:
            while True:
                authorization = (
                    self._credentials.authorization(self._fetch_token) if authenticate else None
                )
                headers = {"Authorization": authorization} if authorization else None
                request = self._http.build_request(
                    method, url, params=params, json=json, data=data, headers=headers
                )
                outcome = self._attempt(bucket, request, retries)
                if isinstance(outcome, _Failed):
                    error = outcome.error
                    retryable = idempotent or isinstance(error, _NOT_SENT_ERRORS)
                    if outcome.during_body:
                        retryable = idempotent
                    if retryable and retries < self._max_retries:
                        if self._pause(self._backoff(retries)):
                            retries += 1
                            continue
                    raise self._failure_error(request, outcome, retries)
                response = outcome
                status = response.status_code
                if 200 <= status < 300:
                    return response
                if status == 429:
                    self.stats.count_429()
                    info = rate_limit_info(response.headers)
                    wait = info.delay + self._jitter() if info else self._backoff(retries)
                    if retries < self._max_retries and self._pause(wait):
                        self._limiter.window_passed(bucket)
                        retries += 1
                        continue
                    raise self._exhausted(response, retries)
                if (
                    status == 401
                    and authenticate
                    and self._credentials.refreshable
                    and not reauthenticated
                ):
                    # A bearer token can be revoked or expire early; one fresh token may cure it.
                    self._credentials.invalidate(authorization)
                    reauthenticated = True
                    retries += 1
                    self.stats.count_retry()
                    continue
                transient = status in _GATEWAY_STATUSES and idempotent
                once_500 = status == 500 and method == "GET" and not retried_500
                if (transient or once_500) and retries < self._max_retries:
                    if self._pause(self._backoff(retries)):
                        retried_500 = retried_500 or status == 500
                        retries += 1
                        continue
                if status in _GATEWAY_STATUSES:
                    raise TransientError(
                        f"still failing after {retries} retries"
                        if idempotent
                        else "not retried: the request may have been applied",
                        method=method,
                        url=shown_url(request.url),
                        status=status,
                        **okta_fields(response),
                    )
                raise status_error(response, token_endpoint=bucket == TOKEN)
        finally:
            if self._on_response is not None:
                self._on_response(url.path)

    def _attempt(self, bucket: str, request: httpx.Request, retries: int) -> httpx.Response | _Failed:
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
                    log.debug("%s %s -> %s (attempt %d)", request.method, request.url.path,
                              type(e).__name__, retries + 1)
                    return _Failed(e, during_body=False)
                try:
                    response.read()
                except _BODY_ERRORS as e:
                    return _Failed(e, during_body=True)
                finally:
                    response.close()
                log.debug("%s %s -> %d (bucket %s, attempt %d)", request.method,
                          request.url.path, response.status_code, bucket, retries + 1)
                if not body_is_complete(response):
                    return _Failed(None, during_body=True)
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
        self.stats.add_retry_wait(seconds)
        self._sleep(seconds)
        return True

    def _exhausted(self, response: httpx.Response, retries: int) -> RateLimitExhausted:
        why = (
            f"after {retries} retries"
            if retries >= self._max_retries
            else f"after {retries} retries, the {self._budget:g}s retry wait budget is spent"
        )
        return RateLimitExhausted(
            why,
            method=response.request.method,
            url=shown_url(response.request.url),
            status=429,
            **okta_fields(response),
        )

    def _failure_error(self, request: httpx.Request, failed: _Failed, retries: int) -> OktaError:
        where = {"method": request.method, "url": shown_url(request.url)}
        cause = type(failed.error).__name__ if failed.error is not None else "short body"
        if failed.during_body:
            error: OktaError = BadResponse(
                f"body truncated ({cause}) after {retries} retries", **where
            )
        else:
            error = TransientError(f"{cause} after {retries} retries", **where)
        error.__cause__ = failed.error
        return error

    @staticmethod
    def _shape_error(response: httpx.Response, expected: str, got: Any) -> BadResponse:
        return BadResponse(
            f"expected {expected}, got {type(got).__name__}",
            method=response.request.method,
            url=shown_url(response.request.url),
            status=response.status_code,
        )
