"""Phones in real headless Chromium against the embedded server
(client/e2e/phones.test.mjs): at 360, 390 and 430 px the screens fit the
width and a toast never covers the HUD's mic, camera or share buttons."""

from tests.embedded.chromium import run_client_e2e


def test_the_screens_fit_a_phone_in_chromium(embedded):
    run_client_e2e(embedded[0], ["node", "--test", "--test-concurrency=1", "e2e/phones.test.mjs"])
