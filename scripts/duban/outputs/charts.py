"""Charts drawn at build time as small SVG files, text converted to paths.

Readers need no Chinese font and no JavaScript: every character is a glyph
outline taken from a CJK font on the build machine (fontTools reads it), kept
once in ``<defs>`` and placed with ``<use>``. Output is deterministic.

The font is found with fontconfig (``fc-match``), in the usual Debian paths,
or from ``DUBAN_CHART_FONT=/path/font.ttc[:index]``. Without one,
``ChartFontMissing`` says how to install it (Debian: ``fonts-noto-cjk``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei")
KNOWN_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
INK = "#333333"
GRID = "#dddddd"


class ChartFontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str


def _font_location() -> tuple[str, int | None]:
    env = os.environ.get("DUBAN_CHART_FONT")
    if env:
        path, _, index = env.partition(":")
        return path, int(index) if index else None
    if shutil.which("fc-match"):
        for family in FAMILIES:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}:%{index}:%{family}", family],
                                     capture_output=True, text=True, timeout=10).stdout
            except (OSError, subprocess.SubprocessError):
                break
            path, _, rest = out.partition(":")
            index, _, found = rest.partition(":")
            if path and family.split()[0] in found and Path(path).is_file():
                return path, int(index or 0)
    for path in KNOWN_FILES:
        if Path(path).is_file():
            return path, None
    raise ChartFontMissing("没有找到中文字体，无法绘制图表；Debian/Ubuntu 请安装 fonts-noto-cjk，"
                           "或用环境变量 DUBAN_CHART_FONT 指定字体文件")


class Font:
    """Glyph outlines and advances of one font face."""

    def __init__(self, path: str, index: int | None):
        from fontTools.ttLib import TTCollection, TTFont

        if path.lower().endswith((".ttc", ".otc")):
            fonts = TTCollection(path, lazy=True).fonts
            if index is None:  # prefer the Simplified Chinese face
                index = next((i for i, f in enumerate(fonts) if " SC" in (f["name"].getDebugName(1) or "")), 0)
            self.font = fonts[index]
        else:
            self.font = TTFont(path, lazy=True)
        self.cmap = self.font.getBestCmap()
        self.glyphs = self.font.getGlyphSet()
        self.upm = self.font["head"].unitsPerEm
        self.hmtx = self.font["hmtx"]
        self._paths: dict[str, str] = {}

    def glyph(self, ch: str) -> str | None:
        return self.cmap.get(ord(ch)) or self.cmap.get(ord("□"))

    def path(self, name: str) -> str:
        if name not in self._paths:
            from fontTools.pens.svgPathPen import SVGPathPen

            pen = SVGPathPen(self.glyphs, ntos=lambda v: f"{v:.0f}" if v == int(v) else f"{v:.1f}")
            self.glyphs[name].draw(pen)
            self._paths[name] = pen.getCommands()
        return self._paths[name]

    def width(self, text: str, size: float) -> float:
        return sum(self.hmtx[g][0] for g in map(self.glyph, text) if g) * size / self.upm


@lru_cache(maxsize=1)
def font() -> Font:
    return Font(*_font_location())


class Canvas:
    """An SVG drawing whose text is glyph outlines."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.items: list[str] = []
        self.used: dict[str, str] = {}  # glyph name -> id
        self.font = font()

    def _id(self, name: str) -> str:
        if name not in self.used:
            self.used[name] = f"g{len(self.used)}"
        return self.used[name]

    def text(self, x: float, y: float, text: str, size: float = 12, anchor: str = "start", colour: str = INK) -> float:
        """Draw ``text`` with its baseline at ``y``; returns its width."""
        f = self.font
        w = f.width(text, size)
        if anchor == "end":
            x -= w
        elif anchor == "middle":
            x -= w / 2
        scale = size / f.upm
        parts = []
        cursor = x
        for ch in text:
            name = f.glyph(ch)
            if name is None:
                continue
            if f.path(name):
                parts.append(f'<use href="#{self._id(name)}" x="{cursor / scale:.1f}" y="{-y / scale:.1f}"/>')
            cursor += f.hmtx[name][0] * scale
        label = escape(text)
        self.items.append(f'<g fill="{colour}" transform="scale({scale:.5f},{-scale:.5f})" aria-label="{label}">'
                          f'<title>{label}</title>{"".join(parts)}</g>')
        return w

    def rect(self, x, y, w, h, colour):
        self.items.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{colour}"/>')

    def line(self, x1, y1, x2, y2, colour=INK, width=1.0):
        self.items.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="{width}"/>')

    def polyline(self, points, colour, width=2.0):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.items.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        for x, y in points:
            self.items.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')

    def svg(self, title: str) -> bytes:
        defs = "".join(f'<path id="{gid}" d="{self.font.path(name)}"/>' for name, gid in self.used.items())
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
                f'width="{self.width:.0f}" height="{self.height:.0f}" role="img" aria-label="{escape(title)}">')
        return (head + f"<title>{escape(title)}</title><defs>{defs}</defs>" + "".join(self.items) + "</svg>\n").encode()


