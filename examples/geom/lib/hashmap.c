/*
 * hashmap.c - string -> double map with open addressing, linear probing
 * and tombstones. Capacity is always a power of two.
 */
#include <stdlib.h>
#include <string.h>

#include "geom/hashmap.h"
#include "geom/strbuf.h"

#define SLOT_EMPTY 0
#define SLOT_USED 1
#define SLOT_TOMB 2
#define MIN_CAP 16

/* 32-bit FNV-1a. */
uint32_t hmap_hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

void hmap_init(hmap *m)
{
    m->slots = NULL;
    m->cap = m->count = m->tombs = 0;
}

void hmap_free(hmap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++)
        if (m->slots[i].state == SLOT_USED)
            free(m->slots[i].key);
    free(m->slots);
    hmap_init(m);
}

/* Index of key's slot, or of the slot where it should be inserted. */
static size_t find_slot(const hmap *m, const char *key, uint32_t h, int *found)
{
    size_t mask = m->cap - 1, i = h & mask, tomb = SIZE_MAX;

    for (;;) {
        const hmap_entry *e = &m->slots[i];
        if (e->state == SLOT_EMPTY) {
            *found = 0;
            return tomb != SIZE_MAX ? tomb : i;
        }
        if (e->state == SLOT_TOMB) {
            if (tomb == SIZE_MAX)
                tomb = i;
        } else if (e->hash == h && strcmp(e->key, key) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int grow(hmap *m, size_t ncap)
{
    hmap_entry *old = m->slots;
    size_t oldcap = m->cap, i;

    m->slots = calloc(ncap, sizeof *m->slots);
    if (!m->slots) {
        m->slots = old;
        return GEOM_ERR_NOMEM;
    }
    m->cap = ncap;
    m->tombs = 0;
    for (i = 0; i < oldcap; i++) {
        int found;
        if (old[i].state != SLOT_USED)
            continue;
        m->slots[find_slot(m, old[i].key, old[i].hash, &found)] = old[i];
    }
    free(old);
    return GEOM_OK;
}

int hmap_set(hmap *m, const char *key, double value)
{
    uint32_t h = hmap_hash(key);
    size_t i;
    int found;

    if ((m->count + m->tombs + 1) * 10 > m->cap * 7) {
        size_t ncap = m->cap ? m->cap : MIN_CAP;
        while ((m->count + 1) * 10 > ncap * 5)
            ncap *= 2;
        if (grow(m, ncap) != GEOM_OK)
            return GEOM_ERR_NOMEM;
    }
    i = find_slot(m, key, h, &found);
    if (!found) {
        char *k = geom_strdup(key);
        if (!k)
            return GEOM_ERR_NOMEM;
        if (m->slots[i].state == SLOT_TOMB)
            m->tombs--;
        m->slots[i].key = k;
        m->slots[i].hash = h;
        m->slots[i].state = SLOT_USED;
        m->count++;
    }
    m->slots[i].value = value;
    return GEOM_OK;
}

int hmap_get(const hmap *m, const char *key, double *value)
{
    int found;
    size_t i;

    if (m->cap == 0)
        return GEOM_ERR_NOTFOUND;
    i = find_slot(m, key, hmap_hash(key), &found);
    if (!found)
        return GEOM_ERR_NOTFOUND;
    if (value)
        *value = m->slots[i].value;
    return GEOM_OK;
}

/* Add delta to the value of key, inserting it with value delta if absent. */
int hmap_add(hmap *m, const char *key, double delta)
{
    double v = 0.0;

    hmap_get(m, key, &v);
    return hmap_set(m, key, v + delta);
}

int hmap_remove(hmap *m, const char *key)
{
    int found;
    size_t i;

    if (m->cap == 0)
        return GEOM_ERR_NOTFOUND;
    i = find_slot(m, key, hmap_hash(key), &found);
    if (!found)
        return GEOM_ERR_NOTFOUND;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->slots[i].state = SLOT_TOMB;
    m->count--;
    m->tombs++;
    return GEOM_OK;
}

size_t hmap_count(const hmap *m)
{
    return m->count;
}

/* Iterate: start with *iter = 0; returns 0 when exhausted. */
int hmap_next(const hmap *m, size_t *iter, const char **key, double *value)
{
    while (*iter < m->cap) {
        const hmap_entry *e = &m->slots[(*iter)++];
        if (e->state == SLOT_USED) {
            *key = e->key;
            *value = e->value;
            return 1;
        }
    }
    return 0;
}
