"""The use-cases of quality control, one module each.

checks      the automatic rules on completed interviews, and their flags
reviews     the two-step review: proposals, final decisions, returns, re-releases, bulk
backchecks  drawing interviews for back-checks and recording them
settings    a wave's QC settings: back-check shares and rule thresholds
"""
