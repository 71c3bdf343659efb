/*
 * poly_area.c - area, perimeter and centroid of simple polygons.
 */
#include <math.h>

#include "geom/poly.h"

double tri_signed_area(vec2 a, vec2 b, vec2 c)
{
    return 0.5 * v2_cross(v2_sub(b, a), v2_sub(c, a));
}

/*
 * Shoelace formula, evaluated relative to the first vertex to reduce
 * cancellation when coordinates are far from the origin.
 * Positive for counter-clockwise polygons.
 */
double poly_signed_area(const vec2 *pts, size_t n)
{
    double sum = 0.0;
    size_t i;

    if (n < 3)
        return 0.0;
    for (i = 1; i + 1 < n; i++)
        sum += v2_cross(v2_sub(pts[i], pts[0]), v2_sub(pts[i + 1], pts[0]));
    return 0.5 * sum;
}

double poly_area(const vec2 *pts, size_t n)
{
    return fabs(poly_signed_area(pts, n));
}

double poly_perimeter(const vec2 *pts, size_t n)
{
    double len = 0.0;
    size_t i;

    if (n < 2)
        return 0.0;
    for (i = 0; i < n; i++)
        len += v2_dist(pts[i], pts[(i + 1) % n]);
    return len;
}

/*
 * Area centroid. For degenerate input (fewer than three vertices or zero
 * area) the vertex average is stored and GEOM_ERR_DEGENERATE returned.
 */
int poly_centroid(const vec2 *pts, size_t n, vec2 *out)
{
    double a2 = 0.0, cx = 0.0, cy = 0.0;
    vec2 o;
    size_t i;

    if (n == 0)
        return GEOM_ERR_DEGENERATE;
    o = pts[0];
    for (i = 1; i + 1 < n; i++) {
        vec2 p = v2_sub(pts[i], o);
        vec2 q = v2_sub(pts[i + 1], o);
        double c = v2_cross(p, q);
        a2 += c;
        cx += (p.x + q.x) * c;
        cy += (p.y + q.y) * c;
    }
    if (fabs(a2) < GEOM_EPS) {
        vec2 s = v2(0.0, 0.0);
        for (i = 0; i < n; i++)
            s = v2_add(s, pts[i]);
        *out = v2_scale(s, 1.0 / (double)n);
        return GEOM_ERR_DEGENERATE;
    }
    *out = v2(o.x + cx / (3.0 * a2), o.y + cy / (3.0 * a2));
    return GEOM_OK;
}

/* Area of a planar polygon in 3D using Newell's normal. */
double poly_area_3d(const vec3 *pts, size_t n)
{
    vec3 normal = v3(0.0, 0.0, 0.0);
    size_t i;

    if (n < 3)
        return 0.0;
    for (i = 0; i < n; i++) {
        vec3 a = pts[i];
        vec3 b = pts[(i + 1) % n];
        normal.x += (a.y - b.y) * (a.z + b.z);
        normal.y += (a.z - b.z) * (a.x + b.x);
        normal.z += (a.x - b.x) * (a.y + b.y);
    }
    return 0.5 * v3_len(normal);
}
