"""Benchmark: render award certificates with the app's PDF module (the classic template, a JPEG
background, a PNG seal, a QR code, Chinese and Tibetan names) and compare with bare WeasyPrint
rendering the same template with fixed data in the same run (no shared font configuration, no
image cache: what a naive `HTML(string=...).write_pdf()` per certificate costs).

    .venv/bin/python bench/certificates.py [--count 500] [--bare 20]

Prints ms per certificate (median, p95) in one process, certificates/s with 1 and 2 worker
processes (the batch job's pool), peak memory per worker, average PDF size, and the ratio of our
median to bare WeasyPrint's. Targets (issue 6): p95 ≤ 150 ms, ≥ 20 certificates/s on 2 cores,
≤ 300 MB per worker, ≤ 500 KB per PDF, overhead over bare WeasyPrint ≤ 1.2×.
Needs the set-up's fonts (`make pdf-fonts`).
"""
from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬斌宇浩凯鹏"
TIBETAN = ["བཀྲ་ཤིས་", "ཚེ་རིང་", "རྡོ་རྗེ་", "སྒྲོལ་མ་", "བསོད་ནམས་", "ཕུན་ཚོགས་"]


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


def contexts(n: int, background_url: str, seal_url: str) -> list[dict]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        if i % 5 == 0:
            name = rng.choice(TIBETAN) + rng.choice(TIBETAN).rstrip("་")
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        code = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(21))
        out.append({"serial": f"XZ2026-001-{i + 1:05d}", "code": "-".join(code[j:j + 4] for j in range(0, 21, 4)),
                    "verify_url": f"https://jx.example.cn/verify/{code}", "verify_base": "jx.example.cn/verify",
                    "competition": "2026年西藏自治区职业技能大赛", "event": rng.choice(["唐卡制作", "藏式雕刻", "电工", "焊工"]),
                    "track": "职工组", "team_name": None, "name": name, "organization": "拉萨市第二职业技术学校",
                    "award": rng.choice(["一等奖", "二等奖", "三等奖"]), "rank": rng.randint(1, 30),
                    "issuing_body": "西藏自治区人力资源和社会保障厅", "issued_on": date(2026, 11, 20),
                    "template": "classic", "background_url": background_url, "seal_url": seal_url})
    return out


def _bench_task(ctx: dict) -> tuple[int, int, int]:
    from app.jobs import runner
    _serial, data = runner._render_task(ctx)
    return len(data), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, os.getpid()


def _warm(_):
    time.sleep(0.2)
    return os.getpid()


def pool_rate(workers: int, font_dir: str, assets, ctxs) -> tuple[float, dict]:
    from app.jobs import runner
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=runner._init_worker,
                             initargs=(font_dir, assets, "certificate_classic.html"), max_tasks_per_child=200) as ex:
        list(ex.map(_bench_task, ctxs[:workers * 2]))        # start and warm every worker
        t = time.perf_counter()
        out = list(ex.map(_bench_task, ctxs, chunksize=4))
        elapsed = time.perf_counter() - t
    peak = {}
    for _size, rss, pid in out:
        peak[pid] = max(peak.get(pid, 0), rss)
    return len(ctxs) / elapsed, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--bare", type=int, default=20, help="bare WeasyPrint renders for the baseline")
    args = ap.parse_args()

    from weasyprint import CSS, HTML

    from app import pdf
    from app.pdf import fonts

    font_dir = str(ROOT / "instance" / "fonts")
    if fonts.check_system() or not (Path(font_dir) / "JXSerifSC1-Regular.otf").exists():
        sys.exit("fonts missing: run `make pdf-fonts` (and scripts/install-system-deps.sh)")
    bg, seal = images()
    r = pdf.renderer(font_dir)
    bg_url, seal_url = r.add_asset(bg, "image/jpeg"), r.add_asset(seal, "image/png")
    ctxs = contexts(args.count, bg_url, seal_url)

    # Ours, one process: every certificate different.
    r.render("certificate_classic.html", c=ctxs[0], preview=False)   # fonts and CSS load once
    times, sizes = [], []
    import gc
    for ctx in ctxs:
        t = time.perf_counter()
        data = r.render("certificate_classic.html", c=ctx, preview=False)
        times.append(time.perf_counter() - t)
        sizes.append(len(data))
        gc.collect()
    ours_median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]

    # Bare WeasyPrint: the same template and fixed data, a fresh document each time.
    fixed_html = r.html("certificate_classic.html", c=ctxs[1], preview=False)
    css_text = fonts.face_rules(Path(font_dir)) + "\n" + (pdf.TEMPLATE_DIR / "base.css").read_text(encoding="utf-8")
    bare = []
    for _ in range(args.bare):
        t = time.perf_counter()
        HTML(string=fixed_html, base_url="jx:/", url_fetcher=r.fetcher).write_pdf(
            stylesheets=[CSS(string=css_text, url_fetcher=r.fetcher)])
        bare.append(time.perf_counter() - t)
        gc.collect()
    bare_median = statistics.median(bare)

    assets = [(bg, "image/jpeg"), (seal, "image/png")]
    rate1, peak1 = pool_rate(1, font_dir, assets, ctxs)
    rate2, peak2 = pool_rate(2, font_dir, assets, ctxs)
    mb = lambda kb: kb / 1024  # noqa: E731  (ru_maxrss is in KiB on Linux)
    print(f"certificates rendered          {len(ctxs)} (1 in 5 with a Tibetan name)")
    print(f"ms per certificate, 1 process  median {ours_median * 1000:.1f}   p95 {p95 * 1000:.1f}   (target p95 ≤ 150)")
    print(f"bare WeasyPrint, same template median {bare_median * 1000:.1f} ms (n={len(bare)})")
    print(f"ratio ours / bare              {ours_median / bare_median:.2f}×   (target ≤ 1.2×)")
    print(f"certificates/s, 1 worker       {rate1:.1f}")
    print(f"certificates/s, 2 workers      {rate2:.1f}   (target ≥ 20 on 2 cores; os.cpu_count() = {os.cpu_count()})")
    print(f"peak memory per worker         {max(mb(v) for v in list(peak1.values()) + list(peak2.values())):.0f} MB   (target ≤ 300)")
    print(f"average PDF size               {statistics.mean(sizes) / 1024:.0f} KB   (max {max(sizes) / 1024:.0f} KB; target ≤ 500)")


if __name__ == "__main__":
    main()
