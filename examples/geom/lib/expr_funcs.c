/*
 * expr_funcs.c - built-in functions and constants of the expression
 * language. Table entries are sorted by name.
 */
#include <math.h>
#include <string.h>

#include "geom/expr.h"

static double f_abs(const double *a)   { return fabs(a[0]); }
static double f_acos(const double *a)  { return acos(a[0]); }
static double f_asin(const double *a)  { return asin(a[0]); }
static double f_atan(const double *a)  { return atan(a[0]); }
static double f_atan2(const double *a) { return atan2(a[0], a[1]); }
static double f_ceil(const double *a)  { return ceil(a[0]); }
static double f_cos(const double *a)   { return cos(a[0]); }
static double f_deg(const double *a)   { return geom_rad2deg(a[0]); }
static double f_exp(const double *a)   { return exp(a[0]); }
static double f_floor(const double *a) { return floor(a[0]); }
static double f_hypot(const double *a) { return sqrt(a[0] * a[0] + a[1] * a[1]); }
static double f_ln(const double *a)    { return log(a[0]); }
static double f_max(const double *a)   { return geom_max(a[0], a[1]); }
static double f_min(const double *a)   { return geom_min(a[0], a[1]); }
static double f_rad(const double *a)   { return geom_deg2rad(a[0]); }
static double f_sin(const double *a)   { return sin(a[0]); }
static double f_sqrt(const double *a)  { return sqrt(a[0]); }
static double f_tan(const double *a)   { return tan(a[0]); }

static double f_clamp(const double *a)
{
    return geom_clamp(a[0], a[1], a[2]);
}

static double f_lerp(const double *a)
{
    return a[0] + (a[1] - a[0]) * a[2];
}

static const expr_func funcs[] = {
    { "abs", 1, f_abs },     { "acos", 1, f_acos },   { "asin", 1, f_asin },
    { "atan", 1, f_atan },   { "atan2", 2, f_atan2 }, { "ceil", 1, f_ceil },
    { "clamp", 3, f_clamp }, { "cos", 1, f_cos },     { "deg", 1, f_deg },
    { "exp", 1, f_exp },     { "floor", 1, f_floor }, { "hypot", 2, f_hypot },
    { "lerp", 3, f_lerp },   { "ln", 1, f_ln },       { "max", 2, f_max },
    { "min", 2, f_min },     { "rad", 1, f_rad },     { "sin", 1, f_sin },
    { "sqrt", 1, f_sqrt },   { "tan", 1, f_tan },
};

#define NFUNCS (sizeof funcs / sizeof funcs[0])

/* Binary search over the sorted table. */
const expr_func *expr_find_func(const char *name)
{
    size_t lo = 0, hi = NFUNCS;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, funcs[mid].name);
        if (c == 0)
            return &funcs[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int expr_find_const(const char *name, double *out)
{
    if (strcmp(name, "pi") == 0)
        *out = GEOM_PI;
    else if (strcmp(name, "tau") == 0)
        *out = GEOM_TAU;
    else if (strcmp(name, "e") == 0)
        *out = 2.71828182845904523536;
    else
        return GEOM_ERR_NOTFOUND;
    return GEOM_OK;
}

size_t expr_func_count(void)
{
    return NFUNCS;
}

const expr_func *expr_func_at(size_t i)
{
    return i < NFUNCS ? &funcs[i] : NULL;
}
