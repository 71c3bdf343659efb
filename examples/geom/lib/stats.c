/*
 * stats.c - running mean/variance (Welford) and simple aggregates.
 */
#include <math.h>
#include <float.h>

#include "geom/stats.h"

void stats_init(stats_acc *s)
{
    s->n = 0;
    s->mean = 0.0;
    s->m2 = 0.0;
    s->min = DBL_MAX;
    s->max = -DBL_MAX;
    s->sum = 0.0;
}

void stats_add(stats_acc *s, double x)
{
    double delta;

    s->n++;
    delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
    s->sum += x;
    if (x < s->min)
        s->min = x;
    if (x > s->max)
        s->max = x;
}

void stats_add_many(stats_acc *s, const double *xs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        stats_add(s, xs[i]);
}

/* Combine two accumulators (Chan et al. parallel update). */
void stats_merge(stats_acc *into, const stats_acc *other)
{
    double na, nb, n, delta;

    if (other->n == 0)
        return;
    if (into->n == 0) {
        *into = *other;
        return;
    }
    na = (double)into->n;
    nb = (double)other->n;
    n = na + nb;
    delta = other->mean - into->mean;
    into->mean += delta * nb / n;
    into->m2 += other->m2 + delta * delta * na * nb / n;
    into->n += other->n;
    into->sum += other->sum;
    into->min = geom_min(into->min, other->min);
    into->max = geom_max(into->max, other->max);
}

/* Sample variance (n - 1 denominator). */
double stats_variance(const stats_acc *s)
{
    if (s->n < 2)
        return 0.0;
    return s->m2 / (double)(s->n - 1);
}

double stats_stddev(const stats_acc *s)
{
    return sqrt(stats_variance(s));
}

double stats_mean(const double *xs, size_t n)
{
    stats_acc s;

    stats_init(&s);
    stats_add_many(&s, xs, n);
    return s.mean;
}

double stats_rms(const double *xs, size_t n)
{
    double sum = 0.0;
    size_t i;

    if (n == 0)
        return 0.0;
    for (i = 0; i < n; i++)
        sum += xs[i] * xs[i];
    return sqrt(sum / (double)n);
}
