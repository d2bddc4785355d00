from jupyterlab_mlplat.core.kernel.identity import Identity, Role, roles_from_scopes


def test_every_user_is_a_data_scientist_and_other_roles_come_from_custom_scopes() -> None:
    assert roles_from_scopes([]) == (Role.DATA_SCIENTIST,)
    assert roles_from_scopes(["custom:mlplat:review", "access:servers!server"]) == (
        Role.DATA_SCIENTIST,
        Role.REVIEWER,
    )
    assert roles_from_scopes(
        ["custom:mlplat:instruct", "custom:mlplat:admin", "custom:mlplat:review"]
    ) == (Role.DATA_SCIENTIST, Role.REVIEWER, Role.ADMIN, Role.INSTRUCTOR)


def test_a_filtered_scope_is_not_the_role() -> None:
    assert roles_from_scopes(["custom:mlplat:admin!group=admins"]) == (Role.DATA_SCIENTIST,)


def test_standalone_user_holds_every_role() -> None:
    me = Identity.everything("sam")
    assert me.mode == "standalone"
    assert all(me.has(role) for role in Role)
