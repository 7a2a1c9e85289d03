"""URNs as the engine writes them, not as the mocks make them up."""

from __future__ import annotations

import pytest

from appspecs.desired.resources import APP_COMPONENT, OAUTH_APP, ResourceSpec
from appspecs.plan.urns import (
    Urn,
    graph_urns,
    is_engine_resource,
    make_urn,
    parse_urn,
    root_stack_urn,
)


def test_children_carry_their_parents_types_without_the_root_stack() -> None:
    graph = [
        ResourceSpec("app/crm-sync", APP_COMPONENT, "crm-sync", None, custom=False),
        ResourceSpec("app/crm-sync/oauth", OAUTH_APP, "crm-sync", "app/crm-sync"),
    ]
    assert graph_urns(graph, "dev", "appspecs") == {
        "app/crm-sync": "urn:pulumi:dev::appspecs::appspecs:index:OidcApp::crm-sync",
        "app/crm-sync/oauth": "urn:pulumi:dev::appspecs::appspecs:index:OidcApp$okta:app/oAuth:OAuth::crm-sync",
    }


def test_a_parent_must_come_first() -> None:
    child = ResourceSpec("c", OAUTH_APP, "c", "p")
    with pytest.raises(ValueError, match="names an unknown parent 'p'"):
        graph_urns([child], "dev", "appspecs")
    with pytest.raises(ValueError, match="names a later parent 'p'"):
        graph_urns(
            [child, ResourceSpec("p", APP_COMPONENT, "p", None, custom=False)], "dev", "appspecs"
        )


def test_root_stack_and_parse() -> None:
    assert (
        root_stack_urn("prod", "appspecs")
        == "urn:pulumi:prod::appspecs::pulumi:pulumi:Stack::appspecs-prod"
    )
    assert parse_urn(make_urn("dev", "p", ["a:b:C", "d:e:F"], "x::y")) == Urn(
        "dev", "p", "a:b:C$d:e:F", "x::y"
    )
    assert parse_urn("urn:pulumi:dev::p::a:b:C$d:e:F::n").type == "d:e:F"  # type: ignore[union-attr]
    for bad in ("arn:aws:x", "urn:pulumi:dev::p", "urn:pulumi:::p::t::n"):
        assert parse_urn(bad) is None


def test_engine_resources() -> None:
    assert is_engine_resource("pulumi:pulumi:Stack")
    assert is_engine_resource("pulumi:providers:okta")
    assert not is_engine_resource(OAUTH_APP)
