# glmnet (Friedman, Hastie, Tibshirani), the Lasso oracle of test/alg/lasso_test.py and the
# baseline of tool/bench/wl_lasso.py: fits a path of penalties on a dense text matrix.
#
#   Rscript glmnet_lasso.R DATA LAMBDAS INTERCEPT STANDARDIZE THRESH
#
# DATA: one row per example, the label first, then the features (spaces); LAMBDAS: the
# penalties, descending, one per line; INTERCEPT, STANDARDIZE: TRUE or FALSE; THRESH:
# glmnet's convergence threshold (its default 1e-7 is good to about 1e-6 in the objective).
# Prints one line per penalty: the intercept, then the weights; and on stderr the seconds
# the fit took (reading excluded).
suppressPackageStartupMessages(library(glmnet))
a <- commandArgs(TRUE)
first <- scan(a[1], what = double(), nlines = 1, quiet = TRUE)
d <- matrix(scan(a[1], what = double(), quiet = TRUE), ncol = length(first), byrow = TRUE)
y <- d[, 1]
x <- d[, -1, drop = FALSE]
lambda <- scan(a[2], what = double(), quiet = TRUE)
glmnet.control(fdev = 0, devmax = 1)  # never end the path early: every penalty is fitted
seconds <- system.time(
  fit <- glmnet(x, y, family = "gaussian", alpha = 1, lambda = lambda,
                intercept = as.logical(a[3]), standardize = as.logical(a[4]),
                thresh = as.numeric(a[5]), maxit = 1e8)
)[["elapsed"]]
b <- as.matrix(coef(fit))
if (ncol(b) != length(lambda)) stop("glmnet fitted ", ncol(b), " of ", length(lambda), " penalties")
for (k in seq_len(ncol(b))) cat(sprintf("%.17g", b[, k]), "\n")
write(sprintf("glmnet seconds %.6f", seconds), stderr())
