from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcConfig(AppConfig):
    name = "qc"
    verbose_name = _("Quality control")

    def ready(self) -> None:
        from fieldwork import reactions
        from qc import tasks  # registers the QC jobs and the scheduled batch
        from qc.personal_data import register_holders
        from qc.selectors import flags_by_interviewer
        from qc.services.reviews import exclude_rejected

        reactions.on_interview_completed(tasks.enqueue_interview_check)
        reactions.filter_voided_interviews(exclude_rejected)
        reactions.count_flags_with(flags_by_interviewer)
        reactions.on_recording_analysed(tasks.enqueue_interview_check)
        register_holders()
