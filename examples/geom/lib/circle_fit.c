/*
 * circle_fit.c - least-squares circle fitting (Kasa's algebraic method).
 *
 * Minimises sum (x^2 + y^2 + D x + E y + F)^2 which is linear in D, E, F.
 * Data are centred first to keep the normal equations well conditioned.
 */
#include <math.h>
#include <stdlib.h>

#include "geom/shapes.h"
#include "geom/linalg.h"

int circle_fit(const vec2 *pts, size_t n, circle2 *out)
{
    double *a, *b, x[3];
    vec2 mean = v2(0.0, 0.0);
    double r2;
    size_t i;
    int rc;

    if (n < 3)
        return GEOM_ERR_DEGENERATE;
    for (i = 0; i < n; i++)
        mean = v2_add(mean, pts[i]);
    mean = v2_scale(mean, 1.0 / (double)n);

    a = malloc(n * 3 * sizeof *a);
    b = malloc(n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return GEOM_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        vec2 p = v2_sub(pts[i], mean);
        a[i * 3 + 0] = p.x;
        a[i * 3 + 1] = p.y;
        a[i * 3 + 2] = 1.0;
        b[i] = -(p.x * p.x + p.y * p.y);
    }
    rc = lin_lstsq(a, b, n, 3, x);
    free(a);
    free(b);
    if (rc != GEOM_OK)
        return rc;

    out->c = v2(-0.5 * x[0], -0.5 * x[1]);
    r2 = v2_len2(out->c) - x[2];
    if (r2 <= 0.0)
        return GEOM_ERR_DEGENERATE;
    out->r = sqrt(r2);
    out->c = v2_add(out->c, mean);
    return GEOM_OK;
}

/* Root-mean-square of radial residuals |p - c| - r. */
double circle_fit_rms(circle2 c, const vec2 *pts, size_t n)
{
    double sum = 0.0;
    size_t i;

    if (n == 0)
        return 0.0;
    for (i = 0; i < n; i++) {
        double e = v2_dist(pts[i], c.c) - c.r;
        sum += e * e;
    }
    return sqrt(sum / (double)n);
}
