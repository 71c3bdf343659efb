/*
 * clip.c - Sutherland-Hodgman clipping against convex polygons.
 */
#include "geom/poly.h"
#include "geom/shapes.h"

/*
 * Keep the part of subject on the left of the directed line a->b.
 * out must not alias subject.
 */
int poly_clip_halfplane(const polygon *subject, vec2 a, vec2 b, polygon *out)
{
    size_t i;
    int rc = GEOM_OK;

    poly_clear(out);
    for (i = 0; i < subject->n && rc == GEOM_OK; i++) {
        vec2 cur = subject->pts[i];
        vec2 prev = subject->pts[(i + subject->n - 1) % subject->n];
        double dc = orient2d(a, b, cur);
        double dp = orient2d(a, b, prev);

        if (dc >= 0.0) {
            if (dp < 0.0)
                rc = poly_push(out, v2_lerp(prev, cur, dp / (dp - dc)));
            if (rc == GEOM_OK)
                rc = poly_push(out, cur);
        } else if (dp >= 0.0) {
            rc = poly_push(out, v2_lerp(prev, cur, dp / (dp - dc)));
        }
    }
    return rc;
}

/* Intersect subject with a convex clip polygon of either orientation. */
int poly_clip_convex(const polygon *subject, const polygon *clip, polygon *out)
{
    polygon cw, bufa, bufb;
    polygon *src = &bufa, *dst = &bufb, *tmp;
    size_t i;
    int rc;

    poly_init(&cw);
    poly_init(&bufa);
    poly_init(&bufb);
    rc = poly_copy(&cw, clip);
    if (rc == GEOM_OK)
        rc = poly_copy(&bufa, subject);
    if (rc == GEOM_OK) {
        poly_make_ccw(&cw);
        for (i = 0; i < cw.n && src->n > 0; i++) {
            rc = poly_clip_halfplane(src, cw.pts[i], poly_at(&cw, i + 1), dst);
            if (rc != GEOM_OK)
                break;
            tmp = src;
            src = dst;
            dst = tmp;
        }
    }
    if (rc == GEOM_OK) {
        rc = poly_copy(out, src);
        if (rc == GEOM_OK)
            poly_cleanup(out, 1e-12);
    }
    poly_free(&cw);
    poly_free(&bufa);
    poly_free(&bufb);
    return rc;
}

/* Area of the intersection of a polygon with a convex polygon. */
double poly_overlap_area(const polygon *a, const polygon *convex_b)
{
    polygon out;
    double area = 0.0;

    poly_init(&out);
    if (poly_clip_convex(a, convex_b, &out) == GEOM_OK)
        area = poly_area(out.pts, out.n);
    poly_free(&out);
    return area;
}
