"""The Reviews tab in Chromium: rita sees the queue's count on the strip, opens alice's
submission, compares it with the catalog's champion (metrics side by side, the code changes
since the champion's commit), and approves it; alice is told while her lab is open; nobody
approves their own work; ivan, who does not review, has no tab and the API refuses him; the
same page in Russian."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.publishing import Kernel, Platform, publish, register_in_kernel, server_token
from tests.workbench import Hub, fetch_in_page

pytestmark = pytest.mark.browser

BASE = "1111111aaaaaaa2222222bbbbbbb3333333ccccc"
HEAD = "4444444ddddddd5555555eeeeeee6666666fffff"
DIFF = "\n".join(
    [
        "notebook train.ipynb: 1 cell(s) added, 0 removed, 1 edited",
        "--- a/train.ipynb",
        "+++ b/train.ipynb",
        "@@ -1,2 +1,3 @@",
        " import mlflow",
        "-mlflow.autolog()",
        "+mlflow.sklearn.autolog()",
        "+print(clf.score(X, y))",
        "diff --git a/train.py b/train.py",
        "--- a/train.py",
        "+++ b/train.py",
        "@@ -1,3 +1,3 @@",
        " from sklearn.linear_model import LogisticRegression",
        "-clf = LogisticRegression(max_iter=100)",
        "+clf = LogisticRegression(max_iter=300)",
        " clf.fit(X, y)",
    ]
)
#: what a card's author could try to run in a reviewer's browser
HOSTILE = (
    "Predicts the **species** of an iris.\n\n"
    "<script>window.__mlplatPwned = 'script'</script>\n\n"
    "[click me](javascript:window.__mlplatPwned='link')\n\n"
    '<img src="x" onerror="window.__mlplatPwned=\'onerror\'">\n'
)


def _card(catalog: str, description: str) -> dict[str, Any]:
    return {
        "catalog_name": catalog,
        "description": description,
        "limitations": "Only irises.",
        "license": "MIT",
        "tags": ["iris"],
    }


@pytest.fixture(scope="module")
def submitted(workbench: Any) -> dict[str, Any]:
    """alice's model with a published champion (version 1) and version 2 in review with the
    code changes since; rita's own model in review too."""
    uid = uuid.uuid4().hex[:6]
    hub = Hub(workbench)
    model, catalog = f"alice-iris-{uid}", f"iris-{uid}"
    kernel = Kernel(hub, "alice", server_token(hub, "alice"))
    try:
        first = register_in_kernel(kernel, model, f"alice/reviews-{uid}")
        second = register_in_kernel(kernel, model, f"alice/reviews-{uid}")
    finally:
        kernel.close()
    publish(
        hub,
        author="alice",
        reviewer="rita",
        model=model,
        version=first,
        card=_card(catalog, "The first iris model."),
    )
    alice = Platform(hub, "alice")
    draft = alice.call(
        "POST",
        "publications",
        {"model_name": model, "version": second, "card": _card(catalog, HOSTILE)},
        201,
    )
    candidate = alice.call(
        "POST",
        f"publications/{draft['id']}/submit",
        {
            "revision": draft["revision"],
            "diff": {"base_commit": BASE, "head_commit": HEAD, "text": DIFF},
        },
    )

    own_model = f"rita-iris-{uid}"
    kernel = Kernel(hub, "rita", server_token(hub, "rita"))
    try:
        own_version = register_in_kernel(kernel, own_model, f"rita/reviews-{uid}")
    finally:
        kernel.close()
    rita = Platform(hub, "rita", reviewer=True)
    own = rita.call(
        "POST",
        "publications",
        {
            "model_name": own_model,
            "version": own_version,
            "card": _card(f"rita-iris-{uid}", "rita's own."),
        },
        201,
    )
    own = rita.call("POST", f"publications/{own['id']}/submit", {"revision": own["revision"]})
    return {
        "model": model,
        "version": second,
        "id": candidate["id"],
        "own_model": own_model,
        "own_id": own["id"],
    }


