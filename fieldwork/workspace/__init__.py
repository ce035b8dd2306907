"""The wave as a supervisor's workspace: overview, cases, appointments, interviewers, rates,
quotas and quality, one tab each."""
