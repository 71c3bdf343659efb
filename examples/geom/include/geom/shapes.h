/*
 * geom/shapes.h - bounding boxes, segments, circles and point queries.
 */
#ifndef GEOM_SHAPES_H
#define GEOM_SHAPES_H

#include "geom/vec.h"

typedef struct bbox2 {
    vec2 min, max;
} bbox2;

typedef struct bbox3 {
    vec3 min, max;
} bbox3;

typedef struct segment2 {
    vec2 a, b;
} segment2;

typedef struct circle2 {
    vec2 c;
    double r;
} circle2;

enum seg_hit {
    SEG_NONE = 0,
    SEG_POINT = 1,
    SEG_OVERLAP = 2
};

/* bbox.c */
bbox2 bbox2_empty(void);
int bbox2_is_empty(bbox2 b);
bbox2 bbox2_add(bbox2 b, vec2 p);
bbox2 bbox2_of(const vec2 *pts, size_t n);
bbox2 bbox2_union(bbox2 a, bbox2 b);
int bbox2_intersect(bbox2 a, bbox2 b, bbox2 *out);
int bbox2_contains(bbox2 b, vec2 p);
bbox2 bbox2_expand(bbox2 b, double margin);
double bbox2_area(bbox2 b);
vec2 bbox2_center(bbox2 b);
vec2 bbox2_size(bbox2 b);
bbox3 bbox3_empty(void);
bbox3 bbox3_add(bbox3 b, vec3 p);
double bbox3_volume(bbox3 b);

/* segment.c */
double orient2d(vec2 a, vec2 b, vec2 c);
double seg_length(segment2 s);
vec2 seg_closest_point(segment2 s, vec2 p);
double seg_point_dist(segment2 s, vec2 p);
int line_intersect(vec2 p, vec2 d, vec2 q, vec2 e, vec2 *out);
int seg_intersect(segment2 s, segment2 t, vec2 *out);
size_t seg_count_crossings(const segment2 *segs, size_t n);

/* circle.c */
double circle_area(circle2 c);
int circle_contains(circle2 c, vec2 p, double eps);
int circle_from_3(vec2 a, vec2 b, vec2 c, circle2 *out);
int circle_line_intersect(circle2 c, vec2 p, vec2 d, vec2 out[2]);
int circle_enclosing(const vec2 *pts, size_t n, circle2 *out);

/* circle_fit.c */
int circle_fit(const vec2 *pts, size_t n, circle2 *out);
double circle_fit_rms(circle2 c, const vec2 *pts, size_t n);

/* closest_pair.c */
double closest_pair(const vec2 *pts, size_t n, vec2 *a, vec2 *b);
double closest_pair_brute(const vec2 *pts, size_t n);

#endif /* GEOM_SHAPES_H */
