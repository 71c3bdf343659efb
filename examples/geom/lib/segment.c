/*
 * segment.c - orientation predicate, line and segment intersection.
 */
#include <math.h>

#include "geom/shapes.h"

/* Twice the signed area of triangle abc; > 0 if c is left of a->b. */
double orient2d(vec2 a, vec2 b, vec2 c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

double seg_length(segment2 s)
{
    return v2_dist(s.a, s.b);
}

vec2 seg_closest_point(segment2 s, vec2 p)
{
    vec2 d = v2_sub(s.b, s.a);
    double l2 = v2_len2(d);
    double t;

    if (l2 < GEOM_EPS * GEOM_EPS)
        return s.a;
    t = geom_clamp(v2_dot(v2_sub(p, s.a), d) / l2, 0.0, 1.0);
    return v2_add(s.a, v2_scale(d, t));
}

double seg_point_dist(segment2 s, vec2 p)
{
    return v2_dist(p, seg_closest_point(s, p));
}

/* Intersection of the infinite lines p + t d and q + u e. */
int line_intersect(vec2 p, vec2 d, vec2 q, vec2 e, vec2 *out)
{
    double den = v2_cross(d, e);
    double t;

    if (fabs(den) < GEOM_EPS)
        return GEOM_ERR_DEGENERATE;
    t = v2_cross(v2_sub(q, p), e) / den;
    *out = v2_add(p, v2_scale(d, t));
    return GEOM_OK;
}

/*
 * Classify the intersection of two closed segments. For SEG_POINT the
 * point is stored; for SEG_OVERLAP the start of the shared part is stored.
 */
int seg_intersect(segment2 s, segment2 t, vec2 *out)
{
    vec2 r = v2_sub(s.b, s.a);
    vec2 q = v2_sub(t.b, t.a);
    vec2 w = v2_sub(t.a, s.a);
    double den = v2_cross(r, q);
    double u, v;

    if (fabs(den) < GEOM_EPS) {
        double rr = v2_len2(r), t0, t1, lo, hi;

        if (fabs(v2_cross(w, r)) > GEOM_EPS)
            return SEG_NONE; /* parallel, not collinear */
        if (rr < GEOM_EPS) {
            if (seg_point_dist(t, s.a) > GEOM_EPS)
                return SEG_NONE;
            *out = s.a;
            return SEG_POINT;
        }
        t0 = v2_dot(w, r) / rr;
        t1 = t0 + v2_dot(q, r) / rr;
        if (t0 > t1) {
            double tmp = t0;
            t0 = t1;
            t1 = tmp;
        }
        lo = geom_max(t0, 0.0);
        hi = geom_min(t1, 1.0);
        if (lo > hi + GEOM_EPS)
            return SEG_NONE;
        *out = v2_add(s.a, v2_scale(r, lo));
        return (hi - lo) < GEOM_EPS ? SEG_POINT : SEG_OVERLAP;
    }
    u = v2_cross(w, q) / den;
    v = v2_cross(w, r) / den;
    if (u < -GEOM_EPS || u > 1.0 + GEOM_EPS || v < -GEOM_EPS || v > 1.0 + GEOM_EPS)
        return SEG_NONE;
    *out = v2_add(s.a, v2_scale(r, u));
    return SEG_POINT;
}

/* Number of intersecting pairs among n segments (brute force). */
size_t seg_count_crossings(const segment2 *segs, size_t n)
{
    size_t i, j, count = 0;
    vec2 p;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (seg_intersect(segs[i], segs[j], &p) != SEG_NONE)
                count++;
    return count;
}
