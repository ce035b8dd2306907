"""The questionnaire language of one run (an interview or a trial): which languages the
questionnaire offers, and the one chosen, kept in the session per run.

It changes the questionnaire's labels only, never the answers or the interface language.
"""

from django.utils.translation import get_language_info

from common.i18n import ui_language_code

# The page's submit button that switches the language (the page is shown again, not saved).
SWITCH_LANGUAGE = "switch_language"
LANGUAGE_FIELD = "questionnaire_language"


def language_choices(definition: dict) -> list[tuple[str, str]]:
    """(code, name) of the questionnaire's languages, for the language selector."""
    choices = []
    for code in definition.get("languages") or []:
        name = code
        # XLSForm language codes are plain ("zh"); Django knows Chinese by script ("zh-hans").
        for candidate in filter(None, (code, {"zh": "zh-hans"}.get(code))):
            try:
                name = get_language_info(candidate)["name_local"]
                break
            except KeyError:
                continue
        choices.append((code, name))
    return choices


def questionnaire_language(session, key: str, definition: dict) -> str:
    """The questionnaire language chosen for one run (session key), else the UI language."""
    chosen = session.get(key)
    if chosen in (definition.get("languages") or []):
        return chosen
    return ui_language_code()


def choose_language(session, key: str, definition: dict, code: str | None) -> None:
    """Keep `code` as the run's questionnaire language, if the questionnaire has it."""
    if code in (definition.get("languages") or []):
        session[key] = code
