"""What a score measures and when its estimate is reliable. Pure.

Every scale item belongs to one of two scopes: safety (安全感, the SAFETY_DIMENSION items) or
satisfaction (满意度, every other dimension). A domain estimate from fewer than
MIN_RESPONDENTS respondents (or an effective sample size below it) is flagged unreliable.
The score tables (scoring.score_tables) estimate by these scopes and the presenters label
them, so both read the codes from here.
"""

SAFETY_DIMENSION = "sense_of_safety"  # 安全感; every other dimension is 满意度
SAFETY = "safety"
SATISFACTION = "satisfaction"
SCOPES = (SATISFACTION, SAFETY)
MIN_RESPONDENTS = 30
