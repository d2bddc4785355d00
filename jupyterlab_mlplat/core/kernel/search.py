"""How a search box's text is read, for every feature that searches (the catalog, instructions).

The same parsed terms feed both databases: PostgreSQL reads the raw text with
``websearch_to_tsquery``, SQLite's FTS5 gets ``fts5_match(terms)`` (``adapters/sql/fulltext.py``
runs either).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# a word, a quoted phrase, each possibly excluded with a leading minus
_TERM = re.compile(r'(-?)(?:"([^"]*)"|([^\s"]+))')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    exclude: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


def parse_terms(text: str) -> tuple[Term, ...]:
    """Words and quoted phrases, as a search box's user means them; punctuation separates."""
    terms: list[Term] = []
    for minus, phrase, word in _TERM.findall(text):
        words = tuple(w.lower() for w in _WORD.findall(phrase or word))
        if words and (word or phrase).lower() != "or":
            terms.append(Term(words, exclude=bool(minus)))
    return tuple(terms)


def fts5_match(terms: Sequence[Term]) -> str:
    """The FTS5 expression of the terms: every word a prefix, phrases kept, exclusions NOT.

    Every word is quoted, so nothing the caller types is read as FTS5 syntax. FTS5 cannot
    start with NOT, so a query of exclusions only is left to the caller to answer (nothing)."""
    wanted = [_fts5_term(t) for t in terms if not t.exclude]
    if not wanted:
        return ""
    unwanted = [_fts5_term(t) for t in terms if t.exclude]
    expression = " AND ".join(wanted)
    for term in unwanted:
        expression = f"({expression}) NOT {term}"
    return expression


def _fts5_term(term: Term) -> str:
    if not term.phrase:
        return f'"{term.words[0]}"*'
    return "(" + " + ".join(f'"{w}"' for w in term.words) + ")"
