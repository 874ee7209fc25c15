"""A revised plan against the one on record: which clauses were added, removed or changed, and — when the
numbering shifted — which old id each clause had, proposed by text similarity (``difflib``).

Clauses are paired by how alike their titles and texts are (a clause on record without a text is compared by
its title), the most alike first, one to one; a pair must be at least ``SIMILAR`` alike. Clauses left over
with the same id are that clause rewritten. A pair whose ids differ is a renumbering (2.3 → 2.4): it is
proposed, never applied silently — ``duban plan import --apply-mapping`` applies it to the tasks.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

SIMILAR = 0.6


@dataclass(frozen=True)
class Pair:
    old: dict | None  # the clause on record
    new: dict | None  # the clause in the document
    score: float = 0.0

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old["id"] != self.new["id"]

    @property
    def changed(self) -> list[str]:
        """What differs besides the number: the title, the text."""
        if self.old is None or self.new is None:
            return []
        out = []
        if self.old.get("title") != self.new.get("title"):
            out.append("标题有改动")
        if "text" not in self.old and "text" in self.new:
            out.append("正文首次导入")
        elif self.old.get("text") != self.new.get("text"):
            out.append("正文有改动")
        return out


@dataclass
class Revision:
    pairs: list[Pair] = field(default_factory=list)

    @property
    def added(self) -> list[dict]:
        return [p.new for p in self.pairs if p.old is None]

    @property
    def removed(self) -> list[dict]:
        return [p.old for p in self.pairs if p.new is None]

    @property
    def changed(self) -> list[Pair]:
        return [p for p in self.pairs if p.old is not None and p.new is not None and p.changed]

    @property
    def mapping(self) -> dict[str, str]:
        """Old id -> new id, for the clauses whose number changed."""
        return {p.old["id"]: p.new["id"] for p in self.pairs if p.renumbered}

    @property
    def same(self) -> bool:
        return all(p.old == p.new for p in self.pairs)


def _words(clause: dict, with_text: bool) -> str:
    return clause.get("title", "") + ("\n" + clause.get("text", "") if with_text else "")


def similarity(old: dict, new: dict) -> float:
    with_text = "text" in old and "text" in new
    a, b = _words(old, with_text), _words(new, with_text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def compare(old: list[dict], new: list[dict]) -> Revision:
    scored = []
    for i, o in enumerate(old):
        for j, n in enumerate(new):
            score = 1.0 if o == n else similarity(o, n)
            if score >= SIMILAR:
                scored.append((-score, o["id"] != n["id"], i, j))
    pair_of_old: dict[int, tuple[int, float]] = {}
    taken: set[int] = set()
    for negative, _moved, i, j in sorted(scored):
        if i not in pair_of_old and j not in taken:
            pair_of_old[i] = (j, -negative)
            taken.add(j)
    new_index = {n["id"]: j for j, n in enumerate(new)}
    for i, o in enumerate(old):  # left over with the same id: the clause rewritten
        j = new_index.get(o["id"])
        if i not in pair_of_old and j is not None and j not in taken:
            pair_of_old[i] = (j, 0.0)
            taken.add(j)
    revision = Revision()
    for i, o in enumerate(old):
        if i in pair_of_old:
            j, score = pair_of_old[i]
            revision.pairs.append(Pair(o, new[j], score))
        else:
            revision.pairs.append(Pair(o, None))
    revision.pairs += [Pair(None, n) for j, n in enumerate(new) if j not in taken]
    return revision
