"""Certificate fonts: a pre-cut CJK font (GB 2312 + ASCII + punctuation, ~7.7k glyphs) that
WeasyPrint subsets quickly, with the full system Noto CJK font as the fallback for rare
characters, and Noto Serif Tibetan for Tibetan script.

Subsetting the full 65k-glyph CJK font costs about half of a certificate's rendering time
(PITFALLS.md); the cut is made once at set-up (`flask pdf-setup`) with HarfBuzz's hb-subset.
"""
from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

NOTO_DIRS = [Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto")]

# (family, weight, source collection, face index of the SC face, file name of the cut, part).
# Each face is cut in two: part 1 holds GB 2312's level-1 hanzi (the 3,755 most common, which
# write nearly every text and name) with ASCII and punctuation, part 2 its level-2 hanzi. The
# stylesheet names part 1 before part 2, so a certificate whose text is all level-1 subsets
# only the smaller font: WeasyPrint's subsetting cost follows the size of the source font.
CUTS = [
    ("JX Serif SC", 400, "NotoSerifCJK-Regular.ttc", 2, "JXSerifSC1-Regular.otf", 1),
    ("JX Serif SC", 700, "NotoSerifCJK-Bold.ttc", 2, "JXSerifSC1-Bold.otf", 1),
    ("JX Sans SC", 400, "NotoSansCJK-Regular.ttc", 2, "JXSansSC1-Regular.otf", 1),
    ("JX Sans SC", 700, "NotoSansCJK-Bold.ttc", 2, "JXSansSC1-Bold.otf", 1),
    ("JX Serif SC2", 400, "NotoSerifCJK-Regular.ttc", 2, "JXSerifSC2-Regular.otf", 2),
    ("JX Serif SC2", 700, "NotoSerifCJK-Bold.ttc", 2, "JXSerifSC2-Bold.otf", 2),
    ("JX Sans SC2", 400, "NotoSansCJK-Regular.ttc", 2, "JXSansSC2-Regular.otf", 2),
    ("JX Sans SC2", 700, "NotoSansCJK-Bold.ttc", 2, "JXSansSC2-Bold.otf", 2),
]
TIBETAN = ["NotoSerifTibetan-Regular.ttf", "NotoSerifTibetan-Bold.ttf"]


class FontSetupError(RuntimeError):
    pass


def system_font(name: str) -> Path | None:
    for d in NOTO_DIRS:
        if (d / name).exists():
            return d / name
    return None


def _gb2312(rows) -> set[str]:
    chars = set()
    for b1 in rows:
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def cut_charset(part: int = 0) -> str:
    """Part 1: GB 2312's symbols and level-1 hanzi, ASCII, CJK and full-width punctuation, middle
    dots. Part 2: GB 2312's level-2 hanzi. Part 0: both (all 6,763 hanzi)."""
    first = {chr(c) for c in range(0x20, 0x7F)} | _gb2312(range(0xA1, 0xB0)) | _gb2312(range(0xB0, 0xD8))
    first |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}
    first |= set("·•—–‘’“”…〇№℃")
    second = _gb2312(range(0xD8, 0xF8))
    return "".join(sorted({0: first | second, 1: first, 2: second}[part]))


def check_system() -> list[str]:
    """What is missing for fast, correct PDFs (empty when all is well)."""
    problems = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        problems.append("libharfbuzz-subset0 is missing: WeasyPrint would fall back to fontTools, ~50x slower "
                        "(apt-get install libharfbuzz-subset0)")
    for _family, _weight, source, _index, _out, _part in CUTS:
        if system_font(source) is None:
            problems.append(f"{source} is missing (apt-get install fonts-noto-cjk)")
    for name in TIBETAN:
        if system_font(name) is None:
            problems.append(f"{name} is missing (apt-get install fonts-noto-core)")
    return problems


def build(dest: Path, force: bool = False) -> list[Path]:
    """Cut the CJK fonts into `dest` (skips existing cuts unless force)."""
    problems = check_system()
    if problems:
        raise FontSetupError("; ".join(problems))
    hb = shutil.which("hb-subset")
    if hb is None:
        raise FontSetupError("hb-subset is missing (apt-get install libharfbuzz-bin)")
    dest.mkdir(parents=True, exist_ok=True)
    made = []
    for _family, _weight, source, index, out, part in CUTS:
        target = dest / out
        if target.exists() and not force:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as text:
            text.write(cut_charset(part))
            text.flush()
            tmp = target.with_suffix(".tmp")
            subprocess.run([hb, f"--font-file={system_font(source)}", f"--face-index={index}",
                            f"--text-file={text.name}", "--layout-features=*", "--name-IDs=*",
                            f"--output-file={tmp}"], check=True, capture_output=True)
        tmp.replace(target)
        made.append(target)
    return made


def face_rules(font_dir: Path) -> str:
    """@font-face rules for the cuts present in font_dir (absent cuts fall back to system fonts)."""
    rules = []
    for family, weight, _source, _index, out, _part in CUTS:
        if (font_dir / out).exists():
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                         f'src: url("jx:font/{out}"); }}')
    return "\n".join(rules)


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every character some certificate font can draw (full CJK SC fonts, Tibetan, Latin)."""
    from fontTools.ttLib import TTFont
    points: set[int] = set()
    for name, index in [("NotoSerifCJK-Regular.ttc", 2), ("NotoSansCJK-Regular.ttc", 2),
                        ("NotoSerifTibetan-Regular.ttf", None)]:
        path = system_font(name)
        if path is None:
            continue
        font = TTFont(path, fontNumber=index if index is not None else -1, lazy=True)
        points.update(font.getBestCmap().keys())
        font.close()
    return frozenset(points)


def missing_glyphs(text: str | None) -> list[str]:
    """Characters of `text` that no certificate font has (e.g. rare hanzi such as U+2A6D6),
    in order, without repeats. Whitespace and combining/format characters are not counted."""
    if not text:
        return []
    covered = covered_codepoints()
    if not covered:  # fonts not installed: nothing to compare against (set-up check reports it)
        return []
    out: list[str] = []
    for ch in text:
        if ch.isspace() or ord(ch) in covered or ch in out:
            continue
        out.append(ch)
    return out
