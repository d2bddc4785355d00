"""The starter set as files: one Markdown file per article and language, read into articles.

A file is named ``<slug>.<en|ru>.md`` and holds YAML front matter (``slug``, ``title``,
``summary``, ``minutes``, ``position``, ``next``) and a body of level-two sections that give the
article its structure::

    ## Introduction
    ## Task: <the task's title>
    ### Check your work
    ### If it did not work
    ## Conclusion

The section names are markers, in English in both languages' files; what follows each is the
Markdown readers see. Both files of an article must have the same tasks in the same order
(they are one article): a set that breaks this is a packaging mistake, refused at load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from .records import ArticleContent, Language, Task, Text

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_NAME = re.compile(r"(?P<slug>[a-z0-9-]+)\.(?P<lang>en|ru)\.md")
_SECTION = re.compile(r"^## +(.+?) *$", re.MULTILINE)
_PART = re.compile(r"^### +(.+?) *$", re.MULTILINE)
_CHECK = "check your work"
_HELP = "if it did not work"


class StarterInvalid(ValueError):
    """A starter file does not follow the format (a packaging mistake)."""


@dataclass
class _Half:
    """One language's file of an article."""

    front: dict[str, Any]
    introduction: str = ""
    conclusion: str = ""
    tasks: list[tuple[str, str, str, str]] = field(default_factory=list)


def _half(name: str, text: str) -> _Half:
    found = _FRONT.match(text.replace("\r\n", "\n"))
    if found is None:
        raise StarterInvalid(f"{name}: no front matter between '---' lines")
    front = yaml.safe_load(found.group(1))
    if not isinstance(front, dict):
        raise StarterInvalid(f"{name}: the front matter is not a mapping")
    half = _Half(front)
    body = found.group(2)
    marks = list(_SECTION.finditer(body))
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        heading, content = mark.group(1), body[mark.end() : end].strip()
        if heading == "Introduction":
            half.introduction = content
        elif heading == "Conclusion":
            half.conclusion = content
        elif heading.startswith("Task:"):
            half.tasks.append((heading[5:].strip(), *_task_parts(name, content)))
        else:
            raise StarterInvalid(f"{name}: unknown section {heading!r}")
    return half


def _task_parts(name: str, content: str) -> tuple[str, str, str]:
    parts = {"": ""}
    marks = list(_PART.finditer(content))
    parts[""] = content[: marks[0].start()].strip() if marks else content.strip()
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(content)
        heading = mark.group(1).strip().lower()
        if heading not in (_CHECK, _HELP):
            raise StarterInvalid(f"{name}: unknown task part {mark.group(1)!r}")
        parts[heading] = content[mark.end() : end].strip()
    return parts[""], parts.get(_CHECK, ""), parts.get(_HELP, "")


def starter_set(files: Mapping[str, str]) -> list[tuple[str, ArticleContent]]:
    """The articles of the files (``{file name: text}``), by position."""
    halves: dict[str, dict[Language, _Half]] = {}
    for name, text in files.items():
        named = _NAME.fullmatch(name)
        if named is None:
            raise StarterInvalid(f"{name}: a starter file is named <slug>.<en|ru>.md")
        half = _half(name, text)
        if half.front.get("slug") != named["slug"]:
            raise StarterInvalid(f"{name}: its slug is not its file's name")
        halves.setdefault(named["slug"], {})[Language(named["lang"])] = half
    articles = [(slug, _article(slug, pair)) for slug, pair in halves.items()]
    return sorted(articles, key=lambda pair: pair[1].position)


def _article(slug: str, pair: Mapping[Language, _Half]) -> ArticleContent:
    if set(pair) != {Language.EN, Language.RU}:
        raise StarterInvalid(f"{slug}: needs both an English and a Russian file")
    en, ru = pair[Language.EN], pair[Language.RU]
    for key in ("minutes", "position", "next"):
        if en.front.get(key) != ru.front.get(key):
            raise StarterInvalid(f"{slug}: {key} differs between its English and Russian files")
    if len(en.tasks) != len(ru.tasks):
        raise StarterInvalid(f"{slug}: its English and Russian files have different tasks")
    tasks = tuple(
        Task(f"t{n}", Text(a[0], b[0]), Text(a[1], b[1]), Text(a[2], b[2]), Text(a[3], b[3]))
        for n, (a, b) in enumerate(zip(en.tasks, ru.tasks, strict=True), start=1)
    )
    return ArticleContent(
        title=Text(str(en.front.get("title", "")), str(ru.front.get("title", ""))),
        summary=Text(str(en.front.get("summary", "")), str(ru.front.get("summary", ""))),
        introduction=Text(en.introduction, ru.introduction),
        tasks=tasks,
        conclusion=Text(en.conclusion, ru.conclusion),
        next_article=en.front.get("next") or None,
        minutes=int(en.front.get("minutes", 10)),
        position=int(en.front.get("position", 0)),
    )
