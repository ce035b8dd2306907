"""Who decides in quality control: the supervisor's step and the QC lead's final decision."""

from accounts.models import Role, User

DECIDERS = (Role.SUPERVISOR, Role.ANALYST)  # the supervisor's step
QC_LEADS = (Role.ANALYST,)  # the final decision


def is_qc_lead(user: User) -> bool:
    return user.role in QC_LEADS
