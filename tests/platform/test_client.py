"""The platform client turns every way the platform can fail into the core's errors, so the
sidebar and the hub's spawner get a message, never a tornado exception (a 500 upstream)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from jupyterlab_mlplat.client import PlatformClient
from jupyterlab_mlplat.core.kernel.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    Unavailable,
)

from .conftest import SECRET, RunningPlatform

pytestmark = pytest.mark.asyncio


@pytest.fixture
def hung_platform() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers: a hung
    process, as a platform stopped with SIGSTOP looks from outside."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/services/mlplat/"


async def test_a_platform_that_never_answers_is_unavailable_not_a_crash(
    hung_platform: str,
) -> None:
    client = PlatformClient(hung_platform, "token", timeout=0.3, attempts=1)
    with pytest.raises(Unavailable, match="not reachable"):
        await client.profiles()
    with pytest.raises(Unavailable, match="not reachable"):
        await client.preview_profile({"slug": "x"})


async def test_a_closed_port_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PlatformClient(f"http://127.0.0.1:{port}/", "token", timeout=1)
    with pytest.raises(Unavailable, match="not reachable"):
        await client.me()


async def test_errors_keep_the_platforms_message_status_and_fields(
    platform: RunningPlatform,
) -> None:
    client = PlatformClient(platform.url, SECRET)
    listing = await client.profiles()
    with pytest.raises(InvalidInput) as caught:
        await client.create_profile({"slug": "Bad Slug", "display_name": "x", "image": "a b"})
    assert caught.value.fields is not None
    assert set(caught.value.fields) == {"slug", "image"}
    # the reason codes survive the trip, so the sidebar in a hub translates them too
    assert caught.value.reason == "profile_invalid"
    assert caught.value.field_reasons is not None
    assert {k: v.reason for k, v in caught.value.field_reasons.items()} == {
        "slug": "slug_invalid",
        "image": "image_reference",
    }
    assert caught.value.field_reasons["slug"].params == {"value": "Bad Slug"}
    with pytest.raises(NotAuthenticated) as refused:
        await PlatformClient(platform.url, "wrong").profiles()
    assert refused.value.reason == "token_refused"
    assert listing.profiles == []  # the standalone platform seeds nothing
    assert not isinstance(caught.value, Forbidden)
