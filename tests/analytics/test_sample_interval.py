"""The sampler's interval: usage is kept per minute, so a pass more often than a minute would be
counted once in each minute and the rest lost; the platform refuses such a setting at start."""

from __future__ import annotations

import pytest
from traitlets import TraitError

from jupyterlab_mlplat.platform.app import PlatformApp


@pytest.mark.parametrize("seconds", [0, 60, 90.5, 600])
def test_no_sampling_or_a_minute_or_more_is_taken(seconds: float) -> None:
    assert PlatformApp(sample_interval=seconds).sample_interval == seconds


@pytest.mark.parametrize("seconds", [5, 59.9, -60])
def test_a_shorter_interval_is_refused_with_why(seconds: float) -> None:
    with pytest.raises(TraitError, match="at least 60 s, as usage is kept per minute"):
        PlatformApp(sample_interval=seconds)
