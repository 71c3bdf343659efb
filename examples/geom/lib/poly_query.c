/*
 * poly_query.c - point-in-polygon, orientation, convexity and simplicity.
 */
#include <math.h>
#include <float.h>

#include "geom/poly.h"
#include "geom/shapes.h"

/*
 * Winding-number test. Returns 1 if p is inside, 0 if outside and -1 if
 * p lies on the boundary (within GEOM_EPS).
 */
int poly_contains(const vec2 *pts, size_t n, vec2 p)
{
    int wn = 0;
    size_t i;

    if (n < 3)
        return 0;
    for (i = 0; i < n; i++) {
        vec2 a = pts[i];
        vec2 b = pts[(i + 1) % n];
        segment2 e;

        e.a = a;
        e.b = b;
        if (seg_point_dist(e, p) <= GEOM_EPS)
            return -1;
        if (a.y <= p.y) {
            if (b.y > p.y && orient2d(a, b, p) > 0.0)
                wn++;
        } else {
            if (b.y <= p.y && orient2d(a, b, p) < 0.0)
                wn--;
        }
    }
    return wn != 0;
}

int poly_is_ccw(const vec2 *pts, size_t n)
{
    return poly_signed_area(pts, n) > 0.0;
}

/* Convex if all turns have the same sign and the boundary winds once. */
int poly_is_convex(const vec2 *pts, size_t n)
{
    int sign = 0;
    double turning = 0.0;
    size_t i;

    if (n < 3)
        return 0;
    for (i = 0; i < n; i++) {
        vec2 d1 = v2_sub(pts[(i + 1) % n], pts[i]);
        vec2 d2 = v2_sub(pts[(i + 2) % n], pts[(i + 1) % n]);
        int s = geom_sign(v2_cross(d1, d2), GEOM_EPS);

        if (s != 0) {
            if (sign != 0 && s != sign)
                return 0;
            sign = s;
        }
        turning += v2_angle(d1, d2);
    }
    return sign != 0 && fabs(fabs(turning) - GEOM_TAU) < 1e-6;
}

/* O(n^2) check that no two non-adjacent edges touch. */
int poly_is_simple(const vec2 *pts, size_t n)
{
    size_t i, j;
    vec2 hit;

    if (n < 3)
        return 0;
    for (i = 0; i < n; i++) {
        segment2 e1;
        e1.a = pts[i];
        e1.b = pts[(i + 1) % n];
        for (j = i + 1; j < n; j++) {
            segment2 e2;
            if (j == i + 1 || (i == 0 && j == n - 1))
                continue;
            e2.a = pts[j];
            e2.b = pts[(j + 1) % n];
            if (seg_intersect(e1, e2, &hit) != SEG_NONE)
                return 0;
        }
    }
    return 1;
}

void poly_make_ccw(polygon *p)
{
    if (poly_signed_area(p->pts, p->n) < 0.0)
        poly_reverse(p);
}

double poly_boundary_distance(const vec2 *pts, size_t n, vec2 p)
{
    double best = DBL_MAX;
    size_t i;

    for (i = 0; i < n; i++) {
        segment2 e;
        e.a = pts[i];
        e.b = pts[(i + 1) % n];
        best = geom_min(best, seg_point_dist(e, p));
    }
    return best;
}
