import shutil
import subprocess
from pathlib import Path

import pytest

from scoring.report.pdf import render_report

FONT = Path(__file__).resolve().parents[3] / "static" / "fonts" / "wqy-microhei.ttc"

LABELS_ZH = {
    "title": "群众安全感满意度测评报告",
    "client": "委托方",
    "generated_on": "日期",
    "headline": "主要指标",
    "satisfaction_score": "满意度得分",
    "satisfaction_rate": "综合满意率",
    "safety_score": "安全感得分",
    "safety_rate": "安全感率",
    "n_interviews": "有效样本",
    "by_dimension": "分维度结果",
    "by_district": "分区县结果",
    "by_street": "分街道结果",
    "heat": "区县×维度得分",
    "dimension": "维度",
    "scope": "类别",
    "district": "区县",
    "street": "街道",
    "n": "样本数",
    "score": "得分",
    "rate": "率(%)",
    "item_nonresponse": "不知道/拒答(%)",
    "rank": "排名",
    "rank_interval": "排名区间（95%）",
    "rank_interval_pdf": "排名（95%区间）",
    "below_overall": "显著低于总体",
    "below_target": "低于目标",
    "no_target": "本期未设满意度目标。",
    "lowest": "短板",
    "lowest_dimensions": "得分最低的维度",
    "lowest_streets": "满意度最低的街道",
    "chart_title": "各区县满意度得分",
    "chart_x": "区县",
    "chart_y": "满意度得分",
    "unreliable_note": "* 样本少于30人,结果仅供参考",
    "no_data": "尚无审核通过的访问。",
}


def scope_row(name, n, sat, rate, safety, rank, unreliable, **extra):
    return {
        "code": name,
        "name": name,
        "n": n,
        "satisfaction_score": sat,
        "satisfaction_rate": rate,
        "safety_score": safety,
        "safety_rate": None,
        "rank": rank,
        "unreliable": unreliable,
        **extra,
    }


def sample_data() -> dict:
    dimensions = [
        ("安全感", "安全感", 84.2, 88.0, False),
        ("社会治安", "满意度", 78.5, 70.1, False),
        ("公安工作", "满意度", 71.3, 61.0, False),
        ("矛盾纠纷化解", "满意度", 65.0, 52.4, True),
    ]
    return {
        "wave": {
            "id": 7,
            "name": "2024年第二季度",
            "client": "测试市委政法委",
            "generated_on": "2024-07-01",
        },
        "n_interviews": 412,
        "min_respondents": 30,
        "headline": {
            "satisfaction_score": 74.6,
            "satisfaction_rate": 66.2,
            "satisfaction_unreliable": False,
            "safety_score": 84.2,
            "safety_rate": 88.0,
            "safety_unreliable": False,
            "n_interviews": 412,
        },
        "dimensions": [
            {
                "code": label,
                "label": label,
                "scope": "safety" if scope == "安全感" else "satisfaction",
                "scope_label": scope,
                "n": 400,
                "score": score,
                "rate": rate,
                "item_nonresponse": 3.5,
                "unreliable": unreliable,
            }
            for label, scope, score, rate, unreliable in dimensions
        ],
        "districts": [
            scope_row("城东区", 250, 76.1, 68.0, 85.0, 1, False),
            scope_row("西山县", 162, 72.3, 63.5, 83.0, 2, False),
        ],
        "streets": [
            scope_row("东华街道", 130, 77.0, 69.0, 86.0, 1, False, district="城东区"),
            scope_row("东兴街道", 120, 75.1, 67.0, 84.0, 2, False, district="城东区"),
            scope_row("西岭镇", 140, 73.0, 64.0, 83.5, 3, False, district="西山县"),
            scope_row("北坡乡", 22, 68.0, 55.0, 80.0, 4, True, district="西山县"),
        ],
        "heat": {
            "dimensions": [{"code": d[0], "label": d[0]} for d in dimensions],
            "rows": [
                {
                    "name": "城东区",
                    "cells": [{"score": s, "unreliable": False} for s in (85, 80, 72, 66)],
                },
                {
                    "name": "西山县",
                    "cells": [{"score": s, "unreliable": s < 60} for s in (83, 77, 70, 59)],
                },
            ],
        },
        "lowest": {
            "dimensions": [
                {"label": "矛盾纠纷化解", "score": 65.0, "unreliable": True},
                {"label": "公安工作", "score": 71.3, "unreliable": False},
                {"label": "社会治安", "score": 78.5, "unreliable": False},
            ],
            "streets": [
                {"name": "北坡乡", "district": "西山县", "score": 68.0, "unreliable": True},
                {"name": "西岭镇", "district": "西山县", "score": 73.0, "unreliable": False},
                {"name": "东兴街道", "district": "城东区", "score": 75.1, "unreliable": False},
            ],
        },
        "labels": LABELS_ZH,
    }


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_report_embeds_the_cjk_font_and_its_text_is_extractable(tmp_path):
    # given
    data = sample_data()
    # when
    pdf = render_report(data, font_path=FONT)
    # then
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the TrueType program is embedded, not just named
    assert b"WenQuanYiMicroHei" in pdf
    text = pdf_text(pdf, tmp_path)
    for expected in [
        "2024年第二季度",
        "测试市委政法委",
        "综合满意率",
        "东华街道",
        "北坡乡",
        "西岭镇",
    ]:
        assert expected in text, expected
    assert "74.6" in text and "66.2%" in text
    assert "北坡乡 *" in text  # the unreliable street is marked, not hidden


