"""The renderer's cache of recent documents (app/pdf): the same HTML is drawn once; anything the
document says differently is drawn anew; the cache keeps to its size; batch printing passes it by;
the metrics tell drawn documents from documents served from the cache."""
from __future__ import annotations

from datetime import date

import pytest

from app import pdf


def _roster(subtitle: str) -> dict:
    return {"r": {"title": "名册", "subtitle": subtitle, "rows": [], "printed_on": date(2026, 1, 1)}}


@pytest.fixture
def renderer(app):
    """A renderer of its own (the process's one is shared with every other test)."""
    return pdf.Renderer(pdf.Path(app.config["PDF_FONT_DIR"]), cache_bytes=4 * 1024 * 1024)


def test_the_same_html_is_drawn_once_and_other_html_anew(renderer, monkeypatch):
    drawn = []
    draw = renderer._draw
    monkeypatch.setattr(renderer, "_draw", lambda source: drawn.append(source) or draw(source))
    first, hit = renderer.render_cached("roster.html", _roster("扎西"))
    assert not hit and len(drawn) == 1 and first.startswith(b"%PDF")
    again, hit = renderer.render_cached("roster.html", _roster("扎西"))
    assert hit and again == first and len(drawn) == 1
    other, hit = renderer.render_cached("roster.html", _roster("卓玛"))  # one character differs
    assert not hit and len(drawn) == 2 and other != first
    # A batch group is drawn every time and never kept.
    _data, hit = renderer.render_cached("roster.html", _roster("次仁"), cached=False)
    _data, hit = renderer.render_cached("roster.html", _roster("次仁"), cached=False)
    assert not hit and len(drawn) == 4 and len(renderer._made) == 2


def test_the_cache_keeps_to_its_size_and_can_be_off(app):
    small = pdf.Renderer(pdf.Path(app.config["PDF_FONT_DIR"]), cache_bytes=1)
    small.render_cached("roster.html", _roster("扎西"))
    assert not small._made and small._made_size == 0  # larger than a quarter of the cache: not kept
    one, _ = pdf.Renderer(pdf.Path(app.config["PDF_FONT_DIR"])).render_cached("roster.html", _roster("扎西"))
    sized = pdf.Renderer(pdf.Path(app.config["PDF_FONT_DIR"]), cache_bytes=len(one) * 4 + len(one) // 2)
    for name in ("扎西", "卓玛", "次仁", "格桑", "拉姆"):
        sized.render_cached("roster.html", _roster(name))
    assert sized._made_size <= sized.cache_bytes and len(sized._made) == 4
    # The oldest went first; the newest are served.
    assert sized.render_cached("roster.html", _roster("拉姆"))[1]
    assert not sized.render_cached("roster.html", _roster("扎西"))[1]
    off = pdf.Renderer(pdf.Path(app.config["PDF_FONT_DIR"]), cache_bytes=0)
    off.render_cached("roster.html", _roster("扎西"))
    assert not off.render_cached("roster.html", _roster("扎西"))[1] and not off._made


def test_the_process_renderer_counts_served_documents_apart_from_drawn_ones(app):
    from prometheus_client import REGISTRY

    def sample(name):
        return REGISTRY.get_sample_value(name, {"document": "roster"}) or 0

    subtitle = "拉巴次仁 (cache test)"
    drawn, served = sample("jiangxuan_pdf_render_seconds_count"), sample("jiangxuan_pdf_cache_hits_total")
    first = pdf.render("roster.html", **_roster(subtitle))
    second = pdf.render("roster.html", **_roster(subtitle))
    assert first == second
    assert sample("jiangxuan_pdf_render_seconds_count") == drawn + 1
    assert sample("jiangxuan_pdf_cache_hits_total") == served + 1
