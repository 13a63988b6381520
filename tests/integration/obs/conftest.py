"""Real-OBS integration tests: collected only inside the private network namespace that
tests/integration/test_obs_integration.py creates (it sets CONTROLROOM_OBS_NETNS=1). In a plain `pytest` run
this directory contributes nothing; the wrapper test runs it and reports its result."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.integration.obs.harness import Testbed, in_private_netns, missing_tools

INSIDE = os.environ.get("CONTROLROOM_OBS_NETNS") == "1" and in_private_netns()
if not INSIDE:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def bed_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="obs-testbed-"))


@pytest.fixture
def bed(bed_root, request):
    missing = missing_tools()
    if missing:
        pytest.skip(f"missing for the real-OBS tests: {', '.join(missing)}")
    b = Testbed(bed_root / request.node.name[:60])
    try:
        yield b
    finally:
        b.close()
