"""Messages made in pure modules, shown in the reader's language."""

import pickle

from django.utils import translation
from django.utils.translation import gettext

from common.translatable import Translatable, translated

AT_CELL = "%(sheet)s sheet, row %(row)d, column %(column)s: %(problem)s"


def test_a_translatable_reads_as_its_english_text():
    message = Translatable("circular logic: %(steps)s", steps=["a", "b"])
    assert message == "circular logic: ab"
    assert f"{message}!" == "circular logic: ab!"


def test_a_translatable_is_said_in_the_active_language_with_its_parts():
    step = Translatable("%(column)s of %(name)s depends on %(target)s", column="relevant",
                        name="q3", target="q5")  # fmt: skip
    after = Translatable(", whose %(column)s depends on %(target)s", column="calculation",
                         target="q3")  # fmt: skip
    problem = Translatable("circular logic: %(steps)s", steps=[step, after])
    message = Translatable(AT_CELL, sheet="survey", row=4, column="relevant", problem=problem)
    with translation.override("zh-hans"):
        assert message.translate(gettext) == (
            "survey 工作表第 4 行 relevant 列：逻辑循环：q3 的 relevant 依赖 q5，"
            "它的 calculation 又依赖 q3"
        )
    with translation.override("en"):
        assert translated(message, gettext) == str(message)


def test_plain_text_passes_through_and_pickling_keeps_the_template():
    assert translated("plain", gettext) == "plain"
    message = Translatable("%(name)s: 100%% sure", name="x")
    copy = pickle.loads(pickle.dumps(message))
    assert copy == "x: 100% sure" and copy.template == message.template
    assert copy.params == {"name": "x"}
