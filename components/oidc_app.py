"""One app spec's Okta resources (OIDC app, access policy and rule, group assignments) as one
Pulumi component."""

from __future__ import annotations

from typing import cast

import pulumi
import pulumi_okta as okta

from appspecs.desired.model import DesiredApp
from appspecs.desired.resources import app_resources
from components.okta_resources import GroupLookup, create_children


class OidcApp(pulumi.ComponentResource):
    """`appspecs:index:OidcApp` named after the app: `okta.app.OAuth`, its own
    `okta.auth.ServerPolicy` and `ServerPolicyRule`, and `okta.AppGroupAssignments` when the app
    has groups."""

    client_id: pulumi.Output[str]
    """The OIDC client id Okta issued. The client secret is never kept here (`omit_secret`)."""

    def __init__(
        self,
        app: DesiredApp,
        server_id: pulumi.Input[str],
        groups: GroupLookup | None = None,
        opts: pulumi.ResourceOptions | None = None,
        registered: dict[str, pulumi.Resource] | None = None,
        after: str | None = None,
    ) -> None:
        """`groups` is shared by every app of a program run so each group is looked up once;
        `registered` holds every resource created so far by graph key (the catalog scopes its
        rule waits for, and the policy of `after`, the app whose policy is created before this
        one's: see `appspecs.desired.resources.resource_graph`)."""
        component, *children = app_resources(app, server_id, after)
        own = pulumi.ResourceOptions(protect=True if component.protect else None)
        super().__init__(
            component.type, component.name, None, pulumi.ResourceOptions.merge(opts, own)
        )
        created = create_children(
            self, component, children, groups or GroupLookup(), opts, registered
        )
        oauth = cast(okta.app.OAuth, created[f"{component.key}/oauth"])
        self.client_id = oauth.client_id
        self.register_outputs({"clientId": self.client_id})
