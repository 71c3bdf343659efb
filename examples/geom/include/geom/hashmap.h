/*
 * geom/hashmap.h - string -> double hash map (open addressing).
 */
#ifndef GEOM_HASHMAP_H
#define GEOM_HASHMAP_H

#include <stdint.h>
#include "geom/common.h"

typedef struct hmap_entry {
    char *key;
    double value;
    uint32_t hash;
    int state;
} hmap_entry;

typedef struct hmap {
    hmap_entry *slots;
    size_t cap;
    size_t count;
    size_t tombs;
} hmap;

uint32_t hmap_hash(const char *s);
void hmap_init(hmap *m);
void hmap_free(hmap *m);
int hmap_set(hmap *m, const char *key, double value);
int hmap_get(const hmap *m, const char *key, double *value);
int hmap_add(hmap *m, const char *key, double delta);
int hmap_remove(hmap *m, const char *key);
size_t hmap_count(const hmap *m);
int hmap_next(const hmap *m, size_t *iter, const char **key, double *value);

#endif /* GEOM_HASHMAP_H */
