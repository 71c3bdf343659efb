/*
 * mat4.c - 4x4 homogeneous transforms for 3D points.
 */
#include <math.h>

#include "geom/mat.h"

mat4 mat4_identity(void)
{
    mat4 r;
    int i, j;

    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            r.m[i][j] = (i == j) ? 1.0 : 0.0;
    return r;
}

mat4 mat4_mul(mat4 a, mat4 b)
{
    mat4 r;
    int i, j, k;

    for (i = 0; i < 4; i++) {
        for (j = 0; j < 4; j++) {
            double s = 0.0;
            for (k = 0; k < 4; k++)
                s += a.m[i][k] * b.m[k][j];
            r.m[i][j] = s;
        }
    }
    return r;
}

mat4 mat4_transpose(mat4 a)
{
    mat4 r;
    int i, j;

    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            r.m[i][j] = a.m[j][i];
    return r;
}

mat4 mat4_translate(vec3 t)
{
    mat4 r = mat4_identity();

    r.m[0][3] = t.x;
    r.m[1][3] = t.y;
    r.m[2][3] = t.z;
    return r;
}

mat4 mat4_scale(vec3 s)
{
    mat4 r = mat4_identity();

    r.m[0][0] = s.x;
    r.m[1][1] = s.y;
    r.m[2][2] = s.z;
    return r;
}

/* Rodrigues' rotation formula around an arbitrary axis. */
mat4 mat4_rotate_axis(vec3 axis, double angle)
{
    vec3 a = v3_norm(axis);
    double c = cos(angle), s = sin(angle), t = 1.0 - c;
    mat4 r = mat4_identity();

    r.m[0][0] = t * a.x * a.x + c;
    r.m[0][1] = t * a.x * a.y - s * a.z;
    r.m[0][2] = t * a.x * a.z + s * a.y;
    r.m[1][0] = t * a.x * a.y + s * a.z;
    r.m[1][1] = t * a.y * a.y + c;
    r.m[1][2] = t * a.y * a.z - s * a.x;
    r.m[2][0] = t * a.x * a.z - s * a.y;
    r.m[2][1] = t * a.y * a.z + s * a.x;
    r.m[2][2] = t * a.z * a.z + c;
    return r;
}

/* View matrix looking from eye towards target (right-handed, -z forward). */
mat4 mat4_look_at(vec3 eye, vec3 target, vec3 up)
{
    vec3 f = v3_norm(v3_sub(target, eye));
    vec3 s = v3_norm(v3_cross(f, up));
    vec3 u = v3_cross(s, f);
    mat4 r = mat4_identity();

    r.m[0][0] = s.x;  r.m[0][1] = s.y;  r.m[0][2] = s.z;
    r.m[1][0] = u.x;  r.m[1][1] = u.y;  r.m[1][2] = u.z;
    r.m[2][0] = -f.x; r.m[2][1] = -f.y; r.m[2][2] = -f.z;
    r.m[0][3] = -v3_dot(s, eye);
    r.m[1][3] = -v3_dot(u, eye);
    r.m[2][3] = v3_dot(f, eye);
    return r;
}

vec3 mat4_transform_point(mat4 m, vec3 p)
{
    double x = m.m[0][0] * p.x + m.m[0][1] * p.y + m.m[0][2] * p.z + m.m[0][3];
    double y = m.m[1][0] * p.x + m.m[1][1] * p.y + m.m[1][2] * p.z + m.m[1][3];
    double z = m.m[2][0] * p.x + m.m[2][1] * p.y + m.m[2][2] * p.z + m.m[2][3];
    double w = m.m[3][0] * p.x + m.m[3][1] * p.y + m.m[3][2] * p.z + m.m[3][3];

    if (fabs(w) > GEOM_EPS && fabs(w - 1.0) > GEOM_EPS)
        return v3(x / w, y / w, z / w);
    return v3(x, y, z);
}

vec3 mat4_transform_dir(mat4 m, vec3 d)
{
    return v3(m.m[0][0] * d.x + m.m[0][1] * d.y + m.m[0][2] * d.z,
              m.m[1][0] * d.x + m.m[1][1] * d.y + m.m[1][2] * d.z,
              m.m[2][0] * d.x + m.m[2][1] * d.y + m.m[2][2] * d.z);
}

/* Inverse of an affine matrix [A t; 0 1] is [A^-1  -A^-1 t; 0 1]. */
int mat4_affine_inverse(mat4 m, mat4 *out)
{
    mat3 a, ai;
    vec3 t;
    mat4 r = mat4_identity();
    int i, j, rc;

    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            a.m[i][j] = m.m[i][j];
    rc = mat3_inverse(a, &ai);
    if (rc != GEOM_OK)
        return rc;
    t = mat3_mul_v3(ai, v3(m.m[0][3], m.m[1][3], m.m[2][3]));
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            r.m[i][j] = ai.m[i][j];
    r.m[0][3] = -t.x;
    r.m[1][3] = -t.y;
    r.m[2][3] = -t.z;
    *out = r;
    return GEOM_OK;
}
