# The wave's published figures recomputed with R's survey package (tests/scoring/test_results_against_r.py).
#
# Usage: Rscript wave_results.R DIR
# DIR/cases.csv        one row per released sampled unit: stratum, N (frame size of the
#                      stratum), building (a frame attribute), approved (1/0), adults
#                      (eligible adults listed at a door interview; 1 otherwise), method
#                      (kish, last_birthday; "" without a listing), line (the chosen adult's
#                      line in Kish's order; NA unless Kish), eligibility (eligible,
#                      ineligible, unknown: from the case's final AAPOR disposition),
#                      interview_id (NA unless approved)
# DIR/respondents.csv  one row per approved interview: interview_id, stratum, fpc, district,
#                      street, sex, age_group, and per published measure y_<name> (the
#                      respondent's value, NA where they gave none)
# DIR/margins.csv      margin (district | district_sex | district_age), level, Freq
# DIR/settings.csv     trim_lower, trim_upper (multiples of the mean raked weight), method
#                      (nonresponse classes: stratum, stratum_attribute or none)
# DIR/index.csv       item, coefficient: the composite index is Σ coefficient × the item's
#                      weighted mean in each district (every item is scored in every district)
#                      and respondents.csv has the item scores as i_<item>
# Writes DIR/r_weights.csv (interview_id, base, raked, final), DIR/r_estimates.csv
# (measure, by, domain, estimate, se), DIR/r_index.csv (district, estimate, se: the
# index's SE by the delta method on the joint totals of every item's numerator and
# denominator, svytotal + svycontrast) and DIR/r_index_cov.csv (the districts' covariance).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
dir <- commandArgs(trailingOnly = TRUE)[1]
cases <- read.csv(file.path(dir, "cases.csv"), stringsAsFactors = FALSE)
resp <- read.csv(file.path(dir, "respondents.csv"), stringsAsFactors = FALSE)
margins <- read.csv(file.path(dir, "margins.csv"), stringsAsFactors = FALSE)
settings <- read.csv(file.path(dir, "settings.csv"))

# Base weight: every released unit of a stratum is one SRSWOR of the released units, so
# d = N_h / (released units of h); within a weighting class c the respondents stand for
# the estimated eligible released units of the class: known ineligibles drop out, unknowns
# count with the stratum's e = eligible / (eligible + ineligible) (AAPOR's e):
# nonresponse factor = sum(d * (E + e U), released in c) / sum(d, approved in c).
# A door interview's respondent was chosen with probability p: Kish (1949) tables dealt in
# the series A A B1 B2 C C D D E1 E2 F F, p = share of the series whose table picks the
# chosen line for min(adults, 6); birthday methods p = 1 / adults; the weight gets 1 / p.
# A stratum with a building class without approved respondents uses the stratum as its class.
kish <- rbind(A = c(1, 1, 1, 1, 1, 1), B1 = c(1, 1, 1, 1, 2, 2), B2 = c(1, 1, 1, 2, 2, 2),
              C = c(1, 1, 2, 2, 3, 3), D = c(1, 2, 2, 3, 4, 4), E1 = c(1, 2, 3, 3, 3, 5),
              E2 = c(1, 2, 3, 4, 5, 5), F = c(1, 2, 3, 4, 5, 6))
series <- c("A", "A", "B1", "B2", "C", "C", "D", "D", "E1", "E2", "F", "F")
p_kish <- function(n, line) mean(kish[series, min(n, 6)] == line)
cases$p <- ifelse(cases$method == "kish",
                  mapply(function(n, l) if (is.na(l)) NA else p_kish(n, l), cases$adults, cases$line),
                  1 / cases$adults)
cases$d <- cases$N / ave(cases$N, cases$stratum, FUN = length)
known <- cases$eligibility != "unknown"
e <- tapply(cases$eligibility == "eligible", cases$stratum, sum) /
  tapply(known, cases$stratum, sum)
cases$share <- ifelse(cases$eligibility == "eligible", 1,
                      ifelse(cases$eligibility == "ineligible", 0, e[cases$stratum]))
