"""Benchmark: award certificates as the app makes them (issue 18), against two baselines drawing
the same page in the same run.

The page: A4 landscape, the classic template, a JPEG background, a PNG seal, the signed QR code
(COSE payload after the verify address), Chinese text and, on 1 in 5, a Tibetan name.

    .venv/bin/python bench/certificates.py [--count 200] [--single 60] [--bare 10] [--reportlab 100]

Measured:
- single certificate (one process): render + PAdES signature, as a download is served — median
  and p95 (target p95 ≤ 80 ms);
- batch printing (print files: groups of 25 certificates, one document each; the QR carries the
  signature) with 1 and 2 worker processes — certificates/s (target ≥ 50/s with 2 workers);
- signed digital PDFs (the same groups split page by page and each PAdES-signed) with 1 and 2
  workers — PDFs/s (target ≥ 25/s with 2 workers);
- baselines: bare WeasyPrint (a fresh HTML(...).write_pdf() of the same page per certificate, no
  shared font configuration or image cache) and ReportLab drawing the same page (canvas, built-in
  STSong-Light CJK font — not embedded, so cheaper than any embedded font — and Noto Serif Tibetan
  without shaping). ReportLab is the practical floor: each figure is also given as a ratio to it.
Needs the set-up's fonts (`make pdf-fonts`) and reportlab (requirements-dev.txt).
"""
from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬斌宇浩凯鹏"
TIBETAN = ["བཀྲ་ཤིས་", "ཚེ་རིང་", "རྡོ་རྗེ་", "སྒྲོལ་མ་", "བསོད་ནམས་", "ཕུན་ཚོགས་"]
TEMPLATE = "certificate_classic.html"


def images() -> tuple[bytes, bytes]:
    from PIL import Image, ImageDraw
    bg = Image.new("RGB", (1754, 1240), (251, 246, 234))
    d = ImageDraw.Draw(bg)
    for i in range(0, 1754, 6):
        d.line([(i, 0), (i, 1240)], fill=(251 - i % 7, 244, 230 - i % 11))
    d.rectangle([60, 60, 1694, 1180], outline=(168, 32, 26), width=24)
    d.rectangle([100, 100, 1654, 1140], outline=(201, 161, 74), width=6)
    out = io.BytesIO()
    bg.save(out, "JPEG", quality=82)
    seal = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    ds = ImageDraw.Draw(seal)
    ds.ellipse([8, 8, 312, 312], outline=(200, 20, 20, 230), width=14)
    ds.regular_polygon((160, 160, 45), 5, fill=(200, 20, 20, 230))
    so = io.BytesIO()
    seal.save(so, "PNG")
    return out.getvalue(), so.getvalue()


def contexts(n: int, qr_key) -> list[dict]:
    """Certificate contexts as certificates.operations.certificate_context makes them, each with
    a QR payload signed by `qr_key`."""
    from app.certificates import offline
    rng = random.Random(7)
    out = []
    for i in range(n):
        if i % 5 == 0:
            name = rng.choice(TIBETAN) + rng.choice(TIBETAN).rstrip("་")
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        code = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(21))
        event, award = rng.choice(["唐卡制作", "藏式雕刻", "电工", "焊工"]), rng.choice(["first", "second", "third"])
        serial = f"XZ2026-001-{i + 1:05d}"
        url = f"https://jx.example.cn/verify/{code}"
        signed = offline.sign(offline.payload_fields(serial, name[0] + "*", "2026年西藏自治区职业技能大赛", event, award,
                                                     1, date(2026, 11, 20), 1, rng.randrange(131072), None), qr_key)
        out.append({"serial": serial, "code": "-".join(code[j:j + 4] for j in range(0, 21, 4)), "verify_url": url,
                    "qr": offline.qr_segments(url, signed), "signed": True, "verify_base": "jx.example.cn/verify",
                    "competition": "2026年西藏自治区职业技能大赛", "event": event, "track": "职工组", "team_name": None,
                    "name": name, "name_bo": None, "organization": "拉萨市第二职业技术学校",
                    "award": {"first": "一等奖", "second": "二等奖", "third": "三等奖"}[award], "award_bo": "",
                    "rank": rng.randint(1, 30), "issuing_body": "西藏自治区人力资源和社会保障厅",
                    "issued_on": date(2026, 11, 20), "template": "classic", "design": 1, "seq": i + 1, "issuer_id": 1})
    return out


