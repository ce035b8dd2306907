"""The request being served, for audit events recorded by services that are not handed it.

A service (a review decision, a change to a user) records its event with the actor it is given;
the client address comes from the request this middleware keeps in a context variable for the
length of the request. Outside a request (a job, a command) there is none and no address.
"""

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
