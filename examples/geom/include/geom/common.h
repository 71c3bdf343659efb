/*
 * geom/common.h - shared constants, status codes and small numeric helpers.
 */
#ifndef GEOM_COMMON_H
#define GEOM_COMMON_H

#include <stddef.h>

#define GEOM_PI  3.14159265358979323846
#define GEOM_TAU 6.28318530717958647692
#define GEOM_EPS 1e-9

/* Status codes returned by library functions (0 means success). */
enum geom_status {
    GEOM_OK = 0,
    GEOM_ERR_NOMEM = -1,
    GEOM_ERR_DEGENERATE = -2,
    GEOM_ERR_PARSE = -3,
    GEOM_ERR_RANGE = -4,
    GEOM_ERR_NOTFOUND = -5
};

static inline double geom_min(double a, double b) { return a < b ? a : b; }
static inline double geom_max(double a, double b) { return a > b ? a : b; }
static inline double geom_abs(double v) { return v < 0.0 ? -v : v; }

static inline double geom_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static inline int geom_feq(double a, double b, double eps)
{
    return geom_abs(a - b) <= eps;
}

static inline int geom_sign(double v, double eps)
{
    return v > eps ? 1 : (v < -eps ? -1 : 0);
}

static inline double geom_deg2rad(double deg) { return deg * (GEOM_PI / 180.0); }
static inline double geom_rad2deg(double rad) { return rad * (180.0 / GEOM_PI); }

/* Implemented in fmt.c */
const char *geom_strerror(int status);
const char *geom_version(void);

#endif /* GEOM_COMMON_H */
