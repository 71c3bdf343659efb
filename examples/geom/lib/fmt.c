/*
 * fmt.c - number/vector/matrix formatting and library-wide messages.
 */
#include <stdio.h>
#include <string.h>

#include "geom/fmt.h"

/*
 * Format v with a fixed number of decimals. A result that rounds to zero
 * never carries a minus sign, so output does not depend on the sign of
 * tiny rounding errors.
 */
const char *fmt_real(char *buf, size_t size, double v, int decimals)
{
    const char *p;

    snprintf(buf, size, "%.*f", decimals, v);
    if (buf[0] == '-') {
        for (p = buf + 1; *p == '0' || *p == '.'; p++)
            ;
        if (*p == '\0')
            memmove(buf, buf + 1, strlen(buf));
    }
    return buf;
}

int fmt_append_real(strbuf *sb, double v, int decimals)
{
    char buf[64];

    return sb_append(sb, fmt_real(buf, sizeof buf, v, decimals));
}

int fmt_vec2(strbuf *sb, vec2 v, int decimals)
{
    char x[64], y[64];

    return sb_printf(sb, "(%s, %s)", fmt_real(x, sizeof x, v.x, decimals),
                     fmt_real(y, sizeof y, v.y, decimals));
}

int fmt_vec3(strbuf *sb, vec3 v, int decimals)
{
    char x[64], y[64], z[64];

    return sb_printf(sb, "(%s, %s, %s)", fmt_real(x, sizeof x, v.x, decimals),
                     fmt_real(y, sizeof y, v.y, decimals),
                     fmt_real(z, sizeof z, v.z, decimals));
}

int fmt_points(strbuf *sb, const vec2 *pts, size_t n, int decimals)
{
    size_t i;
    int rc = sb_putc(sb, '[');

    for (i = 0; i < n && rc == GEOM_OK; i++) {
        if (i > 0)
            rc = sb_append(sb, " ");
        if (rc == GEOM_OK)
            rc = fmt_vec2(sb, pts[i], decimals);
    }
    return rc == GEOM_OK ? sb_putc(sb, ']') : rc;
}

/* One row per line with right-aligned columns. */
int fmt_mat3(strbuf *sb, mat3 m, int decimals, const char *indent)
{
    char cell[64];
    int i, j, rc = GEOM_OK;

    for (i = 0; i < 3 && rc == GEOM_OK; i++) {
        rc = sb_printf(sb, "%s[", indent);
        for (j = 0; j < 3 && rc == GEOM_OK; j++)
            rc = sb_printf(sb, " %8s", fmt_real(cell, sizeof cell, m.m[i][j], decimals));
        if (rc == GEOM_OK)
            rc = sb_append(sb, " ]\n");
    }
    return rc;
}

int fmt_pad_right(strbuf *sb, const char *s, size_t width)
{
    size_t len = strlen(s);
    int rc = sb_append(sb, s);

    if (rc == GEOM_OK && len < width)
        rc = sb_pad(sb, ' ', width - len);
    return rc;
}

int fmt_pad_left(strbuf *sb, const char *s, size_t width)
{
    size_t len = strlen(s);
    int rc = GEOM_OK;

    if (len < width)
        rc = sb_pad(sb, ' ', width - len);
    return rc == GEOM_OK ? sb_append(sb, s) : rc;
}

const char *geom_strerror(int status)
{
    switch (status) {
    case GEOM_OK:             return "ok";
    case GEOM_ERR_NOMEM:      return "out of memory";
    case GEOM_ERR_DEGENERATE: return "degenerate input";
    case GEOM_ERR_PARSE:      return "parse error";
    case GEOM_ERR_RANGE:      return "value out of range";
    case GEOM_ERR_NOTFOUND:   return "not found";
    default:                  return "unknown error";
    }
}

const char *geom_version(void)
{
    return "1.2.0";
}
