/*
 * sim_blob: immutable bytes shared by reference.
 *
 * An upload grows its blob while the blob is still private to the upload
 * (sim_blob_append may move it); once stored it is never written again.
 * The artifact store holds one reference per version and every download in
 * flight holds another, so a concurrent delete cannot pull the bytes away
 * from a download: the last unref frees.
 *
 * Workload: one blob per artifact version, up to --max-upload-bytes
 * (50 MiB) each; a reference count changes once per store, download or
 * delete, never per byte.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_blob *sim_blob_new(size_t cap)
{
	struct sim_blob *b = sim_xmalloc(sizeof(*b) + (cap ? cap : 1));

	atomic_init(&b->ref, 1);
	b->len = 0;
	b->cap = cap ? cap : 1;
	return b;
}

struct sim_blob *sim_blob_append(struct sim_blob *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap * 2;

		while (cap < b->len + n)
			cap *= 2;
		b = sim_xrealloc(b, sizeof(*b) + cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return b;
}

struct sim_blob *sim_blob_ref(struct sim_blob *b)
{
	/* relaxed: the new holder got the pointer under a lock */
	atomic_fetch_add_explicit(&b->ref, 1, memory_order_relaxed);
	return b;
}

void sim_blob_unref(struct sim_blob *b)
{
	if (!b)
		return;
	/* acq_rel: pairs with the other holders' decrements */
	if (atomic_fetch_sub_explicit(&b->ref, 1, memory_order_acq_rel) == 1)
		free(b);
}
