"""Which of Okta's rate-limit buckets a request path counts against.

Okta meters endpoints in separate buckets with very different sizes (the apps list and
everything below an app share a small one; a single app by id has its own larger one), so the
client tracks ``X-Rate-Limit-*`` per bucket rather than per org.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

APPS = "apps"
APP = "app"
GROUPS = "groups"
AUTHORIZATION_SERVERS = "authorizationServers"
TOKEN = "token"
OTHER = "other"

BUCKETS: tuple[str, ...] = (APPS, APP, GROUPS, AUTHORIZATION_SERVERS, TOKEN, OTHER)

_APP_BY_ID = re.compile(r"/api/v1/apps/[^/]+")


def bucket_of(path_or_url: str) -> str:
    """Bucket name of a path (``/api/v1/apps/0oa1/groups``) or of a full URL (a next link)."""
    path = urlsplit(path_or_url).path if "://" in path_or_url else path_or_url
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if _APP_BY_ID.fullmatch(path):
        return APP
    if path == "/api/v1/apps" or path.startswith("/api/v1/apps/"):
        return APPS
    if path == "/api/v1/groups" or path.startswith("/api/v1/groups/"):
        return GROUPS
    if path == "/api/v1/authorizationServers" or path.startswith("/api/v1/authorizationServers/"):
        return AUTHORIZATION_SERVERS
    if path == "/oauth2/v1/token":
        return TOKEN
    return OTHER
