"""Profiles: display name and a validated avatar."""


async def test_update_display_name_and_avatar(client, player):
    me = await player()
    avatar = {"model": "slim", "colors": {"body": "#112233", "accent": "#ABCDEF"}, "accessories": ["hat"]}
    r = await client.patch("/api/users/me", json={"displayName": "Neo", "avatar": avatar}, headers=me["headers"])
    assert r.status_code == 200
    assert r.json()["displayName"] == "Neo" and r.json()["avatar"] == avatar
    other = await player()
    seen = await client.get(f"/api/users/{me['user']['id']}", headers=other["headers"])
    assert seen.json()["avatar"]["model"] == "slim"


async def test_invalid_avatar_is_422_and_changes_nothing(client, player):
    me = await player("Keep")
    for bad in (
        {"model": "dragon"},
        {"colors": {"body": "red"}},
        {"colors": {"body": "#112233\n"}},  # would reach every member inside the avatar id
        {"accessories": ["hat"] * 5},
        {"accessories": ["jetpack"]},
    ):
        r = await client.patch("/api/users/me", json={"displayName": "Changed", "avatar": bad}, headers=me["headers"])
        assert r.status_code == 422, bad
        assert r.json()["errors"]
    assert (await client.get("/api/users/me", headers=me["headers"])).json()["displayName"] == "Keep"


async def test_unknown_user_is_404(client, player):
    me = await player()
    r = await client.get("/api/users/" + "0" * 32, headers=me["headers"])
    assert r.status_code == 404
