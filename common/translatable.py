"""Messages made where no language is known (pure modules), shown in the reader's language. Pure.

A pure module cannot ask Django for the request's language, so it builds a `Translatable`: the
English text (what logs, tests and plain-text callers read) that also keeps its catalogue
msgid and parameters. The Django layer that shows it calls `translate(gettext)`. Msgids are
marked with `gettext_noop` so that makemessages finds them.
"""

from collections.abc import Callable
from typing import Any

__all__ = ["Translatable", "gettext_noop", "translated"]


def gettext_noop(message: str) -> str:
    """Marks a msgid for the catalogue; it is translated where it is shown."""
    return message


class Translatable(str):
    """English text `template % params`, translatable later as `gettext(template) % params`.

    A parameter that is itself Translatable, or a list of texts (joined without a separator,
    each translated), is translated with the message.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> "Translatable":
        text = template % {key: _joined(value, str) for key, value in params.items()}
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:  # pickling keeps the template
        return (self.template,), self.params

    def translate(self, gettext: Callable[[str], str]) -> str:
        params = {key: _joined(value, gettext) for key, value in self.params.items()}
        return gettext(self.template) % params


def translated(message: str, gettext: Callable[[str], str]) -> str:
    """`message` in gettext's language when it is Translatable; as it is otherwise."""
    return message.translate(gettext) if isinstance(message, Translatable) else message


def _joined(value: Any, gettext: Callable[[str], str]) -> Any:
    if isinstance(value, Translatable):
        return value.translate(gettext)
    if isinstance(value, list | tuple):
        return "".join(str(_joined(item, gettext)) for item in value)
    return value
