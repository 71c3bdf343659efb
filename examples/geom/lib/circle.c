/*
 * circle.c - circle predicates, circumcircle, line intersection and the
 * minimum enclosing circle (incremental Welzl-style algorithm).
 */
#include <math.h>

#include "geom/shapes.h"

double circle_area(circle2 c)
{
    return GEOM_PI * c.r * c.r;
}

int circle_contains(circle2 c, vec2 p, double eps)
{
    return v2_dist(c.c, p) <= c.r + eps;
}

/* Circumscribed circle of a triangle; fails for collinear points. */
int circle_from_3(vec2 a, vec2 b, vec2 c, circle2 *out)
{
    double bx = b.x - a.x, by = b.y - a.y;
    double cx = c.x - a.x, cy = c.y - a.y;
    double d = 2.0 * (bx * cy - by * cx);
    double b2 = bx * bx + by * by, c2 = cx * cx + cy * cy;
    double ux, uy;

    if (fabs(d) < GEOM_EPS)
        return GEOM_ERR_DEGENERATE;
    ux = (cy * b2 - by * c2) / d;
    uy = (bx * c2 - cx * b2) / d;
    out->c = v2(a.x + ux, a.y + uy);
    out->r = sqrt(ux * ux + uy * uy);
    return GEOM_OK;
}

/* Intersect with the line p + t d. Returns the number of points (0..2). */
int circle_line_intersect(circle2 c, vec2 p, vec2 d, vec2 out[2])
{
    vec2 f = v2_sub(p, c.c);
    double a = v2_dot(d, d);
    double b = 2.0 * v2_dot(f, d);
    double k = v2_dot(f, f) - c.r * c.r;
    double disc = b * b - 4.0 * a * k;
    double sq;

    if (a < GEOM_EPS || disc < -GEOM_EPS)
        return 0;
    if (disc <= GEOM_EPS) {
        out[0] = v2_add(p, v2_scale(d, -b / (2.0 * a)));
        return 1;
    }
    sq = sqrt(disc);
    out[0] = v2_add(p, v2_scale(d, (-b - sq) / (2.0 * a)));
    out[1] = v2_add(p, v2_scale(d, (-b + sq) / (2.0 * a)));
    return 2;
}

static circle2 circle_diameter(vec2 a, vec2 b)
{
    circle2 c;

    c.c = v2_lerp(a, b, 0.5);
    c.r = 0.5 * v2_dist(a, b);
    return c;
}

/* Smallest circle through a, b and c on the boundary or inside. */
static circle2 circle_of_three(vec2 a, vec2 b, vec2 c)
{
    circle2 best;

    if (circle_from_3(a, b, c, &best) == GEOM_OK)
        return best;
    /* collinear: the farthest pair spans the circle */
    best = circle_diameter(a, b);
    if (v2_dist(a, c) > 2.0 * best.r)
        best = circle_diameter(a, c);
    if (v2_dist(b, c) > 2.0 * best.r)
        best = circle_diameter(b, c);
    return best;
}

int circle_enclosing(const vec2 *pts, size_t n, circle2 *out)
{
    const double eps = 1e-9;
    circle2 c;
    size_t i, j, k;

    if (n == 0)
        return GEOM_ERR_DEGENERATE;
    c.c = pts[0];
    c.r = 0.0;
    for (i = 1; i < n; i++) {
        if (circle_contains(c, pts[i], eps))
            continue;
        c.c = pts[i];
        c.r = 0.0;
        for (j = 0; j < i; j++) {
            if (circle_contains(c, pts[j], eps))
                continue;
            c = circle_diameter(pts[i], pts[j]);
            for (k = 0; k < j; k++)
                if (!circle_contains(c, pts[k], eps))
                    c = circle_of_three(pts[i], pts[j], pts[k]);
        }
    }
    *out = c;
    return GEOM_OK;
}
