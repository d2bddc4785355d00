"""Instructions over HTTP against a real platform (SQLite and PostgreSQL; images and notebooks
in a local folder and in a real S3 server): writing, revisions and the two-instructors
conflict, audiences applied on every read however a slug is spelled, progress, search in both
languages, images and notebooks, the starter set, and every bad input a 400 naming its field."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.schema import audit, instruction_revisions
from jupyterlab_mlplat.core.instructions.starter import starter_set
from jupyterlab_mlplat.platform.app import STARTER_FOLDER

from .conftest import S3_ACCESS, S3_SECRET, TOKENS, Platform, content, notebook, png

pytestmark = pytest.mark.asyncio
ARTICLES = "api/v1/instructions/articles"
GPU = f"{ARTICLES}/gpu-guide"


def audit_actions(platform: Platform, object_id: str) -> list[str]:
    query = sa.select(audit.c.action).where(audit.c.object_id == object_id).order_by(audit.c.id)
    with platform.store.engine.connect() as connection:
        return list(connection.execute(query).scalars())


async def test_an_article_from_draft_to_a_reader_in_their_language(platform: Platform) -> None:
    body = {"slug": "gpu-guide", "content": content(title_ru="Руководство по GPU")}
    draft = await platform.call("POST", ARTICLES, body, 201)
    assert (draft["state"], draft["revision"], draft["created_by"]) == ("draft", 1, "ivan")
    assert [t["key"] for t in draft["content"]["tasks"]] == ["t1", "t2"]
    # a draft is the instructors' alone: to alice it does not exist
    assert (await platform.call("GET", GPU, expect=404, token="alice"))["reason"] == (
        "article_not_found"
    )
    listed = await platform.call("GET", f"{ARTICLES}?lang=ru", token="alice")
    assert "gpu-guide" not in [a["slug"] for a in listed["articles"]]

    await platform.call("POST", f"{GPU}/publish", {"revision": 1})
    ru = await platform.call("GET", f"{GPU}?lang=ru", token="alice")
    assert (ru["title"], ru["language"], ru["introduction"]) == (
        "Руководство по GPU",
        "ru",
        "Зачем и как.",
    )
    # a text not written in Russian falls back to English, text by text
    assert ru["tasks"][1]["title"] == "Track" and ru["tasks"][0]["title"] == "Откройте вкладку"
    assert ru["progress"] == {"done": [], "count": 0, "total": 2} and ru["editable"] is False
    en = await platform.call("GET", GPU, token="alice")
    assert (en["title"], en["tasks"][0]["check"]) == ("GPU guide", "You see your runs.")
    assert audit_actions(platform, "gpu-guide") == ["article.created", "article.published"]


async def test_two_instructors_save_the_same_article_and_nothing_is_overwritten(
    platform: Platform,
) -> None:
    published = await platform.article()
    revision = published["revision"]
    # as the editor sends it back: the tasks keep the keys they were given
    mine = published["content"] | {"title": {"en": "GPU guide, ivan's", "ru": ""}}
    theirs = published["content"] | {"title": {"en": "GPU guide, ira's", "ru": ""}}
    saved = await platform.call("PUT", GPU, {"revision": revision, "content": mine})
    assert saved["revision"] == revision + 1 and saved["state"] == "published"
    refused = await platform.call(
        "PUT", GPU, {"revision": revision, "content": theirs}, 409, token="ira"
    )
    assert refused["reason"] == "article_changed"
    assert (refused["params"]["by"], refused["params"]["revision"]) == ("ivan", revision + 1)
    assert refused["params"]["yours"] == revision and refused["params"]["at"]
    source = await platform.call("GET", f"{GPU}/source", token="ira")
    assert source["content"]["title"]["en"] == "GPU guide, ivan's"

    revisions = (await platform.call("GET", f"{GPU}/revisions", token="ira"))["revisions"]
    assert [(r["number"], r["action"], r["by"]) for r in revisions] == [
        (3, "save", "ivan"),
        (2, "publish", "ivan"),
        (1, "create", "ivan"),
    ]
    assert revisions[0]["changed"] == ["title.en"] and revisions[1]["changed"] == ["state"]
    first = await platform.call("GET", f"{GPU}/revisions/1", token="ira")
    assert first["content"]["title"]["en"] == "GPU guide"  # kept as it was
    assert (await platform.call("GET", f"{GPU}/revisions/9", expect=404))["reason"] == (
        "revision_not_found"
    )
    # a save that changes nothing makes no revision
    same = await platform.call("PUT", GPU, {"revision": revision + 1, "content": mine})
    assert same["revision"] == revision + 1
    with platform.store.engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(instruction_revisions))
        assert count.scalar() == 3 + len(starter_set(_starter_files()))


def _starter_files() -> dict[str, str]:
    return {f.name: f.read_text("utf-8") for f in STARTER_FOLDER.glob("*.md")}


SPELLINGS = ["gpu-guide", "%67pu-guide", "gpu%2Dguide"]


@pytest.mark.parametrize("spelled", SPELLINGS)
async def test_an_article_for_a_group_is_hidden_from_others_however_its_slug_is_spelled(
    platform: Platform, spelled: str
) -> None:
    await platform.article(audience="groups", groups=["transport"])
    png_id = (await platform.call("POST", f"{GPU}/images", raw=png(), expect=201))["id"]
    await platform.call("PUT", f"{GPU}/notebook?name=intro.ipynb", raw=notebook())
    path = f"{ARTICLES}/{spelled}"
    assert (await platform.call("GET", path, token="bob"))["slug"] == "gpu-guide"
    for reader in ("alice", "gina", "adam"):
        for sub in ("", f"/images/{png_id}", "/notebook"):
            refused = await platform.call("GET", path + sub, expect=404, token=reader)
            assert refused["reason"] == "article_not_found", (reader, sub)
            assert "transport" not in json.dumps(refused)
        tick = {"task": "t1", "done": True}
        await platform.call("PUT", f"{path}/progress", tick, 404, token=reader)
        listed = await platform.call("GET", f"{ARTICLES}?q=GPU", token=reader)
        assert "gpu-guide" not in [a["slug"] for a in listed["articles"]]
    for reader in ("alice", "bob"):  # writing is the instructors'
        refused = await platform.call("GET", f"{path}/source", expect=403, token=reader)
        assert refused["reason"] == "role_required"
    for bad in ("GPU-guide", "gpu_guide", "..", "gpu-guide%00"):
        refused = await platform.call("GET", f"{ARTICLES}/{bad}", expect=400, token="alice")
        assert refused["reason"] == "name_invalid"


async def test_an_article_for_a_profile_is_for_those_who_may_start_it(platform: Platform) -> None:
    await platform.article(audience="profiles", profiles=["gpu-1"])
    assert (await platform.call("GET", GPU, token="gina"))["slug"] == "gpu-guide"
    await platform.call("GET", GPU, expect=404, token="alice")
    # admins may start every profile
    assert (await platform.call("GET", GPU, token="adam"))["slug"] == "gpu-guide"
    # the profile opens to alice's group: the article follows the profiles' own rule
    gpu = next(s for s in platform.store.profiles() if s.profile.slug == "gpu-1")
    data = gpu.profile.model_dump(mode="json") | {"allowed_groups": ["data-scientists"]}
    profiles = platform.app.services.profiles  # type: ignore[union-attr]
    profiles.replace(TOKENS["adam"], "gpu-1", data, revision=gpu.revision)
    assert (await platform.call("GET", GPU, token="alice"))["slug"] == "gpu-guide"


async def test_progress_is_each_readers_own_and_follows_its_task(platform: Platform) -> None:
    published = await platform.article()
    done = await platform.call(
        "PUT", f"{GPU}/progress", {"task": "t2", "done": True}, token="alice"
    )
    assert done == {"done": ["t2"], "count": 1, "total": 2}
    bob = await platform.call("GET", GPU, token="bob")
    assert bob["progress"]["count"] == 0 and not any(t["done"] for t in bob["tasks"])
    listed = await platform.call("GET", ARTICLES, token="alice")
    (mine,) = [a for a in listed["articles"] if a["slug"] == "gpu-guide"]
    assert mine["progress"] == {"done": ["t2"], "count": 1, "total": 2}
    # reordered and reworded: the tick stays on its task; a new task gets a key nobody had
    tasks = published["content"]["tasks"]
    tasks = [tasks[1] | {"title": {"en": "Track it", "ru": ""}}, {"title": {"en": "New"}}]
    body = {"revision": published["revision"], "content": content() | {"tasks": tasks}}
    saved = await platform.call("PUT", GPU, body)
    assert [t["key"] for t in saved["content"]["tasks"]] == ["t2", "t3"]
    view = await platform.call("GET", GPU, token="alice")
    assert [t["done"] for t in view["tasks"]] == [True, False]
    assert view["progress"] == {"done": ["t2"], "count": 1, "total": 2}
    undone = await platform.call(
        "PUT", f"{GPU}/progress", {"task": "t2", "done": False}, token="alice"
    )
    assert undone["count"] == 0
    unknown = await platform.call(
        "PUT", f"{GPU}/progress", {"task": "t1", "done": True}, 400, token="alice"
    )
    assert (unknown["reason"], unknown["params"]["task"]) == ("task_unknown", "t1")
    for bad in ({"task": "t2", "done": "true"}, {"task": "T 2", "done": True}, {"task": "t2"}):
        refused = await platform.call("PUT", f"{GPU}/progress", bad, 400, token="alice")
        assert refused["reason"] == "body_invalid"


async def test_search_finds_both_languages_and_only_what_the_reader_may_see(
    platform: Platform,
) -> None:
    await platform.article(title_ru="Графические ускорители для обучения")
    await platform.article("transport-notes", title="Road sensors", position=101)
    found = await platform.call(
        "GET", f"{ARTICLES}?{urlencode({'q': 'ускорители', 'lang': 'ru'})}", token="alice"
    )
    assert [a["slug"] for a in found["articles"]] == ["gpu-guide"]
    found = await platform.call("GET", f"{ARTICLES}?q=sensors", token="alice")
    assert [a["slug"] for a in found["articles"]] == ["transport-notes"]
    # the starter set is there, and found by its tasks' words in Russian
    found = await platform.call(
        "GET", f"{ARTICLES}?{urlencode({'q': 'ячейку отслеживания', 'lang': 'ru'})}", token="alice"
    )
    assert "track-a-notebook" in [a["slug"] for a in found["articles"]]
    # a title written with "ё" is found by the word typed without its dots, on either database
    await platform.article("labels", title_ru="Зелёные метки запусков", position=102)
    found = await platform.call(
        "GET", f"{ARTICLES}?{urlencode({'q': 'зеленые метки', 'lang': 'ru'})}", token="alice"
    )
    assert [a["slug"] for a in found["articles"]] == ["labels"]
    refused = await platform.call("GET", f"{ARTICLES}?lang=fr", expect=400, token="alice")
    assert refused["reason"] == "language_invalid"
    refused = await platform.call("GET", f"{ARTICLES}?q=" + "x" * 201, expect=400, token="alice")
    assert refused["reason"] == "text_invalid"


async def test_images_are_kept_checked_and_served_as_what_they_are(platform: Platform) -> None:
    await platform.article()
    image = await platform.call("POST", f"{GPU}/images", raw=png(40, 20), expect=201)
    assert (image["kind"], image["width"], image["height"]) == ("png", 40, 20)
    assert image["reference"] == f"images/{image['id']}"
    response = await platform.fetch("GET", f"{GPU}/images/{image['id']}", token="alice")
    assert response.code == 200 and response.body == png(40, 20)
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    again = await platform.call("POST", f"{GPU}/images", raw=png(40, 20), expect=201)
    assert again["id"] == image["id"]
    source = await platform.call("GET", f"{GPU}/source")
    assert [i["id"] for i in source["images"]] == [image["id"]]
    assert audit_actions(platform, "gpu-guide").count("article.image_uploaded") == 1

    bad = {
        b"not an image at all": "not_an_image",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>": "svg",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64: "truncated",
        png(9000, 1): "too_many_pixels",
    }
    for data, rule in bad.items():
        refused = await platform.call("POST", f"{GPU}/images", raw=data, expect=400)
        assert (refused["reason"], refused["params"]["rule"]) == ("image_invalid", rule)
    refused = await platform.call("POST", f"{GPU}/images", raw=b"", expect=400)
    assert refused["params"]["rule"] == "empty"
    for missing in ("0" * 32 + ".png", "x.png", "..%2F..%2Fsecret"):
        refused = await platform.call("GET", f"{GPU}/images/{missing}", expect=404, token="alice")
        assert refused["reason"] == "image_not_found"
    refused = await platform.call("POST", f"{GPU}/images", raw=png(), expect=403, token="alice")
    assert refused["reason"] == "role_required"


async def test_an_image_larger_than_the_trait_is_refused(tmp_path: Any, sqlite_url: str) -> None:
    small = Platform(tmp_path, sqlite_url, instructions_image_max_bytes=100)
    try:
        await small.article()
        refused = await small.call("POST", f"{GPU}/images", raw=png(200, 200), expect=400)
        assert (refused["params"]["rule"], refused["params"]["limit"]) == ("too_large", 100)
    finally:
        small.stop()


async def test_a_body_beyond_the_platforms_limit_is_refused_before_it_is_read(
    tmp_path: Any, sqlite_url: str
) -> None:
    small = Platform(tmp_path, sqlite_url, max_body_size=4096, instructions_image_max_bytes=100)
    try:
        await small.article()
        # under the body limit, the image's own limit answers with its reason
        refused = await small.call("POST", f"{GPU}/images", raw=b"x" * 4000, expect=400)
        assert refused["params"]["rule"] == "too_large"
        # beyond it, the server refuses from the Content-Length, before the handler runs
        response = await small.fetch("POST", f"{GPU}/images", raw=b"x" * 64_000)
        assert response.code == 400 and not response.body
    finally:
        small.stop()


async def test_images_and_notebooks_live_in_s3_on_a_cluster(s3_platform: Platform) -> None:
    await s3_platform.article()
    image = await s3_platform.call("POST", f"{GPU}/images", raw=png(), expect=201)
    await s3_platform.call("PUT", f"{GPU}/notebook?name=intro.ipynb", raw=notebook())
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_platform.app.s3_endpoint,
        aws_access_key_id=S3_ACCESS,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )
    listed = s3.list_objects_v2(Bucket=s3_platform.bucket)  # type: ignore[attr-defined]
    keys = sorted(o["Key"] for o in listed["Contents"])
    assert keys == [
        f"instructions/gpu-guide/images/{image['id']}",
        "instructions/gpu-guide/notebook.ipynb",
    ]
    response = await s3_platform.fetch("GET", f"{GPU}/images/{image['id']}", token="alice")
    assert response.body == png()
    response = await s3_platform.fetch("GET", f"{GPU}/notebook", token="alice")
    assert json.loads(response.body)["nbformat"] == 4
    source = await s3_platform.call("GET", f"{GPU}/source")
    await s3_platform.call("DELETE", f"{GPU}?revision={source['revision']}", expect=204)
    assert "Contents" not in s3.list_objects_v2(Bucket=s3_platform.bucket)  # type: ignore[attr-defined]


async def test_an_example_notebook_is_checked_served_and_removed(platform: Platform) -> None:
    await platform.article()
    kept = await platform.call("PUT", f"{GPU}/notebook?name=intro.ipynb", raw=notebook())
    assert (kept["name"], kept["uploaded_by"]) == ("intro.ipynb", "ivan")
    view = await platform.call("GET", GPU, token="alice")
    assert view["notebook"]["name"] == "intro.ipynb"
    response = await platform.fetch("GET", f"{GPU}/notebook", token="alice")
    assert response.headers["Content-Type"] == "application/x-ipynb+json"
    assert response.body == notebook()
    cases = [
        ("intro.ipynb", b"{nope", "not_json"),
        ("intro.ipynb", b'{"nbformat": 3}', "not_nbformat4"),
        ("../intro.ipynb", notebook(), "name"),
        ("intro.py", notebook(), "name"),
    ]
    for name, data, rule in cases:
        refused = await platform.call("PUT", f"{GPU}/notebook?name={name}", raw=data, expect=400)
        assert (refused["reason"], refused["params"]["rule"]) == ("notebook_invalid", rule)
    await platform.call("DELETE", f"{GPU}/notebook", expect=204)
    refused = await platform.call("GET", f"{GPU}/notebook", expect=404, token="alice")
    assert refused["reason"] == "notebook_not_found"
    assert audit_actions(platform, "gpu-guide")[-2:] == [
        "article.notebook_attached",
        "article.notebook_removed",
    ]


BAD: list[tuple[dict[str, Any], str, str]] = [
    # (a change to the content, the field named, the reason)
    ({"title": {"en": "", "ru": ""}}, "title", "article_invalid"),
    ({"title": {"en": "x" * 201}}, "content.title.en", "body_invalid"),
    ({"introduction": {"en": "x" * 50_001}}, "content.introduction.en", "body_invalid"),
    ({"next_article": "no-such-article"}, "next_article", "next_article_unknown"),
    ({"next_article": "gpu-guide"}, "next_article", "next_article_unknown"),
    ({"next_article": "Not A Slug"}, "content.next_article", "body_invalid"),
    ({"position": 10}, "position", "position_taken"),
    ({"position": -1}, "content.position", "body_invalid"),
    ({"position": True}, "content.position", "body_invalid"),
    ({"minutes": 0}, "content.minutes", "body_invalid"),
    ({"audience": "groups"}, "groups", "article_invalid"),
    ({"audience": "profiles", "profiles": ["no-such"]}, "profiles.0", "audience_unknown"),
    ({"audience": "everybody"}, "content.audience", "body_invalid"),
    ({"conclusion": {"en": "[x](mlplat:format-disk)"}}, "conclusion.en", "unknown_product_action"),
    ({"tasks": [{"title": {"en": "t"}}] * 41}, "content.tasks", "body_invalid"),
    ({"tasks": [{"key": "BAD KEY", "title": {"en": "t"}}]}, "content.tasks.0.key", "body_invalid"),
    ({"summary": {"en": "rtl\u202eevil"}}, "summary.en", "text_invalid"),
    ({"colour": "red"}, "content.colour", "body_invalid"),
]


@pytest.mark.parametrize(("change", "field", "reason"), BAD)
async def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    platform: Platform, change: dict[str, Any], field: str, reason: str
) -> None:
    body = {"slug": "gpu-guide", "content": content() | change}
    refused = await platform.call("POST", ARTICLES, body, 400)
    assert refused["reason"] == reason, refused
    named = refused["params"].get("field") or next(iter(refused.get("fields") or {}), None)
    assert named == field or refused.get("field") == field, refused
    await platform.call("GET", f"{GPU}/source", expect=404)
    assert audit_actions(platform, "gpu-guide") == []


async def test_a_huge_article_is_refused_by_the_platforms_limit(
    tmp_path: Any, sqlite_url: str
) -> None:
    small = Platform(tmp_path, sqlite_url, instructions_max_chars=1_000)
    try:
        huge = content(introduction={"en": "x" * 900, "ru": "я" * 900})
        refused = await small.call("POST", ARTICLES, {"slug": "big", "content": huge}, 400)
        assert (refused["reason"], refused["params"]["limit"]) == ("article_too_long", 1_000)
        body = b'{"slug": "big", "content": ' + b"[" * 100 + b"]" * 100 + b"}"
        refused = await small.call("POST", ARTICLES, raw=body, expect=400)
        assert refused["reason"] == "body_too_deep"
    finally:
        small.stop()


async def test_slugs_and_conflicts_of_creation(platform: Platform) -> None:
    await platform.article()
    again = await platform.call("POST", ARTICLES, {"slug": "gpu-guide", "content": content()}, 409)
    assert again["reason"] == "article_exists"
    bad = await platform.call("POST", ARTICLES, {"slug": "new", "content": content()}, 400)
    assert bad["reason"] == "name_invalid"
    refused = await platform.call(
        "POST", ARTICLES, {"slug": "mine", "content": content()}, 403, token="alice"
    )
    assert refused["reason"] == "role_required"
    source = await platform.call("GET", f"{GPU}/source")
    again = await platform.call("POST", f"{GPU}/publish", {"revision": source["revision"]}, 409)
    assert again["reason"] == "article_already"
    draft = await platform.call("POST", f"{GPU}/unpublish", {"revision": source["revision"]})
    assert draft["state"] == "draft"
    await platform.call("GET", GPU, expect=404, token="alice")
    stale = await platform.call("DELETE", f"{GPU}?revision={source['revision']}", expect=409)
    assert stale["reason"] == "article_changed"
    await platform.call("DELETE", f"{GPU}?revision={draft['revision']}", expect=204)
    await platform.call("GET", f"{GPU}/source", expect=404)


async def test_the_starter_set_is_loaded_once_and_never_over_an_instructors_edit(
    tmp_path: Any, database_url: str
) -> None:
    first = Platform(tmp_path, database_url)
    try:
        listed = await first.call("GET", f"{ARTICLES}?lang=ru", token="alice")
        starters = [a["slug"] for a in listed["articles"] if a["starter"]]
        assert starters == [slug for slug, _ in starter_set(_starter_files())]
        assert listed["articles"][0]["title"] == "Отслеживание блокнота в MLflow"
        track = await first.call("GET", f"{ARTICLES}/track-a-notebook/source")
        edited = track["content"] | {"title": {"en": "Tracking, our way", "ru": ""}}
        body = {"revision": track["revision"], "content": edited}
        await first.call("PUT", f"{ARTICLES}/track-a-notebook", body)
        compare = await first.call("GET", f"{ARTICLES}/compare-runs/source")
        path = f"{ARTICLES}/compare-runs?revision={compare['revision']}"
        await first.call("DELETE", path, expect=204)
    finally:
        first.stop()
    second = Platform(tmp_path, database_url)  # a restart on the same database
    try:
        track = await second.call("GET", f"{ARTICLES}/track-a-notebook", token="alice")
        assert track["title"] == "Tracking, our way"
        await second.call("GET", f"{ARTICLES}/compare-runs", expect=404, token="alice")
    finally:
        second.stop()


async def test_an_audience_names_only_groups_the_hub_has(tmp_path: Any, sqlite_url: str) -> None:
    known = Platform(tmp_path, sqlite_url, known_groups=["transport", "gpu-users"])
    try:
        aimed = content(audience="groups", groups=["transport", "no-such-team"])
        refused = await known.call("POST", ARTICLES, {"slug": "x", "content": aimed}, 400)
        assert (refused["reason"], refused["params"]) == (
            "audience_unknown",
            {"field": "groups.1", "value": "no-such-team"},
        )
        assert refused["fields"] == {"groups.1": refused["message"]}
        aimed = content(audience="groups", groups=["transport"])
        await known.call("POST", ARTICLES, {"slug": "x", "content": aimed}, 201)
    finally:
        known.stop()


async def test_lang_is_en_or_ru_and_nothing_else(platform: Platform) -> None:
    for given in ("", "EN", "fr", "ru-RU"):
        refused = await platform.call(
            "GET", f"{ARTICLES}?{urlencode({'lang': given})}", expect=400, token="alice"
        )
        assert (refused["reason"], refused["params"]["field"]) == ("language_invalid", "lang")
