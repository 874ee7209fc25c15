"""Where the comments of a record file belong, so the canonical writer can keep them.

ruamel.yaml's round-trip parser finds the comments (it knows a ``#`` inside a quoted string or a
literal block is text); each is then tied to an entry of the record by its line, using the strict
loader's node tree:

* comments before the first entry are the file's header;
* a comment on its own line belongs before the entry that follows it (so it moves with that entry
  when the keys are put in canonical order);
* an end-of-line comment belongs to the innermost entry that starts on its line;
* comments after the last entry are the footer.

Nothing is dropped: when the data no longer has an entry, its comments move to the nearest entry it
still has (``Comments.fitted``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase
from ruamel.yaml.tokens import CommentToken
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

Path_ = tuple  # a field path: ("timing", "due"), ("extensions", 0, "reason")


@dataclass
class Comments:
    header: list[str] = field(default_factory=list)
    before: dict[Path_, list[str]] = field(default_factory=dict)
    eol: dict[Path_, str] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)

    def fitted(self, data) -> Comments:
        """These comments for ``data``: those of entries it does not have, moved to the nearest entry
        it has (as comments on their own line), or to the footer."""
        out = Comments(list(self.header), {}, {}, list(self.footer))
        for path, texts in self.before.items():
            at = _nearest(data, path)
            if at is None:
                out.footer.extend(texts)
            else:
                out.before.setdefault(at, []).extend(texts)
        for path, text in self.eol.items():
            at = _nearest(data, path)
            if at == path:
                out.eol[path] = text
            elif at is None:
                out.footer.append(text)
            else:
                out.before.setdefault(at, []).append(text)
        return out


def _exists(data, path: Path_) -> bool:
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return True


def _nearest(data, path: Path_) -> Path_ | None:
    while path:
        if _exists(data, path):
            return path
        path = path[:-1]
    return None


# ---------------------------------------------------------------- finding them


def _tokens(value):
    if isinstance(value, CommentToken):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tokens(item)


def _all_tokens(node):
    if isinstance(node, CommentedBase):
        ca = node.ca
        yield from _tokens(ca.comment or [])
        for value in ca.items.values():
            yield from _tokens(value)
        yield from _tokens(getattr(ca, "end", None) or [])
    if isinstance(node, dict):
        for value in node.values():
            yield from _all_tokens(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_tokens(value)


def comment_lines(text: str) -> list[tuple[int, str, bool]]:
    """Every comment as (line index, text, whether code precedes it on its line), in line order."""
    lines = text.splitlines()
    head = 0
    while head < len(lines) and (not lines[head].strip() or lines[head].lstrip().startswith("#")):
        head += 1
    if not any("#" in line for line in lines[head:]):  # the usual file: a header block at most (ruamel is slow)
        return [(i, lines[i].strip(), False) for i in range(head) if lines[i].strip()]
    parsed = YAML(typ="rt", pure=True).load(io.StringIO(text))
    found: dict[int, tuple[int, str, bool]] = {}
    for token in _all_tokens(parsed):
        for offset, piece in enumerate(token.value.split("\n")):
            piece = piece.strip()
            if not piece.startswith("#"):
                continue
            index = token.start_mark.line + offset
            source = lines[index].rstrip() if index < len(lines) else ""
            if not source.endswith(piece):  # ruamel's position is off: look for the text itself
                index = next((i for i, line in enumerate(lines) if line.rstrip().endswith(piece) and i not in found), None)
                if index is None:
                    raise ValueError(f"comment not found in the text: {piece!r}")
                source = lines[index].rstrip()
            found[index] = (index, piece, bool(source[: -len(piece)].strip()))
    return [found[i] for i in sorted(found)]


def _entries(node, path: Path_ = (), out=None) -> list[tuple[int, int, int, Path_]]:
    """(start line, depth, end line, path) of every mapping entry and list item."""
    out = [] if out is None else out
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                at = path + (key.value,)
                out.append((key.start_mark.line, len(at), value.end_mark.line, at))
                _entries(value, at, out)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            at = path + (i,)
            out.append((item.start_mark.line, len(at), item.end_mark.line, at))
            _entries(item, at, out)
    return out


def find_comments(text: str, node) -> Comments:
    """The comments of a record's text, tied to its entries (``node``: the strict loader's tree)."""
    entries = sorted(_entries(node), key=lambda e: e[0])  # stable: document order within a line
    out = Comments()
    if not entries:
        return out
    first_line = entries[0][0]
    for index, piece, trailing in comment_lines(text):
        if trailing:
            # the outermost entry that starts and ends on the line (``key: [a, b]  # …`` is about the key,
            # ``- date: …  # …`` about the date), else the innermost that starts there, else the last before
            on_line = [e for e in entries if e[0] == index]
            whole = [e for e in on_line if e[2] == index]
            if whole:
                path = min(whole, key=lambda e: e[1])[3]
            elif on_line:
                path = max(on_line, key=lambda e: e[1])[3]
            else:
                earlier = [e for e in entries if e[0] < index]
                path = earlier[-1][3] if earlier else entries[0][3]
            out.eol[path] = f"{out.eol[path]} {piece}" if path in out.eol else piece
        elif index < first_line:
            out.header.append(piece)
        else:
            after = [e for e in entries if e[0] > index]
            if not after:
                out.footer.append(piece)
            else:
                line = after[0][0]
                path = min((e for e in after if e[0] == line), key=lambda e: e[1])[3]
                out.before.setdefault(path, []).append(piece)
    return out
