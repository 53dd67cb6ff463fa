"""Charts drawn on the server as SVG, the same markup in the page and in the PDF.

Why not a chart library: pygal (the SVG one) styles its charts with an embedded <style> element
and per-chart random ids, which the app's Content-Security-Policy (default-src 'self', no inline
styles) blocks in the page, so the same chart would render unstyled there and styled in the PDF;
matplotlib draws SVG text as paths through its own font set-up (a CJK font configured twice) and
costs ~100 ms a chart. A horizontal grouped bar chart is all the reports need: this module writes
it with presentation attributes only (fill, font-family …), escapes every label, and WeasyPrint
renders the same SVG with the document's fonts.
"""
from __future__ import annotations

import math
import unicodedata

from markupsafe import Markup, escape

FONT = "'JX Sans SC', 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
PALETTE = ("#a8201a", "#c9a14a", "#2f6f8f", "#5b8c5a", "#7a5c99")
WIDTH = 720


def _text_width(text: str, size: float) -> float:
    """Roughly how wide a label is drawn: full width for CJK, about half for Latin and digits."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.58 for ch in text)


def nice_ticks(peak: float, count: int = 5) -> list[float]:
    """0 … a round number ≥ peak in steps of 1, 2 or 5 × 10^k."""
    if peak <= 0:
        return [0, 1]
    raw = peak / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and float(peak).is_integer():
        step = 1
    top = math.ceil(peak / step) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[float]]], *, value_axis: str,
              category_axis: str, chart_id: str, max_label: int = 16) -> Markup:
    """A horizontal grouped bar chart: one row per category, one bar per series. `value_axis`
    names the measure with its unit (人次); `category_axis` what the rows are."""
    cats = [c if len(c) <= max_label else c[:max_label - 1] + "…" for c in categories]
    n_series = max(len(series), 1)
    bar_h, gap = 13, 9
    row_h = n_series * bar_h + gap
    label_w = min(max([_text_width(c, 12) for c in cats] + [_text_width(category_axis, 12)]) + 14, 240)
    legend_h = 22 if len(series) > 1 else 0
    top = 40 + legend_h
    plot_h = max(len(cats), 1) * row_h
    bottom = 48
    height = top + plot_h + bottom
    x0, x1 = label_w, WIDTH - 40
    peak = max([v for _name, values in series for v in values] + [0])
    ticks = nice_ticks(peak)
    span = ticks[-1] or 1

    def sx(v: float) -> float:
        return round(x0 + (x1 - x0) * v / span, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
           f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
           f'font-family="{FONT}" font-size="12">',
           f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
           f'<desc id="{escape(chart_id)}-d">{escape(category_axis)} × {escape(value_axis)}: '
           + escape("; ".join(f"{c} " + ", ".join(f"{name} {_fmt(vals[i])}" for name, vals in series)
                              for i, c in enumerate(categories))) + '</desc>',
           '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
           f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="700" fill="#1b1b1b">'
           f'{escape(title)}</text>']
    if legend_h:
        lx = x0
        for i, (name, _values) in enumerate(series):
            color = PALETTE[i % len(PALETTE)]
            out.append(f'<rect x="{lx}" y="{34}" width="12" height="12" fill="{color}"/>')
            out.append(f'<text x="{lx + 17}" y="{44}" fill="#333333">{escape(name)}</text>')
            lx += 30 + _text_width(name, 12)
    # Grid and value axis.
    for t in ticks:
        x = sx(t)
        out.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}" stroke="#dddddd" stroke-width="1"/>')
        out.append(f'<text x="{x}" y="{top + plot_h + 16}" text-anchor="middle" fill="#555555" '
                   f'font-size="11">{_fmt(t)}</text>')
    out.append(f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{top + plot_h}" stroke="#555555" stroke-width="1"/>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{top + plot_h + 38}" text-anchor="middle" fill="#333333">'
               f'{escape(value_axis)}</text>')
    out.append(f'<text x="{x0 - 8}" y="{top - 6}" text-anchor="end" fill="#333333" font-weight="700">'
               f'{escape(category_axis)}</text>')
    for i, cat in enumerate(cats):
        y = top + i * row_h + gap / 2
        out.append(f'<text x="{x0 - 8}" y="{y + n_series * bar_h / 2 + 4}" text-anchor="end" fill="#1b1b1b">'
                   f'{escape(cat)}</text>')
        for k, (_name, values) in enumerate(series):
            v = values[i] if i < len(values) else 0
            w = max(sx(v) - x0, 0)
            by = y + k * bar_h
            color = PALETTE[k % len(PALETTE)]
            out.append(f'<rect x="{x0}" y="{by}" width="{w}" height="{bar_h - 2}" fill="{color}"/>')
            out.append(f'<text x="{x0 + w + 4}" y="{by + bar_h - 3}" fill="#333333" font-size="11">{_fmt(v)}</text>')
    if not categories:
        out.append(f'<text x="{(x0 + x1) / 2}" y="{top + 14}" text-anchor="middle" fill="#777777">—</text>')
    out.append("</svg>")
    # Every piece of text above went through escape().
    return Markup("".join(out))  # nosec B704
