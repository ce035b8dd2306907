"""Analysis scripts shipped in the data package: R (svydesign + rake + trimWeights, which
reproduces the results page's estimates and standard errors), Stata (svyset) and SPSS
(Complex Samples), whose SEs ignore the calibration. Pure: no Django.

`design` describes the wave's weighting: {"level": "district" | "street" (the raking
locality), "margins": [margin names used, e.g. "district", "district × sex"], "fpc": bool
(every stratum has a frame count), "trim": [lower, upper] or None, "items": {scope:
{variable: {value: score}}}}.
"""

import json

__all__ = ["r_script", "spss_syntax", "stata_do"]

DATA_CSV = "data/interviews.csv"
MARGINS_CSV = "analysis/margins.csv"


def _r_vector(mapping: dict) -> str:
    pairs = ", ".join(f"{json.dumps(str(k))} = {float(v)!r}" for k, v in mapping.items())
    return f"c({pairs})"


def _r_items(items: dict) -> str:
    lines = []
    for scope, variables in items.items():
        entries = ",\n    ".join(
            f"{name} = {_r_vector(scores)}" for name, scores in variables.items()
        )
        lines.append(f"  {scope} = list(\n    {entries}\n  )")
    return "items <- list(\n" + ",\n".join(lines) + "\n)"


def _r_margins(margins: list[str]) -> tuple[str, str]:
    """(formulas, population tables) for rake(), in the order scoring raked."""
    formulas, tables = [], []
    for name in margins:
        variable = {"sex": "rake_cell_sex", "age_group": "rake_cell_age"}.get(
            name.split(" × ")[-1] if " × " in name else "", "rake_locality"
        )
        formulas.append(f"~{variable}")
        tables.append(f'population("{name}", "{variable}")')
    return "list(" + ", ".join(formulas) + ")", "list(" + ", ".join(tables) + ")"


def r_script(design: dict, *, title: str) -> str:
    """The R script (see the module docstring); run from the package's root folder."""
    fpc = ", fpc = ~fpc" if design["fpc"] else ""
    formulas, tables = _r_margins(design["margins"])
    if design["margins"]:
        calibrate = (
            f"raked <- rake(des, {formulas},\n              {tables},\n"
            "              control = list(maxit = 500, epsilon = 1e-14))"
        )
    else:
        calibrate = "raked <- des  # the weighting used no raking margin"
    trim = design.get("trim")
    if trim:
        final = (
            "m <- mean(weights(raked))\n"
            f"final <- trimWeights(raked, lower = {trim[0]!r} * m, upper = {trim[1]!r} * m,"
            " strict = TRUE)"
        )
    else:
        final = "final <- raked  # no trimming"
    return f"""# {title}
# The results page's estimates and standard errors, reproduced with R's survey package:
# the approved interviews, their weights before raking (w_prerake: base weight x nonresponse
# x household selection), raked to the population margins shipped in {MARGINS_CSV}, then
# trimmed (trimWeights, strict). Every respondent is its own PSU within the draw's strata.
# Run from the package's root folder: Rscript analysis/design.R
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")

d <- read.csv("{DATA_CSV}", fileEncoding = "UTF-8-BOM", stringsAsFactors = FALSE,
              colClasses = "character")
d <- d[d$review_state == "approved", ]
numeric <- c("weight", "w_prerake", "fpc", "score_satisfaction", "score_safety")
for (v in intersect(numeric, names(d))) d[[v]] <- as.numeric(d[[v]])
margins <- read.csv("{MARGINS_CSV}", fileEncoding = "UTF-8-BOM", stringsAsFactors = FALSE,
                    colClasses = c("character", "character", "numeric"))

# Each respondent's score: the mean of their valid item scores (don't know / refused have
# none), by scope; the score maps come from the questionnaire (codebook.json).
{_r_items(design["items"])}
respondent_score <- function(scope) {{
  scores <- sapply(names(items[[scope]]), function(v) unname(items[[scope]][[v]][d[[v]]]))
  scores <- matrix(scores, nrow = nrow(d))
  out <- rowMeans(scores, na.rm = TRUE)
  out[is.nan(out)] <- NA
  out
}}
for (scope in names(items)) d[[paste0("y_", scope)]] <- respondent_score(scope)

d$rake_cell_sex <- paste(d$rake_locality, d$rake_sex, sep = "|")
d$rake_cell_age <- paste(d$rake_locality, d$rake_age_group, sep = "|")
population <- function(margin, variable) {{
  m <- margins[margins$margin == margin, c("level", "Freq")]
  names(m) <- c(variable, "Freq")
  m
}}
des <- svydesign(ids = ~1, strata = ~stratum{fpc}, weights = ~w_prerake, data = d)
{calibrate}
{final}
# The final weights are the package's `weight` column.
stopifnot(isTRUE(all.equal(unname(weights(final)), d$weight, tolerance = 1e-8)))

results <- list()
for (scope in names(items)) {{
  f <- as.formula(paste0("~y_", scope))
  overall <- svymean(f, final, na.rm = TRUE)
  results[[length(results) + 1]] <- data.frame(measure = scope, by = "overall", domain = "",
    estimate = as.numeric(coef(overall)), se = as.numeric(SE(overall)))
  by <- svyby(f, ~district_code, final, svymean, na.rm = TRUE)
  results[[length(results) + 1]] <- data.frame(measure = scope, by = "district",
    domain = by$district_code, estimate = as.numeric(coef(by)), se = as.numeric(SE(by)))
}}
results <- do.call(rbind, results)
rownames(results) <- NULL
print(results)
out <- Sys.getenv("EXPORT_RESULTS")
if (nzchar(out)) write.csv(transform(results, estimate = sprintf("%.17g", estimate),
  se = sprintf("%.17g", se)), out, row.names = FALSE)
"""


