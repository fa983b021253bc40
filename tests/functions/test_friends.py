"""Friends: the request flow, blocks overriding friendship, where a friend
is (only rooms the viewer may enter, never inside a private zone), the
profile card, and quick-join preferring a friend's room."""

import msgspec

from virtubar import keys, wire

from .test_moderation import act, staff


async def befriend(client, a, b) -> None:
    r = await client.post("/api/friends/requests", json={"userId": b["user"]["id"]}, headers=a["headers"])
    assert r.status_code == 201 and r.json()["state"] == "outgoing", r.text
    r = await client.post(f"/api/friends/requests/{a['user']['id']}/accept", headers=b["headers"])
    assert r.status_code == 200, r.text


async def friends_of(client, who) -> dict:
    r = await client.get("/api/friends", headers=who["headers"])
    assert r.status_code == 200, r.text
    return r.json()


async def enter(client, state, who, room_id: str, zone: str | None = None) -> None:
    """Join through the API, then stand in the room as the edge records a connected member."""
    r = await client.post("/api/rooms/join", json={"roomId": room_id}, headers=who["headers"])
    assert r.status_code == 200, r.text
    member = wire.Member(userId=who["user"]["id"], displayName=who["user"]["displayName"],
                         avatarId="round-aaaaaa-bbbbbb", zoneId=zone)
    await state.put(keys.room_members(room_id), who["user"]["id"], msgspec.json.encode(member), 60)


