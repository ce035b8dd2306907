"""The expression engine on the public corpus: how many of its expressions parse, which
functions are left, and how fast a page's worth of expressions evaluates.

Reads every expression column (relevant, constraint, calculation, choice_filter, required
when not yes/no, repeat_count, trigger, dynamic default) of every form in the corpus (found as
tests/questionnaires/test_corpus.py finds it), parses each, and times `--runs` evaluations of
20 expressions against 50 answers, printing the median and p95. With elementpath installed
(`pip install elementpath`, not a dependency) it also times the same page through
elementpath's XPath 1.0 over an XML instance built from the answers, the alternative measured
when the engine was chosen. No database.

    python bench/bench_xpath.py [--runs 300]
"""

import argparse
import collections
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyxform.xls2json_backends import get_xlsform  # noqa: E402

from questionnaires.xpath import (  # noqa: E402
    ExpressionError,
    UnsupportedFunction,
    compute,
    is_dynamic,
    parse,
)
from tests.questionnaires.test_corpus import corpus_folder  # noqa: E402

COLUMNS = ("relevant", "constraint", "calculation", "choice_filter", "required",
           "repeat_count", "trigger", "default")  # fmt: skip
LITERAL_REQUIRED = {"yes", "true", "no", "false", "true()", "false()"}


def corpus_expressions() -> list[str]:
    found = []
    for path in sorted(corpus_folder().glob("*.xls*")):
        try:
            workbook = get_xlsform(str(path))
        except Exception:  # noqa: BLE001 (a workbook pyxform cannot read is not counted)
            continue
        for row in workbook.survey or []:
            for column, value in row.items():
                name = column.lower().split("::")[0].strip()
                if name not in COLUMNS or not isinstance(value, str) or not value.strip():
                    continue
                if name == "required" and value.strip().lower() in LITERAL_REQUIRED:
                    continue
                if name == "default" and not is_dynamic(value):
                    continue
                found.append(value)
    return found


def timed(work, runs: int) -> tuple[float, float]:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    expressions = corpus_expressions()
    parsed, outside, unreadable, unsupported = 0, 0, 0, collections.Counter()
    for expression in expressions:
        try:
            parse(expression)
            parsed += 1
        except UnsupportedFunction as err:
            outside += 1
            unsupported.update(err.names)
        except ExpressionError:
            unreadable += 1
    print(f"corpus expressions: {len(expressions)}; parsed {parsed} "
          f"({parsed / len(expressions):.1%}); calling functions outside the ODK library "
          f"{outside}; unreadable {unreadable}")  # fmt: skip
    print("functions outside the library:", ", ".join(f"{n}() {c}" for n, c in
                                                         unsupported.most_common()))  # fmt: skip
    page = [f"${{q{i}}} > 3 and ${{q{i + 1}}} != ''" for i in range(10)]
    page += [f"if(${{q{i}}} = '5', 1, 0) + ${{q{i + 1}}}" for i in range(10)]
    answers = {f"q{i}": str(i % 7) for i in range(50)}
    median, p95 = timed(lambda: [compute(e, answers) for e in page], runs)
    print(f"20 expressions, 50 answers: median {median:.3f} ms, p95 {p95:.3f} ms")
    try:
        import elementpath  # noqa: PLC0415
        from elementpath import XPath1Parser  # noqa: PLC0415
    except ImportError:
        return
    from xml.etree import ElementTree  # noqa: PLC0415

    plain = [re.sub(r"\$\{(\w+)\}", r"/data/\1", e).replace("if(", "concat(") for e in page]
    tokens = [XPath1Parser().parse(e) for e in plain]

    def through_elementpath() -> None:
        root = ElementTree.Element("data")
        for name, value in answers.items():
            ElementTree.SubElement(root, name).text = value
        context = elementpath.XPathContext(root)
        for token in tokens:
            token.evaluate(context)

    median, p95 = timed(through_elementpath, runs)
    print(f"elementpath, the same page: median {median:.3f} ms, p95 {p95:.3f} ms")


if __name__ == "__main__":
    main()
