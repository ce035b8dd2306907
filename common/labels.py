"""Texts in several languages, as questionnaires store them ({"zh": ..., "en": ...}). Pure.

Language codes are matched on their primary subtag, so Django's "zh-hans" finds a
questionnaire's "zh".
"""

__all__ = ["all_languages", "localized", "primary_subtag"]


def primary_subtag(language: str | None) -> str:
    """ "zh" for "zh-hans", "zh_Hans" or "zh"; "" for nothing."""
    return (language or "").lower().replace("_", "-").split("-")[0]


def localized(label: dict | str | None, language: str | None) -> str:
    """The text of a translatable label in `language`; else English; else whatever language
    has text. A plain string is its own text; nothing is ""."""
    if not label:
        return ""
    if isinstance(label, str):
        return label
    primary = primary_subtag(language)
    for wanted in (primary, "en"):
        for key, text in label.items():
            if primary_subtag(key) == wanted and text:
                return text
    return next((text for text in label.values() if text), "")


def all_languages(label: dict | str | None, languages: list[str]) -> list[dict]:
    """[{"language": "zh", "text": ...}, ...] for every language the label has text in.

    The given languages come first, in their order; any others follow.
    """
    if not label:
        return []
    if isinstance(label, str):
        return [{"language": languages[0] if languages else "", "text": label}]
    order = [code for code in languages if code in label]
    order += [code for code in label if code not in order]
    return [{"language": code, "text": label[code]} for code in order if label[code]]
