/*
 * raster.c - character canvas mapping a world rectangle onto a grid.
 * Row 0 is printed first and corresponds to the top (max y) of the world.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/raster.h"
#include "geom/poly.h"

int canvas_init(canvas *c, int w, int h, vec2 lo, vec2 hi)
{
    if (w < 2 || h < 2 || !(hi.x > lo.x) || !(hi.y > lo.y))
        return GEOM_ERR_RANGE;
    c->cells = malloc((size_t)w * (size_t)h);
    if (!c->cells)
        return GEOM_ERR_NOMEM;
    c->w = w;
    c->h = h;
    c->lo = lo;
    c->hi = hi;
    canvas_clear(c, '.');
    return GEOM_OK;
}

void canvas_free(canvas *c)
{
    free(c->cells);
    c->cells = NULL;
}

void canvas_clear(canvas *c, char ch)
{
    memset(c->cells, ch, (size_t)c->w * (size_t)c->h);
}

void canvas_set(canvas *c, int x, int y, char ch)
{
    if (x >= 0 && x < c->w && y >= 0 && y < c->h)
        c->cells[(size_t)y * (size_t)c->w + (size_t)x] = ch;
}

static void to_cell(const canvas *c, vec2 p, int *cx, int *cy)
{
    double fx = (p.x - c->lo.x) / (c->hi.x - c->lo.x) * (c->w - 1);
    double fy = (p.y - c->lo.y) / (c->hi.y - c->lo.y) * (c->h - 1);

    *cx = (int)floor(fx + 0.5);
    *cy = (c->h - 1) - (int)floor(fy + 0.5);
}

static vec2 cell_center(const canvas *c, int x, int y)
{
    return v2(c->lo.x + (c->hi.x - c->lo.x) * x / (c->w - 1),
              c->lo.y + (c->hi.y - c->lo.y) * (c->h - 1 - y) / (c->h - 1));
}

void canvas_plot(canvas *c, vec2 p, char ch)
{
    int x, y;

    to_cell(c, p, &x, &y);
    canvas_set(c, x, y, ch);
}

/* Bresenham line between the cells containing a and b. */
void canvas_line(canvas *c, vec2 a, vec2 b, char ch)
{
    int x0, y0, x1, y1, dx, dy, sx, sy, err;

    to_cell(c, a, &x0, &y0);
    to_cell(c, b, &x1, &y1);
    dx = abs(x1 - x0);
    dy = -abs(y1 - y0);
    sx = x0 < x1 ? 1 : -1;
    sy = y0 < y1 ? 1 : -1;
    err = dx + dy;
    for (;;) {
        int e2;
        canvas_set(c, x0, y0, ch);
        if (x0 == x1 && y0 == y1)
            break;
        e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

void canvas_polygon(canvas *c, const vec2 *pts, size_t n, char ch)
{
    size_t i;

    for (i = 0; i < n; i++)
        canvas_line(c, pts[i], pts[(i + 1) % n], ch);
}

/* Fill every cell whose centre lies strictly inside the polygon. */
void canvas_fill_polygon(canvas *c, const vec2 *pts, size_t n, char ch)
{
    int x, y;

    for (y = 0; y < c->h; y++)
        for (x = 0; x < c->w; x++)
            if (poly_contains(pts, n, cell_center(c, x, y)) == 1)
                canvas_set(c, x, y, ch);
}

int canvas_render(const canvas *c, strbuf *sb)
{
    int y, rc = GEOM_OK;

    for (y = 0; y < c->h && rc == GEOM_OK; y++) {
        rc = sb_append_n(sb, c->cells + (size_t)y * (size_t)c->w, (size_t)c->w);
        if (rc == GEOM_OK)
            rc = sb_putc(sb, '\n');
    }
    return rc;
}
