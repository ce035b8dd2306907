"""The expression language's error and limits. Pure: no Django."""

from common.translatable import Translatable, gettext_noop

__all__ = ["MAX_LENGTH", "MAX_NESTING", "ExpressionError", "UnsupportedFunction", "quoted"]

MAX_LENGTH = 4000  # characters: a longer rule belongs in several calculate questions
MAX_NESTING = 40  # levels of brackets, function calls, predicates and minus signs


class ExpressionError(ValueError):
    """An expression we cannot parse or evaluate; the message quotes it (its start, when long).

    `message` is the message; it is Translatable for the limits, so a page can show it in the
    reader's language.
    """

    def __init__(self, message: str | Translatable) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFunction(ExpressionError):
    """The expression calls functions the engine does not run; `names` lists them all, in the
    order they first appear, so an import can report every one at once."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def quoted(expression: str) -> str:
    """The expression as error messages quote it: whole when short, its start when long."""
    if len(expression) > 80:
        return repr(expression[:60] + "…")
    return repr(expression)


def too_long(expression: str) -> ExpressionError:
    return ExpressionError(
        Translatable(
            gettext_noop(
                "%(expression)s: %(length)d characters long, more than the %(limit)d "
                "allowed; split it into calculate questions"
            ),
            expression=quoted(expression),
            length=len(expression),
            limit=MAX_LENGTH,
        )
    )


def too_deep(expression: str, position: int) -> ExpressionError:
    return ExpressionError(
        Translatable(
            gettext_noop(
                "%(expression)s: nested more than %(limit)d levels deep at position "
                "%(position)d (brackets, function calls and minus signs each open a "
                "level); simplify it or split it into calculate questions"
            ),
            expression=quoted(expression),
            limit=MAX_NESTING,
            position=position,
        )
    )
