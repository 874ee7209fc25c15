"""Interactive questions, and the same answers from command-line flags: the only module that calls ``input()``.

Every question names the flag that answers it. A value given by its flag is checked the same way a typed
answer is; without a terminal (``interactive=False``) a question with no flag value takes its default,
or stops with :class:`MissingAnswer` naming the flag: nothing ever waits for input that cannot come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Sequence


class MissingAnswer(Exception):
    """No terminal to ask on and no flag given."""

    def __init__(self, flag: str, label: str, why: str = "当前不是交互终端，无法提问"):
        super().__init__(f"缺少 {flag}（{label}）：{why}，请用该选项给出")
        self.flag, self.label = flag, label


class BadAnswer(Exception):
    """A flag's value that does not fit the question."""

    def __init__(self, flag: str, message: str):
        super().__init__(f"{flag}：{message}")
        self.flag = flag


@dataclass(frozen=True)
class Choice:
    value: str
    text: str  # what the editor sees: 甲镇（aa）

    def matches(self, answer: str) -> bool:
        return answer in (self.value, self.text) or answer == self.text.split("（")[0]


def parse_date(text: str) -> dt.date:
    """A date as offices type it: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日."""
    cleaned = text.strip()
    for sep in ("年", "月", "/", ".", "－"):
        cleaned = cleaned.replace(sep, "-")
    cleaned = cleaned.rstrip("日").strip("-")
    parts = cleaned.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"“{text}”不是日期，应写成 2024-03-05")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(f"日期“{text}”不存在") from None


class Prompter:
    """Asks on a terminal (``interactive``) or takes flag values; ``ask`` is the input function."""

    def __init__(self, interactive: bool, ask: Callable[[str], str] | None = None):
        self.interactive = interactive
        self._ask = ask

    def _input(self, prompt: str, flag: str, label: str) -> str:
        ask = self._ask if self._ask is not None else input
        try:
            return ask(prompt).strip()
        except EOFError:  # the input ended before the question was answered
            raise MissingAnswer(flag, label, "输入已结束") from None

    def _loop(self, label: str, flag: str, value, default: str | None, parse, hint: str = ""):
        if value is not None:
            try:
                return parse(str(value))
            except ValueError as exc:
                raise BadAnswer(flag, str(exc)) from None
        if not self.interactive:
            if default is not None:
                return parse(default)
            raise MissingAnswer(flag, label)
        shown = f"（默认：{default}）" if default not in (None, "") else ""
        while True:
            answer = self._input(f"{hint}{label}{shown}：", flag, label)
            if not answer and default is not None:
                answer = default
            try:
                return parse(answer)
            except ValueError as exc:
                hint = f"{exc}。请重新输入。\n"

    def text(self, label: str, flag: str, value: str | None = None, default: str | None = None,
             required: bool = True, multiline: bool = False) -> str | None:
        """A line of text (or several, ended by an empty line, when ``multiline``)."""
        if value is None and self.interactive and multiline:
            lines = []
            prompt = f"{label}（可写多行，空行结束）：\n"
            while True:
                line = self._input(prompt, flag, label)
                prompt = ""
                if not line:
                    if lines or not required:
                        break
                    prompt = f"{label}不能为空，请输入：\n"
                    continue
                lines.append(line)
            return "\n".join(lines) or None

        def parse(answer: str):
            answer = answer.strip()
            if not answer:
                if required:
                    raise ValueError(f"{label}不能为空")
                return None
            return answer

        return self._loop(label, flag, value, default if default is not None else (None if required else ""), parse)

    def date(self, label: str, flag: str, value: str | None = None, default: dt.date | None = None) -> dt.date:
        return self._loop(label, flag, value, default.isoformat() if default else None, parse_date)

    def integer(self, label: str, flag: str, value: str | None = None, default: int | None = None,
                minimum: int | None = None) -> int:
        def parse(answer: str) -> int:
            if not answer.lstrip("-").isdigit():
                raise ValueError(f"“{answer}”不是整数")
            number = int(answer)
            if minimum is not None and number < minimum:
                raise ValueError(f"不能小于 {minimum}")
            return number

        return self._loop(label, flag, value, str(default) if default is not None else None, parse)

    def choice(self, label: str, flag: str, choices: Sequence[Choice], value: str | None = None,
               default: str | None = None) -> str:
        """One of ``choices``: by number, by value or by the text shown."""
        listing = "".join(f"  {i}) {c.text}\n" for i, c in enumerate(choices, 1))
        names = "、".join(c.text for c in choices[:12]) + ("……" if len(choices) > 12 else "")

        def parse(answer: str) -> str:
            if answer.isdigit() and 1 <= int(answer) <= len(choices) and not any(c.value == answer for c in choices):
                return choices[int(answer) - 1].value
            for c in choices:
                if c.matches(answer):
                    return c.value
            raise ValueError(f"“{answer}”不在可选范围内（{names}）")

        shown_default = next((c.text for c in choices if c.value == default), default)
        return self._loop(label, flag, value, shown_default, parse, hint=listing if self.interactive else "")

    def choices(self, label: str, flag: str, choices: Sequence[Choice], values: Sequence[str] | None = None,
                required: bool = False) -> list[str]:
        """Several of ``choices`` (typed separated by 、 , or spaces)."""
        listing = "".join(f"  {i}) {c.text}\n" for i, c in enumerate(choices, 1))

        def one(answer: str) -> str:
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                return choices[int(answer) - 1].value
            for c in choices:
                if c.matches(answer):
                    return c.value
            raise ValueError(f"“{answer}”不在可选范围内")

        def parse(answer: str) -> list[str]:
            parts = [p for p in answer.replace("、", ",").replace("，", ",").replace(" ", ",").split(",") if p]
            if required and not parts:
                raise ValueError(f"{label}至少选一个")
            return list(dict.fromkeys(one(p) for p in parts))

        if values:
            try:
                return list(dict.fromkeys(one(v) for v in values))
            except ValueError as exc:
                raise BadAnswer(flag, str(exc)) from None
        return self._loop(label, flag, None, None if required else "", parse, hint=listing if self.interactive else "")

    def links(self, label: str, flag: str, values: Sequence[str] | None = None, required: bool = False) -> list[str]:
        """Links (http://, https:// or a path starting with /), one per line on a terminal."""
        if values:
            return list(values)
        if not self.interactive:
            if required:
                raise MissingAnswer(flag, label)
            return []
        out: list[str] = []
        prompt = f"{label}（每行一个链接，空行结束）：\n"
        while True:
            line = self._input(prompt, flag, label)
            prompt = ""
            if not line:
                if out or not required:
                    return out
                prompt = f"{label}至少一个，请输入：\n"
                continue
            out.append(line)

    def confirm(self, question: str, flag: str, given: bool = False) -> bool:
        """Yes unless the editor on a terminal says no; ``given`` (the flag) answers without asking."""
        if given or not self.interactive:
            return True
        return self._input(f"{question}[Y/n]：", flag, "确认").lower() not in ("n", "no", "否", "不")
