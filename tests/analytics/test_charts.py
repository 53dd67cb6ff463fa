"""Server-drawn SVG charts (app/analytics/charts.py): titled, axes named with units, text escaped."""
from __future__ import annotations

from xml.etree import ElementTree

from app.analytics.charts import bar_chart, nice_ticks

NS = {"s": "http://www.w3.org/2000/svg"}


def test_chart_is_valid_svg_with_title_axes_and_values():
    svg = bar_chart("参赛人次（按地区）", ["拉萨市", "日喀则市"], [("参赛人次", [12, 3]), ("获奖人次", [4, 0])],
                    value_axis="人次", category_axis="地区", chart_id="c1")
    root = ElementTree.fromstring(str(svg))
    assert root.find("s:title", NS).text == "参赛人次（按地区）"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "人次" in texts and "地区" in texts and "拉萨市" in texts and "12" in texts
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") == "11"]
    widths = sorted(float(b.get("width")) for b in bars)
    assert len(bars) == 4 and widths[0] == 0 and widths[-1] > widths[-2] > 0  # 12 is the longest bar


def test_labels_are_escaped():
    svg = str(bar_chart("<script>x</script>", ["<img src=x onerror=alert(1)>"], [("a&b", [1])],
                        value_axis="人", category_axis="单位", chart_id="x\"y"))
    assert "<script>" not in svg and "<img" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    ElementTree.fromstring(svg)  # still well-formed


def test_nice_ticks():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(120) == [0, 50, 100, 150]
    assert nice_ticks(3)[-1] >= 3
