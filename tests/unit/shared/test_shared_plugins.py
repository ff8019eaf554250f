"""The plugin contract (shared/plugins.py): an inconsistent plugin set refuses to start."""
from __future__ import annotations

import pytest

from shared.plugins import Plugin, PluginError, Route, discover, validate

ADMIN = frozenset({"school_admin"})


def route(method="GET", path="/api/v1/schools/{school}/proposals", rpc="congress.list_proposals", **kw):
    kw.setdefault("roles", ADMIN)
    return Route(method, path, "提案列表", rpc=rpc, **kw)


def plugins(*named_routes) -> dict:
    """``("congress", [routes]), ("welfare", [routes])`` as a plugin set."""
    return {name: Plugin(name=name, routes=list(routes)) for name, routes in named_routes}


def test_a_consistent_plugin_set_validates():
    validate(plugins(("congress", [route(), route("POST", rpc="congress.submit_proposal")]),
                     ("welfare", [route(path="/api/v1/schools/{school}/grants", rpc="welfare.list_grants")])))


def test_the_same_method_and_path_in_two_plugins_fails_loudly():
    with pytest.raises(PluginError, match="duplicate route GET /api/v1/schools/{school}/proposals"):
        validate(plugins(("congress", [route()]), ("welfare", [route(rpc="welfare.list_proposals")])))


def test_the_same_route_twice_in_one_plugin_fails_loudly():
    with pytest.raises(PluginError, match="duplicate route"):
        validate(plugins(("congress", [route(), route()])))


def test_routes_that_differ_only_in_parameter_names_are_duplicates():
    with pytest.raises(PluginError, match="duplicate route"):
        validate(plugins(("congress", [
            route(path="/api/v1/schools/{school}/proposals/{proposal_id}", rpc="congress.get_proposal"),
            route(path="/api/v1/schools/{school}/proposals/{motion_id}", rpc="congress.get_motion")])))


def test_the_same_path_with_another_method_is_not_a_duplicate():
    validate(plugins(("congress", [route(), route("POST", rpc="congress.submit_proposal")])))


def test_an_unknown_role_fails_loudly():
    with pytest.raises(PluginError, match="unknown roles \\['chairman'\\]"):
        validate(plugins(("congress", [route(roles=frozenset({"school_admin", "chairman"}))])))


def test_an_unknown_self_role_fails_loudly():
    with pytest.raises(PluginError, match="unknown roles"):
        validate(plugins(("congress", [route(self_roles=frozenset({"himself"}))])))


def test_a_route_calling_another_plugins_rpc_fails_loudly():
    with pytest.raises(PluginError, match="rpc membership.list_members is not congress's own"):
        validate(plugins(("congress", [route(rpc="membership.list_members")])))


def test_a_route_with_neither_roles_nor_public_fails_loudly():
    with pytest.raises(PluginError, match="no roles allowed and not public"):
        validate(plugins(("congress", [route(roles=frozenset())])))


def test_a_public_route_needs_no_roles():
    validate(plugins(("congress", [route(path="/api/v1/congress/notice", roles=frozenset(), public=True)])))


def test_a_route_with_both_rpc_and_handler_or_neither_fails_loudly():
    with pytest.raises(PluginError, match="exactly one of rpc or handler"):
        validate(plugins(("congress", [route(handler="services.congress.handlers:x")])))
    with pytest.raises(PluginError, match="exactly one of rpc or handler"):
        validate(plugins(("congress", [route(rpc=None)])))


def test_a_route_under_schools_whose_first_parameter_is_not_school_fails_loudly():
    with pytest.raises(PluginError, match="school routes start with"):
        validate(plugins(("congress", [route(path="/api/v1/schools/{code}/proposals")])))


def test_route_scope_and_params_follow_the_path():
    school = route(path="/api/v1/schools/{school}/members/{member_id}")
    assert school.scope == "school" and school.params == ["school", "member_id"]
    assert route(path="/api/v1/district/stats").scope == "district"
    assert route(path="/api/v1/auth/me").scope == "platform"
    assert school.key == ("GET", "/api/v1/schools/{}/members/{}")


def test_discover_finds_the_gateway_and_membership_through_entry_points_gateway_first():
    found = discover()
    assert {"gateway", "membership"} <= set(found)
    assert next(iter(found)) == "gateway"
    assert all(isinstance(p, Plugin) and p.name == name for name, p in found.items())
    assert any(r.rpc == "membership.admit_member" for r in found["membership"].routes)


def test_discover_can_load_only_the_named_plugins():
    assert list(discover(only=["membership"])) == ["membership"]


def test_discover_of_a_plugin_that_is_not_installed_fails_loudly():
    with pytest.raises(PluginError, match="no such plugin: library"):
        discover(only=["membership", "library"])


def test_installed_plugins_name_a_loadable_metadata_and_messages():
    for name, plugin in discover().items():
        assert plugin.metadata is not None and plugin.metadata().tables, name
        assert plugin.messages, name
