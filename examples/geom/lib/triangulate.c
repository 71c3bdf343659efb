/*
 * triangulate.c - fan triangulation of convex polygons and ear clipping
 * of simple polygons.
 */
#include <stdlib.h>
#include <string.h>

#include "geom/poly.h"
#include "geom/shapes.h"

/* Triangles (0, i, i+1); out must hold n-2 entries. Returns the count. */
size_t poly_triangulate_fan(size_t n, tri_index *out)
{
    size_t i;

    if (n < 3)
        return 0;
    for (i = 1; i + 1 < n; i++) {
        out[i - 1].a = 0;
        out[i - 1].b = i;
        out[i - 1].c = i + 1;
    }
    return n - 2;
}

static int point_in_tri(vec2 p, vec2 a, vec2 b, vec2 c)
{
    return orient2d(a, b, p) >= 0.0 && orient2d(b, c, p) >= 0.0 &&
           orient2d(c, a, p) >= 0.0;
}

/* Vertex ic is an ear if it is convex and no other vertex lies inside. */
static int is_ear(const vec2 *pts, const size_t *idx, size_t m,
                  size_t ip, size_t ic, size_t in)
{
    vec2 a = pts[ip], b = pts[ic], c = pts[in];
    size_t j;

    if (orient2d(a, b, c) <= GEOM_EPS)
        return 0;
    for (j = 0; j < m; j++) {
        size_t v = idx[j];
        if (v == ip || v == ic || v == in)
            continue;
        if (point_in_tri(pts[v], a, b, c))
            return 0;
    }
    return 1;
}

/*
 * Ear clipping, O(n^3) worst case but simple and robust for small inputs.
 * out must hold n-2 entries; triangles are counter-clockwise.
 */
int poly_triangulate_ear(const vec2 *pts, size_t n, tri_index *out, size_t *count)
{
    size_t *idx;
    size_t m = n, k = 0, pos = 0, misses = 0, i;
    int ccw;

    *count = 0;
    if (n < 3)
        return GEOM_ERR_DEGENERATE;
    idx = malloc(n * sizeof *idx);
    if (!idx)
        return GEOM_ERR_NOMEM;
    ccw = poly_signed_area(pts, n) > 0.0;
    for (i = 0; i < n; i++)
        idx[i] = ccw ? i : n - 1 - i;

    while (m > 3) {
        size_t ip = idx[(pos + m - 1) % m];
        size_t ic = idx[pos];
        size_t in = idx[(pos + 1) % m];

        if (is_ear(pts, idx, m, ip, ic, in)) {
            out[k].a = ip;
            out[k].b = ic;
            out[k].c = in;
            k++;
            memmove(&idx[pos], &idx[pos + 1], (m - pos - 1) * sizeof *idx);
            m--;
            misses = 0;
        } else {
            pos++;
            if (++misses > m) {
                free(idx);
                *count = k;
                return GEOM_ERR_DEGENERATE;
            }
        }
        pos %= m;
    }
    out[k].a = idx[0];
    out[k].b = idx[1];
    out[k].c = idx[2];
    *count = k + 1;
    free(idx);
    return GEOM_OK;
}

double tris_total_area(const vec2 *pts, const tri_index *tris, size_t count)
{
    double sum = 0.0;
    size_t i;

    for (i = 0; i < count; i++)
        sum += geom_abs(tri_signed_area(pts[tris[i].a], pts[tris[i].b],
                                        pts[tris[i].c]));
    return sum;
}
