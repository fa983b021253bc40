"""People in real headless Chromium against the embedded server
(client/e2e/people.test.mjs): a new look seen by the other player, a friend
request from the profile card and its acceptance, joining a friend with the
Join button, an owner's kick from the profile card."""

from tests.embedded.chromium import run_client_e2e


def test_people_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/people.test.mjs"])
