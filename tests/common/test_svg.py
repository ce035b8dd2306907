import re
from xml.etree import ElementTree

from common.svg import Bar, Series, bar_chart, line_chart, radar_chart


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML or this raises


NS = "{http://www.w3.org/2000/svg}"


def test_bar_lengths_are_proportional_to_the_scores():
    # given
    svg = bar_chart(
        [Bar("甲", 80.0, 70.0, 90.0), Bar("乙<script>", 40.0, unreliable=True), Bar("丙", None)],
        title="得分",
    )
    # when
    root = parse(svg)
    bars = root.findall(f"{NS}rect")
    # then: the plot is 430 wide for 0–100
    widths = [float(b.get("width")) for b in bars]
    assert widths == [430 * 0.8, 430 * 0.4]
    assert bars[1].get("class") == "bar unreliable"
    assert "<script>" not in svg and "乙&lt;script&gt; *" in svg
    assert len(root.findall(f"{NS}path")) == 1  # one whisker: the bar with an interval
    assert "—" in svg  # the bar without a score


def test_radar_points_sit_on_their_rings():
    # given four axes, centre 50, edge 100, radius 130 around (360, 190)
    svg = radar_chart(["a", "b", "c", "d"], [Series("s", [100, 75, 50, None])], title="r")
    # when
    polygon = [p for p in parse(svg).findall(f"{NS}polygon") if "series" in p.get("class")]
    # then: three known points: top at full radius, right at half, centre
    (series,) = polygon
    points = [tuple(map(float, p.split(","))) for p in series.get("points").split()]
    assert points == [(360.0, 60.0), (425.0, 190.0), (360.0, 190.0)]


def test_radar_needs_three_axes():
    assert "polygon" not in radar_chart(["a", "b"], [Series("s", [1, 2])], title="r")


def test_line_chart_draws_one_line_per_series_with_a_point_per_value():
    # when
    svg = line_chart(
        ["一", "二", "三"],
        [Series("满意", [80, None, 85]), Series("安全", [90, 91, 92])],
        title="趋势",
    )
    root = parse(svg)
    # then
    assert len(root.findall(f"{NS}polyline")) == 2
    assert len(root.findall(f"{NS}circle")) == 5
    assert re.search(r"满意 三: 85\.0", svg)
