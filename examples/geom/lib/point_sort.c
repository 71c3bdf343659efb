/*
 * point_sort.c - stable merge sort of points with a context comparator.
 * A stable sort keeps results identical across C libraries, unlike qsort.
 */
#include <stdlib.h>
#include <string.h>

#include "geom/poly.h"

static void insertion_sort(vec2 *a, size_t n, point_cmp_fn cmp, const void *ctx)
{
    size_t i, j;

    for (i = 1; i < n; i++) {
        vec2 v = a[i];
        for (j = i; j > 0 && cmp(a[j - 1], v, ctx) > 0; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static void merge_sort(vec2 *a, vec2 *tmp, size_t n, point_cmp_fn cmp,
                       const void *ctx)
{
    size_t mid, i, j, k;

    if (n <= 12) {
        insertion_sort(a, n, cmp, ctx);
        return;
    }
    mid = n / 2;
    merge_sort(a, tmp, mid, cmp, ctx);
    merge_sort(a + mid, tmp, n - mid, cmp, ctx);
    if (cmp(a[mid - 1], a[mid], ctx) <= 0)
        return; /* already ordered */
    i = 0;
    j = mid;
    k = 0;
    while (i < mid && j < n)
        tmp[k++] = cmp(a[j], a[i], ctx) < 0 ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

void points_sort(vec2 *pts, size_t n, point_cmp_fn cmp, const void *ctx)
{
    vec2 *tmp;

    if (n < 2)
        return;
    tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        insertion_sort(pts, n, cmp, ctx); /* slow but allocation-free */
        return;
    }
    merge_sort(pts, tmp, n, cmp, ctx);
    free(tmp);
}

static int cmp_lex(vec2 a, vec2 b, const void *ctx)
{
    (void)ctx;
    if (a.x < b.x) return -1;
    if (a.x > b.x) return 1;
    if (a.y < b.y) return -1;
    if (a.y > b.y) return 1;
    return 0;
}

void points_sort_lex(vec2 *pts, size_t n)
{
    points_sort(pts, n, cmp_lex, NULL);
}

/* 0 for directions in [0, pi), 1 for [pi, 2pi). */
static int half_plane(vec2 d)
{
    return (d.y < 0.0 || (d.y == 0.0 && d.x < 0.0)) ? 1 : 0;
}

/* Exact angular order around a center, without calling atan2. */
static int cmp_angle(vec2 a, vec2 b, const void *ctx)
{
    const vec2 *c = ctx;
    vec2 da = v2_sub(a, *c), db = v2_sub(b, *c);
    int ha = half_plane(da), hb = half_plane(db);
    double cr;

    if (ha != hb)
        return ha - hb;
    cr = v2_cross(da, db);
    if (cr > 0.0) return -1;
    if (cr < 0.0) return 1;
    return v2_len2(da) < v2_len2(db) ? -1 : (v2_len2(da) > v2_len2(db));
}

void points_sort_angle(vec2 *pts, size_t n, vec2 center)
{
    points_sort(pts, n, cmp_angle, &center);
}

/* Remove consecutive near-duplicates from a sorted array; returns new n. */
size_t points_unique(vec2 *pts, size_t n, double eps)
{
    size_t i, m = 0;

    for (i = 0; i < n; i++)
        if (m == 0 || !v2_eq(pts[m - 1], pts[i], eps))
            pts[m++] = pts[i];
    return m;
}
