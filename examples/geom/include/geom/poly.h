/*
 * geom/poly.h - growable point lists, polygons and polygon algorithms.
 *
 * Functions that only read vertices take (const vec2 *pts, size_t n) so
 * they work on plain arrays as well as on polygon objects.
 */
#ifndef GEOM_POLY_H
#define GEOM_POLY_H

#include "geom/vec.h"

typedef struct polygon {
    vec2 *pts;
    size_t n;
    size_t cap;
} polygon;

typedef struct tri_index {
    size_t a, b, c;
} tri_index;

typedef int (*point_cmp_fn)(vec2 a, vec2 b, const void *ctx);

/* polygon.c */
void poly_init(polygon *p);
void poly_free(polygon *p);
void poly_clear(polygon *p);
int poly_reserve(polygon *p, size_t cap);
int poly_push(polygon *p, vec2 v);
int poly_assign(polygon *p, const vec2 *pts, size_t n);
int poly_copy(polygon *dst, const polygon *src);
void poly_reverse(polygon *p);
vec2 poly_at(const polygon *p, size_t i);
size_t poly_cleanup(polygon *p, double eps);

/* poly_area.c */
double tri_signed_area(vec2 a, vec2 b, vec2 c);
double poly_signed_area(const vec2 *pts, size_t n);
double poly_area(const vec2 *pts, size_t n);
double poly_perimeter(const vec2 *pts, size_t n);
int poly_centroid(const vec2 *pts, size_t n, vec2 *out);
double poly_area_3d(const vec3 *pts, size_t n);

/* poly_query.c */
int poly_contains(const vec2 *pts, size_t n, vec2 p);
int poly_is_ccw(const vec2 *pts, size_t n);
int poly_is_convex(const vec2 *pts, size_t n);
int poly_is_simple(const vec2 *pts, size_t n);
void poly_make_ccw(polygon *p);
double poly_boundary_distance(const vec2 *pts, size_t n, vec2 p);

/* hull.c */
int convex_hull(const vec2 *pts, size_t n, polygon *out);
double hull_diameter(const polygon *hull, vec2 *a, vec2 *b);
double hull_min_width(const polygon *hull);

/* clip.c */
int poly_clip_halfplane(const polygon *subject, vec2 a, vec2 b, polygon *out);
int poly_clip_convex(const polygon *subject, const polygon *clip, polygon *out);
double poly_overlap_area(const polygon *a, const polygon *convex_b);

/* simplify.c */
int polyline_simplify(const vec2 *pts, size_t n, double eps, polygon *out);
double polyline_length(const vec2 *pts, size_t n);

/* triangulate.c */
size_t poly_triangulate_fan(size_t n, tri_index *out);
int poly_triangulate_ear(const vec2 *pts, size_t n, tri_index *out, size_t *count);
double tris_total_area(const vec2 *pts, const tri_index *tris, size_t count);

/* point_sort.c */
void points_sort(vec2 *pts, size_t n, point_cmp_fn cmp, const void *ctx);
void points_sort_lex(vec2 *pts, size_t n);
void points_sort_angle(vec2 *pts, size_t n, vec2 center);
size_t points_unique(vec2 *pts, size_t n, double eps);

#endif /* GEOM_POLY_H */
