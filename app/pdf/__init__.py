"""The one PDF helper every document goes through (WeasyPrint).

Per process it keeps one `FontConfiguration`, one compiled shared stylesheet (fonts live only
there: templates choose `.serif` / `.sans`, never a font-family), one image cache and a small
registry of in-memory images (backgrounds, seals), so a batch pays for fonts, CSS and image
decoding once. The URL fetcher refuses everything but these in-memory assets and the pre-cut
fonts: a document can never reach the network or the file system through user text.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import threading
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path

import jinja2
import segno
from markupsafe import Markup
from . import fonts

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_DIR = ROOT / "templates" / "pdf"
DEFAULT_FONT_DIR = ROOT / "instance" / "fonts"
CN_DIGITS = "〇一二三四五六七八九"


@functools.cache
def _asset_fetcher_class():
    """WeasyPrint is imported on the first document, not with the application: web and RQ
    processes that never draw a PDF spare its start-up time (~0.5 s) and memory."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Serves `jx:font/<file>` from the font directory and `jx:asset/<key>` from memory."""

        def __init__(self, renderer: "Renderer"):
            super().__init__(fail_on_errors=False)
            self.renderer = renderer

        def fetch(self, url, headers=None):
            if url.startswith("jx:font/"):
                name = url[len("jx:font/"):]
                if "/" in name or "\\" in name or name.startswith("."):
                    raise ValueError(f"refused font URL {url}")
                path = self.renderer.font_dir / name
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": "font/otf"})
            if url.startswith("jx:asset/"):
                data, mime = self.renderer.asset(url[len("jx:asset/"):])
                return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})
            if url.startswith("data:image/png;base64,"):  # QR codes made by qr_image()
                return URLFetcherResponse(url, body=base64.b64decode(url[22:]), headers={"Content-Type": "image/png"})
            raise ValueError(f"refused URL {url!r}: documents only load their own assets")

    return AssetFetcher


def cn_date(value: date | datetime | None) -> str:
    """2025-11-20 → 二〇二五年十一月二十日 (the way certificates are dated)."""
    if value is None:
        return ""

    def small(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    return "".join(CN_DIGITS[int(d)] for d in str(value.year)) + f"年{small(value.month)}月{small(value.day)}日"


def qr_image(payload, size_mm: float = 26) -> Markup:
    """A QR code of `payload` (text, or segno segments: a signed certificate's address in byte
    mode and its payload in alphanumeric mode) as a one-pixel-per-module PNG drawn without
    interpolation (crisp in print): ten times cheaper for WeasyPrint than the same code as an
    SVG path. The mask is fixed, which spares segno its mask evaluation; any mask decodes the same."""
    if isinstance(payload, list):
        payload = [tuple(segment) for segment in payload]  # segments may come back from JSON as lists
    qr = segno.make(payload, error="m", micro=False, mask=0)
    uri = qr.png_data_uri(scale=1, border=2, dark="#1b1b1b")
    return Markup('<img class="qr" src="{}" alt="" style="width:{}mm;height:{}mm;image-rendering:pixelated">'
                  ).format(uri, float(size_mm), float(size_mm))  # format() escapes its arguments


class Renderer:
    def __init__(self, font_dir: Path):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_dir = Path(font_dir)
        self.font_config = FontConfiguration()
        self.fetcher = _asset_fetcher_class()(self)
        self.image_cache: dict = {}
        self._assets: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # Pango's font map is not shared across threads safely
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.env.filters["cn_date"] = cn_date
        self.env.globals["qr_image"] = qr_image
        base_css = (TEMPLATE_DIR / "base.css").read_text(encoding="utf-8")
        self.css = CSS(string=fonts.face_rules(self.font_dir) + "\n" + base_css, font_config=self.font_config,
                       url_fetcher=self.fetcher)

    def add_asset(self, data: bytes, mime: str) -> str:
        """Register an image held in memory; returns its `jx:asset/…` URL (stable per content)."""
        key = hashlib.sha256(data).hexdigest()[:32]
        with self._lock:
            self._assets[key] = (data, mime)
            self._assets.move_to_end(key)
            while len(self._assets) > 32:
                old, _ = self._assets.popitem(last=False)
                self.image_cache.pop(f"jx:asset/{old}", None)
        return f"jx:asset/{key}"

    def asset(self, key: str) -> tuple[bytes, str]:
        with self._lock:
            return self._assets[key]

    def html(self, template: str, **context) -> str:
        return self.env.get_template(template).render(**context)

    def render(self, template: str, **context) -> bytes:
        from weasyprint import HTML

        source = self.html(template, **context)
        with self._render_lock:
            document = HTML(string=source, base_url="jx:/", url_fetcher=self.fetcher)
            try:
                return document.write_pdf(stylesheets=[self.css], font_config=self.font_config,
                                          cache=self.image_cache)
            finally:  # one-off images (QR codes) must not pile up in the shared cache
                for key in [k for k in self.image_cache if isinstance(k, str) and k.startswith("data:")]:
                    del self.image_cache[key]


_renderers: dict[str, Renderer] = {}
_renderers_lock = threading.Lock()


def renderer(font_dir: Path | str | None = None) -> Renderer:
    """This process's renderer (fonts, CSS and images are loaded once per worker)."""
    if font_dir is None:
        try:
            from flask import current_app
            font_dir = current_app.config.get("PDF_FONT_DIR") or DEFAULT_FONT_DIR
        except RuntimeError:
            font_dir = DEFAULT_FONT_DIR
    key = str(font_dir)
    with _renderers_lock:
        if key not in _renderers:
            _renderers[key] = Renderer(Path(font_dir))
        return _renderers[key]


def render(template: str, **context) -> bytes:
    import time

    from ..observability import observe_render
    started = time.perf_counter()
    try:
        return renderer().render(template, **context)
    finally:
        observe_render(template.removesuffix(".html"), time.perf_counter() - started)
