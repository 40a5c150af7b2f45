#!/usr/bin/env python3
"""Renders a terminal capture (`tmux capture-pane -e -p`, ANSI SGR colours) to a PNG.

Usage: ansi2png.py CAPTURE.txt OUT.png   (needs Pillow and the DejaVu Sans Mono font)"""
import re
import sys
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG, FG = (24, 26, 32), (214, 218, 224)
BASIC = [(40, 42, 54), (230, 80, 80), (90, 200, 110), (230, 200, 80), (90, 140, 240), (200, 110, 220), (80, 200, 220), (214, 218, 224)]
BRIGHT = [(110, 114, 130), (255, 120, 120), (130, 230, 150), (255, 230, 120), (130, 170, 255), (230, 150, 250), (130, 230, 250), (255, 255, 255)]


def xterm256(n):
    if n < 8:
        return BASIC[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def parse(text):
    """Yields rows of cells: (char, fg, bg, bold, underline)."""
    rows = []
    for line in text.split("\n"):
        state = {"fg": FG, "bg": None, "bold": False, "ul": False, "rev": False, "dim": False}
        cells = []
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")] or [0]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        state.update(fg=FG, bg=None, bold=False, ul=False, rev=False, dim=False)
                    elif c == 1:
                        state["bold"] = True
                    elif c == 2:
                        state["dim"] = True
                    elif c == 4:
                        state["ul"] = True
                    elif c == 7:
                        state["rev"] = True
                    elif c == 22:
                        state["bold"] = state["dim"] = False
                    elif c == 24:
                        state["ul"] = False
                    elif c == 27:
                        state["rev"] = False
                    elif 30 <= c <= 37:
                        state["fg"] = BASIC[c - 30]
                    elif 90 <= c <= 97:
                        state["fg"] = BRIGHT[c - 90]
                    elif c == 39:
                        state["fg"] = FG
                    elif 40 <= c <= 47:
                        state["bg"] = BASIC[c - 40]
                    elif 100 <= c <= 107:
                        state["bg"] = BRIGHT[c - 100]
                    elif c == 49:
                        state["bg"] = None
                    elif c in (38, 48) and i + 1 < len(codes):
                        if codes[i + 1] == 5 and i + 2 < len(codes):
                            color = xterm256(codes[i + 2])
                            i += 2
                        elif codes[i + 1] == 2 and i + 4 < len(codes):
                            color = tuple(codes[i + 2:i + 5])
                            i += 4
                        else:
                            color = None
                        if color:
                            state["fg" if c == 38 else "bg"] = color
                    i += 1
                continue
            for ch in part:
                fg, bg = state["fg"], state["bg"]
                if state["dim"]:
                    fg = tuple(int(v * 0.6) for v in fg)
                if state["rev"]:
                    fg, bg = (bg or BG), fg
                cells.append((ch, fg, bg, state["bold"], state["ul"]))
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def render(rows, out):
    font, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    cw = int(round(font.getlength("M")))
    ch = int(SIZE * 1.35)
    width = max(len(r) for r in rows) * cw + 24
    image = Image.new("RGB", (width, len(rows) * ch + 24), BG)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(rows):
        for x, (char, fg, bg, is_bold, ul) in enumerate(row):
            px, py = 12 + x * cw, 12 + y * ch
            if bg:
                draw.rectangle([px, py, px + cw, py + ch], fill=bg)
            if char != " ":
                draw.text((px, py + 2), char, font=bold if is_bold else font, fill=fg)
            if ul:
                draw.line([px, py + ch - 3, px + cw, py + ch - 3], fill=fg)
    image.save(out)


if __name__ == "__main__":
    render(parse(open(sys.argv[1], encoding="utf-8").read()), sys.argv[2])
