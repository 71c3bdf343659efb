/*
 * hull.c - convex hull (Andrew's monotone chain) and hull measurements.
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "geom/poly.h"
#include "geom/shapes.h"

/*
 * Compute the convex hull of pts into out, counter-clockwise, starting at
 * the lexicographically smallest point. Collinear boundary points are
 * dropped. Fewer than three distinct points are copied through.
 */
int convex_hull(const vec2 *pts, size_t n, polygon *out)
{
    vec2 *s;
    size_t i, m, k = 0, lower;
    int rc;

    poly_clear(out);
    if (n == 0)
        return GEOM_OK;
    s = malloc(n * sizeof *s);
    if (!s)
        return GEOM_ERR_NOMEM;
    memcpy(s, pts, n * sizeof *s);
    points_sort_lex(s, n);
    m = points_unique(s, n, 0.0);
    if (m < 3) {
        rc = poly_assign(out, s, m);
        free(s);
        return rc;
    }
    rc = poly_reserve(out, 2 * m);
    if (rc != GEOM_OK) {
        free(s);
        return rc;
    }
    for (i = 0; i < m; i++) {
        while (k >= 2 && orient2d(out->pts[k - 2], out->pts[k - 1], s[i]) <= 0.0)
            k--;
        out->pts[k++] = s[i];
    }
    lower = k + 1;
    for (i = m - 1; i-- > 0;) {
        while (k >= lower && orient2d(out->pts[k - 2], out->pts[k - 1], s[i]) <= 0.0)
            k--;
        out->pts[k++] = s[i];
    }
    out->n = k - 1; /* the last point repeats the first */
    free(s);
    return GEOM_OK;
}

/* Largest distance between two hull vertices (brute force over pairs). */
double hull_diameter(const polygon *hull, vec2 *a, vec2 *b)
{
    double best = 0.0;
    size_t i, j;

    for (i = 0; i < hull->n; i++) {
        for (j = i + 1; j < hull->n; j++) {
            double d = v2_dist(hull->pts[i], hull->pts[j]);
            if (d > best) {
                best = d;
                if (a)
                    *a = hull->pts[i];
                if (b)
                    *b = hull->pts[j];
            }
        }
    }
    return best;
}

/*
 * Minimum width: the smallest distance between two parallel support
 * lines. One of the lines always contains a hull edge.
 */
double hull_min_width(const polygon *hull)
{
    double best = -1.0;
    size_t i, j;

    if (hull->n < 3)
        return 0.0;
    for (i = 0; i < hull->n; i++) {
        vec2 a = hull->pts[i];
        vec2 b = hull->pts[(i + 1) % hull->n];
        double len = v2_dist(a, b);
        double far = 0.0;

        if (len < GEOM_EPS)
            continue;
        for (j = 0; j < hull->n; j++)
            far = geom_max(far, fabs(orient2d(a, b, hull->pts[j])) / len);
        if (best < 0.0 || far < best)
            best = far;
    }
    return best < 0.0 ? 0.0 : best;
}
