"""A room's playlists: kept by its owner and moderators, ordered, of the
room's own library; the default one is what the jukebox plays by itself."""

import msgspec

from virtubar import keys

from .audio_files import wav
from .test_bad_input import assert_problem
from .test_moderation import staff
from .test_tracks import bar, upload


async def three_tracks(client, owner, room_id) -> list[str]:
    ids = []
    for n in range(3):
        _, put = await upload(client, owner, room_id, wav(1.0 + n), f"Song {n}")
        ids.append(put.json()["id"])
    return ids


async def test_the_owner_keeps_ordered_playlists_and_one_default(client, player, state):
    owner = await player()
    room_id = await bar(client, owner)
    a, b, c = await three_tracks(client, owner, room_id)
    url = f"/api/rooms/{room_id}/playlists"
    first = await client.post(url, json={"name": "Evening", "trackIds": [c, a], "default": True},
                              headers=owner["headers"])
    assert first.status_code == 201, first.text
    assert first.json()["trackIds"] == [c, a] and first.json()["default"]
    mirrored = await state.members(keys.room_music(room_id))
    assert msgspec.json.decode(mirrored[keys.MUSIC_PLAYLIST]) == [c, a]
    second = await client.post(url, json={"name": "Late", "trackIds": [b], "default": True}, headers=owner["headers"])
    listed = (await client.get(url, headers=owner["headers"])).json()["items"]
    assert [(p["name"], p["default"]) for p in listed] == [("Evening", False), ("Late", True)]
    pid = first.json()["id"]
    r = await client.patch(f"{url}/{pid}", json={"trackIds": [a, b, c], "name": "Evening mix", "default": True},
                           headers=owner["headers"])
    assert r.status_code == 200 and r.json()["trackIds"] == [a, b, c] and r.json()["name"] == "Evening mix"
    assert msgspec.json.decode((await state.members(keys.room_music(room_id)))[keys.MUSIC_PLAYLIST]) == [a, b, c]
    assert (await client.delete(f"{url}/{pid}", headers=owner["headers"])).status_code == 204
    assert [p["id"] for p in (await client.get(url, headers=owner["headers"])).json()["items"]] == [second.json()["id"]]
    assert msgspec.json.decode((await state.members(keys.room_music(room_id)))[keys.MUSIC_PLAYLIST]) == []


async def test_only_hosts_keep_playlists_and_only_of_the_rooms_tracks(client, player):
    owner, guest = await player(), await player()
    room_id, other_room = await bar(client, owner), await bar(client, owner)
    (a, *_), (foreign, *_) = await three_tracks(client, owner, room_id), await three_tracks(client, owner, other_room)
    url = f"/api/rooms/{room_id}/playlists"
    assert_problem(await client.post(url, json={"name": "Mine", "trackIds": [a]}, headers=guest["headers"]), 403)
    r = await client.post(url, json={"name": "Mixed", "trackIds": [a, foreign]}, headers=owner["headers"])
    assert_problem(r, 422)
    assert r.json()["errors"][0]["field"] == "trackIds[1]"
    assert (await client.get(url, headers=owner["headers"])).json()["items"] == []
    mod = await staff(client)
    made = await client.post(url, json={"name": "Mod's", "trackIds": [a]}, headers=mod["headers"])
    assert made.status_code == 201
    assert_problem(await client.delete(f"{url}/{made.json()['id']}", headers=guest["headers"]), 403)
    assert_problem(await client.patch(f"/api/rooms/{other_room}/playlists/{made.json()['id']}", json={"name": "x"},
                                      headers=owner["headers"]), 404)
