/*
 * histogram.c - fixed-width binning with a text renderer.
 */
#include <math.h>
#include <stdlib.h>

#include "geom/stats.h"
#include "geom/strbuf.h"
#include "geom/fmt.h"

int hist_init(histogram *h, double lo, double hi, size_t nbins)
{
    if (nbins == 0 || !(hi > lo))
        return GEOM_ERR_RANGE;
    h->counts = calloc(nbins, sizeof *h->counts);
    if (!h->counts)
        return GEOM_ERR_NOMEM;
    h->lo = lo;
    h->hi = hi;
    h->nbins = nbins;
    h->under = h->over = h->total = 0;
    return GEOM_OK;
}

void hist_free(histogram *h)
{
    free(h->counts);
    h->counts = NULL;
    h->nbins = 0;
}

/* Bins are [lo + i w, lo + (i+1) w); the value hi goes in the last bin. */
void hist_add(histogram *h, double x)
{
    double w = (h->hi - h->lo) / (double)h->nbins;
    size_t bin;

    h->total++;
    if (x < h->lo) {
        h->under++;
        return;
    }
    if (x > h->hi) {
        h->over++;
        return;
    }
    bin = (size_t)floor((x - h->lo) / w);
    if (bin >= h->nbins)
        bin = h->nbins - 1;
    h->counts[bin]++;
}

size_t hist_mode_bin(const histogram *h)
{
    size_t i, best = 0;

    for (i = 1; i < h->nbins; i++)
        if (h->counts[i] > h->counts[best])
            best = i;
    return best;
}

/* One line per bin: "[lo, hi) ##### count", bars scaled to width. */
int hist_render(const histogram *h, strbuf *sb, size_t width)
{
    double w = (h->hi - h->lo) / (double)h->nbins;
    size_t i, peak = h->counts[hist_mode_bin(h)];
    int rc = GEOM_OK;

    for (i = 0; i < h->nbins && rc == GEOM_OK; i++) {
        size_t bar = peak ? (h->counts[i] * width + peak / 2) / peak : 0;
        char lo[32], hi[32];

        fmt_real(lo, sizeof lo, h->lo + w * (double)i, 2);
        fmt_real(hi, sizeof hi, h->lo + w * (double)(i + 1), 2);
        rc = sb_printf(sb, "[%6s, %6s) ", lo, hi);
        if (rc == GEOM_OK)
            rc = sb_pad(sb, '#', bar);
        if (rc == GEOM_OK)
            rc = sb_printf(sb, " %lu\n", (unsigned long)h->counts[i]);
    }
    if (rc == GEOM_OK && (h->under || h->over))
        rc = sb_printf(sb, "outside range: %lu below, %lu above\n",
                       (unsigned long)h->under, (unsigned long)h->over);
    return rc;
}
