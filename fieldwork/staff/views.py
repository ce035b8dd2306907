"""The analyst's page for an interviewer's home county and languages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_role
from accounts.models import Role
from accounts.selectors import managed_users
from fieldwork.models import InterviewerProfile
from fieldwork.staff.forms import InterviewerProfileForm
from fieldwork.staff.services import save_interviewer_profile


@require_role(Role.ANALYST)
def interviewer_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    interviewer = get_object_or_404(
        managed_users(analyst=request.user).filter(role=Role.INTERVIEWER), pk=user_id
    )
    profile = InterviewerProfile.objects.filter(user=interviewer).first()
    initial = {
        "home_county": profile.home_county if profile else None,
        "dialects": profile.dialects if profile else [],
    }
    form = InterviewerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_interviewer_profile(by=request.user, interviewer=interviewer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": interviewer})
            return redirect("accounts:user_edit", user_id=interviewer.pk)
    context = {"form": form, "person": interviewer}
    status = 400 if form.errors else 200
    return render(request, "fieldwork/interviewer_profile.html", context, status=status)