def _api(page: Page, url: str, user: str, path: str, method: str = "GET", body: Any = None) -> Any:
    """Call the sidebar API from the person's lab, as the tab does (their cookie, XSRF)."""
    status, answer = fetch_in_page(
        page, f"{url}/user/{user}/jupyterlab-mlplat/{path}", method, body
    )
    return {"status": status, "body": answer}


def _reviews_tab(panel: Locator, name: str = "Reviews") -> Locator:
    return panel.get_by_role("tab", name=re.compile(f"^{name}"))


def _open(panel: Locator, page: Page, model: str, version: str) -> Locator:
    _reviews_tab(panel).click()
    queue = panel.get_by_role("list", name="Review queue")
    queue.get_by_role("button", name=re.compile(f"^{re.escape(model)} version {version}")).click()
    # the page opens in the main area, beside the notebooks; the tab keeps the queue
    article = page.locator("#jp-main-dock-panel").get_by_role("article")
    expect(article.get_by_role("heading", name=f"{model} version {version}")).to_be_visible(
        timeout=30_000
    )
    return article


def test_rita_sees_the_badge_compares_with_the_champion_and_approves(
    page: Page,
    submitted: dict[str, Any],
    open_panel: Callable[[str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("rita")
    tab = _reviews_tab(panel)
    badge = tab.locator(".jp-mlplat-tab-badge")
    expect(badge).to_be_visible(timeout=30_000)
    expect(tab).to_have_accessible_name(re.compile(r"^Reviews \d+ waiting for a review$"))
    tab.click()
    # the submission is in the queue and among her notifications
    expect(
        panel.get_by_text(f"alice sent {submitted['model']} version {submitted['version']}")
    ).to_be_visible(timeout=30_000)
    screenshot("rita-review-queue-en")

    article = _open(panel, page, submitted["model"], submitted["version"])
    # the card, through the sanitizer: Markdown drawn, nothing of its script run
    expect(article.locator(".jp-mlplat-card strong", has_text="species")).to_be_visible()
    assert page.evaluate("window.__mlplatPwned") is None
    # the candidate's metrics beside the champion's on the same keys
    metrics = article.get_by_role("region", name="Metrics against the champion")
    expect(
        metrics.get_by_text(re.compile(r"The champion of catalog\.iris-\w+ is version 1"))
    ).to_be_visible()
    accuracy = metrics.get_by_role("row", name=re.compile("^accuracy"))
    expect(accuracy).to_contain_text("the same")
    # the code changes since the champion's commit
    changes = article.get_by_role("region", name="Code changes since the champion")
    expect(changes.get_by_text("+clf = LogisticRegression(max_iter=300)")).to_be_visible()
    expect(changes).to_contain_text(BASE[:8])
    expect(changes.get_by_text("Cells: 1 added, 0 removed, 1 edited")).to_be_visible()
    lineage = article.get_by_role("region", name="Lineage")
    expect(lineage).to_contain_text(f"{submitted['model']} version {submitted['version']}")
    screenshot("rita-publication-en")
    metrics.scroll_into_view_if_needed()
    screenshot("rita-publication-champion-en")
    changes.scroll_into_view_if_needed()
    screenshot("rita-publication-changes-en")
    article.get_by_role("region", name="Your decision").scroll_into_view_if_needed()

    decision = article.get_by_role("region", name="Your decision")
    expect(decision.get_by_role("button", name="Request changes")).to_be_disabled()
    decision.get_by_label("Comment").fill("Same accuracy, cleaner training. Approved.")
    decision.get_by_role("button", name="Approve").click()
    expect(article.get_by_text("Approved. The author is told.")).to_be_visible(timeout=60_000)
    expect(article.get_by_text("Nothing to decide here. State: published.")).to_be_visible(
        timeout=30_000
    )
    screenshot("rita-approved-en")


def test_alice_is_told_and_cannot_decide(
    page: Page,
    workbench: Any,
    submitted: dict[str, Any],
    open_panel: Callable[[str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    panel = open_panel("alice")
    # the decision pops up in her lab, with an action that opens it
    toast = page.locator(".Toastify__toast").filter(
        has_text=f"rita approved {submitted['model']} version {submitted['version']}."
    )
    expect(toast).to_be_visible(timeout=60_000)
    expect(toast.get_by_role("button", name="Open")).to_be_visible()
    screenshot("alice-notified-en")
    # and it stays in her Models tab's news, with the reviewer's comment under it
    panel.get_by_role("tab", name="Models").click()
    news = panel.get_by_role("region", name="News about your models")
    item = news.get_by_role("listitem").filter(
        has_text=f"rita approved {submitted['model']} version {submitted['version']}."
    )
    expect(item).to_contain_text("Same accuracy, cleaner training. Approved.", timeout=30_000)
    news.scroll_into_view_if_needed()
    screenshot("alice-models-news-en")
    expect(_reviews_tab(panel)).to_have_count(0)
    said = _api(
        page,
        workbench.url,
        "alice",
        f"publications/{submitted['id']}/decisions",
        "POST",
        {"revision": 1, "action": "approve", "comment": ""},
    )
    assert said["status"] == 403, said


def test_nobody_approves_their_own(
    page: Page,
    workbench: Any,
    submitted: dict[str, Any],
    open_panel: Callable[[str], Locator],
) -> None:
    panel = open_panel("rita")
    article = _open(panel, page, submitted["own_model"], "1")
    expect(
        article.get_by_text("This is your own work: nobody reviews their own.", exact=False)
    ).to_be_visible()
    expect(article.get_by_role("button", name="Approve")).to_have_count(0)
    page_said = _api(page, workbench.url, "rita", f"publications/{submitted['own_id']}")
    said = _api(
        page,
        workbench.url,
        "rita",
        f"publications/{submitted['own_id']}/decisions",
        "POST",
        {
            "revision": page_said["body"]["publication"]["revision"],
            "action": "approve",
            "comment": "mine",
        },
    )
    assert (said["status"], said["body"]["reason"]) == (403, "own_work"), said


def test_ivan_has_no_reviews_tab_and_the_api_refuses_him(
    page: Page,
    workbench: Any,
    submitted: dict[str, Any],
    open_panel: Callable[[str], Locator],
) -> None:
    panel = open_panel("ivan")
    expect(panel.get_by_role("tab", name=re.compile("^Experiments"))).to_be_visible()
    expect(_reviews_tab(panel)).to_have_count(0)
    said = _api(page, workbench.url, "ivan", "publications/queue")
    assert said["status"] == 403, said
    said = _api(page, workbench.url, "ivan", f"publications/{submitted['id']}")
    assert said["status"] in (403, 404), said


def test_rita_reviews_in_russian(
    page: Page,
    submitted: dict[str, Any],
    open_panel: Callable[[str], Locator],
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Callable[[str], Path],
) -> None:
    open_panel("rita")
    panel = set_language(page, "rita", "ru_RU")
    try:
        _reviews_tab(panel, "Рецензии").click()
        queue = panel.get_by_role("list", name="Очередь на рецензию")
        queue.get_by_role(
            "button", name=re.compile(f"^{re.escape(submitted['own_model'])}")
        ).click()
        article = page.locator("#jp-main-dock-panel").get_by_role("article")
        expect(article.get_by_text("Это ваша собственная работа", exact=False)).to_be_visible(
            timeout=30_000
        )
        expect(
            article.get_by_role("region", name="Метрики в сравнении с чемпионом")  # noqa: RUF001
        ).to_be_visible()
        screenshot("rita-publication-ru")
        article.get_by_role("button", name="← К очереди").click()  # noqa: RUF001
        expect(panel.get_by_role("heading", name="Уведомления")).to_be_visible()
        screenshot("rita-review-queue-ru")
    finally:
        set_language(page, "rita", "en")
