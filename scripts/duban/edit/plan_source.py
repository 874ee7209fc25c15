"""A plan's document as paragraphs: Word (``.docx``, read with python-docx) or plain text converted from PDF
(``.txt``; ``.md`` is read the same way), cleaned of what conversion leaves behind, each with its numbering.

- Every paragraph keeps where it came from (``第 12 行`` of a text file, ``第 12 段`` of a Word file, counting
  paragraphs that hold text) and the bold text it starts with (Word runs, or ``**…**`` in converted text):
  that is how a run-in heading such as “**（一）加强组织领导。**各乡镇……” is told from its paragraph.
- Spaces inside Chinese text are conversion artefacts (“项 目”): removed between Chinese characters,
  Chinese punctuation and digits; spaces between Latin words stay. ASCII parentheses next to Chinese text
  become full-width.
- Paragraphs split by a page break (“……和谐稳定的良” / “好局面，……”) are joined: a paragraph that stops
  mid-sentence, followed by one that is no heading, date, signature or attachment line. A name wrapped
  over two lines of one block (“中共……台商投资区” / “工作委员会办公室”) and a 书名号 or quotation left open
  at the end of a line are joined too.
- Numbering of Chinese official documents, whatever the paragraph's style: 一、 （一） 1. （1）.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

WIDE = "\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffee\u2018-\u201f\u2026\u2014"
_CJK = re.compile(f"[{WIDE}]")
_SPACES = "[ \t\u3000\u00a0]+"
_GAP = re.compile(rf"(?<=[{WIDE}]){_SPACES}(?=[{WIDE}0-9A-Za-z])|(?<=[0-9A-Za-z]){_SPACES}(?=[{WIDE}])")
TERMINAL = "。！？；：…"
CLOSERS = "”’」』）》】"
SENTENCE_MARKS = re.compile("[，。；：！？、]")
ORG_END = re.compile(r"(办公室|委员会|人民政府|政府|党委|党组|工委|管委会|委|办|局|厅|部|院|中心|公司|集团|所|队|处|站|会|社|馆|司)$")
DOC_TYPES = re.compile(r"(方案|意见|办法|规定|细则|计划|要点|规划|通知|决定|安排|措施|纲要)》?(（[^（）]{1,12}）)?$")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(\d{1,4})\s*号")
DISCLOSURE = re.compile(r"^（此件(.{2,10}?)）$")
TAIL_MARK = re.compile(r"^(附件|附表|抄送|主送)[:：]|印发$")
CN_DATE_DIGITS = "〇零一二三四五六七八九"


class SourceError(Exception):
    """The file cannot be read as a plan's document; the message says why, in Chinese."""


@dataclass
class Para:
    text: str
    where: str  # 第 12 行 / 第 12 段
    bold: str = ""  # the bold text the paragraph starts with
    marked: int = 0  # the heading level the source marked (Markdown #, a Word Title/Heading style); 0 for none
    block: int = 0  # lines of one block (no blank line between them, or one Word paragraph) share it


# ---------------------------------------------------------------- cleaning


def clean(text: str) -> str:
    """Conversion spaces removed, parentheses next to Chinese text full-width, ends trimmed."""
    text = text.replace("\t", " ").strip(" \u3000\u00a0\ufeff")
    text = _GAP.sub("", text)
    text = re.sub(r"(?<=[0-9A-Za-z]) {2,}(?=[0-9A-Za-z])", " ", text)
    text = re.sub(rf"\((?=[{WIDE}])|(?<=[{WIDE}])\(", "（", text)
    text = re.sub(rf"(?<=[{WIDE}])\)|\)(?=[{WIDE}])", "）", text)
    return text


# ---------------------------------------------------------------- numbering