async def new_room(client, who, name="Bar", template="bar", public=True) -> str:
    r = await client.post("/api/rooms", json={"name": name, "template": template, "public": public},
                          headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_request_accept_list_and_remove(client, player):
    ada, bo = await player("Ada"), await player("Bo")
    r = await client.post("/api/friends/requests", json={"userId": bo["user"]["id"]}, headers=ada["headers"])
    assert r.status_code == 201 and r.json()["state"] == "outgoing"
    assert [x["displayName"] for x in (await friends_of(client, bo))["incoming"]] == ["Ada"]
    assert [x["displayName"] for x in (await friends_of(client, ada))["outgoing"]] == ["Bo"]
    r = await client.post(f"/api/friends/requests/{ada['user']['id']}/accept", headers=bo["headers"])
    assert r.status_code == 200 and r.json()["displayName"] == "Ada" and r.json()["online"] is False
    mine = await friends_of(client, ada)
    assert [f["displayName"] for f in mine["friends"]] == ["Bo"] and not mine["outgoing"]
    r = await client.delete(f"/api/friends/{bo['user']['id']}", headers=ada["headers"])
    assert r.status_code == 204
    assert (await friends_of(client, bo))["friends"] == []


async def test_decline_and_asking_back_accepts(client, player):
    ada, bo, cy = await player("Ada"), await player("Bo"), await player("Cy")
    await client.post("/api/friends/requests", json={"userId": bo["user"]["id"]}, headers=ada["headers"])
    r = await client.post(f"/api/friends/requests/{ada['user']['id']}/decline", headers=bo["headers"])
    assert r.status_code == 204
    assert (await friends_of(client, ada))["outgoing"] == []
    # A request the other way while one is pending is a yes.
    await client.post("/api/friends/requests", json={"userId": cy["user"]["id"]}, headers=ada["headers"])
    r = await client.post("/api/friends/requests", json={"userId": ada["user"]["id"]}, headers=cy["headers"])
    assert r.status_code == 201 and r.json()["state"] == "friends"
    # Accepting what nobody asked, or asking oneself, changes nothing.
    r = await client.post(f"/api/friends/requests/{bo['user']['id']}/accept", headers=ada["headers"])
    assert r.status_code == 404 and r.json()["detail"]
    r = await client.post("/api/friends/requests", json={"userId": ada["user"]["id"]}, headers=ada["headers"])
    assert r.status_code == 422
    r = await client.post("/api/friends/requests", json={"userId": "nope"}, headers=ada["headers"])
    assert r.status_code == 422


async def test_a_block_ends_the_friendship_and_refuses_requests(client, player):
    ada, bo = await player("Ada"), await player("Bo")
    await befriend(client, ada, bo)
    r = await client.post("/api/blocks", json={"userId": bo["user"]["id"]}, headers=ada["headers"])
    assert r.status_code == 201
    assert (await friends_of(client, ada))["friends"] == [] and (await friends_of(client, bo))["friends"] == []
    for asker, asked in ((bo, ada), (ada, bo)):
        r = await client.post("/api/friends/requests", json={"userId": asked["user"]["id"]}, headers=asker["headers"])
        assert r.status_code == 403 and "blocked" in r.json()["detail"]
    assert (await friends_of(client, ada))["incoming"] == []
    card = (await client.get(f"/api/friends/card/{bo['user']['id']}", headers=ada["headers"])).json()
    assert card["friendship"] == "blocked"
    # Unblocking does not bring the friendship back.
    await client.delete(f"/api/blocks/{bo['user']['id']}", headers=ada["headers"])
    assert (await friends_of(client, ada))["friends"] == []


async def test_a_pending_request_is_hidden_once_blocked(client, player):
    ada, bo = await player("Ada"), await player("Bo")
    await client.post("/api/friends/requests", json={"userId": ada["user"]["id"]}, headers=bo["headers"])
    await client.post("/api/blocks", json={"userId": bo["user"]["id"]}, headers=ada["headers"])
    assert (await friends_of(client, ada))["incoming"] == []
    r = await client.post(f"/api/friends/requests/{bo['user']['id']}/accept", headers=ada["headers"])
    assert r.status_code == 404


async def test_an_online_friend_is_shown_in_the_room_i_may_enter(client, player, state):
    ada, bo = await player("Ada"), await player("Bo")
    await befriend(client, ada, bo)
    bar = await new_room(client, bo, "Bo's bar")
    await enter(client, state, bo, bar)
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["online"] is True and friend["room"] == {"id": bar, "name": "Bo's bar", "template": "bar"}


async def test_a_friend_in_a_room_i_may_not_enter_is_online_but_nowhere(client, player, state):
    ada, bo = await player("Ada"), await player("Bo")
    await befriend(client, ada, bo)
    hideout = await new_room(client, bo, "Hideout", public=False)
    await enter(client, state, bo, hideout)
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["online"] is True and friend["room"] is None
    # Nor a room I am banned from.
    owner = await player("Owner")
    bar = await new_room(client, owner, "Rowdy")
    admin = await staff(client, "admin")
    assert (await act(client, admin, type="ban", userId=ada["user"]["id"], roomId=bar)).status_code == 201
    await enter(client, state, bo, bar)
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["online"] is True and friend["room"] is None


async def test_a_friend_in_a_private_zone_is_online_but_nowhere(client, player, state):
    ada, bo = await player("Ada"), await player("Bo")
    await befriend(client, ada, bo)
    town = await new_room(client, bo, "Town", template="world")
    await enter(client, state, bo, town, zone="cafe")  # a private zone of the default town
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["online"] is True and friend["room"] is None
    await enter(client, state, bo, town, zone="plaza")  # out on the open square again
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["room"]["id"] == town


async def test_a_friend_who_only_reserved_a_place_is_offline(client, player):
    ada, bo = await player("Ada"), await player("Bo")
    await befriend(client, ada, bo)
    bar = await new_room(client, bo)
    r = await client.post("/api/rooms/join", json={"roomId": bar}, headers=bo["headers"])
    assert r.status_code == 200
    (friend,) = (await friends_of(client, ada))["friends"]
    assert friend["online"] is False and friend["room"] is None


async def test_quick_join_prefers_the_room_a_friend_is_in(client, player, state):
    ada, bo, owner = await player("Ada"), await player("Bo"), await player("Owner")
    busy, quiet = await new_room(client, owner, "Busy"), await new_room(client, owner, "Quiet")
    for i in range(5):
        await state.put(keys.room_members(busy), f"someone-{i}", b"x", 60)
    stranger = await player("Stranger")
    r = await client.post("/api/rooms/join", json={"template": "bar"}, headers=stranger["headers"])
    assert r.json()["roomId"] == busy  # fill rooms first
    await befriend(client, ada, bo)
    await enter(client, state, bo, quiet)
    r = await client.post("/api/rooms/join", json={"template": "bar"}, headers=ada["headers"])
    assert r.status_code == 200 and r.json()["roomId"] == quiet


async def test_the_profile_card_shows_mutual_friends_and_our_friendship(client, player):
    ada, bo, cy, dee = await player("Ada"), await player("Bo"), await player("Cy"), await player("Dee")
    await befriend(client, ada, cy)
    await befriend(client, bo, cy)
    await befriend(client, ada, dee)
    await befriend(client, bo, dee)
    await client.post("/api/friends/requests", json={"userId": bo["user"]["id"]}, headers=ada["headers"])
    card = (await client.get(f"/api/friends/card/{bo['user']['id']}", headers=ada["headers"])).json()
    assert card["displayName"] == "Bo" and card["friendship"] == "outgoing"
    assert [m["displayName"] for m in card["mutualFriends"]] == ["Cy", "Dee"]
    assert card["look"]["outfitColour"].startswith("#")  # the look drawn on the card (defaults left out)
    await client.post("/api/blocks", json={"userId": dee["user"]["id"]}, headers=ada["headers"])
    card = (await client.get(f"/api/friends/card/{bo['user']['id']}", headers=ada["headers"])).json()
    assert [m["displayName"] for m in card["mutualFriends"]] == ["Cy"]
    r = await client.get("/api/friends/card/" + "0" * 32, headers=ada["headers"])
    assert r.status_code == 404


async def test_an_owner_mutes_kicks_and_bans_in_their_room_and_the_audit_shows_it(client, player, state):
    """The profile card's moderation buttons use the moderation routes: an
    owner acts in their own room only, each action with its reason audited."""
    owner, bo = await player("Owner"), await player("Bo")
    bar = await new_room(client, owner, "Owner's bar")
    await enter(client, state, bo, bar)
    for kind in ("mute", "kick", "ban"):
        r = await act(client, owner, type=kind, userId=bo["user"]["id"], roomId=bar, reason=f"{kind}: too loud")
        assert r.status_code == 201, r.text
    elsewhere = await new_room(client, bo, "Bo's own")
    r = await act(client, owner, type="kick", userId=bo["user"]["id"], roomId=elsewhere)
    assert r.status_code == 403
    r = await client.post("/api/rooms/join", json={"roomId": bar}, headers=bo["headers"])
    assert r.status_code == 403 and "ban: too loud" in r.json()["detail"]
    admin = await staff(client, "admin")
    audit = (await client.get(f"/api/moderation/audit?actor={owner['user']['id']}", headers=admin["headers"])).json()
    assert [(e["action"], e["reason"], e["roomId"]) for e in reversed(audit["items"])] == [
        ("mute", "mute: too loud", bar), ("kick", "kick: too loud", bar), ("ban", "ban: too loud", bar)]
