"""Row-level rules for a token, the pages' rules: a client body's token reads its own waves
and only what its users' pages show (the latest signed edition of the results); the firm's
tokens read as an analyst does. Another organisation's wave is not found (404), an endpoint
a client's pages do not offer is refused (403)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.errors import forbidden, not_found
from api.models import ApiToken
from fieldwork.models import Wave


def visible_waves(token: ApiToken) -> QuerySet[Wave]:
    waves = Wave.objects.select_related("client", "questionnaire_version__questionnaire")
    return waves if token.is_firm else waves.filter(client_id=token.organisation_id)


def wave_for(token: ApiToken, wave_id: int) -> Wave:
    wave = visible_waves(token).filter(pk=wave_id).first()
    if wave is None:
        raise not_found(_("No such wave."))
    return wave


def require_firm(token: ApiToken) -> None:
    """Fieldwork, microdata and the locality tree are the firm's: a client's token is refused."""
    if not token.is_firm:
        raise forbidden(_("Only the evaluation firm's tokens may use this endpoint."))
