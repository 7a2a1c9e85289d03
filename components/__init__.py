"""Pulumi components that turn the rendered desired state into pulumi_okta resources."""

from __future__ import annotations

from components.auth_server import ApiAuthServer
from components.oidc_app import OidcApp
from components.okta_resources import GroupLookup

__all__ = ["ApiAuthServer", "GroupLookup", "OidcApp"]
