"""pyxform's problems in the reader's language, each at its sheet, row and column. Pure: no
Django.

pyxform reports in English ("[row : 12] On the 'survey' sheet, the 'name' value 'x' is
invalid. ..."). The messages the public corpus's refused forms give (and a few more of the
same families) are recognised and become our own translatable messages with the cell they
name; any other keeps pyxform's words, after a translated lead, so nothing it says is lost.
"""

import re

from common.translatable import Translatable, gettext_noop
from questionnaires.xlsform.columns import AT_CELL

__all__ = ["pyxform_problems"]

_ROW = re.compile(r"^\[row : (\d+)\]\s*(.*)$", re.S)
_SHEET = re.compile(r"On the '(\w+)' sheet")
_COLUMN = re.compile(r"the '([^']+)' value")
AT_FILE = gettext_noop("%(file)s: %(problem)s")

# (pattern on pyxform's text, our message, the column when the text names none)
KNOWN: list[tuple[re.Pattern, str, str]] = [
    (
        re.compile(
            r"value '(?P<value>[^']*)' is invalid\. Questions, groups, and repeats must "
            r"be unique"
        ),  # fmt: skip
        gettext_noop(
            "the name '%(value)s' is used twice in the same group or repeat (or twice "
            "outside any group); names must differ there"
        ),  # fmt: skip
        "name",
    ),
    (
        re.compile(r"is invalid\. Names must begin with a letter"),
        gettext_noop(
            "not a valid name: a name must begin with a letter or underscore, then letters, "
            "digits, underscores, hyphens or periods"
        ),  # fmt: skip
        "name",
    ),
    (
        re.compile(r"Unmatched 'begin_(?P<kind>group|repeat)'.*for the name '(?P<value>[^']*)'"),
        gettext_noop("begin %(kind)s '%(value)s' has no end %(kind)s"),
        "type",
    ),
    (
        re.compile(r"Unmatched 'end_(?P<kind>group|repeat)'"),
        gettext_noop("end %(kind)s without a begin %(kind)s before it"),
        "type",
    ),
    (
        re.compile(r"Reference variables must start with '\$\{', then a question name"),
        gettext_noop("a reference must be written ${name}: '${', a question's name, then '}'"),
        "",
    ),
    (
        re.compile(
            r"Reference variables must contain a name from the 'survey' sheet\. Could not "
            r"find the name '(?P<value>[^']*)'"
        ),  # fmt: skip
        gettext_noop("refers to ${%(value)s}, but no question on the survey sheet has that name"),
        "",
    ),
    (
        re.compile(r"List name not in choices sheet: (?P<value>\S+)"),
        gettext_noop("the choice list '%(value)s' is not on the choices sheet"),
        "type",
    ),
    (
        re.compile(r"Choice names must be unique for each choice list"),
        gettext_noop(
            "this choice's name is used twice in its list (the settings sheet's "
            "allow_choice_duplicates allows it)"
        ),  # fmt: skip
        "name",
    ),
    (
        re.compile(r"Choices must have a name"),
        gettext_noop("the choice has no name"),
        "name",
    ),
    (
        re.compile(r"replace \$\{(?P<value>[^}]*)\} with the XPath.*multiple survey elements"),
        gettext_noop(
            "${%(value)s} is ambiguous: several questions are named %(value)s; rename "
            "all but one, or refer to one only from inside its own group"
        ),  # fmt: skip
        "",
    ),
    (
        re.compile(r"Unknown question type '(?P<value>[^']*)'"),
        gettext_noop("unknown question type '%(value)s'"),
        "type",
    ),
    (
        re.compile(
            r"There should be an external_choices sheet.*similar names were found: "
            r"(?P<value>'[^']*')"
        ),  # fmt: skip
        gettext_noop(
            "the sheet of external choices must be named external_choices, not %(value)s"
        ),  # fmt: skip
        "",
    ),
    (
        re.compile(r"Parameters must be in the form of"),
        gettext_noop("parameters must be written key1=value1 key2=value2"),
        "parameters",
    ),
    (
        re.compile(r"same instance id will be generated.*Instance name: '(?P<value>[^']*)'", re.S),
        gettext_noop("'%(value)s' names both a choice list and an attached file; rename one"),
        "",
    ),
]
UNKNOWN = gettext_noop("the XLSForm converter refused it: %(text)s")


def _problem(text: str) -> tuple[Translatable, str]:
    """Our message for pyxform's text, and the column it names (or "")."""
    for pattern, message, column in KNOWN:
        match = pattern.search(text)
        if match:
            return Translatable(message, **match.groupdict()), column
    return Translatable(UNKNOWN, text=text), ""


def pyxform_problems(filename: str, message: str) -> list[Translatable]:
    """pyxform's error text → one message per line, located at its cell where pyxform gives
    a row ("[row : 12] On the 'choices' sheet, the 'name' value ...")."""
    problems = []
    for line in message.strip().splitlines() or [message]:
        line = line.strip()
        match = _ROW.match(line)
        text = match.group(2) if match else line
        problem, column = _problem(text)
        if not match:
            problems.append(Translatable(AT_FILE, file=filename, problem=problem))
            continue
        sheet = _SHEET.search(text)
        named = _COLUMN.search(text)
        problems.append(
            Translatable(
                AT_CELL,
                sheet=sheet.group(1) if sheet else "survey",
                row=int(match.group(1)),
                column=named.group(1) if named else column or "type",
                problem=problem,
            )
        )
    return problems
