/*
 * geom/quat.h - unit quaternions for 3D rotations.
 */
#ifndef GEOM_QUAT_H
#define GEOM_QUAT_H

#include "geom/vec.h"
#include "geom/mat.h"

typedef struct quat {
    double w, x, y, z;
} quat;

/* quat.c */
quat quat_make(double w, double x, double y, double z);
quat quat_identity(void);
quat quat_mul(quat a, quat b);
quat quat_conj(quat q);
double quat_dot(quat a, quat b);
double quat_norm(quat q);
quat quat_normalize(quat q);
int quat_inverse(quat q, quat *out);
quat quat_from_axis_angle(vec3 axis, double angle);
vec3 quat_rotate(quat q, vec3 v);

/* quat_convert.c */
mat3 quat_to_mat3(quat q);
quat quat_from_mat3(mat3 m);
quat quat_slerp(quat a, quat b, double t);
quat quat_from_euler(double yaw, double pitch, double roll);
void quat_to_axis_angle(quat q, vec3 *axis, double *angle);
double quat_angle_between(quat a, quat b);

#endif /* GEOM_QUAT_H */
