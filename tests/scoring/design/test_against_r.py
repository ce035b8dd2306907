"""scoring.design against R's survey package on its own textbook data (data(api)).

R runs once per module: it exports apistrat/apiclus1/apiclus2 to CSV and writes every
reference estimate and SE; our code then reads the same CSVs. Without Rscript and the survey
package these tests are skipped locally (the `rscript` fixture); CI installs r-base-core and
r-cran-survey and fails on any skip. They are marked `r` (tests/conftest.py).
"""

import subprocess

import numpy as np
import pandas as pd
import pytest

from scoring.design.calibration import poststratify, rake, trim
from scoring.design.designs import make_design
from scoring.design.estimates import estimate_by

RTOL = 1e-6

R_SCRIPT = r"""
suppressMessages(library(survey))
data(api)
out <- commandArgs(trailingOnly = TRUE)[1]
write.csv(apistrat, file.path(out, "apistrat.csv"), row.names = FALSE)
write.csv(apiclus1, file.path(out, "apiclus1.csv"), row.names = FALSE)
write.csv(apiclus2, file.path(out, "apiclus2.csv"), row.names = FALSE)
rows <- list()
add <- function(name, stat) {
  est <- as.vector(coef(stat)); se <- as.vector(SE(stat))
  d <- attr(stat, "deff")
  d <- if (is.null(d)) rep(NA, length(est)) else as.vector(diag(as.matrix(d)))
  rows[[length(rows) + 1]] <<- data.frame(
    name = paste0(name, if (length(est) > 1) paste0("#", seq_along(est)) else ""),
    estimate = sprintf("%.17g", est), se = sprintf("%.17g", se), deff = sprintf("%.17g", d))
}
strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
add("strat_mean", svymean(~api00, strat, deff = "replace"))
add("strat_total", svytotal(~enroll, strat, deff = "replace"))
add("strat_by", svyby(~api00, ~sch.wide, strat, svymean))
add("strat_prop", svymean(~awards, strat))
nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
add("strat_nofpc_mean", svymean(~api00, nofpc))
clus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
add("clus1_mean", svymean(~api00, clus1))
add("clus1_total", svytotal(~enroll, clus1))
add("clus1_by_total", svyby(~enroll, ~stype, clus1, svytotal))
add("clus1_prop", svymean(~stype, clus1))
clus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
add("clus2_mean", svymean(~api00, clus2))
add("clus2_total", svytotal(~enroll, clus2, na.rm = TRUE))
add("clus2_by", svyby(~api00, ~stype, clus2, svymean))
clus2u <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
add("clus2_ultimate_mean", svymean(~api00, clus2u))
pop_types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_wide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
ps <- postStratify(clus1, ~stype, pop_types)
add("ps_mean", svymean(~api00, ps))
add("ps_total", svytotal(~enroll, ps))
add("ps_by", svyby(~api00, ~sch.wide, ps, svymean))
rk <- rake(clus1, list(~stype, ~sch.wide), list(pop_types, pop_wide),
           control = list(maxit = 200, epsilon = 1e-13))
add("rake_mean", svymean(~api00, rk))
add("rake_total", svytotal(~enroll, rk))
add("rake_by", svyby(~api00, ~both, rk, svymean))
rks <- rake(strat, list(~sch.wide, ~awards),
            list(pop_wide, data.frame(awards = c("No", "Yes"), Freq = c(2500, 3694))),
            control = list(maxit = 200, epsilon = 1e-13))
add("rake_strat_by", svyby(~api00, ~cname == "Los Angeles", rks, svymean))
ps2 <- postStratify(clus2, ~stype, pop_types)
add("ps_clus2_by", svyby(~api00, ~sch.wide, ps2, svymean))
tr <- trimWeights(strat, upper = 40, lower = 20, strict = TRUE)
add("trim_total", svytotal(~enroll, tr))
write.csv(do.call(rbind, rows), file.path(out, "r_results.csv"), row.names = FALSE)
"""


