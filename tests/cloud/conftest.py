"""The cloud-local mode, started once for the package by the same module
`bash infra/cloud-local.sh` runs."""

import pytest

from infra import cloudlocal


@pytest.fixture(scope="package")
def cloud(tmp_path_factory):
    started = cloudlocal.start(tmp_path_factory.mktemp("cloud"), api_workers=2)
    yield started
    started.stop()
