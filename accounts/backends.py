"""Login throttling (django-axes) for logins that come with a request.

Every login through a page (ours and the admin's) passes its request, and axes counts it.
Logins without one (the test client's `login()`, the shell) are not attempts from the network:
axes' own backend refuses them with an error, this one leaves them to the next backend.
"""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
