"""The one PDF helper every document goes through (WeasyPrint).

Per process it keeps one `FontConfiguration`, one compiled shared stylesheet (fonts live only
there: templates choose `.serif` / `.sans`, never a font-family), one image cache and a small
registry of in-memory images (backgrounds, seals), so a batch pays for fonts, CSS and image
decoding once. The URL fetcher refuses everything but these in-memory assets and the pre-cut
fonts: a document can never reach the network or the file system through user text.

It also keeps the documents it made lately (PDF_CACHE_MB, default 16; 0: none), keyed by the
SHA-256 of their HTML: the HTML names every image by the hash of its bytes (assets) or carries it
(QR codes), and the fonts and stylesheet are the renderer's own, so the same HTML gives the same
PDF. A certificate downloaded again, or a bulletin read by several people, is drawn once; any
change to what the document says (a corrected name, a new design, another date) is other HTML.
Batch printing renders past the cache (each group once; it would only push the others out).
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


DEFAULT_CACHE_BYTES = 16 * 1024 * 1024


class Renderer:
    def __init__(self, font_dir: Path, cache_bytes: int = DEFAULT_CACHE_BYTES):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_dir = Path(font_dir)
        self.font_config = FontConfiguration()
        self.fetcher = _asset_fetcher_class()(self)
        self.image_cache: dict = {}
        self._assets: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # Pango's font map is not shared across threads safely
        self.cache_bytes = max(0, int(cache_bytes))
        self._made: OrderedDict[bytes, bytes] = OrderedDict()  # sha256(HTML) → PDF, oldest use first
        self._made_size = 0
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
        return self.render_cached(template, context)[0]

    def render_cached(self, template: str, context: dict, cached: bool = True) -> tuple[bytes, bool]:
        """→ (the PDF, whether it came from the cache)."""
        source = self.html(template, **context)
        if not cached or not self.cache_bytes:
            return self._draw(source), False
        key = hashlib.sha256(source.encode("utf-8")).digest()
        with self._lock:
            made = self._made.get(key)
            if made is not None:
                self._made.move_to_end(key)
                return made, True
        data = self._draw(source)
        if len(data) <= self.cache_bytes // 4:  # one large document never empties the cache
            with self._lock:
                if key not in self._made:
                    self._made[key] = data
                    self._made_size += len(data)
                while self._made_size > self.cache_bytes:
                    _old, dropped = self._made.popitem(last=False)
                    self._made_size -= len(dropped)
        return data, False

    def _draw(self, source: str) -> bytes:
        from weasyprint import HTML

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
    cache_bytes = DEFAULT_CACHE_BYTES
    try:
        from flask import current_app
        config = current_app.config
    except RuntimeError:  # outside the application (batch render processes)
        config = {}
    if font_dir is None:
        font_dir = config.get("PDF_FONT_DIR") or DEFAULT_FONT_DIR
    if config.get("PDF_CACHE_MB") is not None:
        cache_bytes = int(float(config["PDF_CACHE_MB"]) * 1024 * 1024)
    key = str(font_dir)
    with _renderers_lock:
        if key not in _renderers:
            _renderers[key] = Renderer(Path(font_dir), cache_bytes)
        return _renderers[key]


def render(template: str, **context) -> bytes:
    """A document through this process's renderer (and its cache of recent documents); the time
    of each real rendering is recorded by document, a document served from the cache is counted."""
    import time

    from ..observability import observe_render
    started = time.perf_counter()
    data, hit = renderer().render_cached(template, context)
    observe_render(template.removesuffix(".html"), time.perf_counter() - started, cached=hit)
    return data
