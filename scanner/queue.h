/* queue.h -- a bounded, blocking queue of pointers between threads.
 *
 * The bound is what keeps memory flat however large the tree is: the walker
 * waits when the workers fall behind, instead of listing the whole tree into
 * memory. A queue is closed by its producers; consumers then drain what is
 * left and get NULL.
 */
#ifndef EXS_QUEUE_H
#define EXS_QUEUE_H

#include <stddef.h>

#include "platform.h"

struct exs_queue;

int exs_queue_create(const struct exs_platform *plat, size_t capacity,
		     unsigned producers, struct exs_queue **out,
		     struct exs_error *err);
/* Blocks while full. Returns EXS_OK, or EXS_INVAL if the queue was closed or
 * cancelled (the item is then not taken). */
int exs_queue_push(struct exs_queue *q, void *item);
/* Blocks while empty and open; NULL when closed and drained, or cancelled.
 * With timeout_ms > 0 it returns NULL with *timed_out = 1 after that long. */
void *exs_queue_pop(struct exs_queue *q, unsigned timeout_ms, int *timed_out);
/* One producer is done; the queue closes when all are. */
void exs_queue_producer_done(struct exs_queue *q);
/* Stops everything: pushes fail and pops return NULL at once. Items still
 * inside are returned by exs_queue_drain. */
void exs_queue_cancel(struct exs_queue *q);
/* Takes one item out without blocking; NULL when empty. */
void *exs_queue_drain(struct exs_queue *q);
void exs_queue_free(struct exs_queue *q);

#endif
