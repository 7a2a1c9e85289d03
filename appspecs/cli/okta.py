"""Reaching the Okta org from a command: ``--org-url``, credentials and client tuning from the
environment, and Okta's errors as one line and exit 2.

Only the commands that talk to Okta import this (with httpx behind it); `appspec validate`, run
on every commit, does not.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import click

from appspecs.cli.common import fail
from appspecs.okta import (
    CredentialsError,
    OktaClient,
    OktaError,
    OrgUrlError,
    credentials_from_env,
    normalize_org_url,
)
from appspecs.okta.client import MAX_CONCURRENCY
from appspecs.okta.fixes import error_with_fix
from appspecs.records import record

F = TypeVar("F", bound=Callable[..., Any])

ENV_ORG_URL = "OKTA_ORG_URL"
# Not flags: tuning for tests and unusual orgs, kept out of --help.
ENV_MAX_RETRIES = "APPSPECS_OKTA_MAX_RETRIES"
ENV_RETRY_BUDGET = "APPSPECS_OKTA_RETRY_BUDGET"
ENV_TIMEOUT = "APPSPECS_OKTA_TIMEOUT"
ENV_CONCURRENCY = "APPSPECS_OKTA_CONCURRENCY"


def org_url_option(func: F) -> F:
    return click.option(
        "--org-url",
        envvar=ENV_ORG_URL,
        required=True,
        help=f"The Okta org, https://<org>.okta.com [env {ENV_ORG_URL}]. Credentials come from "
        "OKTA_API_TOKEN, or OKTA_CLIENT_ID with OKTA_PRIVATE_KEY.",
    )(func)


def checked_org_url(org_url: str) -> str:
    """The org URL as the client uses it; a bad one exits 2 before anything is read."""
    try:
        return normalize_org_url(org_url)
    except OrgUrlError as exc:
        fail(f"{_org_url_source()}: {exc}")


def _org_url_source() -> str:
    """Where the user set the URL, as a message names it: the flag, or the variable."""
    ctx = click.get_current_context(silent=True)
    from_env = ctx is not None and (
        ctx.get_parameter_source("org_url") is click.core.ParameterSource.ENVIRONMENT
    )
    return ENV_ORG_URL if from_env else "--org-url"


@record
class ClientSettings:
    """How hard the client tries before a read counts as failed."""

    max_retries: int = 6
    retry_budget_seconds: float = 120.0
    timeout: float = 30.0
    concurrency: int = 8


# Each tuning variable: its kind and the values that mean something. A value past them used
# to be taken as another (concurrency 0 as 1, a timeout of 0 as the default) or to fail deep in
# the client (a timeout of 1e300 overflows the socket's, nan compares false with every bound).
_TUNING: dict[str, tuple[type[int] | type[float], float, float]] = {
    ENV_MAX_RETRIES: (int, 0, 100),
    ENV_RETRY_BUDGET: (float, 0, 86_400),
    ENV_TIMEOUT: (float, 0.001, 3_600),
    ENV_CONCURRENCY: (int, 1, MAX_CONCURRENCY),
}


def _tuning(env: Mapping[str, str], name: str, default: float) -> float:
    kind, low, high = _TUNING[name]
    raw = env.get(name, "").strip()
    if not raw:
        return default
    accepted = (
        f"a whole number from {low:g} to {high:g}"
        if kind is int
        else f"a number of seconds from {low:g} to {high:g}"
    )
    # digits as a shell user writes them: Python's own int() and float() also take 1_000,
    # other scripts' digits and 1e3, which no other tool reading this variable would
    shape = r"[0-9]+" if kind is int else r"[0-9]+(\.[0-9]*)?|\.[0-9]+"
    try:
        if not re.fullmatch(shape, raw, re.ASCII):
            raise ValueError(raw)
        value = kind(raw)  # ValueError past Python's 4,300 digits
    except ValueError:
        fail(f"{name} must be {accepted}, not {raw[:40]!r}")
    if not low <= value <= high:  # false for nan too
        why = ", Okta's limit per org" if name == ENV_CONCURRENCY else ""
        fail(f"{name} must be {accepted}{why}, not {raw[:40]!r}")
    return value


def client_settings(env: Mapping[str, str]) -> ClientSettings:
    """Read the tuning variables; a malformed one is a usage error, not a silent default."""
    base = ClientSettings()
    return ClientSettings(
        max_retries=int(_tuning(env, ENV_MAX_RETRIES, base.max_retries)),
        retry_budget_seconds=_tuning(env, ENV_RETRY_BUDGET, base.retry_budget_seconds),
        timeout=_tuning(env, ENV_TIMEOUT, base.timeout),
        concurrency=int(_tuning(env, ENV_CONCURRENCY, base.concurrency)),
    )


def connect(
    org_url: str, *, write: bool = False, on_response: Callable[[str], None] | None = None
) -> OktaClient:
    """A client of the org, credentials and tuning from the environment; either wrong exits 2.

    ``write`` asks a service app's token for ``okta.apps.manage`` (secret rotation).
    """
    url = checked_org_url(org_url)
    try:
        credentials = credentials_from_env(os.environ, url, write=write)
    except CredentialsError as exc:
        fail(str(exc))
    settings = client_settings(os.environ)
    try:
        return OktaClient(
            url,
            credentials,
            concurrency=settings.concurrency,
            max_retries=settings.max_retries,
            retry_budget_seconds=settings.retry_budget_seconds,
            timeout=settings.timeout,
            on_response=on_response,
        )
    except OktaError as exc:
        fail(str(exc))


@contextlib.contextmanager
def okta_errors(*, write: bool = False) -> Iterator[None]:
    """Okta's own errors (unreachable, refusing, answering oddly) are I/O problems: exit 2,
    led by what to fix when the org URL or the credentials are to blame (``write``: the
    command changes the org, so a refusal is about managing apps)."""
    try:
        yield
    except OktaError as exc:
        fail(error_with_fix(exc, write=write))
