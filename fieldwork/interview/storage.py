"""Where the interview wizard keeps its state: on the interview row, not in the session.

django-formtools' session storage copies each posted page into the session, so every page
saved wrote the session too: a second write of what the page save had just written to the
interview, and a session that grew with the interview and was read and decoded again on every
request. The wizard's state is the interview's own:
- a page counts as submitted when its `page_submitted` event is in the interview's paradata,
  and its data is its saved answers (the wizard's `saved_step_data`), what a resumed
  interview showed anyway;
- the page being answered is the one the posted form names (formtools follows the posted
  management form whenever a step is known) or, on a GET, the one the wizard resumes at.
What formtools sets during a request (the page just posted, the next page) is kept for the
rest of that request only: the next request reads the interview again.
"""

from collections.abc import Callable

from django.utils.datastructures import MultiValueDict
from formtools.wizard.storage.base import BaseStorage


class InterviewStorage(BaseStorage):
    """formtools storage over the interview (see the module's text); `follow` binds it to
    the wizard's interview before the wizard reads it."""

    def __init__(self, prefix, request=None, file_storage=None):
        super().__init__(prefix, request, file_storage)
        self.init_data()
        self._saved: Callable[[str], dict | None] | None = None

    def follow(self, *, saved: Callable[[str], dict | None], step: str) -> None:
        """Read submitted pages through `saved` (a page's stored data, None when it was not
        submitted); `step` stands for the page being answered until the wizard sets it."""
        self._saved = saved
        self.current_step = step

    def reset(self) -> None:
        super().reset()
        self._saved = None  # forgotten for the rest of the request, as an emptied session

    def get_step_data(self, step):
        held = super().get_step_data(step)
        if held is not None or self._saved is None:
            return held
        saved = self._saved(step)
        return None if saved is None else MultiValueDict(saved)
