"""Form rendering for the pages interviewers wait on.

Django draws every widget, every radio option and every attribute list through its template
engine; a wizard page of radio questions spends more time there than in everything else. The
same widget templates ship with Django in Jinja2 form (django/forms/jinja2), which draws the
same HTML several times faster (bench/bench_requests.py). Forms on those pages take
`renderer=FAST_FORMS`; the rest of the site keeps Django's default renderer.
"""

from django.forms.renderers import Jinja2

__all__ = ["FAST_FORMS"]

FAST_FORMS = Jinja2()
