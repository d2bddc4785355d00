"""The Instructions tab in Chromium: ivan (an instructor) writes an article in both languages
with an image and a task and publishes it; alice reads it in Russian, ticks the task, and finds
her tick after a reload; a script, a ``javascript:`` link and an ``onerror`` attribute in the
article's Markdown do nothing while its product link opens a tab; the launcher and the Help menu
open the tab (issue 14, items 1-5)."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from tests.workbench import Workbench

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]
OpenPanel = Callable[[str], Locator]
PanelOf = Callable[[Page], Locator]
#: where the people who review this work look at the screenshots
SHOTS = Path("/work/shots/H")

#: the task's Russian title
TASK_RU = "Запустите среду с GPU"  # noqa: RUF001
#: what an instructor's Markdown could try to run in a reader's browser
HOSTILE = (
    "<script>window.__mlplatPwned = 'script'</script>\n\n"
    "[нажмите](javascript:window.__mlplatPwned='link')\n\n"
    '<img src="x" onerror="window.__mlplatPwned=\'onerror\'">\n\n'
)


def keep(path: Path) -> None:
    """A copy of a screenshot where reviewers look (the fixture keeps the CI one)."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
    except OSError:
        pass  # a machine without /work: the screenshot stays in ui-tests/screenshots


def png(tmp_path: Path) -> Path:
    """A real PNG: a small picture of the Experiments tab's colours."""
    path = tmp_path / "experiments-tab.png"
    image = Image.new("RGB", (120, 60), (30, 120, 200))
    for x in range(10, 110):
        for y in range(20, 40):
            image.putpixel((x, y), (250, 250, 250))
    image.save(path, format="PNG")
    return path


def shot(page: Page, name: str) -> None:
    """A screenshot of a page of a second browser context, kept as the fixture's are."""
    path = Path(__file__).resolve().parent / "screenshots" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))
    keep(path)


def log_in(page: Page, workbench: Workbench, user: str, panel_of: PanelOf) -> Locator:
    """What the ``open_panel`` fixture does, for a page of another browser context."""
    page.goto(f"{workbench.url}/hub/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(workbench.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/hub/(spawn|home)|/user/"))
    if "/hub/spawn" in page.url:
        page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=120_000)
    page.goto(f"{workbench.url}/user/{user}/lab?reset")
    return panel_of(page)


def instructions_tab(panel: Locator, name: str = "Instructions") -> Locator:
    panel.get_by_role("tab", name=name).click()
    return panel.get_by_role("tabpanel")


