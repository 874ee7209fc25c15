"""The ``duban`` command: parse arguments, call one library function, print, exit.

Exit codes: 0 clean, 1 invalid records (or a failed build), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "%(prog)s: error: %(message)s\n": "%(prog)s：用法错误：%(message)s\n",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder upwards holding schemas/kinds.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "schemas" / "kinds.yaml").is_file():
            return folder
    return start


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duban", description="督办：工作方案任务与台账的校验、统计和发布工具")
    parser.add_argument("--root", type=Path, default=None, help="仓库根目录（默认：从当前目录向上查找含 schemas/kinds.yaml 的目录）")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True

    v = sub.add_parser("validate", help="校验记录文件", description="校验 records/ 下的记录：格式、必填字段、引用、日期顺序和个人信息。")
    v.add_argument("paths", nargs="*", type=Path, metavar="路径", help="只报告这些文件或文件夹中的问题（默认：整个仓库）")
    v.add_argument("--format", choices=["text", "github", "json"], default="text", help="输出格式：text（默认）、github（GitHub Actions 注释）、json")
    v.add_argument("--workers", type=int, default=None, help="并行进程数（默认：文件多时使用全部 CPU）")

    b = sub.add_parser("build", help="校验并生成站点到 site/", description="先校验全部记录，通过后用 MkDocs 生成站点到 site/。")
    b.add_argument("--site-dir", type=Path, default=None, help="站点输出目录（默认：site/）")
    return parser


def main(argv: list[str] | None = None) -> int:
    argparse._ = _zh  # argparse words its own messages through this name
    parser = build_parser()
    args = parser.parse_args(argv)
    root = args.root.resolve() if args.root else find_root(Path.cwd())
    if args.command == "validate":
        return _validate(root, args)
    if args.command == "build":
        return _build(root, args)
    parser.error(f"未知命令 {args.command}")  # pragma: no cover
    return 2


def _validate(root: Path, args) -> int:
    from .reporters import REPORTERS
    from .validate import check_repository

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print("用法错误：路径不存在：" + "、".join(str(p) for p in missing), file=sys.stderr)
        return 2
    result = check_repository(root, args.paths or None, workers=args.workers)
    sys.stdout.write(REPORTERS[args.format](result.report))
    return 0 if result.ok else 1


def _build(root: Path, args) -> int:
    from .reporters import text
    from .site import build_site

    outcome = build_site(root, site_dir=args.site_dir)
    if not outcome.report.ok:
        sys.stdout.write(text(outcome.report))
        print("记录有问题，未生成站点。", file=sys.stderr)
        return 1
    print(f"站点已生成：{outcome.site_dir}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
