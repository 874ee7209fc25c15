"""What the loader refuses around the YAML itself, and libyaml's and the system's errors in Chinese.

Files that are not regular files (``not_regular``); encodings (UTF-8 only; GBK, UTF-16 and UTF-32 are named), tab indentation, merge
conflict markers and control characters typed into the file are found in the text
before parsing; ``yaml_message`` words a libyaml error for an editor (never in English).
"""

from __future__ import annotations

import errno
import re
import stat

import yaml

from duban.records.problems import Problem
from duban.records.text import describe

MAX_DEPTH = 32  # records need five or six levels; deeper is an accident or an attack
MAX_KEY = 1024

_KINDS = (
    (stat.S_ISLNK, "是符号链接（快捷方式）；records/ 下只能放普通文件，不读取链接指向的内容"),
    (stat.S_ISFIFO, "是命名管道（FIFO），不是普通文件；已拒绝读取"),
    (stat.S_ISCHR, "是设备文件，不是普通文件；已拒绝读取"),
    (stat.S_ISBLK, "是设备文件，不是普通文件；已拒绝读取"),
    (stat.S_ISSOCK, "是套接字，不是普通文件；已拒绝读取"),
    (stat.S_ISDIR, "是文件夹，不是文件"),
)

_ERRNO = {
    errno.ENOENT: "文件不存在（可能在检查过程中被移走或删除）",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENAMETOOLONG: "路径超过系统允许的长度；请减少文件夹层级或缩短文件名",
    errno.ELOOP: "是符号链接（快捷方式）；records/ 下只能放普通文件，不读取链接指向的内容",
    errno.EISDIR: "是文件夹，不是文件",
    errno.EIO: "读取时发生输入输出错误（磁盘或网络盘故障）",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EROFS: "文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "同名文件已存在",
    errno.EADDRINUSE: "端口已被占用",
    errno.EADDRNOTAVAIL: "该地址不属于本机",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in Chinese (never the English strerror)."""
    import socket

    if isinstance(exc, socket.gaierror):
        return "无法解析主机名或地址"
    known = _ERRNO.get(exc.errno)
    if known:
        return known
    name = errno.errorcode.get(exc.errno or 0, "未知")
    return f"系统错误（{name}）"


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is refused, or None for a regular file."""
    for test, why in _KINDS:
        if test(mode):
            return why
    return None if stat.S_ISREG(mode) else "不是普通文件；已拒绝读取"


# libyaml's problems, worded for editors; the first needle found in the error's text wins
_YAML_MESSAGES = [
    ("found character '\\t' that cannot start any token", "出现制表符（Tab）；YAML 只能用空格缩进"),
    ("tab character", "出现制表符（Tab）；YAML 只能用空格缩进"),
    ("mapping values are not allowed", "此处不能出现“: ”：冒号后的内容如含冒号，请整体加引号"),
    ("could not find expected ':'", "缺少“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致，或缺少“:”"),
    ("did not find expected '-' indicator", "列表项缩进不一致"),
    ("block sequence entries are not allowed", "此处不能开始列表（“- ”）：请检查缩进，或给以“- ”开头的值加引号"),
    ("mapping keys are not allowed", "此处不能出现“? ”：请检查缩进，或给以“?”开头的值加引号"),
    ("found unexpected end of stream", "文件意外结束：可能有引号或括号没有闭合"),
    ("found unexpected document indicator", "引号没有闭合（在“---”或“...”之前）"),
    ("expected a single document", "一个文件只能有一条记录（出现了多个 --- 文档）"),
    ("did not find expected <document start>", "一个文件只能有一条记录，且记录前不能有其他内容"),
    ("found undefined alias", "不允许使用锚点和别名（& 和 *）"),
    ("found unknown escape character", "双引号内有无效的转义字符（\\）；如需反斜杠请用单引号"),
    ("did not find expected hexdecimal number", "双引号内的 \\x、\\u 或 \\U 后应为十六进制数字；如需反斜杠请用单引号"),
    ("found invalid Unicode character escape code", "双引号内的 \\u 或 \\U 转义不是有效的字符"),
    ("found character that cannot start any token", "出现不能作为内容开头的字符（如 @ 或 `），请给该值加引号"),
    ("while parsing a flow", "方括号或花括号没有闭合，或其中缺少逗号"),
    ("exceeded maximum nesting depth", f"嵌套层数过多（超过 {MAX_DEPTH} 层）"),
    ("directive", "不支持以 % 开头的 YAML 指令；如内容以 % 开头，请加引号"),
    ("tag", "不支持 YAML 标签（以 ! 开头）；如内容以 ! 开头，请加引号"),
    ("while scanning a block scalar", "多行文字（| 或 >）的写法不正确：| 或 > 后只能跟 +、- 或 1–9，并另起一行书写内容"),
    ("while scanning an anchor", "不允许使用锚点和别名（& 和 *）"),
    ("while scanning an alias", "不允许使用锚点和别名（& 和 *）"),
    ("found unexpected ':'", "此处不能出现“:”，请给该值加引号"),
    ("did not find expected node content", "此处缺少内容，或出现了不能作为内容开头的字符；请给该值加引号"),
    ("did not find expected comment or line break", "引号闭合后还有内容；整个值应在一对引号内"),
]
_GENERIC = "YAML 语法错误：无法解析此处的内容（请检查缩进、冒号和引号）"


def _long_key(text: str, exc: yaml.YAMLError) -> bool:
    """Whether the line libyaml stopped on starts with a key longer than libyaml's 1,024-character limit."""
    lines = text.splitlines()
    for mark in (getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)):
        if mark is None or mark.line >= len(lines):
            continue
        line = lines[mark.line].lstrip(" -?")
        key = line.split(": ", 1)[0].rstrip().rstrip(":")
        if ":" in line and len(key.strip("\"'")) > MAX_KEY:
            return True
    return False


