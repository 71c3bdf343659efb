/*
 * report.c - section headers, indented lines and self-checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "geom/fmt.h"
#include "report.h"

#define RING_SIZE 16
#define RING_LEN 96

static char ring[RING_SIZE][RING_LEN];
static unsigned ring_pos;
static int checks_passed;
static int checks_failed;

static char *ring_next(void)
{
    char *buf = ring[ring_pos];

    ring_pos = (ring_pos + 1) % RING_SIZE;
    return buf;
}

const char *num(double v, int decimals)
{
    char *buf = ring_next();

    return fmt_real(buf, RING_LEN, v, decimals);
}

const char *pt2(vec2 v)
{
    char *buf = ring_next();
    char x[40], y[40];

    snprintf(buf, RING_LEN, "(%s, %s)", fmt_real(x, sizeof x, v.x, 3),
             fmt_real(y, sizeof y, v.y, 3));
    return buf;
}

const char *pt3(vec3 v)
{
    char *buf = ring_next();
    char x[30], y[30], z[30];

    snprintf(buf, RING_LEN, "(%s, %s, %s)", fmt_real(x, sizeof x, v.x, 3),
             fmt_real(y, sizeof y, v.y, 3), fmt_real(z, sizeof z, v.z, 3));
    return buf;
}

void report_section(const char *title)
{
    size_t len = strlen(title);

    printf("\n== %s ", title);
    while (len++ < 60)
        putchar('=');
    putchar('\n');
}

void report_line(const char *fmt, ...)
{
    va_list ap;

    fputs("  ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Print multi-line text with every line prefixed by indent. */
void report_block(const char *text, const char *indent)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        printf("%s%.*s\n", indent, (int)len, p);
        p += len;
        if (*p == '\n')
            p++;
    }
}

void report_check(const char *what, int ok)
{
    if (ok)
        checks_passed++;
    else
        checks_failed++;
    printf("  check %-44s %s\n", what, ok ? "ok" : "FAILED");
}

/* Print the tally; returns the number of failed checks. */
int report_summary(void)
{
    report_section("summary");
    report_line("%d checks passed, %d failed", checks_passed, checks_failed);
    return checks_failed;
}
