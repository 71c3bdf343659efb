/*
 * simplify.c - Ramer-Douglas-Peucker polyline simplification.
 */
#include <stdlib.h>

#include "geom/poly.h"
#include "geom/shapes.h"

/*
 * Keep a subset of vertices such that no removed vertex is farther than
 * eps from the simplified polyline. Uses an explicit stack instead of
 * recursion so long inputs cannot overflow the call stack.
 */
int polyline_simplify(const vec2 *pts, size_t n, double eps, polygon *out)
{
    unsigned char *keep;
    size_t *stack;
    size_t sp = 0, i;
    int rc = GEOM_OK;

    poly_clear(out);
    if (n <= 2)
        return poly_assign(out, pts, n);
    keep = calloc(n, 1);
    stack = malloc(2 * n * sizeof *stack);
    if (!keep || !stack) {
        free(keep);
        free(stack);
        return GEOM_ERR_NOMEM;
    }
    keep[0] = keep[n - 1] = 1;
    stack[sp++] = 0;
    stack[sp++] = n - 1;
    while (sp > 0) {
        size_t hi = stack[--sp];
        size_t lo = stack[--sp];
        size_t best_i = lo;
        double best_d = -1.0;
        segment2 s;

        s.a = pts[lo];
        s.b = pts[hi];
        for (i = lo + 1; i < hi; i++) {
            double d = seg_point_dist(s, pts[i]);
            if (d > best_d) {
                best_d = d;
                best_i = i;
            }
        }
        if (best_d > eps) {
            keep[best_i] = 1;
            if (best_i - lo > 1) {
                stack[sp++] = lo;
                stack[sp++] = best_i;
            }
            if (hi - best_i > 1) {
                stack[sp++] = best_i;
                stack[sp++] = hi;
            }
        }
    }
    for (i = 0; i < n && rc == GEOM_OK; i++)
        if (keep[i])
            rc = poly_push(out, pts[i]);
    free(keep);
    free(stack);
    return rc;
}

double polyline_length(const vec2 *pts, size_t n)
{
    double len = 0.0;
    size_t i;

    for (i = 1; i < n; i++)
        len += v2_dist(pts[i - 1], pts[i]);
    return len;
}
