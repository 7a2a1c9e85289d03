"""The in-memory org: every object by id, in creation order, behind one lock.

Objects are stored as the exact JSON dicts the API serves, so a test may edit one in place
(``okta.state.apps[app_id]["label"] = "x"``) and the next response shows it. Children live in
per-parent tables (``scopes[server_id]``, ``rules[policy_id]``, ``secrets[app_id]``...), so
listing them never scans the whole org. Methods raise :class:`OktaApiError` with Okta's codes.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.standin import objects, objects_authz
from tests.standin.errors import OktaApiError, not_found, validation_failed
from tests.standin.objects import PREFIX, Json, new_id, now_iso
from tests.standin.table import Table

_SECRET_ERR = "OAuth2ClientSecretMediated"
MAX_SECRETS = 2  # Okta allows two client secrets per client


class OktaState:
    """Apps, groups, assignments, authorization servers and client secrets of one org."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.lock = threading.RLock()
        self.apps: Table[Json] = Table()
        self.groups: Table[Json] = Table()
        self.auth_servers: Table[Json] = Table()
        self.app_groups: dict[str, Table[Json]] = {}  # app id -> group id -> assignment
        self.group_apps: dict[str, Table[Json]] = {}  # group id -> app id -> app
        self.scopes: dict[str, Table[Json]] = {}  # auth server id -> scope id -> scope
        self.policies: dict[str, Table[Json]] = {}  # auth server id -> policy id -> policy
        self.rules: dict[str, Table[Json]] = {}  # policy id -> rule id -> rule
        self.secrets: dict[str, Table[Json]] = {}  # app id -> secret id -> secret

    # --- lookups (404 when absent) -------------------------------------------------------

    def app(self, app_id: str) -> Json:
        """The app, or 404."""
        try:
            return self.apps[app_id]
        except KeyError:
            raise not_found(app_id, "AppInstance") from None

    def group(self, group_id: str) -> Json:
        """The group, or 404."""
        try:
            return self.groups[group_id]
        except KeyError:
            raise not_found(group_id, "UserGroup") from None

    def auth_server(self, server_id: str) -> Json:
        """The authorization server, or 404."""
        try:
            return self.auth_servers[server_id]
        except KeyError:
            raise not_found(server_id, "AuthorizationServer") from None

    def scope(self, server_id: str, scope_id: str) -> Json:
        """The scope of that server, or 404."""
        self.auth_server(server_id)
        try:
            return self.scopes[server_id][scope_id]
        except KeyError:
            raise not_found(scope_id, "OAuth2Scope") from None

    def policy(self, server_id: str, policy_id: str) -> Json:
        """The policy of that server, or 404."""
        self.auth_server(server_id)
        try:
            return self.policies[server_id][policy_id]
        except KeyError:
            raise not_found(policy_id, "Policy") from None

    def rule(self, server_id: str, policy_id: str, rule_id: str) -> Json:
        """The rule of that policy, or 404."""
        self.policy(server_id, policy_id)
        try:
            return self.rules[policy_id][rule_id]
        except KeyError:
            raise not_found(rule_id, "PolicyRule") from None

    def assignment(self, app_id: str, group_id: str) -> Json:
        """The app's assignment to the group, or 404."""
        self.app(app_id)
        try:
            return self.app_groups[app_id][group_id]
        except KeyError:
            raise not_found(group_id, "ApplicationGroupAssignment") from None

    def secret(self, app_id: str, secret_id: str) -> Json:
        """The app's client secret, or 404."""
        self.app(app_id)
        try:
            return self.secrets[app_id][secret_id]
        except KeyError:
            raise not_found(secret_id, "OAuth2ClientSecret") from None

    def app_by_client_id(self, client_id: str) -> Json | None:
        """The app whose OAuth client id this is (a scan: only the token endpoint needs it)."""
        with self.lock:
            for app in self.apps.values():
                if app.get("credentials", {}).get("oauthClient", {}).get("client_id") == client_id:
                    return app
        return None

    # --- apps ----------------------------------------------------------------------------

    def add_app(self, *, client_id: str | None = None, **fields: Any) -> Json:
        """Create an OIDC app (see :func:`objects.oidc_app` for the fields); ids as Okta's."""
        with self.lock:
            app_id = new_id(PREFIX["app"])
            if client_id is not None and self.app_by_client_id(client_id) is not None:
                raise validation_failed(
                    "client_id", "client_id: An object with this field already exists."
                )
            app = objects.oidc_app(
                self.base, app_id=app_id, client_id=client_id or app_id, **fields
            )
            self.apps[app_id] = app
            self.app_groups[app_id] = Table()
            self.secrets[app_id] = Table()
            return app

    def set_app_status(self, app_id: str, status: str) -> Json:
        """Activate or deactivate an app (its lifecycle links change with it)."""
        with self.lock:
            app = self.app(app_id)
            app["status"] = status
            app["lastUpdated"] = now_iso()
            links = app.setdefault("_links", {})
            links.pop("activate", None)
            links.pop("deactivate", None)
            fresh = objects.app_links(self.base, app_id, status)
            links.update({k: v for k, v in fresh.items() if k in ("activate", "deactivate")})
            return app

    def delete_app(self, app_id: str) -> None:
        """Delete an app; Okta refuses while it is ACTIVE (400 E0000056)."""
        with self.lock:
            app = self.app(app_id)
            if app.get("status") == "ACTIVE":
                raise OktaApiError(
                    400,
                    "E0000056",
                    "Delete application forbidden.",
                    ["The application must be deactivated before deletion."],
                )
            for group_id in list(self.app_groups.get(app_id, {})):
                self.unassign_group(app_id, group_id)
            del self.apps[app_id]
            self.app_groups.pop(app_id, None)
            self.secrets.pop(app_id, None)

    # --- groups and assignments ----------------------------------------------------------

    def add_group(self, name: str, description: str = "", type_: str = "OKTA_GROUP") -> Json:
        """Create a group."""
        with self.lock:
            group_id = new_id(PREFIX["group"])
            grp = objects.group(
                self.base, group_id=group_id, name=name, description=description, type_=type_
            )
            self.groups[group_id] = grp
            self.group_apps[group_id] = Table()
            return grp

    def assign_group(
        self, app_id: str, group_id: str, priority: int | None = None, profile: Json | None = None
    ) -> Json:
        """Assign (or re-assign, replacing priority and profile) a group to an app."""
        with self.lock:
            app = self.app(app_id)
            self.group(group_id)
            by_group = self.app_groups.setdefault(app_id, Table())
            if priority is None:
                priority = len(by_group)
            asg = objects.assignment(
                self.base,
                app_id=app_id,
                group_id=group_id,
                priority=priority,
                profile=profile or {},
            )
            by_group[group_id] = asg
            self.group_apps.setdefault(group_id, Table())[app_id] = app
            return asg

    def unassign_group(self, app_id: str, group_id: str) -> None:
        """Remove an assignment (404 if there is none)."""
        with self.lock:
            self.assignment(app_id, group_id)
            del self.app_groups[app_id][group_id]
            self.group_apps.get(group_id, Table()).pop(app_id, None)

    # --- authorization servers -----------------------------------------------------------

    def add_auth_server(self, **fields: Any) -> Json:
        """Create a custom authorization server."""
        with self.lock:
            server_id = new_id(PREFIX["auth_server"])
            srv = objects_authz.auth_server(self.base, server_id=server_id, **fields)
            self.auth_servers[server_id] = srv
            self.scopes[server_id] = Table()
            self.policies[server_id] = Table()
            return srv

    def add_scope(self, server_id: str, **fields: Any) -> Json:
        """Create a scope on a server; names are unique per server, as at Okta."""
        with self.lock:
            self.auth_server(server_id)
            table = self.scopes[server_id]
            if any(s["name"] == fields["name"] for s in table.values()):
                raise validation_failed("name", "name: An object with this field already exists.")
            scope_id = new_id(PREFIX["scope"])
            scp = objects_authz.scope(self.base, server_id=server_id, scope_id=scope_id, **fields)
            table[scope_id] = scp
            return scp

    def add_policy(self, server_id: str, **fields: Any) -> Json:
        """Create an access policy on a server."""
        with self.lock:
            self.auth_server(server_id)
            policy_id = new_id(PREFIX["policy"])
            pol = objects_authz.policy(
                self.base, server_id=server_id, policy_id=policy_id, **fields
            )
            self.policies[server_id][policy_id] = pol
            self.rules[policy_id] = Table()
            return pol

    def add_rule(self, server_id: str, policy_id: str, **fields: Any) -> Json:
        """Create a rule in a policy."""
        with self.lock:
            self.policy(server_id, policy_id)
            rule_id = new_id(PREFIX["rule"])
            rul = objects_authz.rule(
                self.base, server_id=server_id, policy_id=policy_id, rule_id=rule_id, **fields
            )
            self.rules[policy_id][rule_id] = rul
            return rul

    # --- client secrets ------------------------------------------------------------------

    def add_secret(self, app_id: str, value: str | None = None, status: str = "ACTIVE") -> Json:
        """Create a client secret (generated unless ``value``); at most two per client."""
        with self.lock:
            self.app(app_id)
            table = self.secrets.setdefault(app_id, Table())
            if len(table) >= MAX_SECRETS:
                raise validation_failed(
                    _SECRET_ERR, "You've reached the maximum number of client secrets per client."
                )
            if value is not None and not 14 <= len(value) <= 100:
                bound = "at least '14'" if len(value) < 14 else "at most '100'"
                raise validation_failed(
                    "client_secret",
                    f"client_secret: 'client_secret' must be {bound} characters long.",
                )
            if status not in ("ACTIVE", "INACTIVE"):
                raise validation_failed("status", f"status: Invalid value {status!r}.")
            secret_id = new_id(PREFIX["secret"])
            sec = objects.client_secret(
                self.base,
                app_id=app_id,
                secret_id=secret_id,
                value=value or objects.new_client_secret(),
                status=status,
            )
            table[secret_id] = sec
            return sec

    def set_secret_status(self, app_id: str, secret_id: str, status: str) -> Json:
        """Activate or deactivate; the only ACTIVE secret cannot be deactivated (400)."""
        with self.lock:
            sec = self.secret(app_id, secret_id)
            if status == "INACTIVE" and sec["status"] == "ACTIVE":
                others = [
                    s
                    for s in self.secrets[app_id].values()
                    if s is not sec and s["status"] == "ACTIVE"
                ]
                if not others:
                    raise validation_failed(
                        _SECRET_ERR, "You can't deactivate the only active client secret."
                    )
            if sec["status"] != status:
                sec["status"] = status
                sec["lastUpdated"] = now_iso()
                sec["_links"] = objects.secret_links(self.base, app_id, secret_id, status)
            return sec

    def delete_secret(self, app_id: str, secret_id: str) -> None:
        """Delete an INACTIVE secret; an ACTIVE one is refused (400)."""
        with self.lock:
            sec = self.secret(app_id, secret_id)
            if sec["status"] == "ACTIVE":
                raise validation_failed(
                    _SECRET_ERR,
                    "You can't delete an active client secret. "
                    "Deactivate the secret before deleting it.",
                )
            del self.secrets[app_id][secret_id]
