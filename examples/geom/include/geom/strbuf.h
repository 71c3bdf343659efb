/*
 * geom/strbuf.h - growable, always NUL-terminated string buffer.
 */
#ifndef GEOM_STRBUF_H
#define GEOM_STRBUF_H

#include "geom/common.h"

#if defined(__GNUC__)
#define GEOM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GEOM_PRINTF(f, a)
#endif

typedef struct strbuf {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_clear(strbuf *sb);
int sb_reserve(strbuf *sb, size_t extra);
int sb_append(strbuf *sb, const char *s);
int sb_append_n(strbuf *sb, const char *s, size_t n);
int sb_putc(strbuf *sb, char c);
int sb_pad(strbuf *sb, char c, size_t count);
int sb_printf(strbuf *sb, const char *fmt, ...) GEOM_PRINTF(2, 3);
void sb_rtrim(strbuf *sb);
const char *sb_cstr(const strbuf *sb);
char *geom_strdup(const char *s);

#endif /* GEOM_STRBUF_H */
