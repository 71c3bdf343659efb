/*
 * vec2.c - basic operations on 2D vectors.
 */
#include <math.h>

#include "geom/vec.h"

vec2 v2(double x, double y)
{
    vec2 r;
    r.x = x;
    r.y = y;
    return r;
}

vec2 v2_add(vec2 a, vec2 b) { return v2(a.x + b.x, a.y + b.y); }
vec2 v2_sub(vec2 a, vec2 b) { return v2(a.x - b.x, a.y - b.y); }
vec2 v2_scale(vec2 a, double s) { return v2(a.x * s, a.y * s); }
vec2 v2_neg(vec2 a) { return v2(-a.x, -a.y); }

double v2_dot(vec2 a, vec2 b) { return a.x * b.x + a.y * b.y; }

/* z component of the 3D cross product; > 0 when b is counter-clockwise of a */
double v2_cross(vec2 a, vec2 b) { return a.x * b.y - a.y * b.x; }

double v2_len2(vec2 a) { return v2_dot(a, a); }
double v2_len(vec2 a) { return sqrt(v2_dot(a, a)); }
double v2_dist(vec2 a, vec2 b) { return v2_len(v2_sub(a, b)); }

vec2 v2_norm(vec2 a)
{
    double len = v2_len(a);

    if (len < GEOM_EPS)
        return v2(0.0, 0.0);
    return v2_scale(a, 1.0 / len);
}

/* Rotate by +90 degrees. */
vec2 v2_perp(vec2 a) { return v2(-a.y, a.x); }

vec2 v2_rotate(vec2 a, double angle)
{
    double c = cos(angle);
    double s = sin(angle);

    return v2(a.x * c - a.y * s, a.x * s + a.y * c);
}

vec2 v2_lerp(vec2 a, vec2 b, double t)
{
    return v2(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
}

/* Signed angle in radians that rotates a onto b, in (-pi, pi]. */
double v2_angle(vec2 a, vec2 b)
{
    return atan2(v2_cross(a, b), v2_dot(a, b));
}

vec2 v2_project(vec2 a, vec2 onto)
{
    double d = v2_len2(onto);

    if (d < GEOM_EPS)
        return v2(0.0, 0.0);
    return v2_scale(onto, v2_dot(a, onto) / d);
}

/* Reflect direction d about a line with normal n. */
vec2 v2_reflect(vec2 d, vec2 n)
{
    vec2 nn = v2_norm(n);

    return v2_sub(d, v2_scale(nn, 2.0 * v2_dot(d, nn)));
}

int v2_eq(vec2 a, vec2 b, double eps)
{
    return geom_feq(a.x, b.x, eps) && geom_feq(a.y, b.y, eps);
}
