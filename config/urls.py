from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import home
from api.api import urls as api_urls
from common.ratelimit import rate_limited
from jobs.views import healthz

# Login form posts per client address, the site's and the admin's counted together.
_per_address = rate_limited("login", key="ip", method="POST", fail_open=True)
_per_user_name = rate_limited("login_user", key="post:username", method="POST", fail_open=True)


def login_limit(view):
    return _per_user_name(_per_address(view))


urlpatterns = [
    path("", home, name="home"),
    path("login/", login_limit(auth_views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("questionnaires/", include("questionnaires.urls")),
    path("sampling/", include("sampling.urls")),
    path("fieldwork/", include("fieldwork.urls")),
    path("qc/", include("qc.urls")),
    path("results/", include("scoring.urls")),
    path("jobs/", include("jobs.urls")),
    path("exports/", include("exports.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/v1/", api_urls()),
    path("api/tokens/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/login/", login_limit(admin.site.login)),  # before the admin's own URL
    path("admin/", admin.site.urls),
]
