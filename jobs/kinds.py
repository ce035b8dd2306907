"""The kinds of background job: a code, a name people read, and the task that runs it.

Each app registers its kinds in its `tasks.py` (imported by its AppConfig.ready), so the jobs
page can name a job and the reaper can run it again without knowing the app.
"""

from dataclasses import dataclass

from django.utils.functional import Promise

__all__ = ["JobKind", "get", "known", "label", "register"]


@dataclass(frozen=True)
class JobKind:
    code: str
    label: Promise | str
    task: object  # a django_tasks Task taking (context, job_id)


_KINDS: dict[str, JobKind] = {}


def register(code: str, label: Promise | str, task: object) -> JobKind:
    kind = JobKind(code, label, task)
    _KINDS[code] = kind
    return kind


def get(code: str) -> JobKind:
    return _KINDS[code]


def known(code: str) -> bool:
    return code in _KINDS


def label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code
