/*
 * geom/mat.h - 3x3 and 4x4 matrices (row-major, column vectors) and
 * 2D affine transforms expressed as homogeneous 3x3 matrices.
 */
#ifndef GEOM_MAT_H
#define GEOM_MAT_H

#include "geom/vec.h"

typedef struct mat3 {
    double m[3][3];
} mat3;

typedef struct mat4 {
    double m[4][4];
} mat4;

/* mat3.c */
mat3 mat3_identity(void);
mat3 mat3_from_rows(vec3 r0, vec3 r1, vec3 r2);
mat3 mat3_mul(mat3 a, mat3 b);
vec3 mat3_mul_v3(mat3 a, vec3 v);
mat3 mat3_transpose(mat3 a);
double mat3_det(mat3 a);
double mat3_trace(mat3 a);
int mat3_inverse(mat3 a, mat3 *out);
int mat3_eq(mat3 a, mat3 b, double eps);

/* mat4.c */
mat4 mat4_identity(void);
mat4 mat4_mul(mat4 a, mat4 b);
mat4 mat4_transpose(mat4 a);
mat4 mat4_translate(vec3 t);
mat4 mat4_scale(vec3 s);
mat4 mat4_rotate_axis(vec3 axis, double angle);
mat4 mat4_look_at(vec3 eye, vec3 target, vec3 up);
vec3 mat4_transform_point(mat4 m, vec3 p);
vec3 mat4_transform_dir(mat4 m, vec3 d);
int mat4_affine_inverse(mat4 m, mat4 *out);

/* transform2d.c */
mat3 xf2_identity(void);
mat3 xf2_translate(double tx, double ty);
mat3 xf2_rotate(double angle);
mat3 xf2_scale(double sx, double sy);
mat3 xf2_rotate_about(vec2 center, double angle);
mat3 xf2_then(mat3 first, mat3 second);
vec2 xf2_apply(mat3 m, vec2 p);
vec2 xf2_apply_dir(mat3 m, vec2 d);
void xf2_apply_many(mat3 m, vec2 *pts, size_t n);
int xf2_invert(mat3 m, mat3 *out);

#endif /* GEOM_MAT_H */
