"""An Okta client for a command: org URL and credentials from the environment, checked first."""

from __future__ import annotations

from collections.abc import Mapping

from appspecs.okta import OktaClient, credentials_from_env, normalize_org_url


def open_client(org_url: str, env: Mapping[str, str], *, write: bool = False) -> OktaClient:
    """A client for ``org_url``; raises ``OrgUrlError`` or ``CredentialsError`` before any call.

    ``write`` asks a service app's token for ``okta.apps.manage`` (secret rotation).
    """
    url = normalize_org_url(org_url)
    return OktaClient(url, credentials_from_env(env, url, write=write))
