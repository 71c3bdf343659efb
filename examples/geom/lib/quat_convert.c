/*
 * quat_convert.c - conversions between quaternions, matrices, Euler
 * angles and axis/angle, plus spherical interpolation.
 */
#include <math.h>

#include "geom/quat.h"

mat3 quat_to_mat3(quat q)
{
    double xx = q.x * q.x, yy = q.y * q.y, zz = q.z * q.z;
    double xy = q.x * q.y, xz = q.x * q.z, yz = q.y * q.z;
    double wx = q.w * q.x, wy = q.w * q.y, wz = q.w * q.z;

    return mat3_from_rows(v3(1.0 - 2.0 * (yy + zz), 2.0 * (xy - wz), 2.0 * (xz + wy)),
                          v3(2.0 * (xy + wz), 1.0 - 2.0 * (xx + zz), 2.0 * (yz - wx)),
                          v3(2.0 * (xz - wy), 2.0 * (yz + wx), 1.0 - 2.0 * (xx + yy)));
}

/* Shepperd's method: pick the largest diagonal term for stability. */
quat quat_from_mat3(mat3 m)
{
    double tr = mat3_trace(m);
    double s;
    quat q;

    if (tr > 0.0) {
        s = sqrt(tr + 1.0) * 2.0;
        q = quat_make(0.25 * s, (m.m[2][1] - m.m[1][2]) / s,
                      (m.m[0][2] - m.m[2][0]) / s, (m.m[1][0] - m.m[0][1]) / s);
    } else if (m.m[0][0] > m.m[1][1] && m.m[0][0] > m.m[2][2]) {
        s = sqrt(1.0 + m.m[0][0] - m.m[1][1] - m.m[2][2]) * 2.0;
        q = quat_make((m.m[2][1] - m.m[1][2]) / s, 0.25 * s,
                      (m.m[0][1] + m.m[1][0]) / s, (m.m[0][2] + m.m[2][0]) / s);
    } else if (m.m[1][1] > m.m[2][2]) {
        s = sqrt(1.0 + m.m[1][1] - m.m[0][0] - m.m[2][2]) * 2.0;
        q = quat_make((m.m[0][2] - m.m[2][0]) / s, (m.m[0][1] + m.m[1][0]) / s,
                      0.25 * s, (m.m[1][2] + m.m[2][1]) / s);
    } else {
        s = sqrt(1.0 + m.m[2][2] - m.m[0][0] - m.m[1][1]) * 2.0;
        q = quat_make((m.m[1][0] - m.m[0][1]) / s, (m.m[0][2] + m.m[2][0]) / s,
                      (m.m[1][2] + m.m[2][1]) / s, 0.25 * s);
    }
    if (q.w < 0.0)
        q = quat_make(-q.w, -q.x, -q.y, -q.z);
    return quat_normalize(q);
}

quat quat_slerp(quat a, quat b, double t)
{
    double d = quat_dot(a, b);
    double theta, s, wa, wb;

    /* take the short way round */
    if (d < 0.0) {
        b = quat_make(-b.w, -b.x, -b.y, -b.z);
        d = -d;
    }
    if (d > 0.9995) {
        quat r = quat_make(a.w + (b.w - a.w) * t, a.x + (b.x - a.x) * t,
                           a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t);
        return quat_normalize(r);
    }
    theta = acos(d);
    s = sin(theta);
    wa = sin((1.0 - t) * theta) / s;
    wb = sin(t * theta) / s;
    return quat_make(wa * a.w + wb * b.w, wa * a.x + wb * b.x,
                     wa * a.y + wb * b.y, wa * a.z + wb * b.z);
}

/* Z-Y-X convention: yaw about z, then pitch about y, then roll about x. */
quat quat_from_euler(double yaw, double pitch, double roll)
{
    double cy = cos(yaw * 0.5), sy = sin(yaw * 0.5);
    double cp = cos(pitch * 0.5), sp = sin(pitch * 0.5);
    double cr = cos(roll * 0.5), sr = sin(roll * 0.5);

    return quat_make(cr * cp * cy + sr * sp * sy,
                     sr * cp * cy - cr * sp * sy,
                     cr * sp * cy + sr * cp * sy,
                     cr * cp * sy - sr * sp * cy);
}

void quat_to_axis_angle(quat q, vec3 *axis, double *angle)
{
    double s;

    q = quat_normalize(q);
    if (q.w < 0.0)
        q = quat_make(-q.w, -q.x, -q.y, -q.z);
    *angle = 2.0 * acos(geom_clamp(q.w, -1.0, 1.0));
    s = sqrt(geom_max(0.0, 1.0 - q.w * q.w));
    if (s < 1e-12)
        *axis = v3(1.0, 0.0, 0.0);
    else
        *axis = v3(q.x / s, q.y / s, q.z / s);
}

double quat_angle_between(quat a, quat b)
{
    double d = fabs(quat_dot(quat_normalize(a), quat_normalize(b)));

    return 2.0 * acos(geom_clamp(d, 0.0, 1.0));
}
