/*
 * polygon.c - growable vertex list used for polygons and point sets.
 */
#include <stdlib.h>
#include <string.h>

#include "geom/poly.h"

void poly_init(polygon *p)
{
    p->pts = NULL;
    p->n = 0;
    p->cap = 0;
}

void poly_free(polygon *p)
{
    free(p->pts);
    poly_init(p);
}

void poly_clear(polygon *p)
{
    p->n = 0;
}

int poly_reserve(polygon *p, size_t cap)
{
    size_t ncap;
    vec2 *np;

    if (cap <= p->cap)
        return GEOM_OK;
    ncap = p->cap ? p->cap : 8;
    while (ncap < cap)
        ncap *= 2;
    np = realloc(p->pts, ncap * sizeof *np);
    if (!np)
        return GEOM_ERR_NOMEM;
    p->pts = np;
    p->cap = ncap;
    return GEOM_OK;
}

int poly_push(polygon *p, vec2 v)
{
    if (p->n == p->cap) {
        int rc = poly_reserve(p, p->n + 1);
        if (rc != GEOM_OK)
            return rc;
    }
    p->pts[p->n++] = v;
    return GEOM_OK;
}

int poly_assign(polygon *p, const vec2 *pts, size_t n)
{
    int rc = poly_reserve(p, n);

    if (rc != GEOM_OK)
        return rc;
    if (n > 0)
        memmove(p->pts, pts, n * sizeof *pts);
    p->n = n;
    return GEOM_OK;
}

int poly_copy(polygon *dst, const polygon *src)
{
    if (dst == src)
        return GEOM_OK;
    return poly_assign(dst, src->pts, src->n);
}

void poly_reverse(polygon *p)
{
    size_t i, j;

    if (p->n < 2)
        return;
    for (i = 0, j = p->n - 1; i < j; i++, j--) {
        vec2 t = p->pts[i];
        p->pts[i] = p->pts[j];
        p->pts[j] = t;
    }
}

/* Cyclic vertex access: poly_at(p, n) == poly_at(p, 0). */
vec2 poly_at(const polygon *p, size_t i)
{
    return p->pts[i % p->n];
}

/*
 * Remove repeated vertices and vertices lying on the straight line
 * between their neighbours. Returns the number of vertices removed.
 */
size_t poly_cleanup(polygon *p, double eps)
{
    size_t before = p->n;
    int changed = 1;

    while (changed && p->n >= 3) {
        size_t i = 0;
        changed = 0;
        while (i < p->n && p->n >= 3) {
            vec2 prev = p->pts[(i + p->n - 1) % p->n];
            vec2 cur = p->pts[i];
            vec2 next = p->pts[(i + 1) % p->n];
            vec2 d1 = v2_sub(cur, prev);
            vec2 d2 = v2_sub(next, cur);
            double l1 = v2_len(d1), l2 = v2_len(d2);
            int dup = l1 <= eps;
            int straight = !dup && l2 > eps &&
                           geom_abs(v2_cross(d1, d2)) <= eps * l1 * l2 &&
                           v2_dot(d1, d2) > 0.0;

            if (dup || straight) {
                memmove(&p->pts[i], &p->pts[i + 1],
                        (p->n - i - 1) * sizeof *p->pts);
                p->n--;
                changed = 1;
            } else {
                i++;
            }
        }
    }
    return before - p->n;
}
