/*
 * closest_pair.c - closest pair of points with a sorted sweep.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/shapes.h"
#include "geom/poly.h"

/*
 * Sort by x and sweep, comparing each point only with earlier points
 * whose x is within the best distance found so far. Returns the distance
 * (or -1 on error / fewer than two points) and optionally the pair.
 */
double closest_pair(const vec2 *pts, size_t n, vec2 *a, vec2 *b)
{
    vec2 *s;
    double best = DBL_MAX;
    size_t i, j, lo = 0;

    if (n < 2)
        return -1.0;
    s = malloc(n * sizeof *s);
    if (!s)
        return -1.0;
    memcpy(s, pts, n * sizeof *s);
    points_sort_lex(s, n);

    for (i = 1; i < n; i++) {
        while (lo < i && s[i].x - s[lo].x > best)
            lo++;
        for (j = lo; j < i; j++) {
            double d;
            if (fabs(s[i].y - s[j].y) >= best)
                continue;
            d = v2_dist(s[i], s[j]);
            if (d < best) {
                best = d;
                if (a)
                    *a = s[j];
                if (b)
                    *b = s[i];
            }
        }
    }
    free(s);
    return best;
}

/* Reference O(n^2) implementation used to cross-check the sweep. */
double closest_pair_brute(const vec2 *pts, size_t n)
{
    double best = DBL_MAX;
    size_t i, j;

    if (n < 2)
        return -1.0;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            best = geom_min(best, v2_dist(pts[i], pts[j]));
    return best;
}
