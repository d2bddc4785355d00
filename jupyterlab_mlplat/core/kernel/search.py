"""How a search box's text is read, for every feature that searches (the catalog, instructions).

The same parsed terms feed both databases: PostgreSQL reads the raw text with
``websearch_to_tsquery``, SQLite's FTS5 gets ``fts5_match(terms)`` (``adapters/sql/fulltext.py``
runs either).

PostgreSQL stems what it indexes and what is asked (Snowball, Russian and English), so
"абоненты" finds a card that says "абонентов". FTS5's ``unicode61`` tokenizer stems nothing, and
the embedded stack is where a city's people try the product first: there a word is looked up by
its Snowball stem as a prefix ("абонент*"), the same algorithm PostgreSQL's ``russian_stem`` and
``english_stem`` run, so both databases find the same forms. Where a stem is no prefix of the
word as typed (English stems may change a letter, "policy" → "polici"), the word as typed is
looked up too. Russian text is written with "ё" and as often without its dots; PostgreSQL's
stemmer folds it, FTS5 keeps it: so the FTS5 indexes hold their text with "ё" folded (their
triggers fold it, migration 0015) and every word looked up there is folded the same
way (``fold``), so "уйдет" finds "уйдёт" and "уйдёт" finds "уйдет" on both databases.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# a word, a quoted phrase, each possibly excluded with a leading minus
_TERM = re.compile(r'(-?)(?:"([^"]*)"|([^\s"]+))')
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
#: a stem shorter than this matches too much as a prefix ("lo*"): the word is looked up as typed
MIN_STEM = 3
#: snowballstemmer's stemmers keep their state on the object: one call at a time
_STEMMING = threading.Lock()
_STEMMERS = {
    "russian": snowballstemmer.stemmer("russian"),
    "english": snowballstemmer.stemmer("english"),
}


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    exclude: bool = False
    #: one word written with hyphens or other marks ("API-ключ"), not a quoted phrase: its
    #: last part may end as the text's word does ("API-ключом")
    joined: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


def search_text(text: str) -> str:
    """A search box's text as both databases read it: Unicode's composed form (NFC), spaces
    collapsed. Text pasted from a PDF or typed on a Mac may spell "ё" as its undotted letter
    and a combining diaeresis: the combining mark is no word character, so "уйдёт" spelled so
    was read as a phrase of "уйде" and "т" and found nothing."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse_terms(text: str) -> tuple[Term, ...]:
    """Words and quoted phrases, as a search box's user means them; punctuation separates."""
    terms: list[Term] = []
    for minus, phrase, word in _TERM.findall(text):
        # a part of underscores only is no word to FTS5's tokenizer: it would find nothing
        words = tuple(w.lower() for w in _WORD.findall(phrase or word) if w.strip("_"))
        if words and (word or phrase).lower() != "or":
            joined = bool(word) and len(words) > 1
            terms.append(Term(words, exclude=bool(minus), joined=joined))
    return tuple(terms)


def fts5_match(terms: Sequence[Term]) -> str:
    """The FTS5 expression of the terms: every word's stem a prefix, phrases kept, exclusions
    NOT.

    Every word is quoted, so nothing the caller types is read as FTS5 syntax. FTS5 cannot
    start with NOT, so a query of exclusions only is left to the caller to answer (nothing)."""
    wanted = [fts5_term(t) for t in terms if not t.exclude]
    if not wanted:
        return ""
    unwanted = [fts5_term(t) for t in terms if t.exclude]
    expression = " AND ".join(wanted)
    for term in unwanted:
        expression = f"({expression}) NOT {term}"
    return expression


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The word's Snowball stem in its script's language (Cyrillic: Russian, else English)."""
    language = "russian" if _CYRILLIC.search(word) else "english"
    with _STEMMING:
        return str(_STEMMERS[language].stemWord(word))


def fold(text: str) -> str:
    """The text as the FTS5 indexes hold it: "ё" without its dots (the SQL of migration 0015's
    triggers folds what is indexed the same way)."""
    return text.replace("\u0451", "\u0435").replace("\u0401", "\u0415")


def found_forms(terms: Sequence[Term]) -> tuple[str, ...]:
    """How the words a search finds begin, for marking them where a hit is shown: each wanted
    word as typed and by its stem ("абоненты", "абонент": "абонентов" is found, and marked),
    lower case, "ё" folded, each once. The stems are those both databases look words up by.
    A phrase's words shorter than ``MIN_STEM`` are left out: a phrase is found whole, and
    "t-shirt" (the phrase "t" "shirt") would otherwise mark every word starting with "t"."""
    forms: dict[str, None] = {}
    for term in terms:
        if term.exclude:
            continue
        for typed in term.words:
            if term.phrase and len(typed) < MIN_STEM:
                continue
            word = fold(typed)
            forms.setdefault(word)
            stemmed = stem(word)
            if len(stemmed) >= MIN_STEM:
                forms.setdefault(stemmed)
    return tuple(forms)


def fts5_term(term: Term) -> str:
    """One term in FTS5's syntax: a word by its stem as a prefix (and as typed, where the stem
    is no prefix of it), a phrase word for word as written, a word joined by hyphens as such a
    phrase whose last part is a word ("API-ключ" finds "API-ключом", as PostgreSQL's parser
    does, ``_last_word``); "ё" folded, as the index holds it."""
    if term.joined:
        *first, last = term.words
        head = " + ".join(f'"{fold(w)}"' for w in first)
        forms = [f"({head} + {form})" for form in _last_word(fold(last))]
        return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"
    if term.phrase:
        return "(" + " + ".join(f'"{fold(w)}"' for w in term.words) + ")"
    word = fold(term.words[0])
    stemmed = stem(word)
    if len(stemmed) < MIN_STEM:
        return f'"{word}"*'
    if word.startswith(stemmed):
        return f'"{stemmed}"*'
    return f'("{word}"* OR "{stemmed}"*)'


def _last_word(word: str) -> tuple[str, ...]:
    """The forms a joined word's last part is looked up by, one phrase each (FTS5 allows a
    prefix only at a phrase's end, and no alternatives inside one): by its stem as a prefix,
    and as typed where the stem is no prefix of it ("policy": "polici"); exact when short or a
    number ("covid-19" is not "covid-190"), as PostgreSQL stems but never extends it."""
    if len(word) < MIN_STEM or word.isdigit():
        return (f'"{word}"',)
    stemmed = stem(word)
    if len(stemmed) < MIN_STEM:
        return (f'"{word}"*',)
    if word.startswith(stemmed):
        return (f'"{stemmed}"*',)
    return (f'"{word}"*', f'"{stemmed}"*')
