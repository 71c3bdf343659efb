/*
 * bbox.c - axis-aligned bounding boxes in 2D and 3D.
 * An empty box has min > max so that adding any point initialises it.
 */
#include <float.h>

#include "geom/shapes.h"

bbox2 bbox2_empty(void)
{
    bbox2 b;

    b.min = v2(DBL_MAX, DBL_MAX);
    b.max = v2(-DBL_MAX, -DBL_MAX);
    return b;
}

int bbox2_is_empty(bbox2 b)
{
    return b.min.x > b.max.x || b.min.y > b.max.y;
}

bbox2 bbox2_add(bbox2 b, vec2 p)
{
    b.min.x = geom_min(b.min.x, p.x);
    b.min.y = geom_min(b.min.y, p.y);
    b.max.x = geom_max(b.max.x, p.x);
    b.max.y = geom_max(b.max.y, p.y);
    return b;
}

bbox2 bbox2_of(const vec2 *pts, size_t n)
{
    bbox2 b = bbox2_empty();
    size_t i;

    for (i = 0; i < n; i++)
        b = bbox2_add(b, pts[i]);
    return b;
}

bbox2 bbox2_union(bbox2 a, bbox2 b)
{
    if (bbox2_is_empty(a))
        return b;
    if (bbox2_is_empty(b))
        return a;
    return bbox2_add(bbox2_add(a, b.min), b.max);
}

/* Returns 1 and the overlap region if the boxes intersect (touching counts). */
int bbox2_intersect(bbox2 a, bbox2 b, bbox2 *out)
{
    bbox2 r;

    r.min = v2(geom_max(a.min.x, b.min.x), geom_max(a.min.y, b.min.y));
    r.max = v2(geom_min(a.max.x, b.max.x), geom_min(a.max.y, b.max.y));
    if (bbox2_is_empty(r))
        return 0;
    if (out)
        *out = r;
    return 1;
}

int bbox2_contains(bbox2 b, vec2 p)
{
    return p.x >= b.min.x && p.x <= b.max.x && p.y >= b.min.y && p.y <= b.max.y;
}

bbox2 bbox2_expand(bbox2 b, double margin)
{
    if (bbox2_is_empty(b))
        return b;
    b.min = v2_sub(b.min, v2(margin, margin));
    b.max = v2_add(b.max, v2(margin, margin));
    return b;
}

double bbox2_area(bbox2 b)
{
    vec2 s = bbox2_size(b);

    return s.x * s.y;
}

vec2 bbox2_center(bbox2 b)
{
    return v2_scale(v2_add(b.min, b.max), 0.5);
}

vec2 bbox2_size(bbox2 b)
{
    if (bbox2_is_empty(b))
        return v2(0.0, 0.0);
    return v2_sub(b.max, b.min);
}

bbox3 bbox3_empty(void)
{
    bbox3 b;

    b.min = v3(DBL_MAX, DBL_MAX, DBL_MAX);
    b.max = v3(-DBL_MAX, -DBL_MAX, -DBL_MAX);
    return b;
}

bbox3 bbox3_add(bbox3 b, vec3 p)
{
    b.min = v3(geom_min(b.min.x, p.x), geom_min(b.min.y, p.y), geom_min(b.min.z, p.z));
    b.max = v3(geom_max(b.max.x, p.x), geom_max(b.max.y, p.y), geom_max(b.max.z, p.z));
    return b;
}

double bbox3_volume(bbox3 b)
{
    vec3 s = v3_sub(b.max, b.min);

    if (s.x < 0.0 || s.y < 0.0 || s.z < 0.0)
        return 0.0;
    return s.x * s.y * s.z;
}