@pytest.fixture(scope="module")
def r(tmp_path_factory, rscript) -> dict:
    out = tmp_path_factory.mktemp("r_survey")
    script = out / "reference.R"
    script.write_text(R_SCRIPT)
    done = subprocess.run(
        [rscript, str(script), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    results = pd.read_csv(out / "r_results.csv").set_index("name")
    data = {name: pd.read_csv(out / f"{name}.csv") for name in ["apistrat", "apiclus1", "apiclus2"]}
    return {"results": results, **data}


def expected(r: dict, name: str) -> pd.DataFrame:
    """R's rows for `name` (name or name#1, name#2, ...), in R's order."""
    results = r["results"]
    picked = results[(results.index == name) | results.index.str.startswith(name + "#")]
    assert len(picked), name
    return picked


def assert_matches(ours: pd.DataFrame, theirs: pd.DataFrame, *, deff: bool = False):
    np.testing.assert_allclose(ours["estimate"], theirs["estimate"], rtol=RTOL)
    np.testing.assert_allclose(ours["se"], theirs["se"], rtol=RTOL)
    if deff:
        np.testing.assert_allclose(ours["deff"], theirs["deff"], rtol=RTOL)


def strat_design(data: pd.DataFrame, fpc: bool = True):
    return make_design(weights=data["pw"], strata=data["stype"], fpc=[data["fpc"]] if fpc else [])


def clus1_design(data: pd.DataFrame):
    return make_design(weights=data["pw"], clusters=[data["dnum"]], fpc=[data["fpc"]])


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_WIDE = {"No": 1072, "Yes": 5122}


def test_stratified_mean_with_fpc_matches_r_including_deff(r):
    data = r["apistrat"]
    ours = estimate_by(strat_design(data), data, "api00")
    assert_matches(ours, expected(r, "strat_mean"), deff=True)


def test_stratified_total_matches_r_including_deff(r):
    data = r["apistrat"]
    ours = estimate_by(strat_design(data), data, "enroll", statistic="total")
    assert_matches(ours, expected(r, "strat_total"), deff=True)


def test_stratified_domain_means_match_svyby(r):
    data = r["apistrat"]
    ours = estimate_by(strat_design(data), data, "api00", by=["sch.wide"])
    assert list(ours["sch.wide"]) == ["No", "Yes"]
    assert_matches(ours, expected(r, "strat_by"))


def test_stratified_proportions_match_svymean_of_a_factor(r):
    data = r["apistrat"]
    ours = estimate_by(strat_design(data), data, "awards", statistic="proportion")
    assert list(ours["variable"]) == ["awards=No", "awards=Yes"]
    assert_matches(ours, expected(r, "strat_prop"))


def test_stratified_without_fpc_is_larger_and_matches_r(r):
    data = r["apistrat"]
    ours = estimate_by(strat_design(data, fpc=False), data, "api00")
    assert_matches(ours, expected(r, "strat_nofpc_mean"))
    assert ours["se"][0] > estimate_by(strat_design(data), data, "api00")["se"][0]


def test_one_stage_cluster_mean_and_total_match_r(r):
    data = r["apiclus1"]
    design = clus1_design(data)
    assert_matches(estimate_by(design, data, "api00"), expected(r, "clus1_mean"))
    assert_matches(
        estimate_by(design, data, "enroll", statistic="total"), expected(r, "clus1_total")
    )


def test_one_stage_cluster_domain_totals_match_svyby(r):
    data = r["apiclus1"]
    ours = estimate_by(clus1_design(data), data, "enroll", by=["stype"], statistic="total")
    assert_matches(ours, expected(r, "clus1_by_total"))


def test_one_stage_cluster_proportions_match_r(r):
    data = r["apiclus1"]
    ours = estimate_by(clus1_design(data), data, "stype", statistic="proportion")
    assert_matches(ours, expected(r, "clus1_prop"))


def test_two_stage_with_both_fpcs_matches_r(r):
    data = r["apiclus2"]
    design = make_design(
        weights=data["pw"],
        clusters=[data["dnum"], data["snum"]],
        fpc=[data["fpc1"], data["fpc2"]],
    )
    assert_matches(estimate_by(design, data, "api00"), expected(r, "clus2_mean"))
    # enroll has missing values: left out of the estimate, as na.rm=TRUE
    assert_matches(
        estimate_by(design, data, "enroll", statistic="total"), expected(r, "clus2_total")
    )
    assert_matches(estimate_by(design, data, "api00", by=["stype"]), expected(r, "clus2_by"))


def test_two_stage_without_fpc_is_the_ultimate_cluster_approximation(r):
    data = r["apiclus2"]
    design = make_design(weights=data["pw"], clusters=[data["dnum"], data["snum"]])
    assert_matches(estimate_by(design, data, "api00"), expected(r, "clus2_ultimate_mean"))


def test_poststratified_estimates_match_r(r):
    data = r["apiclus1"]
    design = poststratify(clus1_design(data), data["stype"], POP_TYPES)
    assert_matches(estimate_by(design, data, "api00"), expected(r, "ps_mean"))
    assert_matches(estimate_by(design, data, "enroll", statistic="total"), expected(r, "ps_total"))
    assert_matches(estimate_by(design, data, "api00", by=["sch.wide"]), expected(r, "ps_by"))


def test_raked_estimates_match_r(r):
    data = r["apiclus1"]
    design = rake(clus1_design(data), [(data["stype"], POP_TYPES), (data["sch.wide"], POP_WIDE)])
    assert_matches(estimate_by(design, data, "api00"), expected(r, "rake_mean"))
    assert_matches(
        estimate_by(design, data, "enroll", statistic="total"), expected(r, "rake_total")
    )
    assert_matches(estimate_by(design, data, "api00", by=["both"]), expected(r, "rake_by"))


def test_raked_stratified_design_with_fpc_domains_match_r(r):
    data = r["apistrat"]
    margins = [(data["sch.wide"], POP_WIDE), (data["awards"], {"No": 2500, "Yes": 3694})]
    design = rake(strat_design(data), margins)
    data = data.assign(la=(data["cname"] == "Los Angeles").map({False: "FALSE", True: "TRUE"}))
    assert_matches(estimate_by(design, data, "api00", by=["la"]), expected(r, "rake_strat_by"))


def test_poststratified_two_stage_design_matches_r(r):
    data = r["apiclus2"]
    design = make_design(
        weights=data["pw"],
        clusters=[data["dnum"], data["snum"]],
        fpc=[data["fpc1"], data["fpc2"]],
    )
    design = poststratify(design, data["stype"], POP_TYPES)
    ours = estimate_by(design, data, "api00", by=["sch.wide"])
    assert_matches(ours, expected(r, "ps_clus2_by"))


def test_trimmed_weights_match_r_trimweights_strict(r):
    data = r["apistrat"]
    design = trim(strat_design(data), lower=20, upper=40)
    assert design.weights.min() >= 20 - 1e-9 and design.weights.max() <= 40 + 1e-9
    assert design.weights.sum() == pytest.approx(data["pw"].sum())
    ours = estimate_by(design, data, "enroll", statistic="total")
    assert_matches(ours, expected(r, "trim_total"))
