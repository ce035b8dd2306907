"""Interviewer risk: each interviewer's interviews compared with peers working the same
strata, combined into a ranked risk list for supervisors (statistics: pure; services: loads
a wave and runs them; presenters and views: the two pages)."""
