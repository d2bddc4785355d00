"""The sidebar's instructions routes in standalone mode (`jupyter lab` alone: the platform
in-process, one person holding every role): each forwards to the platform as the person,
images and notebooks pass through as bytes, and "Open in my workspace" copies the example
notebook into the home without overwriting anything."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import content, notebook, png

NS = "jupyterlab-mlplat"


async def _json(jp_fetch: Any, *path: str, **kwargs: Any) -> Any:
    return json.loads((await jp_fetch(NS, "instructions", *path, **kwargs)).body)


async def _refused(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch(NS, "instructions", *path, **kwargs)
    assert caught.value.response is not None
    return caught.value.code, json.loads(caught.value.response.body)


async def _published(jp_fetch: Any) -> dict[str, Any]:
    body = {"slug": "gpu-guide", "content": content(title_ru="Руководство")}
    made = await _json(jp_fetch, "articles", method="POST", body=json.dumps(body))
    revision = json.dumps({"revision": made["revision"]})
    return await _json(  # type: ignore[no-any-return]
        jp_fetch, "articles", "gpu-guide", "publish", method="POST", body=revision
    )


async def test_an_article_written_read_and_ticked_through_the_sidebar(jp_fetch: Any) -> None:
    published = await _published(jp_fetch)
    assert published["state"] == "published"
    view = await _json(jp_fetch, "articles", "gpu-guide", params={"lang": "ru"})
    assert (view["title"], view["language"], view["editable"]) == ("Руководство", "ru", True)
    tick = json.dumps({"task": "t1", "done": True})
    done = await _json(jp_fetch, "articles", "gpu-guide", "progress", method="PUT", body=tick)
    assert done == {"done": ["t1"], "count": 1, "total": 2}
    listed = await _json(jp_fetch, "articles", params={"q": "Руководство"})
    # its title first; then the starter article that says "в руководстве", the same word
    assert [a["slug"] for a in listed["articles"]] == ["gpu-guide", "track-a-notebook"]
    starters = await _json(jp_fetch, "articles")
    assert "track-a-notebook" in [a["slug"] for a in starters["articles"]]

    stale = json.dumps({"revision": 1, "content": content(title="Other")})
    code, body = await _refused(jp_fetch, "articles", "gpu-guide", method="PUT", body=stale)
    assert (code, body["reason"], body["params"]["revision"]) == (409, "article_changed", 2)
    bad = json.dumps({"slug": "x", "content": content(next_article="nowhere")})
    code, body = await _refused(jp_fetch, "articles", method="POST", body=bad)
    assert (code, body["reason"], body["params"]["slug"]) == (
        400,
        "next_article_unknown",
        "nowhere",
    )
    code, body = await _refused(jp_fetch, "articles", "nothing-here")
    assert (code, body["reason"]) == (404, "article_not_found")


async def test_an_image_goes_through_the_sidebar_as_its_checked_kind(jp_fetch: Any) -> None:
    await _published(jp_fetch)
    image = await _json(jp_fetch, "articles", "gpu-guide", "images", method="POST", body=png())
    assert image["reference"] == f"images/{image['id']}"
    response = await jp_fetch(NS, "instructions", "articles", "gpu-guide", "images", image["id"])
    assert response.body == png()
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    code, body = await _refused(
        jp_fetch, "articles", "gpu-guide", "images", method="POST", body=svg
    )
    assert (code, body["reason"], body["params"]["rule"]) == (400, "image_invalid", "svg")


async def test_open_in_my_workspace_copies_the_notebook_and_overwrites_nothing(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    await _published(jp_fetch)
    code, body = await _refused(
        jp_fetch, "articles", "gpu-guide", "notebook", "open", method="POST", body=b""
    )
    assert (code, body["reason"]) == (404, "notebook_not_found")
    kept = await _json(
        jp_fetch,
        "articles",
        "gpu-guide",
        "notebook",
        method="PUT",
        params={"name": "intro.ipynb"},
        body=notebook("print('from the article')"),
    )
    assert kept["name"] == "intro.ipynb"
    (jp_root_dir / "intro.ipynb").write_text("my own work")

    first = await _json(
        jp_fetch, "articles", "gpu-guide", "notebook", "open", method="POST", body=b""
    )
    again = await _json(
        jp_fetch, "articles", "gpu-guide", "notebook", "open", method="POST", body=b""
    )
    assert (first["path"], again["path"]) == ("intro-1.ipynb", "intro-2.ipynb")
    assert (jp_root_dir / "intro.ipynb").read_text() == "my own work"
    copied = json.loads((jp_root_dir / "intro-1.ipynb").read_text())
    assert copied["cells"][0]["source"] == "print('from the article')"
    assert sorted(n for n in os.listdir(jp_root_dir) if n.endswith(".ipynb")) == [
        "intro-1.ipynb",
        "intro-2.ipynb",
        "intro.ipynb",
    ]