def stata_do(design: dict, *, title: str, data_file: str) -> str:
    """Stata's svyset for the package's .dta (SEs without the calibration)."""
    fpc = " fpc(fpc)" if design["fpc"] else ""
    return f"""* {title}
* The design in Stata: every respondent its own PSU within the draw's strata, the final
* (raked and trimmed) weights. Stata's standard errors treat these weights as fixed: they
* ignore the raking and trimming, so they differ from the results page's, which include the
* calibration (analysis/design.R reproduces those).
use "{data_file}", clear
keep if !missing(weight)  // approved interviews: the weighted ones
encode stratum, generate(stratum_id)
svyset _n [pweight = weight], strata(stratum_id){fpc} singleunit(centered)
svy: mean score_satisfaction score_safety
svy: mean score_satisfaction, over(district_code)
"""


def spss_syntax(design: dict, *, title: str, data_file: str) -> str:
    """SPSS Complex Samples for the package's .sav (SEs without the calibration)."""
    estimator = "EQUAL_WOR" if design["fpc"] else "WR"
    popsize = "\n  /POPSIZE VARIABLE=fpc" if design["fpc"] else ""
    return f"""* {title}.
* The design in SPSS Complex Samples: every respondent its own PSU within the draw's strata,
* the final (raked and trimmed) weights. SPSS treats these weights as fixed: its standard
* errors ignore the raking and trimming, so they differ from the results page's, which
* include the calibration (analysis/design.R reproduces those).
GET FILE='{data_file}'.
SELECT IF NOT MISSING(weight).
CSPLAN ANALYSIS
  /PLAN FILE='design.csaplan'
  /PLANVARS ANALYSISWEIGHT=weight
  /DESIGN STRATA=stratum
  /ESTIMATOR TYPE={estimator}{popsize}.
CSDESCRIPTIVES
  /PLAN FILE='design.csaplan'
  /SUMMARY VARIABLES=score_satisfaction score_safety
  /SUBPOP TABLE=district_code
  /MEAN
  /STATISTICS SE CIN(95).
"""