def test_ivan_writes_alice_reads_in_russian_and_ticks(
    page: Page,
    browser: Browser,
    workbench: Workbench,
    open_panel: OpenPanel,
    panel_of: PanelOf,
    set_language: Callable[[Page, str, str], Locator],
    screenshot: Shot,
    tmp_path: Path,
) -> None:
    slug = f"ui-{uuid.uuid4().hex[:8]}"
    title_en = f"Using the GPU profile {slug}"
    title_ru = f"Профиль с GPU {slug}"  # noqa: RUF001
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        """An alert or a confirm: what a script of the article would open."""
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    # ivan writes: the starter set is there, and a New article button for him
    panel = open_panel("ivan")
    tab = instructions_tab(panel)
    expect(tab.get_by_role("button", name="New article")).to_be_visible(timeout=30_000)
    expect(tab.get_by_role("listitem").first).to_be_visible()
    keep(screenshot("H-ivan-instructions-list"))
    tab.get_by_role("button", name="New article").click()
    editor = tab.get_by_role("region", name="Article editor")
    editor.get_by_label("Name in addresses (lower-case letters, digits, dashes)").fill(slug)
    editor.get_by_label("Title", exact=True).fill(title_en)
    editor.get_by_label("Introduction (Markdown)").fill(
        "Start from [the Experiments tab](mlplat:open-tab/experiments)."
    )
    editor.get_by_role("button", name="Add a task").click()
    editor.get_by_label("Task title").fill("Start a GPU workspace")
    editor.get_by_label("What to do (Markdown)").fill("Pick **GPU** on the spawn page.")
    editor.get_by_label("Check your work (Markdown)").fill("`nvidia-smi` lists a GPU.")
    editor.get_by_label("Help if it did not work (Markdown)").fill("Ask an admin for the group.")
    # two mistakes, told at once by one Save, each at its field's label; nothing typed is lost
    name = editor.get_by_label("Name in addresses (lower-case letters, digits, dashes)")
    name.fill("My Article!")
    minutes = editor.get_by_label("Minutes it takes")
    minutes.fill("-3")
    editor.get_by_role("button", name="Save").click()
    problems = editor.get_by_role("list", name="What to correct")
    expect(problems.get_by_role("listitem")).to_have_count(2, timeout=30_000)
    expect(problems).to_contain_text("Name in addresses: ")
    expect(problems).to_contain_text("Minutes it takes: Enter 1 or more.")
    problems.scroll_into_view_if_needed()
    keep(screenshot("H-ivan-editor-two-mistakes"))
    expect(editor.get_by_label("Task title")).to_have_value("Start a GPU workspace")
    name.fill(slug)
    minutes.fill("10")
    # the same article in Russian, behind the language switch
    editor.get_by_role("radio", name="Russian").check()
    editor.get_by_label("Title", exact=True).fill(title_ru)
    editor.get_by_label("Introduction (Markdown)").fill(
        HOSTILE + "Начните со [вкладки «Эксперименты»](mlplat:open-tab/experiments)."  # noqa: RUF001
    )
    editor.get_by_label("Task title").fill(TASK_RU)
    editor.get_by_label("Check your work (Markdown)").fill("`nvidia-smi` показывает GPU.")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_text("Saved.")).to_be_visible(timeout=30_000)
    expect(editor.get_by_text("Draft, revision 1")).to_be_visible()

    # an image, uploaded into the Russian introduction (the text last typed in)
    editor.get_by_label("Introduction (Markdown)").click()
    editor.get_by_label(
        "Add an image (PNG, JPEG, GIF or WebP) where you last typed"
    ).set_input_files(str(png(tmp_path)))
    expect(editor.get_by_label("Introduction (Markdown)")).to_have_value(
        re.compile(r"!\[experiments-tab\]\(images/[0-9a-f]{32}\.png\)"), timeout=30_000
    )
    # a file that is not an image is refused in words, and nothing typed is lost
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    editor.get_by_label(
        "Add an image (PNG, JPEG, GIF or WebP) where you last typed"
    ).set_input_files(str(notes))
    refusal = editor.get_by_role("alert")
    expect(refusal).to_contain_text("The image was not added", timeout=30_000)
    # in English the platform's own sentence (the Russian UI says the label's)
    expect(refusal).to_contain_text("The upload is not a PNG, JPEG, GIF or WebP image.")
    expect(editor.get_by_label("Introduction (Markdown)")).to_have_value(
        re.compile(r"!\[experiments-tab\]")
    )
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_text("Saved.")).to_be_visible(timeout=30_000)
    editor.get_by_role("button", name="Preview").click()
    expect(editor.locator(".jp-mlplat-preview img[alt='experiments-tab']")).to_be_visible()
    keep(screenshot("H-ivan-editor-preview-ru"))
    editor.get_by_role("button", name="Back to editing").click()
    editor.get_by_role("button", name="Publish").click()
    expect(editor.get_by_text(re.compile(r"Published, revision \d+"))).to_be_visible(timeout=30_000)
    editor.get_by_role("button", name="Revisions").click()
    expect(editor.get_by_role("region", name="Revisions")).to_contain_text("ivan published it")
    keep(screenshot("H-ivan-editor-published"))

    # alice reads it in Russian, in her own browser
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    alice = context.new_page()
    alice.on("dialog", on_dialog)
    log_in(alice, workbench, "alice", panel_of)
    panel = set_language(alice, "alice", "ru_RU")
    try:
        tab = instructions_tab(panel, "Инструкции")
        tab.get_by_role("searchbox", name="Поиск по инструкциям").fill(slug)
        row = tab.get_by_role("listitem").filter(has_text=title_ru)
        expect(row).to_contain_text("Выполнено 0 из 1", timeout=30_000)
        row.get_by_role("button", name=title_ru).click()
        article = tab.get_by_role("article")
        expect(article.get_by_role("heading", name=title_ru)).to_be_visible(timeout=30_000)
        image = article.locator("img[alt='experiments-tab']")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 120
        # the text not written in Russian is shown in English
        expect(article).to_contain_text("Pick GPU on the spawn page.")
        expect(article.get_by_text("Проверьте себя")).to_be_visible()
        shot(alice, "H-alice-article-ru")

        # nothing of the hostile Markdown runs, even when clicked
        article.get_by_text("нажмите").click()
        assert alice.evaluate("window.__mlplatPwned") is None
        assert article.locator("script").count() == 0
        assert article.locator("[onerror]").count() == 0
        assert dialogs == []

        # she ticks the task; the tick outlives a reload
        article.get_by_role("checkbox", name=TASK_RU).check()
        expect(article.get_by_text("Выполнено 1 из 1")).to_be_visible(timeout=30_000)
        alice.reload()
        panel = panel_of(alice)
        tab = instructions_tab(panel, "Инструкции")
        tab.get_by_role("searchbox", name="Поиск по инструкциям").fill(slug)
        row = tab.get_by_role("listitem").filter(has_text=title_ru)
        expect(row).to_contain_text("Выполнено 1 из 1", timeout=30_000)
        row.get_by_role("button", name=title_ru).click()
        article = tab.get_by_role("article")
        expect(article.get_by_role("checkbox", name=TASK_RU)).to_be_checked(timeout=30_000)
        shot(alice, "H-alice-ticked-ru")

        # the product link opens the Experiments tab, as a command, not a navigation
        url = alice.url
        article.get_by_role("link", name="вкладки «Эксперименты»").click()
        expect(panel.get_by_role("tab", name="Эксперименты")).to_have_attribute(
            "aria-selected", "true"
        )
        assert alice.url == url
        assert alice.evaluate("window.__mlplatPwned") is None
        assert dialogs == []
    finally:
        set_language(alice, "alice", "en")
        context.close()


