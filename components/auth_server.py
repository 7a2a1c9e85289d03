"""The API's custom authorization server and its catalog scopes, as one Pulumi component."""

from __future__ import annotations

import pulumi

from appspecs.desired.model import DesiredAuthServer
from appspecs.desired.resources import auth_server_resources
from components.okta_resources import GroupLookup, create_children


class ApiAuthServer(pulumi.ComponentResource):
    """`appspecs:index:ApiAuthServer` named `api`: the server (unless an existing one is used)
    and one `okta.auth.ServerScope` per catalog scope."""

    id: pulumi.Output[str]
    """The authorization server's id, created here or configured."""

    def __init__(
        self,
        server: DesiredAuthServer,
        opts: pulumi.ResourceOptions | None = None,
        registered: dict[str, pulumi.Resource] | None = None,
    ) -> None:
        """`registered` collects the resources by graph key for the apps' components."""
        component, *children = auth_server_resources(server)
        super().__init__(component.type, component.name, None, opts)
        created = create_children(self, component, children, GroupLookup(), opts, registered)
        server_resource = created.get("auth/server")
        if server_resource is not None:
            self.id = server_resource.id
        else:
            # The graph creates no server only when an existing one is configured by id.
            self.id = pulumi.Output.from_input(server.existing_id or "")
        self.register_outputs({"id": self.id})
