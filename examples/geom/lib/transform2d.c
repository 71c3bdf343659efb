/*
 * transform2d.c - 2D affine transforms stored as homogeneous 3x3 matrices.
 */
#include <math.h>

#include "geom/mat.h"

mat3 xf2_identity(void)
{
    return mat3_identity();
}

mat3 xf2_translate(double tx, double ty)
{
    mat3 r = mat3_identity();

    r.m[0][2] = tx;
    r.m[1][2] = ty;
    return r;
}

mat3 xf2_rotate(double angle)
{
    mat3 r = mat3_identity();
    double c = cos(angle), s = sin(angle);

    r.m[0][0] = c;
    r.m[0][1] = -s;
    r.m[1][0] = s;
    r.m[1][1] = c;
    return r;
}

mat3 xf2_scale(double sx, double sy)
{
    mat3 r = mat3_identity();

    r.m[0][0] = sx;
    r.m[1][1] = sy;
    return r;
}

/* Composition: the result applies `first`, then `second`. */
mat3 xf2_then(mat3 first, mat3 second)
{
    return mat3_mul(second, first);
}

mat3 xf2_rotate_about(vec2 center, double angle)
{
    mat3 m = xf2_translate(-center.x, -center.y);

    m = xf2_then(m, xf2_rotate(angle));
    m = xf2_then(m, xf2_translate(center.x, center.y));
    return m;
}

vec2 xf2_apply(mat3 m, vec2 p)
{
    return v2(m.m[0][0] * p.x + m.m[0][1] * p.y + m.m[0][2],
              m.m[1][0] * p.x + m.m[1][1] * p.y + m.m[1][2]);
}

/* Directions ignore the translation part. */
vec2 xf2_apply_dir(mat3 m, vec2 d)
{
    return v2(m.m[0][0] * d.x + m.m[0][1] * d.y,
              m.m[1][0] * d.x + m.m[1][1] * d.y);
}

void xf2_apply_many(mat3 m, vec2 *pts, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        pts[i] = xf2_apply(m, pts[i]);
}

int xf2_invert(mat3 m, mat3 *out)
{
    double det = m.m[0][0] * m.m[1][1] - m.m[0][1] * m.m[1][0];
    mat3 r = mat3_identity();

    if (fabs(det) < 1e-12)
        return GEOM_ERR_DEGENERATE;
    r.m[0][0] = m.m[1][1] / det;
    r.m[0][1] = -m.m[0][1] / det;
    r.m[1][0] = -m.m[1][0] / det;
    r.m[1][1] = m.m[0][0] / det;
    r.m[0][2] = -(r.m[0][0] * m.m[0][2] + r.m[0][1] * m.m[1][2]);
    r.m[1][2] = -(r.m[1][0] * m.m[0][2] + r.m[1][1] * m.m[1][2]);
    *out = r;
    return GEOM_OK;
}