cases$class <- cases$stratum
if (settings$method == "stratum_attribute") {
  cls <- paste(cases$stratum, cases$building, sep = "|")
  empty <- ave(cases$approved, cls, FUN = sum) == 0
  collapse <- cases$stratum %in% unique(cases$stratum[empty])
  cases$class <- ifelse(collapse, cases$stratum, cls)
}
released <- tapply(cases$d * cases$share, cases$class, sum)
responded <- tapply(cases$d * cases$approved, cases$class, sum)
factor <- if (settings$method == "none") 1 else (released / responded)[cases$class]
cases$base <- cases$d * factor / cases$p
resp$base <- cases$base[match(resp$interview_id, cases$interview_id)]

index <- read.csv(file.path(dir, "index.csv"), stringsAsFactors = FALSE)
districts <- sort(unique(resp$district))
totals <- character(0)
for (d in districts) for (item in index$item) {
  y <- resp[[paste0("i_", item)]]
  scored <- !is.na(y) & resp$district == d
  resp[[paste("n", item, d, sep = "_")]] <- ifelse(scored, y, 0)
  resp[[paste("v", item, d, sep = "_")]] <- as.numeric(scored)
  totals <- c(totals, paste("n", item, d, sep = "_"), paste("v", item, d, sep = "_"))
}

des <- svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~base, data = resp)
resp$district_sex <- paste(resp$district, resp$sex, sep = "|")
resp$district_age <- paste(resp$district, resp$age_group, sep = "|")
des <- update(des, district_sex = resp$district_sex, district_age = resp$district_age)
pop <- function(name, column) {
  m <- margins[margins$margin == name, c("level", "Freq")]
  names(m) <- c(column, "Freq")
  m
}
raked <- rake(des, list(~district, ~district_sex, ~district_age),
              list(pop("district", "district"), pop("district_sex", "district_sex"),
                   pop("district_age", "district_age")),
              control = list(maxit = 500, epsilon = 1e-14))
m <- mean(weights(raked))
final <- trimWeights(raked, lower = settings$trim_lower * m, upper = settings$trim_upper * m,
                     strict = TRUE)
write.csv(data.frame(interview_id = resp$interview_id, base = resp$base,
                     raked = weights(raked), final = weights(final)),
          file.path(dir, "r_weights.csv"), row.names = FALSE)

