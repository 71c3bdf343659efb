/*
 * quat.c - quaternion algebra.
 */
#include <math.h>

#include "geom/quat.h"

quat quat_make(double w, double x, double y, double z)
{
    quat q;

    q.w = w;
    q.x = x;
    q.y = y;
    q.z = z;
    return q;
}

quat quat_identity(void)
{
    return quat_make(1.0, 0.0, 0.0, 0.0);
}

/* Hamilton product: applying the result rotates by b first, then a. */
quat quat_mul(quat a, quat b)
{
    return quat_make(a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
                     a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                     a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                     a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w);
}

quat quat_conj(quat q)
{
    return quat_make(q.w, -q.x, -q.y, -q.z);
}

double quat_dot(quat a, quat b)
{
    return a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
}

double quat_norm(quat q)
{
    return sqrt(quat_dot(q, q));
}

quat quat_normalize(quat q)
{
    double n = quat_norm(q);

    if (n < GEOM_EPS)
        return quat_identity();
    return quat_make(q.w / n, q.x / n, q.y / n, q.z / n);
}

int quat_inverse(quat q, quat *out)
{
    double n2 = quat_dot(q, q);
    quat c;

    if (n2 < GEOM_EPS)
        return GEOM_ERR_DEGENERATE;
    c = quat_conj(q);
    *out = quat_make(c.w / n2, c.x / n2, c.y / n2, c.z / n2);
    return GEOM_OK;
}

quat quat_from_axis_angle(vec3 axis, double angle)
{
    vec3 a = v3_norm(axis);
    double h = 0.5 * angle;
    double s = sin(h);

    return quat_make(cos(h), a.x * s, a.y * s, a.z * s);
}

/*
 * Rotate v by the unit quaternion q without building a matrix:
 *   t = 2 (q.xyz x v);  v' = v + w t + q.xyz x t
 */
vec3 quat_rotate(quat q, vec3 v)
{
    vec3 u = v3(q.x, q.y, q.z);
    vec3 t = v3_scale(v3_cross(u, v), 2.0);

    return v3_add(v3_add(v, v3_scale(t, q.w)), v3_cross(u, t));
}
