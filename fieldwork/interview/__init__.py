"""Taking an interview: the page wizard and its page form, the path through the questionnaire
(flow), pages applied once when sent again, and the designers' trial run."""
