/*
 * sim_map: string-keyed hash map for tasks, sessions, SSE bookkeeping and
 * artifacts.
 *
 * Workload: up to ~10^6 keys (one per task over a long soak), lookups on
 * every submit, event and subscribe; keys are 20..60 byte ids.  Chained
 * buckets with FNV-1a 64 and doubling at load factor 1 keep lookups O(1)
 * and inserts amortised O(1); each entry is one allocation with the key
 * stored inline.  The hash is kept per entry so resizing never rehashes a
 * string.
 *
 * Rejected: open addressing (deletions need tombstones and the maps see
 * many deletes), a tree (O(log n) for no ordering we need), SipHash
 * (hash flooding is not a threat to a loopback test server).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_map_entry {
	struct sim_map_entry *next;
	uint64_t h;
	void *val;
	char key[];
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void sim_map_init(struct sim_map *m)
{
	m->b = NULL;
	m->nb = 0;
	m->n = 0;
}

void sim_map_release(struct sim_map *m, void (*free_val)(void *))
{
	size_t i;

	for (i = 0; i < m->nb; i++) {
		struct sim_map_entry *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(e->val);
			free(e);
		}
	}
	free(m->b);
	sim_map_init(m);
}

static struct sim_map_entry **find(const struct sim_map *m, const char *key,
				   uint64_t h)
{
	struct sim_map_entry **pp;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[h & (m->nb - 1)]; *pp; pp = &(*pp)->next)
		if ((*pp)->h == h && !strcmp((*pp)->key, key))
			return pp;
	return NULL;
}

void *sim_map_get(const struct sim_map *m, const char *key)
{
	struct sim_map_entry **pp = find(m, key, fnv1a(key));

	return pp ? (*pp)->val : NULL;
}

static void grow(struct sim_map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64, i;
	struct sim_map_entry **b = sim_xcalloc(nb, sizeof(*b));

	for (i = 0; i < m->nb; i++) {
		struct sim_map_entry *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->h & (nb - 1)];
			b[e->h & (nb - 1)] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

void *sim_map_put(struct sim_map *m, const char *key, void *val)
{
	uint64_t h = fnv1a(key);
	struct sim_map_entry **pp = find(m, key, h), *e;
	size_t klen;

	if (pp) {
		void *old = (*pp)->val;

		(*pp)->val = val;
		return old;
	}
	if (m->n >= m->nb)
		grow(m);
	klen = strlen(key);
	e = sim_xmalloc(sizeof(*e) + klen + 1);
	memcpy(e->key, key, klen + 1);
	e->h = h;
	e->val = val;
	e->next = m->b[h & (m->nb - 1)];
	m->b[h & (m->nb - 1)] = e;
	m->n++;
	return NULL;
}

void *sim_map_del(struct sim_map *m, const char *key)
{
	struct sim_map_entry **pp = find(m, key, fnv1a(key)), *e;
	void *val;

	if (!pp)
		return NULL;
	e = *pp;
	*pp = e->next;
	val = e->val;
	free(e);
	m->n--;
	return val;
}

void sim_map_each(const struct sim_map *m,
		  void (*fn)(const char *key, void *val, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < m->nb; i++) {
		struct sim_map_entry *e;

		for (e = m->b[i]; e; e = e->next)
			fn(e->key, e->val, arg);
	}
}
