"""Fieldwork use-cases, one module per thing a user does: set up a wave and its work (waves),
pull the next case (next_case), record calls, visits and appointments (attempts), run an
interview (interviews), choose the respondent at the door (respondents)."""