_NUMERALS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def cn_int(text: str) -> int | None:
    """一 … 九十九 as a number."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


_FULL_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN = "[一二三四五六七八九十]{1,3}"
_RANKS = (
    (1, re.compile(rf"^({_CN})[、，,]")),
    (2, re.compile(rf"^（({_CN})）")),
    (3, re.compile(r"^([0-9０-９]{1,2})[.．、](?![0-9０-９])")),
    (4, re.compile(r"^[（(]([0-9０-９]{1,2})[）)]")),
)


@dataclass(frozen=True)
class Numbered:
    rank: int  # 1 一、 2 （一） 3 1. 4 （1）
    number: int
    label: str  # as the document writes it, parentheses full-width: 一、 （三） 2. （1）
    rest: str  # the paragraph after the label


def numbering(text: str) -> Numbered | None:
    for rank, pattern in _RANKS:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(1).translate(_FULL_DIGITS)
        number = cn_int(raw) if rank <= 2 else int(raw)
        if not number:
            continue
        mark = text[m.end(1):m.end()]
        label = {1: f"{raw}、", 2: f"（{raw}）", 3: f"{raw}{'、' if mark == '、' else '.'}", 4: f"（{raw}）"}[rank]
        return Numbered(rank, number, label, text[m.end():].strip())
    return None


# ---------------------------------------------------------------- what a line is


def parse_cn_date(text: str) -> dt.date | None:
    """A paragraph that is only a date: 2023年6月7日, 2023-06-07 or 二〇二三年六月七日."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    else:
        m = re.fullmatch(rf"([{CN_DATE_DIGITS}]{{4}})年([一二三四五六七八九十]{{1,2}})月([一二三四五六七八九十]{{1,3}})日", text)
        if not m:
            return None
        y = int("".join("0" if c in "〇零" else str(_NUMERALS[c]) for c in m.group(1)))
        mo, d = cn_int(m.group(2)), cn_int(m.group(3))
        if not mo or not d:
            return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def doc_number(text: str) -> str | None:
    """A 发文字号 in the text, written the standard way: 泉台委办〔2023〕46号."""
    m = DOC_NUMBER.search(text)
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" if m else None


def is_org(text: str) -> bool:
    """An issuing office's name on a line of its own (a signature)."""
    return len(text) <= 40 and not SENTENCE_MARKS.search(text) and bool(ORG_END.search(text)) and not parse_cn_date(text)


def title_like(text: str) -> bool:
    """A document title: no sentence punctuation, ending with the kind of document (方案, 意见, 通知 …)."""
    return len(text) <= 100 and not re.search("[，。；！？]", text) and bool(DOC_TYPES.search(text))


def is_signature_part(text: str) -> bool:
    return is_org(text) or bool(parse_cn_date(text)) or bool(DISCLOSURE.match(text))


def _open_end(text: str) -> bool:
    """The paragraph stops mid-sentence."""
    body = text.rstrip(CLOSERS)
    return bool(text) and not (body and body[-1] in TERMINAL)


def _unbalanced(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in ("《》", "“”", "（）"))


def _closes(text: str) -> bool:
    return any(text.count(b) > text.count(a) for a, b in ("《》", "“”", "（）"))


def _standalone(p: Para) -> bool:
    """A line that is never the continuation of another: a heading, date, signature, title, mark."""
    t = p.text
    return bool(p.marked or numbering(t) or is_signature_part(t) or TAIL_MARK.search(t)
                or doc_number(t) == t or title_like(t))


def _joined(a: Para, b: Para) -> Para | None:
    """``a`` and ``b`` as one paragraph when ``b`` continues ``a``, else None."""
    if not _CJK.match(b.text[:1] or " "):
        return None
    # a name wrapped inside one block: 中共……台商投资区 / 工作委员会办公室
    if (a.block == b.block and not SENTENCE_MARKS.search(a.text + b.text) and not ORG_END.search(a.text)
            and is_org(b.text) and not doc_number(a.text) and len(a.text + b.text) <= 40):
        return replace(a, text=a.text + b.text)
    # a 书名号 or quotation left open: 印发《关于 / 全面推进……方案》的通知
    if _unbalanced(a.text) and _closes(b.text) and not numbering(b.text):
        return replace(a, text=a.text + b.text)
    # a page break inside a paragraph: ……的良 / 好局面，……
    if (_open_end(a.text) and not _standalone(a) and not _standalone(b)
            and (SENTENCE_MARKS.search(a.text) or len(a.text) >= 15)):
        return replace(a, text=a.text + b.text)
    return None


