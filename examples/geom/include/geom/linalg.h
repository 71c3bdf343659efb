/*
 * geom/linalg.h - small dense linear algebra on row-major double arrays.
 */
#ifndef GEOM_LINALG_H
#define GEOM_LINALG_H

#include "geom/common.h"

int lin_solve(double *a, double *b, size_t n);
int lin_lstsq(const double *a, const double *b, size_t rows, size_t cols,
              double *x);
double lin_det(const double *a, size_t n);

#endif /* GEOM_LINALG_H */
