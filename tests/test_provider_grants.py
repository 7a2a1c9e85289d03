"""The spec's grant rules against the Okta provider's own table of them.

terraform-provider-okta v6.12, `okta/services/idaas/resource_okta_app_oauth.go`,
`appRequirementsByType`: per application type, the grant types Okta accepts (`ValidGrantTypes`)
and the ones it requires (`RequiredGrantTypes`), checked on create and update. Copied here as
read, so a test (not the runtime) holds the provider's words; the spec language allows a subset.
"""

from __future__ import annotations

from appspecs.desired.render import APPLICATION_TYPE
from appspecs.spec.models import DEFAULT_GRANTS, GRANTS_BY_KIND, REQUIRED_GRANT_BY_KIND

CODE = "authorization_code"
REFRESH = "refresh_token"
CREDENTIALS = "client_credentials"
DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
IMPLICIT = "implicit"
PASSWORD = "password"
SAML2 = "urn:ietf:params:oauth:grant-type:saml2-bearer"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# interaction_code, oob, otp, mfa-oob, mfa-otp, ciba: Okta Identity Engine grants, left out of
# the comparison (the spec language offers none of them).

# application type -> (required, valid), as appRequirementsByType has them.
PROVIDER: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "web": (
        frozenset({CODE}),
        frozenset({CODE, IMPLICIT, REFRESH, CREDENTIALS, SAML2, EXCHANGE, DEVICE}),
    ),
    "native": (
        frozenset({CODE}),
        frozenset({CODE, IMPLICIT, REFRESH, PASSWORD, SAML2, JWT, EXCHANGE, DEVICE}),
    ),
    "browser": (frozenset(), frozenset({IMPLICIT, CODE, REFRESH, SAML2, EXCHANGE, DEVICE})),
    "service": (
        frozenset({CREDENTIALS}),
        frozenset({CREDENTIALS, IMPLICIT, SAML2, EXCHANGE, DEVICE}),
    ),
}


def test_every_grant_the_spec_allows_is_one_okta_accepts_for_the_kind() -> None:
    for kind, grants in GRANTS_BY_KIND.items():
        _, valid = PROVIDER[APPLICATION_TYPE[kind]]
        assert set(grants) <= valid, kind


def test_the_required_grant_of_each_kind_is_the_providers() -> None:
    for kind, required in REQUIRED_GRANT_BY_KIND.items():
        expected, _ = PROVIDER[APPLICATION_TYPE[kind]]
        assert ({required} if required else set()) == expected, kind


def test_each_kinds_default_grants_hold_what_okta_requires() -> None:
    for kind, grants in DEFAULT_GRANTS.items():
        required, valid = PROVIDER[APPLICATION_TYPE[kind]]
        assert required <= set(grants) <= valid, kind
