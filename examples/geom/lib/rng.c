/*
 * rng.c - xorshift64* generator seeded through splitmix64.
 * Only integer arithmetic and exact conversions are used, so sequences
 * are identical on every platform.
 */
#include "geom/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;

    r->s = splitmix64(&x);
    if (r->s == 0)
        r->s = 0x2545F4914F6CDD1DULL;
}

uint64_t rng_next(rng *r)
{
    uint64_t x = r->s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, 1) with 53 random bits. */
double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

/* Uniform integer in [lo, hi]; the modulo bias is negligible for small spans. */
int rng_int(rng *r, int lo, int hi)
{
    uint64_t span;

    if (hi <= lo)
        return lo;
    span = (uint64_t)((int64_t)hi - (int64_t)lo) + 1u;
    return (int)((int64_t)lo + (int64_t)(rng_next(r) % span));
}

/* Approximately standard normal (Irwin-Hall sum of 12 uniforms). */
double rng_normal(rng *r)
{
    double s = 0.0;
    int i;

    for (i = 0; i < 12; i++)
        s += rng_unit(r);
    return s - 6.0;
}

vec2 rng_in_box(rng *r, vec2 lo, vec2 hi)
{
    double x = rng_range(r, lo.x, hi.x);
    double y = rng_range(r, lo.y, hi.y);

    return v2(x, y);
}

/* Rejection sampling keeps the distribution uniform over the disk. */
vec2 rng_in_disk(rng *r, vec2 center, double radius)
{
    for (;;) {
        double x = rng_range(r, -1.0, 1.0);
        double y = rng_range(r, -1.0, 1.0);
        if (x * x + y * y <= 1.0)
            return v2(center.x + x * radius, center.y + y * radius);
    }
}

/* Fisher-Yates shuffle. */
void rng_shuffle(rng *r, vec2 *pts, size_t n)
{
    size_t i;

    for (i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(r) % (uint64_t)i);
        vec2 t = pts[i - 1];
        pts[i - 1] = pts[j];
        pts[j] = t;
    }
}