def yaml_message(exc: yaml.YAMLError, text: str) -> str:
    message = " ".join(str(getattr(exc, a, "") or "") for a in ("context", "problem")) or str(exc)
    if "key" in message or "mapping values" in message or "':'" in message:
        if _long_key(text, exc):
            return f"字段名过长（超过 {MAX_KEY} 个字符）：字段名应是 schema 中的简短英文名"
    for needle, wording in _YAML_MESSAGES:
        if needle in message:
            return wording
    return _GENERIC


def context_hint(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.context_mark
    if mark is not None and exc.problem_mark is not None and mark.line != exc.problem_mark.line:
        return f"（从第 {mark.line + 1} 行开始的内容）"
    return ""


def _at(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    def refuse(encoding: str) -> tuple[None, Problem]:
        return None, Problem(file, 1, 1, "-", f"文件是 {encoding} 编码；请另存为 UTF-8 编码", "encoding")

    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return refuse("UTF-32")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return refuse("UTF-16")
    if b"\x00" in data[:4096]:
        head = data[:4096]
        zeros = head.count(b"\x00")
        if zeros * 4 >= len(head) * 3 - 8:
            return refuse("UTF-32")
        if zeros * 2 >= len(head) - 8:
            return refuse("UTF-16")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line, column = _at(data, exc.start)
        hint = ""
        try:
            data.decode("gbk")
            hint = "，看起来是 GBK（简体中文 Windows 默认）编码"
        except UnicodeDecodeError:
            pass
        message = f"文件不是 UTF-8 编码{hint}；请用“另存为 UTF-8”重新保存"
        return None, Problem(file, line, column, "-", message, "encoding")


def tab_problem(text: str, file: str) -> Problem | None:
    for number, line in enumerate(text.splitlines(), 1):
        rest = line.lstrip(" ")
        if rest.startswith("\t"):
            column = len(line) - len(rest) + 1
            return Problem(file, number, column, "-", "用制表符（Tab）缩进；YAML 只能用空格缩进", "tab")
    return None


_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7}|\|{7})(?:[ \t].*)?$", re.M)


def conflict_problem(text: str, file: str) -> Problem | None:
    m = _CONFLICT.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    return Problem(file, line, 1, "-", f"文件含有合并冲突标记（{m.group()[:7]}）：两次修改在这里冲突，"
                   "请保留正确的内容、删除 <<<<<<<、=======、>>>>>>> 标记行后再提交", "conflict")


def forbidden_raw(text: str, file: str) -> Problem | None:
    """A control character typed into the file itself (outside quotes libyaml refuses them in English)."""
    m = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return Problem(file, line, column, "-", f"文件含有控制字符 {describe(m.group())}；请删除", "char")
