/*
 * median.c - order statistics: median, percentiles, quartiles, MAD.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/stats.h"

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa;
    double b = *(const double *)pb;

    return (a > b) - (a < b);
}

static double *sorted_copy(const double *xs, size_t n)
{
    double *s = malloc(n * sizeof *s);

    if (!s)
        return NULL;
    memcpy(s, xs, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

/* Linear interpolation between closest ranks (p in [0, 1]). */
static double percentile_sorted(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);

    if (lo + 1 >= n)
        return s[n - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

int stats_percentile(const double *xs, size_t n, double p, double *out)
{
    double *s;

    if (n == 0)
        return GEOM_ERR_DEGENERATE;
    if (p < 0.0 || p > 1.0)
        return GEOM_ERR_RANGE;
    s = sorted_copy(xs, n);
    if (!s)
        return GEOM_ERR_NOMEM;
    *out = percentile_sorted(s, n, p);
    free(s);
    return GEOM_OK;
}

int stats_median(const double *xs, size_t n, double *out)
{
    return stats_percentile(xs, n, 0.5, out);
}

int stats_quartiles(const double *xs, size_t n, double q[3])
{
    double *s;

    if (n == 0)
        return GEOM_ERR_DEGENERATE;
    s = sorted_copy(xs, n);
    if (!s)
        return GEOM_ERR_NOMEM;
    q[0] = percentile_sorted(s, n, 0.25);
    q[1] = percentile_sorted(s, n, 0.50);
    q[2] = percentile_sorted(s, n, 0.75);
    free(s);
    return GEOM_OK;
}

/* Median absolute deviation from the median. */
int stats_mad(const double *xs, size_t n, double *out)
{
    double med, *dev;
    size_t i;
    int rc;

    rc = stats_median(xs, n, &med);
    if (rc != GEOM_OK)
        return rc;
    dev = malloc(n * sizeof *dev);
    if (!dev)
        return GEOM_ERR_NOMEM;
    for (i = 0; i < n; i++)
        dev[i] = fabs(xs[i] - med);
    rc = stats_median(dev, n, out);
    free(dev);
    return rc;
}
