"""The community map: points where their coordinates say, coloured by progress, offline."""

import re

from common.svg import Place, place_map

LEGEND = ["<20", "20-40", "40-60", "60-80", "80+"]


def test_points_are_placed_by_coordinates_and_coloured_by_share():
    svg = place_map(
        [
            Place("西", 28.20, 112.90, share=0.05, size=10),
            Place("东", 28.20, 113.00, share=0.95, size=10),
            Place("北<b>", 28.30, 112.95, share=None, size=40),
        ],
        title="map",
        legend=LEGEND,
    )
    circles = re.findall(
        r'<circle class="place (\w+)" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg
    )
    by_class = {c: (float(x), float(y), float(r)) for c, x, y, r in circles}
    assert set(by_class) == {"m0", "m4", "none"}
    west, east, north = by_class["m0"], by_class["m4"], by_class["none"]
    assert west[0] < north[0] < east[0]  # west to east
    assert north[1] < west[1] == east[1]  # north is up
    assert north[2] > west[2] == east[2]  # four times the cases, twice the radius growth
    assert "北&lt;b&gt;" in svg and "<b>" not in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tiles, no links out


def test_an_empty_map_is_an_empty_svg():
    assert place_map([], title="t", legend=LEGEND).endswith("</svg>")
