import pytest

from accounts.models import Role, User

PASSWORD = "correct-horse-battery"


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role)


@pytest.fixture
def analyst(db) -> User:
    return make_user("analyst", Role.ANALYST)


@pytest.fixture
def supervisor(db) -> User:
    return make_user("supervisor", Role.SUPERVISOR)


@pytest.fixture
def interviewer(db) -> User:
    return make_user("interviewer", Role.INTERVIEWER)


@pytest.fixture
def other_interviewer(db) -> User:
    return make_user("interviewer2", Role.INTERVIEWER)


@pytest.fixture
def client_user(db) -> User:
    return make_user("client", Role.CLIENT)