def test_report_without_approved_interviews_still_renders(tmp_path):
    # given
    data = sample_data()
    empty = {"dimensions": [], "districts": [], "streets": [], "n_interviews": 0}
    data.update(empty)
    data["heat"] = {"dimensions": [], "rows": []}
    data["lowest"] = {"dimensions": [], "streets": []}
    data["headline"] = {
        key: None
        for key in ["satisfaction_score", "satisfaction_rate", "safety_score", "safety_rate"]
    } | {"satisfaction_unreliable": True, "safety_unreliable": True, "n_interviews": 0}
    # when
    pdf = render_report(data, font_path=FONT)
    # then
    text = pdf_text(pdf, tmp_path)
    assert "2024年第二季度" in text and "—" in text


def full_data() -> dict:
    data = sample_data()
    data["labels"] = LABELS_ZH | {
        "key_figures": "关键指标",
        "radar_title": "各维度得分",
        "ranking_title": "区县排名",
        "previous_rank": "上期排名",
        "rank_change": "名次变化",
        "score_change": "得分变化",
        "trend_title": "历次得分走势",
        "groups_title": "分人群结果",
        "group": "人群",
        "value": "类别",
        "methodology": "方法说明",
        "item": "项目",
        "overall": "总体",
    }
    data["previous_wave"] = "2024年第一季度"
    data["districts"][0] |= {
        "previous_rank": 2,
        "rank_change": 1,
        "change_significant": True,
        "rank": 1,
        "rank_low": 1,
        "rank_high": 2,
    }
    data["districts"][1] |= {
        "previous_rank": 1,
        "rank_change": -1,
        "change_significant": False,
        "satisfaction_ci_low": 69.0,
        "satisfaction_ci_high": 75.6,
    }
    data["trend"] = {
        "waves": ["2024年第一季度", "2024年第二季度"],
        "satisfaction": [71.9, 74.6],
        "safety": [82.0, 84.2],
        "dimensions": [],
    }
    data["groups"] = [
        scope_row("男", 200, 75.5, 67.0, 85.1, None, False)
        | {"group": "sex", "group_label": "性别", "value": "男"},
        scope_row("女", 212, 73.8, 65.4, 83.3, None, False)
        | {"group": "sex", "group_label": "性别", "value": "女"},
    ]
    data["methodology_lines"] = [
        ("样本量", 4800),
        ("应答率(AAPOR RR3)", 31.4),
        ("随机种子", 20240601),
    ]
    return data


def test_full_report_has_cover_trend_groups_ranking_and_methodology(tmp_path):
    # when
    pdf = render_report(full_data(), font_path=FONT)
    text = pdf_text(pdf, tmp_path)
    pages = text.split("\f")
    # then: the cover stands alone, the methodology is the last page
    assert "群众安全感满意度测评报告" in pages[0] and "关键指标" not in pages[0]
    for expected in [
        "各维度得分",
        "区县排名",
        "历次得分走势",
        "71.9",
        "82.0",
        "分人群结果",
        "性别",
    ]:
        assert expected in text, expected
    flat = text.replace("\n", "")
    assert "上期排名" in flat and "↑1" in text
    # an arrow only for a change significant after control; the other shows its number
    assert "↓1" not in text and "-1" in text
    assert "1 (1–2)" in text
    last = [p for p in pages if p.strip()][-1]
    assert "方法说明" in last and "4800" in last and "31.4" in last and "20240601" in last


def test_radar_and_ranking_are_drawn_from_the_scores():
    # given
    from scoring.report.charts import ranking_bars
    from scoring.report.style import register_font

    font = register_font(FONT)
    data = full_data()
    # when
    drawing = ranking_bars(data, font)
    # then: bars sorted by score, widths proportional, one whisker (3 lines) for 西山县
    texts = [c.text for c in drawing.contents if hasattr(c, "text")]
    assert texts.index("城东区") < texts.index("西山县")
    bars = [c for c in drawing.contents if c.__class__.__name__ == "Rect"]
    assert abs(bars[0].width / bars[1].width - 76.1 / 72.3) < 1e-9
