/*
 * geom/vec.h - 2D and 3D vectors passed by value.
 */
#ifndef GEOM_VEC_H
#define GEOM_VEC_H

#include "geom/common.h"

typedef struct vec2 {
    double x, y;
} vec2;

typedef struct vec3 {
    double x, y, z;
} vec3;

/* vec2.c */
vec2 v2(double x, double y);
vec2 v2_add(vec2 a, vec2 b);
vec2 v2_sub(vec2 a, vec2 b);
vec2 v2_scale(vec2 a, double s);
vec2 v2_neg(vec2 a);
double v2_dot(vec2 a, vec2 b);
double v2_cross(vec2 a, vec2 b);
double v2_len2(vec2 a);
double v2_len(vec2 a);
double v2_dist(vec2 a, vec2 b);
vec2 v2_norm(vec2 a);
vec2 v2_perp(vec2 a);
vec2 v2_rotate(vec2 a, double angle);
vec2 v2_lerp(vec2 a, vec2 b, double t);
double v2_angle(vec2 a, vec2 b);
vec2 v2_project(vec2 a, vec2 onto);
vec2 v2_reflect(vec2 d, vec2 n);
int v2_eq(vec2 a, vec2 b, double eps);

/* vec3.c */
vec3 v3(double x, double y, double z);
vec3 v3_add(vec3 a, vec3 b);
vec3 v3_sub(vec3 a, vec3 b);
vec3 v3_scale(vec3 a, double s);
vec3 v3_neg(vec3 a);
double v3_dot(vec3 a, vec3 b);
vec3 v3_cross(vec3 a, vec3 b);
double v3_len2(vec3 a);
double v3_len(vec3 a);
double v3_dist(vec3 a, vec3 b);
vec3 v3_norm(vec3 a);
vec3 v3_lerp(vec3 a, vec3 b, double t);
double v3_triple(vec3 a, vec3 b, vec3 c);
double v3_angle(vec3 a, vec3 b);
vec3 v3_project(vec3 a, vec3 onto);
vec3 v3_reflect(vec3 d, vec3 n);
void v3_basis(vec3 n, vec3 *u, vec3 *v);
int v3_eq(vec3 a, vec3 b, double eps);

#endif /* GEOM_VEC_H */
