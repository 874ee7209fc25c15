"""Fonts, sizes and the grid of GB/T 9704-2012 (党政机关公文格式), 7.1 / 7.3 / 7.5."""

from __future__ import annotations

from docx.shared import Pt

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# sizes in points: 小初 (the masthead), 2号, 3号, 4号, 小四
SIZE_XIAOCHU, SIZE_2, SIZE_3, SIZE_4, SIZE_XIAO4 = 36, 22, 16, 14, 12
RED = "FF0000"  # 版头: the 发文机关标志 and the separator line

# 28 characters of 3号 in the 156 mm (442.2 pt) type area: each character 15.75 pt wide, i.e. condensed by
# 0.25 pt (w:spacing in twentieths of a point). Without it a 16 pt character gives 27 a line.
CONDENSE = -5
PITCH = 16 + CONDENSE / 20  # the width of one body character in points
CHAR = PITCH

LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
TABLE_LINE = Pt(18)
TYPE_WIDTH_MM = 156
