"""What fieldwork knows of an interviewer: the county they live in and the languages they speak.

The scheduler reads both (fieldwork.scheduling.Caller): a wave with cross-region calling
(异地交叉调查) never gives an interviewer a case in their home county, and a case that failed on
language (AAPOR 2.33) goes only to a speaker of the language recorded with that outcome.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sampling.models import Locality


class Dialect(models.TextChoices):
    """Languages and dialects interviewers call in (a respondent's, recorded with 2.33)."""

    MANDARIN = "mandarin", _("Mandarin")  # 普通话
    CANTONESE = "cantonese", _("Cantonese")  # 粤语
    MINNAN = "minnan", _("Southern Min (Hokkien)")  # 闽南语
    MINDONG = "mindong", _("Eastern Min (Fuzhounese)")  # 闽东语
    WU = "wu", _("Wu (Shanghainese)")  # 吴语
    HAKKA = "hakka", _("Hakka")  # 客家话
    XIANG = "xiang", _("Xiang (Hunanese)")  # 湘语
    GAN = "gan", _("Gan")  # 赣语
    JIN = "jin", _("Jin")  # 晋语
    SOUTHWEST = "southwest", _("Southwestern Mandarin (Sichuanese)")  # 西南官话
    TIBETAN = "tibetan", _("Tibetan")  # 藏语
    UYGHUR = "uyghur", _("Uyghur")  # 维吾尔语
    MONGOLIAN = "mongolian", _("Mongolian")  # 蒙古语
    ZHUANG = "zhuang", _("Zhuang")  # 壮语
    KOREAN = "korean", _("Korean")  # 朝鲜语


class InterviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="interviewer_profile",
        verbose_name=_("user"),
    )
    # A district/county (区县) of the locality tree: the case's street belongs to one.
    home_county = models.ForeignKey(
        Locality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home county"),
    )
    # Dialect values; Mandarin is assumed of everyone and need not be listed.
    dialects = models.JSONField(_("languages and dialects"), default=list, blank=True)

    class Meta:
        verbose_name = _("interviewer profile")
        verbose_name_plural = _("interviewer profiles")

    def __str__(self) -> str:
        return str(self.user)
