# The package's SPSS and Stata files read back with haven (tests/exports/test_export_against_r.py).
# Usage: Rscript read_back.R FILE OUT_PREFIX
# Writes OUT_PREFIX_values.csv (the data, labels dropped: codes and numbers as stored),
# OUT_PREFIX_labels.csv (variable, label) and OUT_PREFIX_value_labels.csv (variable, code, label).
suppressMessages(library(haven))
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]
out <- args[2]
d <- if (grepl("\\.sav$", file)) read_sav(file) else read_dta(file)
labels <- sapply(names(d), function(v) { l <- attr(d[[v]], "label"); if (is.null(l)) "" else l })
write.csv(data.frame(variable = names(d), label = unname(labels), class = sapply(d, function(x) class(zap_labels(x))[1])),
          paste0(out, "_labels.csv"), row.names = FALSE, fileEncoding = "UTF-8")
rows <- list()
for (v in names(d)) {
  l <- attr(d[[v]], "labels")
  if (!is.null(l)) rows[[length(rows) + 1]] <- data.frame(variable = v, code = unname(l), label = names(l))
}
write.csv(do.call(rbind, rows), paste0(out, "_value_labels.csv"), row.names = FALSE, fileEncoding = "UTF-8")
plain <- zap_labels(d)
for (v in names(plain)) if (inherits(plain[[v]], c("POSIXct", "Date"))) plain[[v]] <- format(plain[[v]])
write.csv(as.data.frame(plain), paste0(out, "_values.csv"), row.names = FALSE, fileEncoding = "UTF-8", na = "")
