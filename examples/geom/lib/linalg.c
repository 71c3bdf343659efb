/*
 * linalg.c - Gaussian elimination, least squares and determinants.
 * Matrices are dense, row-major arrays of doubles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/linalg.h"

static void swap_rows(double *a, size_t n, size_t r1, size_t r2)
{
    size_t j;

    for (j = 0; j < n; j++) {
        double t = a[r1 * n + j];
        a[r1 * n + j] = a[r2 * n + j];
        a[r2 * n + j] = t;
    }
}

/*
 * Solve a x = b in place with partial pivoting. a (n*n) is destroyed and
 * b is overwritten by the solution.
 */
int lin_solve(double *a, double *b, size_t n)
{
    size_t i, j, k;

    for (k = 0; k < n; k++) {
        size_t piv = k;
        double best = fabs(a[k * n + k]);

        for (i = k + 1; i < n; i++) {
            if (fabs(a[i * n + k]) > best) {
                best = fabs(a[i * n + k]);
                piv = i;
            }
        }
        if (best < 1e-12)
            return GEOM_ERR_DEGENERATE;
        if (piv != k) {
            double t = b[k];
            swap_rows(a, n, k, piv);
            b[k] = b[piv];
            b[piv] = t;
        }
        for (i = k + 1; i < n; i++) {
            double f = a[i * n + k] / a[k * n + k];
            a[i * n + k] = 0.0;
            for (j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
            b[i] -= f * b[k];
        }
    }
    for (i = n; i-- > 0;) {
        double s = b[i];
        for (j = i + 1; j < n; j++)
            s -= a[i * n + j] * b[j];
        b[i] = s / a[i * n + i];
    }
    return GEOM_OK;
}

/* Least squares via the normal equations (A^T A) x = A^T b. */
int lin_lstsq(const double *a, const double *b, size_t rows, size_t cols,
              double *x)
{
    double *ata;
    size_t i, j, r;
    int rc;

    if (rows < cols || cols == 0)
        return GEOM_ERR_DEGENERATE;
    ata = calloc(cols * cols, sizeof *ata);
    if (!ata)
        return GEOM_ERR_NOMEM;
    for (i = 0; i < cols; i++) {
        x[i] = 0.0;
        for (r = 0; r < rows; r++)
            x[i] += a[r * cols + i] * b[r];
        for (j = 0; j < cols; j++)
            for (r = 0; r < rows; r++)
                ata[i * cols + j] += a[r * cols + i] * a[r * cols + j];
    }
    rc = lin_solve(ata, x, cols);
    free(ata);
    return rc;
}

/* Determinant by elimination; returns 0 for singular or on allocation failure. */
double lin_det(const double *a, size_t n)
{
    double *m, det = 1.0;
    size_t i, j, k;

    m = malloc(n * n * sizeof *m);
    if (!m)
        return 0.0;
    memcpy(m, a, n * n * sizeof *m);
    for (k = 0; k < n && det != 0.0; k++) {
        size_t piv = k;
        for (i = k + 1; i < n; i++)
            if (fabs(m[i * n + k]) > fabs(m[piv * n + k]))
                piv = i;
        if (fabs(m[piv * n + k]) < 1e-15) {
            det = 0.0;
            break;
        }
        if (piv != k) {
            swap_rows(m, n, k, piv);
            det = -det;
        }
        det *= m[k * n + k];
        for (i = k + 1; i < n; i++) {
            double f = m[i * n + k] / m[k * n + k];
            for (j = k; j < n; j++)
                m[i * n + j] -= f * m[k * n + j];
        }
    }
    free(m);
    return det;
}
