/*
 * geom/fmt.h - text formatting of numbers, vectors and matrices.
 */
#ifndef GEOM_FMT_H
#define GEOM_FMT_H

#include "geom/strbuf.h"
#include "geom/vec.h"
#include "geom/mat.h"

const char *fmt_real(char *buf, size_t size, double v, int decimals);
int fmt_append_real(strbuf *sb, double v, int decimals);
int fmt_vec2(strbuf *sb, vec2 v, int decimals);
int fmt_vec3(strbuf *sb, vec3 v, int decimals);
int fmt_points(strbuf *sb, const vec2 *pts, size_t n, int decimals);
int fmt_mat3(strbuf *sb, mat3 m, int decimals, const char *indent);
int fmt_pad_right(strbuf *sb, const char *s, size_t width);
int fmt_pad_left(strbuf *sb, const char *s, size_t width);

#endif /* GEOM_FMT_H */
