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

# (family, weight, source collection, face index of the SC face, file name of the cut)
CUTS = [
    ("JX Serif SC", 400, "NotoSerifCJK-Regular.ttc", 2, "JXSerifSC-Regular.otf"),
    ("JX Serif SC", 700, "NotoSerifCJK-Bold.ttc", 2, "JXSerifSC-Bold.otf"),
    ("JX Sans SC", 400, "NotoSansCJK-Regular.ttc", 2, "JXSansSC-Regular.otf"),
    ("JX Sans SC", 700, "NotoSansCJK-Bold.ttc", 2, "JXSansSC-Bold.otf"),
]
TIBETAN = ["NotoSerifTibetan-Regular.ttf", "NotoSerifTibetan-Bold.ttf"]


class FontSetupError(RuntimeError):
    pass


def system_font(name: str) -> Path | None:
    for d in NOTO_DIRS:
        if (d / name).exists():
            return d / name
    return None


def cut_charset() -> str:
    """GB 2312 (6,763 hanzi and its symbols), ASCII, CJK and full-width punctuation, middle dots."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}
    chars |= set("·•—–‘’“”…〇№℃")
    return "".join(sorted(chars))


def check_system() -> list[str]:
    """What is missing for fast, correct PDFs (empty when all is well)."""
    problems = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        problems.append("libharfbuzz-subset0 is missing: WeasyPrint would fall back to fontTools, ~50x slower "
                        "(apt-get install libharfbuzz-subset0)")
    for _family, _weight, source, _index, _out in CUTS:
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
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as text:
        text.write(cut_charset())
        text.flush()
        for _family, _weight, source, index, out in CUTS:
            target = dest / out
            if target.exists() and not force:
                continue
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
    for family, weight, _source, _index, out in CUTS:
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
