/*
 * geom/raster.h - ASCII canvas for quick plots of points and polygons.
 */
#ifndef GEOM_RASTER_H
#define GEOM_RASTER_H

#include "geom/vec.h"
#include "geom/strbuf.h"

typedef struct canvas {
    int w, h;
    vec2 lo, hi;
    char *cells;
} canvas;

int canvas_init(canvas *c, int w, int h, vec2 lo, vec2 hi);
void canvas_free(canvas *c);
void canvas_clear(canvas *c, char ch);
void canvas_set(canvas *c, int x, int y, char ch);
void canvas_plot(canvas *c, vec2 p, char ch);
void canvas_line(canvas *c, vec2 a, vec2 b, char ch);
void canvas_polygon(canvas *c, const vec2 *pts, size_t n, char ch);
void canvas_fill_polygon(canvas *c, const vec2 *pts, size_t n, char ch);
int canvas_render(const canvas *c, strbuf *sb);

#endif /* GEOM_RASTER_H */
