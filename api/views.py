"""The API tokens page (analysts): every organisation's tokens, a new token shown once, and
revocation. Thin: access check → form → api.tokens → render or redirect."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.models import Role
from api import tokens
from api.forms import TokenForm
from api.models import ApiToken


@require_role(Role.ANALYST)
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the tokens; POST: a new token, whose secret this response shows once."""
    form = TokenForm(request.POST or None)
    created = secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            created, secret = tokens.create_token(user=request.user, **form.cleaned_data)
            form = TokenForm()
        else:
            status = 400
    listed = ApiToken.objects.select_related("organisation", "created_by", "revoked_by")
    context = {
        "form": form,
        "tokens": listed,
        "created": created,
        "secret": secret,
        "now": timezone.now(),
        "api_base": request.build_absolute_uri("/api/v1/"),
    }
    response = render(request, "api/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the secret is on this page once
    return response


@require_POST
@require_role(Role.ANALYST)
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)
    tokens.revoke_token(token=token, user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:token_list")