def test_the_launcher_and_the_help_menu_open_the_tab(
    page: Page, open_panel: OpenPanel, screenshot: Shot
) -> None:
    panel = open_panel("alice")
    # the launcher (a new one, whatever the layout restored)
    page.get_by_role("menuitem", name="File").click()
    page.get_by_role("menuitem", name=re.compile("^New Launcher")).click()
    launcher = page.locator(".jp-Launcher").last
    expect(launcher.get_by_text("ML Platform", exact=True)).to_be_visible(timeout=30_000)
    keep(screenshot("H-launcher"))
    panel.get_by_role("tab", name="Experiments").click()
    launcher.locator(".jp-LauncherCard[title^='Quick starts']").click()
    expect(panel.get_by_role("tab", name="Instructions")).to_have_attribute("aria-selected", "true")

    # the Help menu: the tab, and the first article
    panel.get_by_role("tab", name="Experiments").click()
    page.get_by_role("menuitem", name="Help").click()
    keep(screenshot("H-help-menu"))
    page.get_by_role("menuitem", name="Instructions", exact=True).click()
    expect(panel.get_by_role("tab", name="Instructions")).to_have_attribute("aria-selected", "true")
    page.get_by_role("menuitem", name="Help").click()
    page.get_by_role("menuitem", name="Getting Started with the ML Platform").click()
    expect(panel.get_by_role("tabpanel").get_by_role("article")).to_be_visible(timeout=30_000)
    keep(screenshot("H-getting-started"))