def join(paras: list[Para]) -> list[Para]:
    out: list[Para] = []
    for p in paras:
        while out and (merged := _joined(out[-1], p)) is not None:
            out.pop()
            p = merged
        out.append(p)
    return out


# ---------------------------------------------------------------- reading


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{name}: 既不是 UTF-8 也不是 GBK 编码的文本，无法读取")


def _markdown_bold(line: str) -> tuple[str, str]:
    """(text without ** markers, the bold text it starts with)."""
    parts = line.split("**")
    if len(parts) < 3 or len(parts) % 2 == 0:
        return line, ""
    text = "".join(parts)
    return text, (parts[1] if not parts[0].strip() else "")


def read_text(raw: bytes, name: str) -> list[Para]:
    """Plain text, one paragraph a line; Markdown headings (#) and bold (**) as a converter writes them."""
    out: list[Para] = []
    block = 0
    for number, line in enumerate(_decode(raw, name).splitlines(), 1):
        if not line.strip():
            block += 1
            continue
        marked = 0
        m = re.match(r"^\s{0,3}(#{1,6})\s+", line)
        if m:
            marked = len(m.group(1))
            line = re.sub(r"\s+#+\s*$", "", line[m.end():])
        text, bold = _markdown_bold(line.rstrip())
        text = clean(text)
        if text:
            out.append(Para(text, f"第 {number} 行", clean(bold), marked, block))
    return out


def _bold(run, paragraph) -> bool:
    for value in (run.bold, run.style.font.bold if run.style is not None else None,
                  paragraph.style.font.bold if paragraph.style is not None else None):
        if value is not None:
            return bool(value)
    return False


def read_docx(raw: bytes, name: str) -> tuple[list[Para], list[str]]:
    """The body's paragraphs (line breaks inside a paragraph split it into lines of one block), and notes
    about what is not read (tables, Word's automatic numbering)."""
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(f"{name}: 无法作为 Word 文档（.docx）打开（{type(exc).__name__}）；"
                          ".doc 或 .wps 文件请先另存为 .docx") from None
    out: list[Para] = []
    notes: list[str] = []
    count = 0
    for paragraph in document.paragraphs:
        lines: list[list[tuple[str, bool]]] = [[]]
        for item in paragraph.iter_inner_content():
            for run in getattr(item, "runs", [item]):
                pieces = run.text.split("\n")
                for i, piece in enumerate(pieces):
                    if i:
                        lines.append([])
                    lines[-1].append((piece, _bold(run, paragraph)))
        if not "".join(t for line in lines for t, _ in line).strip():
            continue
        count += 1
        style = paragraph.style.name if paragraph.style is not None else ""
        heading = re.match(r"Heading (\d)", style)
        marked = 1 if style == "Title" else int(heading.group(1)) if heading else 0
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            notes.append(f"{name}:第 {count} 段: 使用了 Word 的自动编号，导入时看不到它的序号；请把序号改为文字后重新导入")
        for line in lines:
            text = clean("".join(t for t, _ in line))
            bold = ""
            for t, b in line:
                if not b:
                    break
                bold += t
            if text:
                out.append(Para(text, f"第 {count} 段", clean(bold), marked, count))
    if document.tables:
        notes.append(f"{name}: 文中有 {len(document.tables)} 个表格，表格内容未导入")
    return out, notes


def read_source(path: Path) -> tuple[list[Para], list[str]]:
    """The document's paragraphs, joined where conversion split them, and notes about what was not read."""
    suffix = path.suffix.lower()
    name = path.name
    if suffix in (".doc", ".wps"):
        raise SourceError(f"{name}: 不能读取旧版 Word（{suffix}）文件；请在 Word 或 WPS 中另存为 .docx")
    if suffix == ".pdf":
        raise SourceError(f"{name}: 不能直接读取 PDF；请先转为文本（如 pdftotext -layout {name} 方案.txt）或另存为 .docx")
    if suffix not in (".docx", ".txt", ".md"):
        raise SourceError(f"{name}: 只能导入 .docx、.txt 或 .md 文件")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{name}: 无法读取（{exc.strerror or exc}）") from None
    paras, notes = read_docx(raw, name) if suffix == ".docx" else (read_text(raw, name), [])
    return join(paras), notes
