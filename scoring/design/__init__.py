"""Design-based estimation (complex-survey statistics), as R's `survey` package does it.

designs      the Design (strata, stages, finite population corrections) and make_design
calibration  post-stratification, raking and trimming of a design's weights
variance     Taylor-linearised variance of domain totals under a (calibrated) design
rowpsu       the same variance by np.bincount when every row is its own PSU (the survey's
             stratified element sample): 1,000,000 respondents × 400 domains in ~0.2 s
estimates    means, totals and proportions by domain with standard errors (svyby)

Pure: numpy, pandas and scipy.sparse; no Django, no I/O. Every formula is the one R's
`svyrecvar`/`onestrat`/`postStratify`/`rake` use; tests/scoring/design/test_against_r.py
compares estimates and standard errors with R to 1e-6 relative. `manage.py estimate` and
the score tables (scoring.score_tables) estimate through this package.
"""
