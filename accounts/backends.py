"""Authentication backends: login throttling (django-axes) for logins that come with a request,
and the user read for every request together with whether they have an authenticator.

Every login through a page (ours and the admin's) passes its request, and axes counts it.
Logins without one (the test client's `login()`, the shell) are not attempts from the network:
axes' own backend refuses them with an error, this one leaves them to the next backend.
"""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

# The name of the annotation UserBackend.get_user adds (accounts.access.authenticator_known).
HAS_AUTHENTICATOR = "has_confirmed_authenticator"


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UserBackend(ModelBackend):
    """Django's model backend, whose user of each request comes with whether they have a
    confirmed authenticator: the check before every page (accounts.middleware) then asks the
    database nothing more."""

    def get_user(self, user_id):
        # One statement written out once: the ORM would build the subquery again for every
        # request, costing more than the query it saves.
        sql = (
            f"SELECT u.*, EXISTS (SELECT 1 FROM {TOTPDevice._meta.db_table} d "
            f"WHERE d.user_id = u.id AND d.confirmed) AS {HAS_AUTHENTICATOR} "
            f"FROM {User._meta.db_table} u WHERE u.id = %s"
        )
        user = next(iter(User._default_manager.raw(sql, [user_id])), None)
        if user is None:
            return None
        setattr(user, HAS_AUTHENTICATOR, bool(getattr(user, HAS_AUTHENTICATOR)))  # SQLite: 0/1
        return user if self.user_can_authenticate(user) else None
