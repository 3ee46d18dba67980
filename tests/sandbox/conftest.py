"""Fixtures for the sandbox tests: a running sandbox over real loopback HTTP, with a fixed clock."""

from __future__ import annotations

import pytest
from sandbox_helpers import NOW, TOKEN

from pinexport.sandbox import Sandbox


@pytest.fixture
def sandbox():
    with Sandbox(token=TOKEN, now=lambda: NOW, seed=7) as sb:
        yield sb
