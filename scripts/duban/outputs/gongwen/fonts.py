"""Fonts, sizes and the grid of GB/T 9704-2012 (党政机关公文格式), 7.1 / 7.3 / 7.5."""

from __future__ import annotations

from docx.shared import Pt

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# sizes in points: 2号, 3号, 4号, 小四
SIZE_2, SIZE_3, SIZE_4, SIZE_XIAO4 = 22, 16, 14, 12

LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
TABLE_LINE = Pt(18)
TYPE_WIDTH_MM = 156
CHAR = 16  # one body character in points
MAX_CHANGES = 60  # 本周动态 entries shown before "另有 N 条"
NONE = "无。"
