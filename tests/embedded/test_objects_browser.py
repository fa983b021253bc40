"""Objects and rooms a player reaches, in real headless Chromium against the
embedded server (client/e2e/objects.test.mjs): sitting on a stool and the
"taken" hint, a moderator's mute on the mic button, the town's portal into an
office room, an unlisted room opened by its link."""

from tests.embedded.chromium import run_client_e2e


def test_objects_and_rooms_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/objects.test.mjs"])
