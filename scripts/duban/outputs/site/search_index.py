"""Chinese search that finds words inside compounds: duban's own step after MkDocs has written the index.

Material's search plugin (``lang: zh``) segments Chinese text at build time
with ``jieba.cut`` and joins the words with U+200B, which the client's
``separator`` splits on; the browser then matches query terms as *prefixes* of
those words. A compound that jieba keeps whole (退役军人, 人力资源, 区法院) is
thus found by 退役 but never by 军人, 资源 or 法院.

After the build, ``refine_site_index`` rewrites ``search/search_index.json``: every Chinese
word of three or more characters is re-split into the smaller words that
``jieba.cut_for_search`` finds in it, again joined with U+200B (退役军人 →
退役 + 军人), so the inner words become tokens of their own. The text shown in
search results is unchanged (U+200B is invisible) and the matched inner word is
highlighted. A word is only split when that exposes an inner word of two or
more characters (办公室 → 办公 + 室 gains nothing and stays whole), and never
into a single character that is not already a word of the index: the browser
cuts a query down to such a character (共享 is looked up as 共*), so each new
one would make searches starting with it coarser. The index is written as
UTF-8 rather than ``\\uXXXX`` escapes, which roughly halves its size.

``duban build`` runs it (it is not a MkDocs hook, so mkdocs.yml names no file of
duban's and another generator can read the same mkdocs.yml); Zensical, which
segments Chinese in the browser, does not need it. Same index in, same index out.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from pathlib import Path

log = logging.getLogger("duban.search")

ZWSP = "\u200b"  # Material's word separator for segmented Chinese
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
LONG_WORD = re.compile(f"[{HAN_CHARS}]{{3,}}")
ONE_CHAR = re.compile(f"[{HAN_CHARS}]")
TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=None)
def _jieba():
    try:
        import jieba
    except ImportError:  # Material does not segment Chinese without jieba either
        return None
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # the default dictionary, or the one Material's jieba_dict options loaded
    return jieba


@functools.lru_cache(maxsize=None)
def split_compound(word: str, singles: frozenset[str] | None = None) -> tuple[str, ...]:
    """The words inside ``word`` as a tiling of it, or ``(word,)`` when none helps.

    Pieces are the dictionary words ``jieba.cut_for_search`` finds in ``word``,
    single characters (only those in ``singles``, when given), and, where a
    character is not in ``singles``, a word with that character after it (the
    browser still finds the word, as the piece's prefix). The tiling
    with the fewest pieces wins, ties going to the more probable one by jieba's
    word frequencies, then to the lexically smallest; pieces that are compounds
    themselves are split the same way.
    """
    jieba = _jieba()
    n = len(word)
    if jieba is None or n < 3:
        return (word,)
    words = {w for w in jieba.cut_for_search(word) if len(w) < n}
    if not words:
        return (word,)
    best: list[tuple | None] = [None] * (n + 1)  # best[i]: (pieces, -log frequency, tiling of word[i:])
    best[n] = (0, 0.0, ())
    for i in range(n - 1, -1, -1):
        options = []
        for j in range(i + 1, n + 1):
            piece = word[i:j]
            if j - i == 1:
                weight = 1 if singles is None or piece in singles else None
            else:  # a word, or a word and one character the index has no token for (军人局: found by 军人)
                weight = 1 if piece in words else 2.5 if j - i > 2 and piece[:-1] in words else None
            if weight is not None and best[j] is not None:
                count, cost, rest = best[j]
                options.append((count + weight, cost - math.log(jieba.get_FREQ(piece) or 1), (piece,) + rest))
        best[i] = min(options) if options else None
    if best[0] is None:
        return (word,)
    pieces = best[0][2]
    if not any(len(p) >= 2 for p in pieces[1:]):
        return (word,)
    # a piece that is itself a compound is split in turn (区退役军人事务局 → 区 + 退役军人 + 事务局 → … 退役 + 军人 …)
    return tuple(inner for p in pieces for inner in (split_compound(p, singles) if len(p) >= 3 else (p,)))


def refine_text(text: str, singles: frozenset[str] | None = None) -> str:
    """``text`` with each long Chinese word split into its inner words by U+200B."""
    return LONG_WORD.sub(lambda m: ZWSP.join(split_compound(m.group(0), singles)), text)


def single_characters(data: dict, separator: re.Pattern) -> frozenset[str]:
    """The one-character Chinese words of a search index, as the browser tokenizes it."""
    found = set()
    for doc in data.get("docs", []):
        for field in ("title", "text"):
            value = doc.get(field)
            if isinstance(value, str):
                found.update(t for t in separator.split(TAG.sub(" ", value)) if ONE_CHAR.fullmatch(t))
    return frozenset(found)


def refine_index(data: dict) -> int:
    """Refine the titles and texts of a Material search index in place; returns the splits made."""
    try:
        separator = re.compile(data.get("config", {}).get("separator") or "")
    except re.error:
        return 0
    if not separator.search(ZWSP):
        log.info("duban search hook: the search separator does not split U+200B; index left as it is")
        return 0
    if _jieba() is None:
        return 0
    singles = single_characters(data, separator)
    split = 0
    for doc in data.get("docs", []):
        for field in ("title", "text"):
            value = doc.get(field)
            if isinstance(value, str):
                new = refine_text(value, singles)
                if new != value:
                    split += new.count(ZWSP) - value.count(ZWSP)
                    doc[field] = new
    return split


def refine_site_index(site_dir: Path) -> int:
    """Refine a built site's ``search/search_index.json`` in place; returns the splits made (0 without an index)."""
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    split_compound.cache_clear()  # jieba's dictionary may have changed since the last build (duban serve)
    split = refine_index(data)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return split
