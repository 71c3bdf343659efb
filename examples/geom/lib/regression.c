/*
 * regression.c - linear regression, correlation and polynomial fitting.
 */
#include <math.h>
#include <stdlib.h>

#include "geom/stats.h"
#include "geom/linalg.h"

/* Centred sums of squares and cross products. */
static void sums(const double *x, const double *y, size_t n,
                 double *mx, double *my, double *sxx, double *syy, double *sxy)
{
    size_t i;

    *mx = stats_mean(x, n);
    *my = stats_mean(y, n);
    *sxx = *syy = *sxy = 0.0;
    for (i = 0; i < n; i++) {
        double dx = x[i] - *mx, dy = y[i] - *my;
        *sxx += dx * dx;
        *syy += dy * dy;
        *sxy += dx * dy;
    }
}

int stats_linreg(const double *x, const double *y, size_t n, linreg *out)
{
    double mx, my, sxx, syy, sxy;

    if (n < 2)
        return GEOM_ERR_DEGENERATE;
    sums(x, y, n, &mx, &my, &sxx, &syy, &sxy);
    if (sxx < GEOM_EPS)
        return GEOM_ERR_DEGENERATE;
    out->slope = sxy / sxx;
    out->intercept = my - out->slope * mx;
    out->r2 = syy < GEOM_EPS ? 1.0 : (sxy * sxy) / (sxx * syy);
    return GEOM_OK;
}

/* Pearson correlation coefficient; 0 when either series is constant. */
double stats_correlation(const double *x, const double *y, size_t n)
{
    double mx, my, sxx, syy, sxy;

    if (n < 2)
        return 0.0;
    sums(x, y, n, &mx, &my, &sxx, &syy, &sxy);
    if (sxx < GEOM_EPS || syy < GEOM_EPS)
        return 0.0;
    return sxy / sqrt(sxx * syy);
}

/* Fit y = c0 + c1 x + ... + cd x^d; coef must hold degree+1 values. */
int stats_polyfit(const double *x, const double *y, size_t n, int degree,
                  double *coef)
{
    size_t cols, i;
    double *a;
    int rc, k;

    if (degree < 0 || (size_t)degree + 1 > n)
        return GEOM_ERR_DEGENERATE;
    cols = (size_t)degree + 1;
    a = malloc(n * cols * sizeof *a);
    if (!a)
        return GEOM_ERR_NOMEM;
    for (i = 0; i < n; i++) {
        double p = 1.0;
        for (k = 0; k <= degree; k++) {
            a[i * cols + (size_t)k] = p;
            p *= x[i];
        }
    }
    rc = lin_lstsq(a, y, n, cols, coef);
    free(a);
    return rc;
}

/* Horner evaluation of c0 + c1 x + ... + cd x^d. */
double stats_polyval(const double *coef, int degree, double x)
{
    double v = 0.0;
    int k;

    for (k = degree; k >= 0; k--)
        v = v * x + coef[k];
    return v;
}
