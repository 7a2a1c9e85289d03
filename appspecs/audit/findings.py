"""Audit findings: how the live org differs from a stack's desired state, as data.

Every code is stable (docs/commands.md lists the same table). ``app`` is the spec's name, or None
for findings about the authorization server or about apps that are not ours.

=============================  ========  ==================================================
code                           severity  meaning
=============================  ========  ==================================================
held-app-live                  critical  a partner app held for approval (none recorded, or
                                         for an older version of its spec) is live: kept by
                                         its protection if it was approved before (retire it
                                         on purpose), else made outside the pipeline
auth-server-missing            high      the authorization server is not in the org: no
                                         app's access can be checked
app-missing                    high      a declared app is not live (no app has its marker)
app-duplicate                  high      more than one live app carries the same marker
app-orphaned                   medium    a live app has the marker but no spec for this
                                         stack (none at all, or ``environments`` leave it out)
app-marker-malformed           medium    a live app's ``profile.appspecs`` is not a marker:
                                         no spec can be matched to the app
app-changed                    varies    a client setting differs (``field``): high for
                                         redirect_uris, grant_types, token_endpoint_auth_method
                                         (a key-based client back on a secret), jwks_uri,
                                         pkce_required, consent_method; low for label;
                                         medium otherwise (rotation, consent links)
key-unlisted                   high      the live app accepts a public key (by ``kid``) its
                                         spec does not list
key-changed                    high      a declared ``kid`` holds another key live
key-missing                    medium    a declared key is not on the live app
app-outdated                   low       the live marker's digest is not the spec's: the
                                         deployed app is behind the spec
policy-missing                 high      the app's access policy is not on the server
policy-other-clients           high      the app's policy also names other client ids
policy-changed                 medium    the app's policy is not active, or does not name the
                                         app's client id (``field`` status or clients)
policy-unmanaged               medium    a policy not made from a spec names the app's client
rule-missing                   high      the app's policy has no rule named for the app
rule-changed                   varies    the rule's status, grant types, groups, users or
                                         token lifetimes differ: high when it reaches more
                                         people, or its tokens live longer, than declared
scopes-granted-beyond-spec     high      active rules grant the app scopes its spec does not
scopes-missing                 medium    declared scopes that no active rule grants the app
groups-added-live              medium    groups assigned to the app live, not in its spec
groups-removed-live            medium    declared groups the app is not assigned live
group-ambiguous                high      a declared group's name is carried by several live
                                         groups: the app may reach the wrong one unseen
unmanaged-client-access        high      a policy on the server names a client id no spec
                                         manages: an app without the marker, one whose
                                         marker is orphaned or a duplicate, or no app at all
all-clients-policy             high      an active policy on the server covers ALL_CLIENTS
auth-server-changed            medium    the server's audiences or status differ
scope-not-in-catalog           medium    a scope on the server that the catalog does not list
catalog-scope-missing          medium    a catalog scope the server does not have
scope-changed                  low       a scope's display name, description, consent or
                                         metadata publishing differs (``field``)
secret-too-old                 medium    an active client secret is older than the stack's
                                         ``appspecs:maxSecretAgeDays``
secret-age-unknown             medium    an active client secret's creation time cannot be
                                         read, so its age cannot be checked
=============================  ========  ==================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from appspecs.records import record


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for the most severe."""
        return _RANK[self]


_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank))

#: Every code and its severity; codes whose severity depends on the field say so above and
#: list their default here.
CODES: dict[str, Severity] = {
    "held-app-live": Severity.CRITICAL,
    "auth-server-missing": Severity.HIGH,
    "app-missing": Severity.HIGH,
    "app-duplicate": Severity.HIGH,
    "app-orphaned": Severity.MEDIUM,
    "app-marker-malformed": Severity.MEDIUM,
    "app-changed": Severity.MEDIUM,
    "key-unlisted": Severity.HIGH,
    "key-changed": Severity.HIGH,
    "key-missing": Severity.MEDIUM,
    "app-outdated": Severity.LOW,
    "policy-missing": Severity.HIGH,
    "policy-other-clients": Severity.HIGH,
    "policy-changed": Severity.MEDIUM,
    "policy-unmanaged": Severity.MEDIUM,
    "rule-missing": Severity.HIGH,
    "rule-changed": Severity.MEDIUM,
    "scopes-granted-beyond-spec": Severity.HIGH,
    "scopes-missing": Severity.MEDIUM,
    "groups-added-live": Severity.MEDIUM,
    "groups-removed-live": Severity.MEDIUM,
    "group-ambiguous": Severity.HIGH,
    "unmanaged-client-access": Severity.HIGH,
    "all-clients-policy": Severity.HIGH,
    "auth-server-changed": Severity.MEDIUM,
    "scope-not-in-catalog": Severity.MEDIUM,
    "catalog-scope-missing": Severity.MEDIUM,
    "scope-changed": Severity.LOW,
    "secret-too-old": Severity.MEDIUM,
    "secret-age-unknown": Severity.MEDIUM,
}

#: ``app-changed`` severities by field (others: the code's default).
APP_FIELD_SEVERITY: dict[str, Severity] = {
    "redirect_uris": Severity.HIGH,
    "grant_types": Severity.HIGH,
    "token_endpoint_auth_method": Severity.HIGH,
    "pkce_required": Severity.HIGH,
    "consent_method": Severity.HIGH,
    "jwks_uri": Severity.HIGH,
    "label": Severity.LOW,
}


@record
class Finding:
    """One difference; ``declared`` and ``live`` are JSON-ready values (None when absent)."""

    code: str
    severity: Severity
    app: str | None
    field: str | None
    message: str
    declared: Any = None
    live: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "app": self.app,
            "field": self.field,
            "message": self.message,
            "declared": self.declared,
            "live": self.live,
        }


def finding(
    code: str,
    app: str | None,
    message: str,
    *,
    field: str | None = None,
    declared: Any = None,
    live: Any = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding with its code's severity unless one is given; unknown codes are a bug."""
    default = CODES[code]
    return Finding(code, severity or default, app, field, message, declared, live)


def sort_key(f: Finding) -> tuple[int, str, str, str, str]:
    return (f.severity.rank, f.app or "", f.code, f.field or "", f.message)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    """Every severity, most severe first, with how many findings have it (zeros included)."""
    counts = {str(s): 0 for s in SEVERITIES}
    for f in findings:
        counts[str(f.severity)] += 1
    return counts
