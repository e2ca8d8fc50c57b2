"""The directory search's text rules, on plain strings: what a document and a query are made of, name sort keys,
and which parts of a shown text a query matched.

Both databases index the same tokens, made here, so both find the same providers: Chinese has no spaces, so a
run of Chinese characters becomes its single characters (a 1-character query) and its overlapping pairs
(bigrams: 杭州美妆 → 杭州, 州美, 美妆); other letters and digits become casefolded words, matched by prefix as
people type. PostgreSQL stores the tokens as a tsvector without its own parser (array_to_tsvector: no locale can
drop a Chinese character), SQLite in FTS5 (unicode61, which keeps each space-separated token whole).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import lazy_pinyin

# CJK ideographs: the unified block, extension A, compatibility ideographs and the supplementary planes.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

MAX_WORDS = 8
MAX_QUERY_LENGTH = 100


def _normalise(text: str) -> str:
    # NFKC: full-width Ｔｍａｌｌ and ３Ｃ are Tmall and 3C; casefold: Commerce and COMMERCE are one word.
    return unicodedata.normalize("NFKC", text).casefold()


def _runs(text: str) -> list[str]:
    return _RUN.findall(_normalise(text))


def _is_cjk(run: str) -> bool:
    return bool(_IS_CJK.match(run))


def document_tokens(*texts: str) -> str:
    """The space-separated tokens of some texts, each once: words, and Chinese characters and their pairs."""
    tokens: dict[str, None] = {}
    for text in texts:
        for run in _runs(text or ""):
            if _is_cjk(run):
                tokens.update(dict.fromkeys(run))
                tokens.update(dict.fromkeys(run[i:i + 2] for i in range(len(run) - 1)))
            else:
                tokens[run] = None
    return " ".join(tokens)


@dataclass(frozen=True)
class Token:
    text: str
    prefix: bool  # a word matches words that start with it; Chinese tokens match exactly


@dataclass(frozen=True)
class Word:
    """One space-separated word of a query: it matches where all its tokens are found."""

    text: str
    tokens: tuple[Token, ...]


def query_words(query: str) -> list[Word]:
    """The words of a query, each with its tokens; words with no letter, digit or Chinese character are dropped.

    A Chinese run of one character is that character; a longer one is its pairs, so 杭州美妆 finds text
    containing 杭州美妆 (and, rarely, text with 杭州, 州美 and 美妆 apart).
    """
    words = []
    for raw in query.split():
        tokens: list[Token] = []
        for run in _runs(raw):
            if not _is_cjk(run):
                tokens.append(Token(run, prefix=True))
            elif len(run) == 1:
                tokens.append(Token(run, prefix=False))
            else:
                tokens.extend(Token(run[i:i + 2], prefix=False) for i in range(len(run) - 1))
        if tokens:
            words.append(Word(raw, tuple(dict.fromkeys(tokens))))
    return words


def query_problem(query: str) -> str | None:
    """Why a query cannot be searched (too long, too many words), or None; the form shows the reason."""
    if len(query) > MAX_QUERY_LENGTH:
        return "length"
    if len(query.split()) > MAX_WORDS:
        return "words"
    return None


def name_sort_key(name: str) -> str:
    """A name's place in dictionary order: Chinese characters by pinyin (星海 → "xing hai"), the rest casefolded.

    Syllables are space-separated so that "an" sorts before "ang" (a space is below every letter).
    """
    syllables = lazy_pinyin(_normalise(name), errors=lambda text: _RUN.findall(text))
    return " ".join(s for s in syllables if s.strip())[:200]


def highlight_spans(text: str, words: list[Word]) -> list[tuple[str, bool]]:
    """The text cut into (part, matched) pieces: Chinese runs of the query where they occur, words where a shown
    word starts with them. Case and width are ignored as the search ignores them; the text itself is unchanged."""
    if not text or not words:
        return [(text, False)] if text else []
    patterns = []
    for word in words:
        for run in _runs(word.text):
            escaped = re.escape(run)
            patterns.append(escaped if _is_cjk(run) else rf"(?<![^\W_]){escaped}")
    # Longest first, so 杭州美妆 is marked whole rather than as 杭州 then the rest.
    pattern = re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) != len(text):  # a width form that changes length: match on the text as shown
        folded = text
    pieces, position = [], 0
    for match in pattern.finditer(folded):
        if match.start() > position:
            pieces.append((text[position:match.start()], False))
        pieces.append((text[match.start():match.end()], True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def words_digest(words: list[Word]) -> str:
    """A short stable name of a search's words, for cache keys of what it marks."""
    return hashlib.sha256(" ".join(word.text for word in words).encode()).hexdigest()[:16]
