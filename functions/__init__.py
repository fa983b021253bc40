"""The REST API: stateless Litestar handlers under ``/api``.

Served by granian on a server, by mangum on AWS Lambda. Persistence through
piccolo (SQLite embedded, PostgreSQL in the cloud); ephemeral occupancy and
the node registry through ``virtubar.state``.
"""

from functions.app import create_app

__all__ = ["create_app"]
