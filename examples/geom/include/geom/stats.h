/*
 * geom/stats.h - descriptive statistics, regression and histograms.
 */
#ifndef GEOM_STATS_H
#define GEOM_STATS_H

#include "geom/common.h"

struct strbuf;

/* Running accumulator (Welford's algorithm). */
typedef struct stats_acc {
    size_t n;
    double mean;
    double m2;
    double min;
    double max;
    double sum;
} stats_acc;

typedef struct linreg {
    double slope;
    double intercept;
    double r2;
} linreg;

typedef struct histogram {
    double lo, hi;
    size_t nbins;
    size_t *counts;
    size_t under, over, total;
} histogram;

/* stats.c */
void stats_init(stats_acc *s);
void stats_add(stats_acc *s, double x);
void stats_add_many(stats_acc *s, const double *xs, size_t n);
void stats_merge(stats_acc *into, const stats_acc *other);
double stats_variance(const stats_acc *s);
double stats_stddev(const stats_acc *s);
double stats_mean(const double *xs, size_t n);
double stats_rms(const double *xs, size_t n);

/* median.c */
int stats_median(const double *xs, size_t n, double *out);
int stats_percentile(const double *xs, size_t n, double p, double *out);
int stats_quartiles(const double *xs, size_t n, double q[3]);
int stats_mad(const double *xs, size_t n, double *out);

/* regression.c */
int stats_linreg(const double *x, const double *y, size_t n, linreg *out);
double stats_correlation(const double *x, const double *y, size_t n);
int stats_polyfit(const double *x, const double *y, size_t n, int degree,
                  double *coef);
double stats_polyval(const double *coef, int degree, double x);

/* histogram.c */
int hist_init(histogram *h, double lo, double hi, size_t nbins);
void hist_free(histogram *h);
void hist_add(histogram *h, double x);
size_t hist_mode_bin(const histogram *h);
int hist_render(const histogram *h, struct strbuf *sb, size_t width);

#endif /* GEOM_STATS_H */
