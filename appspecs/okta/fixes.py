"""What to change when Okta refused the credentials or could not be reached at all.

Such a failure fails every request alike (a wrong org URL, a revoked token), so a command says
what to fix before what failed: the audit's incomplete report, `import` and `secret` alike.
"""

from __future__ import annotations

from appspecs.okta.errors import AuthError, OktaError, PermissionDenied, Unreachable

READ_SCOPES = "okta.apps.read, okta.groups.read, okta.authorizationServers.read"

# Keyed by the error's `what`, which a failed read keeps as its cause.
FIXES = {
    Unreachable.what: "check the org URL (--org-url or OKTA_ORG_URL) and the network",
    AuthError.what: "check OKTA_API_TOKEN, or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY, for this org",
    PermissionDenied.what: (
        f"the credentials need read access to apps, groups and authorization servers ({READ_SCOPES})"
    ),
}
# Rotating or retiring a secret writes to the app: a read-only token is refused there.
WRITE_PERMISSION = (
    "the credentials need to manage apps (okta.apps.manage, beside okta.apps.read) to rotate or "
    "retire a client secret"
)


def fix_for(cause: str, *, write: bool = False) -> str | None:
    """What to change for a failure of this cause, or None when the failure is not one of those."""
    if write and cause == PermissionDenied.what:
        return WRITE_PERMISSION
    return FIXES.get(cause)


def leading_fix(cause: str, failure: str, *, write: bool = False) -> str:
    """`cause: fix (failure)` when the cause has a fix, else ``failure`` as it is."""
    fix = fix_for(cause, write=write)
    return failure if fix is None else f"{cause}: {fix} ({failure})"


def error_with_fix(exc: OktaError, *, write: bool = False) -> str:
    """An Okta error's line, led by what to fix when there is something to fix."""
    return leading_fix(exc.what, str(exc), write=write)