def _ticks(top: float) -> list[int]:
    """Round integer ticks from 0 to at least ``top``."""
    top = max(1, int(top + 0.999))
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            break
    end = -(-top // step) * step
    return list(range(0, end + 1, step))


def bar_chart(title: str, bars: list[Bar], unit: str = "项") -> bytes:
    """Horizontal bars in the given order, each with its value."""
    c = Canvas(640, 0)
    label_w = max([c.font.width(b.label, 12) for b in bars] + [24]) + 12
    row = 26
    top = 40
    c.height = top + row * max(len(bars), 1) + 36
    c.text(8, 22, title, 15)
    ticks = _ticks(max([b.value for b in bars] + [1]))
    plot_x, plot_w = label_w, 640 - label_w - 48
    scale = plot_w / ticks[-1]
    bottom = top + row * max(len(bars), 1)
    for t in ticks:
        x = plot_x + t * scale
        c.line(x, top, x, bottom, GRID)
        c.text(x, bottom + 16, str(t), 11, "middle")
    c.text(640 - 8, bottom + 32, unit, 11, "end")
    for i, b in enumerate(bars):
        y = top + i * row
        c.text(plot_x - 8, y + row / 2 + 4, b.label, 12, "end")
        c.rect(plot_x, y + 4, b.value * scale, row - 8, b.colour)
        c.text(plot_x + b.value * scale + 4, y + row / 2 + 4, f"{b.value:g}", 11)
    c.line(plot_x, top, plot_x, bottom)
    return c.svg(title)


def line_chart(title: str, days: list[dt.date], series: dict[str, tuple[list[float], str]]) -> bytes:
    """One line per series (name -> (values, colour)) over dates labelled MM-DD."""
    c = Canvas(640, 280)
    c.text(8, 22, title, 15)
    top, bottom, left, right = 48, 240, 40, 620
    ticks = _ticks(max([v for values, _ in series.values() for v in values] + [1]))
    span = ticks[-1]
    for t in ticks:
        y = bottom - (bottom - top) * t / span
        c.line(left, y, right, y, GRID)
        c.text(left - 6, y + 4, str(t), 11, "end")
    n = max(len(days) - 1, 1)
    xs = [left + (right - left) * i / n for i in range(len(days))]
    step = max(1, len(days) // 6)
    for i, (x, day) in enumerate(zip(xs, days)):
        if i % step == 0 or i == len(days) - 1:
            c.text(x, bottom + 18, f"{day:%m-%d}", 11, "middle")
    legend_x = left + 8
    for name, (values, colour) in series.items():
        c.polyline([(x, bottom - (bottom - top) * v / span) for x, v in zip(xs, values)], colour)
        c.rect(legend_x, 30, 14, 4, colour)
        legend_x += 20 + c.text(legend_x + 20, 36, name, 11) + 16
    c.line(left, bottom, right, bottom)
    return c.svg(title)
