"""How a search box's words become an FTS5 expression (the embedded stack's search): each word
by its Snowball stem as a prefix, so SQLite finds the forms PostgreSQL's stemming finds."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from jupyterlab_mlplat.core.kernel.search import (
    found_forms,
    fts5_match,
    parse_terms,
    search_text,
    stem,
)


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        # Russian stems are prefixes of every form: "абоненты" finds "абонентов"
        ("абоненты", '"абонент"*'),
        ("Модели", '"модел"*'),
        # an English stem that is no prefix of the word: the word as typed too
        ("policy", '("policy"* OR "polici"*)'),
        ("policies", '"polici"*'),
        # "ё" is looked up as the index holds it, without its dots, in words and phrases
        ("уйдёт", '"уйдет"*'),
        ("Ёлка", '"елк"*'),
        ('"уйдёт через месяц"', '("уйдет" + "через" + "месяц")'),
        # a stem too short to be a useful prefix: the word as typed
        ("ai", '"ai"*'),
        # a phrase is word for word as written
        ('"road photos"', '("road" + "photos")'),
        # every word must match, exclusions stemmed as well
        ("модели -абонентам", '("модел"*) NOT "абонент"*'),
        ("traffic jams", '"traffic"* AND "jam"*'),
        # nothing wanted: nothing to match
        ("-churn", ""),
    ],
)
def test_words_are_looked_up_by_their_stem(text: str, expression: str) -> None:
    assert fts5_match(parse_terms(text)) == expression


def test_nothing_typed_is_read_as_fts5_syntax() -> None:
    # every word is quoted; an operator typed by a person is a word like any other, words
    # joined by punctuation are a phrase (its last word a prefix when long enough to stem), a
    # quoted phrase is exact
    assert fts5_match(parse_terms('NEAR(a b) "x* OR y" AND')) == (
        '("near" + "a") AND "b"* AND ("x" + "or" + "y") AND "and"*'
    )
    assert fts5_match(parse_terms("api-policy -covid-19")) == (
        '((("api" + "policy"*) OR ("api" + "polici"*))) NOT ("covid" + "19")'
    )


@pytest.fixture
def threads_switch_often() -> Iterator[None]:
    """Threads switch every microsecond instead of every 5 ms, so a race shows in a test run."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("threads_switch_often")
def test_stems_are_right_when_many_requests_stem_at_once() -> None:
    # the stemmers keep their state on themselves: concurrent requests must not mix words
    words = ["абоненты", "абонентов", "районам", "района", "districts", "district", "policies"]
    expected = {w: stem(w) for w in words}
    stem.cache_clear()
    with ThreadPoolExecutor(8) as pool:
        for _ in range(60):
            stem.cache_clear()
            assert list(pool.map(stem, words * 50)) == [expected[w] for w in words * 50]


def test_the_forms_found_are_each_wanted_word_and_its_stem_for_the_marks() -> None:
    # lower case, "ё" without its dots, each once; excluded words are not found, so not marked;
    # a stem too short to look words up by is not a mark either
    found = found_forms(parse_terms('Абоненты уйдёт -телеком "road photos" ai policy'))
    assert found == (
        "абоненты",
        "абонент",
        "уйдет",
        "road",
        "photos",
        "photo",
        "ai",
        "policy",
        "polici",
    )


def test_a_phrase_marks_no_fragment_too_short_to_say_anything() -> None:
    # "t-shirt" is the phrase "t" "shirt": "t" would mark every word starting with it
    assert found_forms(parse_terms("t-shirt")) == ("shirt",)
    assert found_forms(parse_terms("don't кто-то")) == ("don", "кто")
    # a short word on its own is still what was asked for
    assert found_forms(parse_terms("ai")) == ("ai",)


def test_a_decomposed_yo_is_read_as_the_one_letter() -> None:
    # the undotted letter and a combining diaeresis, as text pasted from a PDF spells "ё"
    decomposed = "\u0443\u0439\u0434\u0435\u0308\u0442 \u0447\u0435\u0440\u0435\u0437"
    text = search_text(f"  {decomposed}\n")
    assert text == "\u0443\u0439\u0434\u0451\u0442 \u0447\u0435\u0440\u0435\u0437"
    assert parse_terms(text)[0].words == ("\u0443\u0439\u0434\u0451\u0442",)
    assert (
        fts5_match(parse_terms(text))
        == '"\u0443\u0439\u0434\u0435\u0442"* AND "\u0447\u0435\u0440\u0435\u0437"*'
    )
