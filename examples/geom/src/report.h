/*
 * report.h - output helpers for the geomdemo program.
 */
#ifndef GEOMDEMO_REPORT_H
#define GEOMDEMO_REPORT_H

#include "geom/strbuf.h"
#include "geom/vec.h"

void report_section(const char *title);
void report_line(const char *fmt, ...) GEOM_PRINTF(1, 2);
void report_block(const char *text, const char *indent);
void report_check(const char *what, int ok);
int report_summary(void);

/* Formatting into a small ring of static buffers, valid for a few calls. */
const char *num(double v, int decimals);
const char *pt2(vec2 v);
const char *pt3(vec3 v);

#endif /* GEOMDEMO_REPORT_H */
