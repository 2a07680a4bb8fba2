/* queue.c -- bounded blocking queue (see queue.h): a ring buffer guarded by
 * one mutex, with one condition for "not full" and one for "not empty". */
#include "queue.h"

#include <stdlib.h>

struct exs_queue {
	const struct exs_platform *plat;
	struct exs_mutex *lock;
	struct exs_cond *not_full;
	struct exs_cond *not_empty;
	void **slots;
	size_t capacity, head, count;
	unsigned producers;  /* still open */
	int cancelled;
};

int exs_queue_create(const struct exs_platform *plat, size_t capacity,
		     unsigned producers, struct exs_queue **out,
		     struct exs_error *err)
{
	struct exs_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	q->plat = plat;
	q->capacity = capacity ? capacity : 1;
	q->producers = producers;
	q->slots = calloc(q->capacity, sizeof(void *));
	int rc = q->slots ? EXS_OK : exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	if (!rc)
		rc = plat->mutex_create(&q->lock, err);
	if (!rc)
		rc = plat->cond_create(&q->not_full, err);
	if (!rc)
		rc = plat->cond_create(&q->not_empty, err);
	if (rc) {
		exs_queue_free(q);
		return rc;
	}
	*out = q;
	return EXS_OK;
}

int exs_queue_push(struct exs_queue *q, void *item)
{
	const struct exs_platform *p = q->plat;
	p->mutex_lock(q->lock);
	while (q->count == q->capacity && !q->cancelled)
		p->cond_wait(q->not_full, q->lock);
	if (q->cancelled || q->producers == 0) {
		p->mutex_unlock(q->lock);
		return EXS_INVAL;
	}
	q->slots[(q->head + q->count) % q->capacity] = item;
	q->count++;
	p->cond_signal(q->not_empty);
	p->mutex_unlock(q->lock);
	return EXS_OK;
}

void *exs_queue_pop(struct exs_queue *q, unsigned timeout_ms, int *timed_out)
{
	const struct exs_platform *p = q->plat;
	void *item = NULL;
	if (timed_out)
		*timed_out = 0;
	p->mutex_lock(q->lock);
	while (q->count == 0 && q->producers > 0 && !q->cancelled) {
		if (timeout_ms) {
			if (p->cond_timed_wait(q->not_empty, q->lock, timeout_ms) ==
				    EXS_TIMEOUT &&
			    q->count == 0) {
				if (timed_out)
					*timed_out = 1;
				p->mutex_unlock(q->lock);
				return NULL;
			}
		} else {
			p->cond_wait(q->not_empty, q->lock);
		}
	}
	if (q->count && !q->cancelled) {
		item = q->slots[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		p->cond_signal(q->not_full);
	}
	p->mutex_unlock(q->lock);
	return item;
}

void exs_queue_producer_done(struct exs_queue *q)
{
	const struct exs_platform *p = q->plat;
	p->mutex_lock(q->lock);
	if (q->producers)
		q->producers--;
	if (q->producers == 0)
		p->cond_broadcast(q->not_empty);
	p->mutex_unlock(q->lock);
}

void exs_queue_cancel(struct exs_queue *q)
{
	const struct exs_platform *p = q->plat;
	p->mutex_lock(q->lock);
	q->cancelled = 1;
	p->cond_broadcast(q->not_empty);
	p->cond_broadcast(q->not_full);
	p->mutex_unlock(q->lock);
}

void *exs_queue_drain(struct exs_queue *q)
{
	const struct exs_platform *p = q->plat;
	void *item = NULL;
	p->mutex_lock(q->lock);
	if (q->count) {
		item = q->slots[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->count--;
	}
	p->mutex_unlock(q->lock);
	return item;
}

void exs_queue_free(struct exs_queue *q)
{
	if (!q)
		return;
	q->plat->cond_destroy(q->not_empty);
	q->plat->cond_destroy(q->not_full);
	q->plat->mutex_destroy(q->lock);
	free(q->slots);
	free(q);
}
