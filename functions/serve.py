"""granian's factory target for the API role (``virtubar api``)."""

from functions.app import create_app as _create_app


def create_app():
    return _create_app()
