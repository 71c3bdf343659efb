/*
 * strbuf.c - growable string buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/strbuf.h"

void sb_init(strbuf *sb)
{
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->data);
    sb_init(sb);
}

void sb_clear(strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

/* Ensure room for `extra` more characters plus the terminator. */
int sb_reserve(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    size_t ncap;
    char *p;

    if (need <= sb->cap)
        return GEOM_OK;
    ncap = sb->cap ? sb->cap : 64;
    while (ncap < need)
        ncap *= 2;
    p = realloc(sb->data, ncap);
    if (!p)
        return GEOM_ERR_NOMEM;
    sb->data = p;
    sb->cap = ncap;
    return GEOM_OK;
}

int sb_append_n(strbuf *sb, const char *s, size_t n)
{
    if (sb_reserve(sb, n) != GEOM_OK)
        return GEOM_ERR_NOMEM;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
    return GEOM_OK;
}

int sb_append(strbuf *sb, const char *s)
{
    return sb_append_n(sb, s, strlen(s));
}

int sb_putc(strbuf *sb, char c)
{
    return sb_append_n(sb, &c, 1);
}

int sb_pad(strbuf *sb, char c, size_t count)
{
    if (sb_reserve(sb, count) != GEOM_OK)
        return GEOM_ERR_NOMEM;
    memset(sb->data + sb->len, c, count);
    sb->len += count;
    sb->data[sb->len] = '\0';
    return GEOM_OK;
}

int sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return GEOM_ERR_RANGE;
    if (sb_reserve(sb, (size_t)n) != GEOM_OK)
        return GEOM_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return GEOM_OK;
}

/* Strip trailing spaces and tabs. */
void sb_rtrim(strbuf *sb)
{
    while (sb->len > 0 &&
           (sb->data[sb->len - 1] == ' ' || sb->data[sb->len - 1] == '\t'))
        sb->data[--sb->len] = '\0';
}

const char *sb_cstr(const strbuf *sb)
{
    return sb->data ? sb->data : "";
}

/* strdup is POSIX, not C99, so provide our own. */
char *geom_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}
