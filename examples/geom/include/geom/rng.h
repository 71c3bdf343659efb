/*
 * geom/rng.h - seeded pseudo-random generator (xorshift64*).
 * Sequences depend only on the seed, so results are reproducible.
 */
#ifndef GEOM_RNG_H
#define GEOM_RNG_H

#include <stdint.h>
#include "geom/vec.h"

typedef struct rng {
    uint64_t s;
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_unit(rng *r);
double rng_range(rng *r, double lo, double hi);
int rng_int(rng *r, int lo, int hi);
double rng_normal(rng *r);
vec2 rng_in_box(rng *r, vec2 lo, vec2 hi);
vec2 rng_in_disk(rng *r, vec2 center, double radius);
void rng_shuffle(rng *r, vec2 *pts, size_t n);

#endif /* GEOM_RNG_H */
