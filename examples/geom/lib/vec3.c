/*
 * vec3.c - basic operations on 3D vectors.
 */
#include <math.h>

#include "geom/vec.h"

vec3 v3(double x, double y, double z)
{
    vec3 r;
    r.x = x;
    r.y = y;
    r.z = z;
    return r;
}

vec3 v3_add(vec3 a, vec3 b) { return v3(a.x + b.x, a.y + b.y, a.z + b.z); }
vec3 v3_sub(vec3 a, vec3 b) { return v3(a.x - b.x, a.y - b.y, a.z - b.z); }
vec3 v3_scale(vec3 a, double s) { return v3(a.x * s, a.y * s, a.z * s); }
vec3 v3_neg(vec3 a) { return v3(-a.x, -a.y, -a.z); }

double v3_dot(vec3 a, vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

vec3 v3_cross(vec3 a, vec3 b)
{
    return v3(a.y * b.z - a.z * b.y,
              a.z * b.x - a.x * b.z,
              a.x * b.y - a.y * b.x);
}

double v3_len2(vec3 a) { return v3_dot(a, a); }
double v3_len(vec3 a) { return sqrt(v3_dot(a, a)); }
double v3_dist(vec3 a, vec3 b) { return v3_len(v3_sub(a, b)); }

vec3 v3_norm(vec3 a)
{
    double len = v3_len(a);

    if (len < GEOM_EPS)
        return v3(0.0, 0.0, 0.0);
    return v3_scale(a, 1.0 / len);
}

vec3 v3_lerp(vec3 a, vec3 b, double t)
{
    return v3(a.x + (b.x - a.x) * t,
              a.y + (b.y - a.y) * t,
              a.z + (b.z - a.z) * t);
}

/* Scalar triple product a . (b x c): signed volume of the parallelepiped. */
double v3_triple(vec3 a, vec3 b, vec3 c)
{
    return v3_dot(a, v3_cross(b, c));
}

/* Unsigned angle between a and b; atan2 form is accurate near 0 and pi. */
double v3_angle(vec3 a, vec3 b)
{
    return atan2(v3_len(v3_cross(a, b)), v3_dot(a, b));
}

vec3 v3_project(vec3 a, vec3 onto)
{
    double d = v3_len2(onto);

    if (d < GEOM_EPS)
        return v3(0.0, 0.0, 0.0);
    return v3_scale(onto, v3_dot(a, onto) / d);
}

vec3 v3_reflect(vec3 d, vec3 n)
{
    vec3 nn = v3_norm(n);

    return v3_sub(d, v3_scale(nn, 2.0 * v3_dot(d, nn)));
}

/*
 * Build an orthonormal basis (u, v) perpendicular to the unit vector n,
 * such that (u, v, n) is right-handed.
 */
void v3_basis(vec3 n, vec3 *u, vec3 *v)
{
    vec3 helper = fabs(n.x) > 0.9 ? v3(0.0, 1.0, 0.0) : v3(1.0, 0.0, 0.0);

    *u = v3_norm(v3_cross(helper, n));
    *v = v3_cross(n, *u);
}

int v3_eq(vec3 a, vec3 b, double eps)
{
    return geom_feq(a.x, b.x, eps) && geom_feq(a.y, b.y, eps) &&
           geom_feq(a.z, b.z, eps);
}
