"""The simulated people of bench/load_test.py: interviewers, a supervisor and an analyst,
each an asyncio task with its own session, talking HTTP to 127.0.0.1 only.

An interviewer logs in, then repeatedly: thinks, presses "Next case", opens the case, and
either records a non-contact outcome or (a share of the time) runs the whole phone interview
through the wizard, page by page, each page with a submission key as the browser's script
sends it. A request cut off (a worker killed) is sent again once, with the same key. The
supervisor and the analyst browse their pages. Every request's time is recorded by kind;
the keys the server acknowledged (X-Submission-Applied) and the cases handed out are kept for
the checks afterwards.
"""

import asyncio
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp

DEFAULTS = {"consent": "yes", "age": "45", "resident_6m": "yes", "victim_past_year": "no"}
OUTCOME = "3.13"  # no answer: the case comes back after the wave's minimum gap
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MAX_PAGES = 40


@dataclass
class Record:
    """What the run saw, shared by every simulated person."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    handed: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    acknowledged: list[str] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    stop_at: float = 0.0

    def running(self) -> bool:
        return time.monotonic() < self.stop_at


class FormParser(HTMLParser):
    """The fields of the form with id `form_id`: hidden values, radio and checkbox options,
    selects (with the selected option), other inputs by type."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.select = form_id, False, None
        self.hidden: dict[str, str] = {}
        self.options: dict[str, list[str]] = defaultdict(list)
        self.selected: dict[str, str] = {}
        self.inputs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or not a.get("name") and tag != "option":
            return
        kind = a.get("type", "text")
        if tag == "input" and kind == "hidden":
            self.hidden[a["name"]] = a.get("value") or ""
        elif tag == "input" and kind in ("radio", "checkbox"):
            self.options[a["name"]].append(a.get("value", ""))
            if "checked" in a:
                self.selected.setdefault(a["name"], a.get("value", ""))
        elif tag == "input" and kind not in ("submit", "button"):
            self.inputs[a["name"]] = kind
        elif tag == "textarea":
            self.inputs[a["name"]] = "text"
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and a.get("value"):
            self.options[self.select].append(a["value"])
            if "selected" in a:
                self.selected[self.select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def page_answers(html: str) -> dict:
    """The wizard page's POST data: the defaults' answers, else what is selected, else the
    first choice; numbers 3 (age 45); texts a short comment."""
    form = FormParser("interview-form")
    form.feed(html)
    data = dict(form.hidden)
    for name, values in form.options.items():
        question = name.rsplit("-", 1)[-1]
        wanted = DEFAULTS.get(question)
        data[name] = wanted if wanted in values else form.selected.get(name, values[0])
    for name, kind in form.inputs.items():
        question = name.rsplit("-", 1)[-1]
        data[name] = DEFAULTS.get(question, "3") if kind == "number" else "希望多巡逻"
    data["submission_key"] = str(uuid.uuid4())
    return data


class Person:
    """One signed-in user's HTTP session. Cookies are kept by hand: the app marks them Secure
    (as in production), which aiohttp would not send back over plain HTTP."""

    def __init__(self, http: aiohttp.ClientSession, base: str, record: Record):
        self.http, self.base, self.record = http, base, record
        self.cookies: dict[str, str] = {}

    async def request(self, kind: str, method: str, path: str, data=None, retry=True):
        """(status, headers, text); times the request under `kind`; one retry on a cut-off."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        start = time.perf_counter()
        try:
            async with self.http.request(
                method, self.base + path, data=data, headers=headers, allow_redirects=False
            ) as response:
                text = await response.text()
                self._keep_cookies(response)
                self.record.times[kind].append(time.perf_counter() - start)
                if response.status >= 500:
                    self.record.errors[f"{kind} {response.status}"] += 1
                return response.status, response.headers, text
        except (TimeoutError, aiohttp.ClientError) as error:
            self.record.errors[f"{kind} {type(error).__name__}"] += 1
            if retry:
                await asyncio.sleep(0.5)
                return await self.request(kind, method, path, data, retry=False)
            return 0, {}, ""

    def _keep_cookies(self, response) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def login(self, username: str, password: str) -> None:
        _status, _headers, text = await self.request("login", "GET", "/login/")
        data = {"csrfmiddlewaretoken": CSRF.search(text).group(1)}
        data |= {"username": username, "password": password}
        status, _headers, _text = await self.request("login", "POST", "/login/", data)
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")

    def csrf(self, text: str) -> str:
        found = CSRF.search(text)
        return found.group(1) if found else self.cookies.get("csrftoken", "")


async def interviewer(person: Person, wave_id: int, pace: tuple[float, float], share: float):
    """Next case → case → outcome or full interview, until the run ends."""
    rng = random.Random()
    record = person.record
    # People start their shifts over the first think time, not all in the same millisecond:
    # 50 first requests at once would queue behind 4 workers and the wait would be counted
    # as the page's time at the client (what made my-cases' client p95 8 times its worker
    # p95 before).
    await asyncio.sleep(rng.uniform(0, pace[1]))
    _s, _h, text = await person.request("my_cases", "GET", "/fieldwork/my-cases/")
    while record.running():
        await asyncio.sleep(rng.uniform(*pace))
        data = {"csrfmiddlewaretoken": person.csrf(text), "wave": wave_id}
        status, headers, _t = await person.request(
            "next_case", "POST", "/fieldwork/next-case/", data
        )
        location = headers.get("Location", "")
        found = re.search(r"/fieldwork/cases/(\d+)/", location)
        if not found:
            _s, _h, text = await person.request("my_cases", "GET", "/fieldwork/my-cases/")
            continue
        case_id = int(found.group(1))
        record.handed[case_id].add(id(person))
        _s, _h, text = await person.request("case_page", "GET", location)
        await asyncio.sleep(rng.uniform(*pace))
        if rng.random() < share:
            await run_interview(person, case_id, text, pace, rng)
        else:
            data = {"csrfmiddlewaretoken": person.csrf(text), "mode": "phone"}
            data["disposition"] = OUTCOME
            path = f"/fieldwork/cases/{case_id}/attempt/"
            await person.request("outcome", "POST", path, data)
        _s, _h, text = await person.request("my_cases", "GET", "/fieldwork/my-cases/")


async def run_interview(person: Person, case_id: int, text: str, pace, rng) -> None:
    record = person.record
    data = {"csrfmiddlewaretoken": person.csrf(text), "mode": "phone"}
    status, headers, _t = await person.request(
        "start", "POST", f"/fieldwork/cases/{case_id}/start/", data
    )
    path = headers.get("Location", "")
    if "/fieldwork/interviews/" not in path:
        record.errors["start refused"] += 1
        return
    _s, _h, html = await person.request("wizard_get", "GET", path)
    for _page in range(MAX_PAGES):
        await asyncio.sleep(rng.uniform(*pace))
        if not record.running():  # the run is over: the interview stays open, as at a break
            return
        data = page_answers(html)
        status, headers, html = await person.request("page_post", "POST", path, data)
        if headers.get("X-Submission-Applied") or headers.get("X-Duplicate-Submission"):
            record.acknowledged.append(data["submission_key"])
        if status == 302:
            if "my-cases" in headers.get("Location", ""):  # the last page: the interview ends
                record.times["last_page"].append(record.times["page_post"].pop())
                record.completed.append(case_id)
                return
            _s, _h, html = await person.request("wizard_get", "GET", path)
        elif status != 200:
            _s, _h, html = await person.request("wizard_get", "GET", path)
        elif not headers.get("X-Submission-Applied"):
            record.errors["page refused"] += 1
    record.errors["interview not finished"] += 1


async def browser(person: Person, paths: list[str], pace: tuple[float, float], kind: str):
    """A supervisor or analyst opening their pages in turn."""
    rng = random.Random()
    while person.record.running():
        await asyncio.sleep(rng.uniform(*pace))
        status, _h, _t = await person.request("browse", "GET", rng.choice(paths))
        if status not in (200, 302):
            person.record.errors[f"{kind} {status}"] += 1