rows <- list()
measures <- sub("^y_", "", grep("^y_", names(resp), value = TRUE))
for (measure in measures) {
  f <- as.formula(paste0("~y_", measure))
  overall <- svymean(f, final, na.rm = TRUE)
  rows[[length(rows) + 1]] <- data.frame(measure = measure, by = "overall", domain = "",
    estimate = sprintf("%.17g", coef(overall)), se = sprintf("%.17g", SE(overall)))
  for (by in c("district", "street", "sex", "age_group")) {
    est <- svyby(f, as.formula(paste0("~", by)), final, svymean, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(measure = measure, by = by,
      domain = as.character(est[[by]]), estimate = sprintf("%.17g", coef(est)),
      se = sprintf("%.17g", SE(est)))
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "r_estimates.csv"), row.names = FALSE)

joint <- svytotal(as.formula(paste("~", paste(totals, collapse = " + "))), final)
contrasts <- lapply(districts, function(d) {
  terms <- sprintf("%.17g * n_%s_%s / v_%s_%s", index$coefficient, index$item, d, index$item, d)
  parse(text = paste(terms, collapse = " + "))[[1]]
})
names(contrasts) <- districts
est <- svycontrast(joint, contrasts)
write.csv(data.frame(district = districts, estimate = sprintf("%.17g", coef(est)),
                     se = sprintf("%.17g", SE(est))),
          file.path(dir, "r_index.csv"), row.names = FALSE)
# and the districts' joint covariance of the index (DIR/r_index_cov.csv: district, then one
# column per district), which the index's rank intervals are drawn with
out <- data.frame(district = districts, format(vcov(est), digits = 17))
names(out) <- c("district", districts)
write.csv(out, file.path(dir, "r_index_cov.csv"), row.names = FALSE)

# Intervals on the scale (DIR/r_intervals.csv: measure, by, domain, low, high, df): for every
# published measure, the share y / 100 by svyciprop(method = "logit") over the respondents
# with a value (its df = degf of that subset: PSUs − strata, t quantiles), overall and by
# district and street.
rows <- list()
for (measure in measures) {
  y <- resp[[paste0("y_", measure)]]
  valid <- subset(final, !is.na(y))
  valid <- update(valid, share = y / 100)
  for (by in c("overall", "district", "street")) {
    keys <- if (by == "overall") "" else sort(unique(resp[[by]][!is.na(y)]))
    for (key in keys) {
      part <- if (by == "overall") valid else valid[!is.na(y) & resp[[by]] == key, ]
      ci <- suppressWarnings(svyciprop(~share, part, method = "logit"))
      rows[[length(rows) + 1]] <- data.frame(measure = measure, by = by, domain = key,
        low = sprintf("%.17g", 100 * attr(ci, "ci")[1]),
        high = sprintf("%.17g", 100 * attr(ci, "ci")[2]), df = degf(part))
    }
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "r_intervals.csv"), row.names = FALSE)

# The joint covariance of the street satisfaction means (DIR/r_street_cov.csv: street, then
# one column per street): each mean a ratio of two totals, svytotal of all of them jointly
# and svycontrast (what svyby(covmat = TRUE) gives).
y <- resp$y_satisfaction
streets <- sort(unique(resp$street[!is.na(y)]))
parts <- character(0)
for (k in seq_along(streets)) {
  inside <- !is.na(y) & resp$street == streets[k]
  resp[[paste0("sn", k)]] <- ifelse(inside, y, 0)
  resp[[paste0("sv", k)]] <- as.numeric(inside)
  parts <- c(parts, paste0("sn", k), paste0("sv", k))
}
final$variables <- cbind(final$variables, resp[parts])
joint <- svytotal(as.formula(paste("~", paste(parts, collapse = " + "))), final)
ratios <- lapply(seq_along(streets), function(k) parse(text = sprintf("sn%d / sv%d", k, k))[[1]])
names(ratios) <- streets
cov <- vcov(svycontrast(joint, ratios))
out <- data.frame(street = streets, format(cov, digits = 17))
names(out) <- c("street", streets)
write.csv(out, file.path(dir, "r_street_cov.csv"), row.names = FALSE)

# The index's joint covariance by street (DIR/r_street_index_cov.csv: street, then one column
# per street): streets of one district covary through the raking to its margins.
places <- sort(unique(resp$street))
parts <- character(0)
for (k in seq_along(places)) for (i in seq_along(index$item)) {
  y <- resp[[paste0("i_", index$item[i])]]
  scored <- !is.na(y) & resp$street == places[k]
  resp[[sprintf("xn%d_%d", i, k)]] <- ifelse(scored, y, 0)
  resp[[sprintf("xv%d_%d", i, k)]] <- as.numeric(scored)
  parts <- c(parts, sprintf("xn%d_%d", i, k), sprintf("xv%d_%d", i, k))
}
final$variables <- cbind(final$variables, resp[parts])
joint <- svytotal(as.formula(paste("~", paste(parts, collapse = " + "))), final)
contrasts <- lapply(seq_along(places), function(k) {
  items <- seq_along(index$item)
  terms <- sprintf("%.17g * xn%d_%d / xv%d_%d", index$coefficient, items, k, items, k)
  parse(text = paste(terms, collapse = " + "))[[1]]
})
names(contrasts) <- places
cov <- vcov(svycontrast(joint, contrasts))
out <- data.frame(street = places, format(cov, digits = 17))
names(out) <- c("street", places)
write.csv(out, file.path(dir, "r_street_index_cov.csv"), row.names = FALSE)
