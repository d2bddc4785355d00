"""Instructions: articles as a reader and an instructor use them through their server, progress,
and the bytes of images and example notebooks (passed through, never parsed here)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from jupyterlab_mlplat.api.instructions import (
    ArticleList,
    ArticleRevisionDetail,
    ArticleRevisionList,
    ArticleSource,
    ArticleView,
    ImageBody,
    NotebookBody,
    ProgressBody,
)

from .transport import M, Transport, _Unreachable

_BASE = "api/v1/instructions/articles"


def _article(slug: str) -> str:
    """The article's path: the slug quoted whole, so nothing in it is read as a path's part
    (the platform checks it)."""
    return f"{_BASE}/{quote(slug, safe='')}"


def _lang(lang: str | None) -> str:
    """Sent whenever it was given, empty too: the platform says an empty one is no language
    (the sidebar's document promises that 400) rather than the client reading it as unset."""
    return f"?{urlencode({'lang': lang})}" if lang is not None else ""


class InstructionCalls(Transport):
    async def articles(self, lang: str | None = None, query: str = "") -> ArticleList:
        given = {"lang": lang} if lang is not None else {}
        if query:
            given["q"] = query
        return await self._get(_BASE + (f"?{urlencode(given)}" if given else ""), ArticleList)

    async def article(self, slug: str, lang: str | None = None) -> ArticleView:
        return await self._get(_article(slug) + _lang(lang), ArticleView)

    async def article_source(self, slug: str) -> ArticleSource:
        return await self._get(f"{_article(slug)}/source", ArticleSource)

    async def create_article(self, body: dict[str, Any]) -> ArticleSource:
        return await self._send("POST", _BASE, body, ArticleSource)

    async def save_article(self, slug: str, body: dict[str, Any]) -> ArticleSource:
        return await self._send("PUT", _article(slug), body, ArticleSource)

    async def delete_article(self, slug: str, revision: int) -> None:
        path = f"{_article(slug)}?{urlencode({'revision': int(revision)})}"
        await self._send_raw("DELETE", path, None)

    async def publish_article(self, slug: str, revision: int) -> ArticleSource:
        body = {"revision": revision}
        return await self._send("POST", f"{_article(slug)}/publish", body, ArticleSource)

    async def unpublish_article(self, slug: str, revision: int) -> ArticleSource:
        body = {"revision": revision}
        return await self._send("POST", f"{_article(slug)}/unpublish", body, ArticleSource)

    async def article_revisions(self, slug: str) -> ArticleRevisionList:
        return await self._get(f"{_article(slug)}/revisions", ArticleRevisionList)

    async def article_revision(self, slug: str, number: str) -> ArticleRevisionDetail:
        path = f"{_article(slug)}/revisions/{quote(number, safe='')}"
        return await self._get(path, ArticleRevisionDetail)

    async def tick_task(self, slug: str, task: str, done: bool) -> ProgressBody:
        body = {"task": task, "done": done}
        return await self._send("PUT", f"{_article(slug)}/progress", body, ProgressBody)

    async def upload_image(self, slug: str, data: bytes) -> ImageBody:
        answer = await self._send_bytes("POST", f"{_article(slug)}/images", data)
        return self._parsed(answer, ImageBody)

    async def article_image(self, slug: str, image_id: str) -> tuple[str, bytes]:
        """The image's content type (the kind the platform checked) and its bytes."""
        path = f"{_article(slug)}/images/{quote(image_id, safe='')}"
        return await self._get_bytes(path)

    async def attach_notebook(self, slug: str, name: str, data: bytes) -> NotebookBody:
        path = f"{_article(slug)}/notebook?{urlencode({'name': name})}"
        return self._parsed(await self._send_bytes("PUT", path, data), NotebookBody)

    async def remove_notebook(self, slug: str) -> None:
        await self._send_raw("DELETE", f"{_article(slug)}/notebook", None)

    async def article_notebook(self, slug: str) -> bytes:
        _type, data = await self._get_bytes(f"{_article(slug)}/notebook")
        return data

    # ---- bytes that are not JSON
    def _parsed(self, answer: bytes, model: type[M]) -> M:
        try:
            return model.model_validate_json(answer)
        except ValueError:
            raise self._not_understood() from None

    async def _send_bytes(self, method: str, path: str, data: bytes) -> bytes:
        request = self._request(method, path)
        request.headers["Content-Type"] = "application/octet-stream"
        request.body = data
        request.request_timeout = 60.0  # an upload of megabytes; never a read's 10 s
        try:
            status, answer = await self._fetch(request)
        except _Unreachable as err:
            raise self._unreachable(err) from None
        if 200 <= status < 300:
            return answer
        raise self._error(status, answer)

    async def _get_bytes(self, path: str) -> tuple[str, bytes]:
        request = self._request("GET", path)
        request.headers["Accept"] = "*/*"
        try:
            status, answer, content_type = await self._fetch_typed(request)
        except _Unreachable as err:
            raise self._unreachable(err) from None
        if status == 200:
            return content_type, answer
        raise self._error(status, answer)

    async def _fetch_typed(self, request: Any) -> tuple[int, bytes, str]:
        content_type: list[str] = []

        def on_header(line: str) -> None:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-type":
                content_type[:] = [value.strip()]

        request.header_callback = on_header
        status, answer = await self._fetch(request)
        return status, answer, (content_type[0] if content_type else "")