# ---- worker tasks (module level: picklable) ------------------------------------------------------

def _print_task(task: dict) -> tuple[int, int]:
    """A batch print group: one document of the group's certificates, nothing else."""
    from app.certificates import batch
    data = batch.render_pages(task["template"], task["items"], task["assets"])
    return len(task["items"]), len(data)


def _digital_task(task: dict) -> tuple[int, int]:
    """The batch's digital PDFs: the group rendered, split and each page signed."""
    from app.certificates import batch
    _name, _document, singles = batch.render_group(task)
    return len(singles), sum(len(d) for _s, d in singles)


def pool_rate(workers: int, font_dir: str, key_dir: str, fn, tasks: list[dict]) -> float:
    from app.certificates import batch
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=batch.init_worker,
                             initargs=(font_dir, key_dir, None)) as ex:
        list(ex.map(fn, tasks[:workers]))                 # start and warm every worker
        t = time.perf_counter()
        done = sum(n for n, _size in ex.map(fn, tasks))
        return done / (time.perf_counter() - t)


# ---- ReportLab: the same page drawn directly --------------------------------------------------

def reportlab_pages(ctxs: list[dict], bg: bytes, seal: bytes) -> list[float]:
    import segno
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    tibetan = "/usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf"
    pdfmetrics.registerFont(TTFont("Tibetan", tibetan))
    background, stamp = ImageReader(io.BytesIO(bg)), ImageReader(io.BytesIO(seal))   # shared: a generous floor
    width, height = landscape(A4)
    times = []
    for ctx in ctxs:
        t = time.perf_counter()
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(width, height))
        c.drawImage(background, 0, 0, width=width, height=height)
        c.setFont("STSong-Light", 40)
        c.setFillColorRGB(0.66, 0.13, 0.10)
        c.drawCentredString(width / 2, height - 45 * mm, "荣 誉 证 书")
        c.setFillColorRGB(0.1, 0.1, 0.1)
        c.setFont("Tibetan" if ctx["name"][0] >= "\u0f00" else "STSong-Light", 23)
        c.drawString(38 * mm, height - 78 * mm, ctx["name"])
        c.setFont("STSong-Light", 17)
        c.drawString(38 * mm, height - 92 * mm, f"在{ctx['competition']}{ctx['event']}（{ctx['track']}）中，荣获")
        c.setFont("STSong-Light", 26)
        c.drawCentredString(width / 2, height - 108 * mm, ctx["award"])
        c.setFont("STSong-Light", 17)
        c.drawString(38 * mm, height - 122 * mm, "特发此证，以资鼓励。")
        c.setFont("STSong-Light", 14)
        c.drawCentredString(width - 87 * mm, 45 * mm, ctx["issuing_body"])
        c.drawCentredString(width - 87 * mm, 38 * mm, "二〇二六年十一月二十日")
        c.drawImage(stamp, width - 108 * mm, 18 * mm, 42 * mm, 42 * mm, mask="auto")
        qr = io.BytesIO()
        segno.make([tuple(s) for s in ctx["qr"]], error="m", micro=False, mask=0).save(qr, kind="png", scale=1, border=2)
        qr.seek(0)
        c.drawImage(ImageReader(qr), 30 * mm, 24 * mm, 30 * mm, 30 * mm)
        c.setFont("STSong-Light", 8.5)
        c.drawString(64 * mm, 44 * mm, f"证书编号：{ctx['serial']}")
        c.drawString(64 * mm, 39 * mm, f"验证码：{ctx['code']}")
        c.showPage()
        c.save()
        times.append(time.perf_counter() - t)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(len(ordered) * q)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200, help="certificates per batch measurement")
    ap.add_argument("--single", type=int, default=60, help="single certificates rendered and signed")
    ap.add_argument("--bare", type=int, default=10, help="bare WeasyPrint renders for the baseline")
    ap.add_argument("--reportlab", type=int, default=100, help="ReportLab pages for the baseline")
    args = ap.parse_args()

    from weasyprint import CSS, HTML

    from app import pdf
    from app.certificates import batch, keys, pades
    from app.pdf import fonts

    font_dir = str(ROOT / "instance" / "fonts")
    if fonts.check_system() or not (Path(font_dir) / "JXSerifSC1-Regular.otf").exists():
        sys.exit("fonts missing: run `make pdf-fonts` (and scripts/install-system-deps.sh)")
    key_dir = tempfile.mkdtemp(prefix="jx-bench-keys-")
    store = keys.KeyStore(key_dir)
    store.ensure_issuer(1, "西藏自治区人力资源和社会保障厅")
    bg, seal = images()
    assets = [(bg, "image/jpeg"), (seal, "image/png")]
    ctxs = contexts(max(args.count, args.single, args.reportlab), store.active(1, "qr"))

    # Ours, one certificate as a download is served: render + PAdES signature.
    batch.init_worker(font_dir, key_dir)
    pdf_key = store.active(1, "pdf")
    renderer = pdf.renderer(font_dir)
    urls = [renderer.add_asset(d, m) for d, m in assets]
    first = dict(ctxs[0], background_url=urls[0], seal_url=urls[1])
    pades.sign_pdf(renderer.render(TEMPLATE, cs=[first], preview=False), pdf_key)   # fonts, CSS, signer load once
    single, render_only, sizes = [], [], []
    for ctx in ctxs[:args.single]:
        c = dict(ctx, background_url=urls[0], seal_url=urls[1])
        t = time.perf_counter()
        data = renderer.render(TEMPLATE, cs=[c], preview=False)
        t_render = time.perf_counter()
        signed = pades.sign_pdf(data, pdf_key)
        single.append(time.perf_counter() - t)
        render_only.append(t_render - t)
        sizes.append(len(signed))
        gc.collect()

    # Bare WeasyPrint: the same page as a fresh document each time.
    fixed_html = renderer.html(TEMPLATE, cs=[dict(ctxs[1], background_url=urls[0], seal_url=urls[1])], preview=False)
    css_text = fonts.face_rules(Path(font_dir)) + "\n" + (pdf.TEMPLATE_DIR / "base.css").read_text(encoding="utf-8")
    bare = []
    for _ in range(args.bare):
        t = time.perf_counter()
        HTML(string=fixed_html, base_url="jx:/", url_fetcher=renderer.fetcher).write_pdf(
            stylesheets=[CSS(string=css_text, url_fetcher=renderer.fetcher)])
        bare.append(time.perf_counter() - t)
        gc.collect()

    # ReportLab: the same page drawn on a canvas.
    reportlab = reportlab_pages(ctxs[:args.reportlab], bg, seal)

    # Batches: groups of GROUP certificates of one design.
    groups = batch.groups(ctxs[:args.count])
    tasks = [{"name": g["name"], "template": TEMPLATE, "assets": assets, "items": g["items"]} for g in groups]
    print_1 = pool_rate(1, font_dir, key_dir, _print_task, tasks)
    print_2 = pool_rate(2, font_dir, key_dir, _print_task, tasks)
    digital_1 = pool_rate(1, font_dir, key_dir, _digital_task, tasks)
    digital_2 = pool_rate(2, font_dir, key_dir, _digital_task, tasks)

    med, p95 = statistics.median(single), pct(single, 0.95)
    bare_med, rl_med = statistics.median(bare), statistics.median(reportlab)
    rl_rate_2 = 2 / rl_med   # the floor on 2 cores: ReportLab's page time, two processes
    print(f"machine                           {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"certificates                      {len(ctxs)} contexts (1 in 5 with a Tibetan name), groups of {batch.GROUP}")
    print(f"single, render + PAdES sign       median {med * 1000:.1f} ms   p95 {p95 * 1000:.1f} ms   (target p95 ≤ 80)"
          f"   [render alone median {statistics.median(render_only) * 1000:.1f} ms]")
    print(f"bare WeasyPrint, same page        median {bare_med * 1000:.1f} ms (n={len(bare)})   ours/bare {med / bare_med:.2f}×")
    print(f"ReportLab, same page              median {rl_med * 1000:.1f} ms (n={len(reportlab)})   ours/ReportLab {med / rl_med:.2f}×")
    print(f"batch print, 1 worker             {print_1:.1f} certificates/s")
    print(f"batch print, 2 workers            {print_2:.1f} certificates/s   (target ≥ 50)   "
          f"= {print_2 / rl_rate_2:.2f}× ReportLab's {rl_rate_2:.1f}/s on 2 processes")
    print(f"signed digital PDFs, 1 worker     {digital_1:.1f} PDFs/s")
    print(f"signed digital PDFs, 2 workers    {digital_2:.1f} PDFs/s   (target ≥ 25)   "
          f"= {digital_2 / rl_rate_2:.2f}× ReportLab's unsigned page rate")
    print(f"average signed PDF                {statistics.mean(sizes) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
