"""The cyclic garbage collector is paused while a pipeline runs, and restored after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopdata import validate
from coopdata.collector import paused
from coopdata.release.job import release


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_paused_inside_and_restored_after_even_on_error() -> None:
    with pytest.raises(ZeroDivisionError), paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled()  # left off, as it was


@pytest.mark.usefixtures("collector_on")
def test_validate_and_release_pause_it_and_give_it_back(tmp_path: Path) -> None:
    states = []
    validate(progress=lambda step: states.append(gc.isenabled()))
    release(tmp_path, version="1", date="2026-01-01", site=False,
            progress=lambda step: states.append(gc.isenabled()))
    assert states and not any(states)
    assert gc.isenabled()
