"""From request to bytes: faults, rate limits, auth, routing, then the headers Okta sends.

The order: injected faults first (they stand for the network and the load balancer), then the
rate limiter, then authentication and permissions, then the handler. Counting a call before
looking at its token is the stand-in's choice; Okta's docs do not say which comes first.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from tests.standin.auth import Authority, OAuthError, forbid, public_key
from tests.standin.errors import OktaApiError
from tests.standin.faults import Fault, Faults
from tests.standin.messages import Reply, Request
from tests.standin.pages import link_header, next_url
from tests.standin.ratelimit import RateLimiter, Verdict, bucket_of
from tests.standin.routes import ROUTER
from tests.standin.state import OktaState

TOKEN_PATH = "/oauth2/v1/token"
BAD_CURSOR = "standinInvalidCursor000"
_NOT_JSON = b"<html><head><title>Okta</title></head><body>Unexpected error</body></html>"


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the stand-in saw it. ``status`` is 0 when the connection was dropped."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    bucket: str
    fault: str | None = None
    auth: str = ""  # "SSWS", "Bearer" or "" (no header): never the token itself
    at: float = field(default_factory=time.time)


@dataclass
class Outcome:
    """What the HTTP layer sends: ``send`` as is, ``drop`` nothing, ``short`` a body shorter
    than its ``Content-Length`` before closing."""

    status: int
    headers: dict[str, str]
    body: bytes
    action: Literal["send", "drop", "short"] = "send"


class Dispatcher:
    """Turns a :class:`Request` into an :class:`Outcome`; counts and logs every call."""

    def __init__(
        self, state: OktaState, authority: Authority, limiter: RateLimiter, faults: Faults
    ) -> None:
        self.state = state
        self.authority = authority
        self.limiter = limiter
        self.faults = faults
        self.latency = 0.0
        self.read_only = False
        self.deny_all = False
        self.max_concurrent: int | None = None
        self.calls: Counter[str] = Counter()
        self.requests: list[LoggedRequest] = []
        self.rate_limited = 0
        self._stats = threading.Lock()
        self._in_flight = 0

    def reset_counters(self) -> None:
        """Zero the call counts, the request log and the 429 count; refill every bucket."""
        with self._stats:
            self.calls.clear()
            self.requests.clear()
            self.rate_limited = 0
        self.limiter.reset()

    def handle(self, req: Request) -> Outcome:
        """Answer one request (thread-safe)."""
        bucket = bucket_of(req.path)
        with self._stats:
            self.calls[bucket] += 1
            self._in_flight += 1
            crowded = self.max_concurrent is not None and self._in_flight > self.max_concurrent
        try:
            delay, fault = self.faults.take(req.method, req.path)
            delay += self.latency
            if delay > 0:
                time.sleep(delay)
            if fault is not None and fault.kind in ("status", "drop"):
                out = self._fault_outcome(fault, bucket)
            else:
                verdict = self.limiter.hit(bucket)
                if not verdict.allowed or crowded:
                    out = self._encode(self._error_reply(OktaApiError(429)), verdict)
                else:
                    out = self._encode(self._serve(req), verdict)
                if fault is not None:
                    out = self._spoil(fault, out, req)
        finally:
            with self._stats:
                self._in_flight -= 1
        self._record(req, bucket, out, fault)
        return out

    # --- the normal path -----------------------------------------------------------------

    def _serve(self, req: Request) -> Reply:
        try:
            if req.path == TOKEN_PATH:
                return self._token(req)
            if req.path.startswith("/api/"):
                self.authority.check(req.headers.get("authorization"), req.method, req.path)
                if self.deny_all:
                    raise forbid("The stand-in denies every call (deny_all).")
                if self.read_only and req.method not in ("GET", "HEAD"):
                    raise forbid("The stand-in is read-only (read_only).")
            handler, params = ROUTER.resolve(req.method, req.path)
            with self.state.lock:
                reply = handler(self.state, req, **params)
                # Serialize under the lock: the body is the live state, which tests may mutate.
                return Reply(reply.status, _dumps(reply.body), reply.headers)
        except OktaApiError as err:
            return self._error_reply(err)
        except OAuthError as err:
            return Reply(err.status, _dumps(err.body), {"Cache-Control": "no-store"})
        except Exception as exc:  # a bug in the stand-in: say so in a 500 rather than hang up
            traceback.print_exc()
            cause = f"stand-in bug: {type(exc).__name__}: {exc}"
            return self._error_reply(OktaApiError(500, causes=[cause]))

    def _token(self, req: Request) -> Reply:
        if req.method != "POST":
            raise OktaApiError(405)
        form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        token_url = f"{req.base}{TOKEN_PATH}"
        body = self.authority.issue(form, token_url, self._app_key)
        return Reply(200, _dumps(body), {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _app_key(self, client_id: str, kid: str | None) -> RSAPublicKey | None:
        """A key from the JWKS of the active service app with this client id, if any."""
        app = self.state.app_by_client_id(client_id)
        if app is None or app.get("status") != "ACTIVE":
            return None
        client = app.get("settings", {}).get("oauthClient", {})
        if "client_credentials" not in client.get("grant_types", []):
            raise OAuthError(
                400,
                "unauthorized_client",
                "The client is not authorized to use the provided grant type.",
            )
        for jwk in (client.get("jwks") or {}).get("keys", []):
            if jwk.get("kty") == "RSA" and (kid is None or jwk.get("kid") == kid):
                try:
                    return public_key(jwk)
                except (jwt.PyJWTError, TypeError, ValueError):
                    continue
        return None

    @staticmethod
    def _error_reply(err: OktaApiError) -> Reply:
        return Reply(err.status, _dumps(err.body()), dict(err.headers))

    def _encode(self, reply: Reply, verdict: Verdict) -> Outcome:
        headers = {
            "Content-Type": "application/json",
            **verdict.headers(),
            "X-Okta-Request-Id": secrets.token_urlsafe(18),
            **reply.headers,
        }
        body = reply.body if isinstance(reply.body, bytes) else b""
        return Outcome(reply.status, headers, body)

    # --- faults --------------------------------------------------------------------------

    def _fault_outcome(self, fault: Fault, bucket: str) -> Outcome:
        if fault.kind == "drop":
            return Outcome(0, {}, b"", "drop")
        verdict = self.limiter.peek(bucket)
        if fault.status == 429:
            reset = int(-(-(time.time() + fault.reset_in) // 1))  # round up to whole seconds
            verdict = Verdict(bucket, verdict.limit, 0, reset, False)
        return self._encode(self._error_reply(OktaApiError(fault.status)), verdict)

    def _spoil(self, fault: Fault, out: Outcome, req: Request) -> Outcome:
        if fault.kind == "truncate":
            if fault.mode == "json":
                return Outcome(out.status, out.headers, out.body[: len(out.body) // 2])
            return Outcome(out.status, out.headers, out.body, "short")
        if fault.kind == "malformed":
            if fault.mode == "text":
                return Outcome(200, out.headers, _NOT_JSON)
            parsed: Any = json.loads(out.body) if out.body else None
            wrong = [parsed] if isinstance(parsed, dict) else {"items": parsed}
            return Outcome(200, out.headers, _dumps(wrong))
        if fault.kind == "broken-link" and fault.mode in ("endless", "unending"):
            return self._never_ending(fault, out, req)
        if fault.kind == "broken-link":
            headers = dict(out.headers, Link=link_header(req.url, self._broken_next(fault, req)))
            return Outcome(out.status, headers, out.body)
        return out

    @staticmethod
    def _never_ending(fault: Fault, out: Outcome, req: Request) -> Outcome:
        """The first page as it is; every later page (whose made-up cursor the handler refused)
        empty or the first page's objects under new ids; always a next link, new cursor."""
        first = not any(k == "after" for k, _ in req.params)
        if first:
            fault.first_page = out.body if out.status == 200 else b"[]"
            body = fault.first_page
        elif fault.mode == "endless":
            body = b"[]"
        else:
            tag = secrets.token_hex(4)
            items = json.loads(fault.first_page or b"[]")
            body = _dumps([dict(i, id=f"{i.get('id', '')}{tag}") for i in items])
        nxt = next_url(req.base, req.path, req.params, f"never{secrets.token_hex(6)}", 200)
        headers = dict(out.headers, Link=link_header(req.url, nxt))
        return Outcome(200, headers, body)

    @staticmethod
    def _broken_next(fault: Fault, req: Request) -> str:
        if fault.mode == "loop":
            return req.url
        url = next_url(req.base, req.path, req.params, BAD_CURSOR, 20)
        if fault.mode == "cursor":
            return url
        parts = urlsplit(url)
        if fault.mode == "host":
            return urlunsplit(parts._replace(netloc="okta.invalid"))
        return urlunsplit(parts._replace(scheme="https"))

    # --- bookkeeping ---------------------------------------------------------------------

    def _record(self, req: Request, bucket: str, out: Outcome, fault: Fault | None) -> None:
        scheme = (req.headers.get("authorization") or "").partition(" ")[0]
        entry = LoggedRequest(
            method=req.method,
            path=req.path,
            query=dict(req.params),
            status=out.status,
            bucket=bucket,
            fault=fault.kind if fault is not None else None,
            auth=scheme if scheme in ("SSWS", "Bearer") else "",
        )
        with self._stats:
            self.requests.append(entry)
            if out.status == 429:
                self.rate_limited += 1


def _dumps(body: Any) -> bytes:
    if body is None:
        return b""
    return json.dumps(body, separators=(",", ":")).encode()
