"""The SFU on the shared Redis state, for the cloud-local mode.

Stopgap: ``sfu_node.serve:app`` (what ``virtubar sfu`` runs) builds the node
without shared state, so a standalone SFU never announces itself in the
registry and every cloud join answers 503 "No voice node is available".
Once ``sfu_node/serve.py`` passes ``open_state(settings.redis_url)``, the
cloud-local mode runs ``virtubar sfu`` like the other roles and this file goes.
"""

from sfu_node.app import create_app
from virtubar.settings import Settings
from virtubar.state import open_state


def app():
    settings = Settings.from_env()
    return create_app(settings, open_state(settings.redis_url))
