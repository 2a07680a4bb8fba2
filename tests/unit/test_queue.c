/* test_queue.c -- the bounded queue between walker and workers, with real
 * threads of the native platform.
 *
 * What must hold: every item is delivered exactly once however many threads
 * push and pop; the queue closes when the last producer is done; cancel
 * wakes everybody who is blocked, pushers on a full queue included (a
 * cancelled scan must not hang on a stuck walker); a timed pop times out.
 * A thread that should have been woken and was not is detected with a
 * deadline, so a lost wake-up fails the test instead of hanging it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "platform.h"
#include "queue.h"
#include "test.h"

#define PRODUCERS 4
#define CONSUMERS 3
#define PER_PRODUCER 10000
#define TOTAL (PRODUCERS * PER_PRODUCER)

static const struct exs_platform *plat;

/* Items are the numbers 1..TOTAL disguised as pointers (NULL means closed). */
static void *item_of(unsigned producer, unsigned i)
{
	return (void *)(uintptr_t)(producer * PER_PRODUCER + i + 1);
}

static unsigned number_of(void *p)
{
	return (unsigned)((uintptr_t)p - 1);
}

/* ---- A flag a thread raises and the test waits for, with a deadline ----- */

struct flag {
	struct exs_mutex *m;
	struct exs_cond *c;
	int raised;
};

static int flag_init(struct flag *f)
{
	struct exs_error err;
	f->raised = 0;
	if (plat->mutex_create(&f->m, &err))
		return -1;
	if (plat->cond_create(&f->c, &err)) {
		plat->mutex_destroy(f->m);
		return -1;
	}
	return 0;
}

static void flag_raise(struct flag *f)
{
	plat->mutex_lock(f->m);
	f->raised = 1;
	plat->cond_broadcast(f->c);
	plat->mutex_unlock(f->m);
}

/* 1 if the flag was raised within ms milliseconds. */
static int flag_wait(struct flag *f, unsigned ms)
{
	int64_t deadline = plat->clock_monotonic_ns() + (int64_t)ms * 1000000;
	plat->mutex_lock(f->m);
	while (!f->raised) {
		int64_t left = deadline - plat->clock_monotonic_ns();
		if (left <= 0)
			break;
		plat->cond_timed_wait(f->c, f->m, (unsigned)(left / 1000000) + 1);
	}
	int raised = f->raised;
	plat->mutex_unlock(f->m);
	return raised;
}

static void flag_free(struct flag *f)
{
	plat->cond_destroy(f->c);
	plat->mutex_destroy(f->m);
}

/* Sleeps about ms milliseconds, through the platform. */
static void sleep_ms(unsigned ms)
{
	struct flag f;
	if (flag_init(&f))
		return;
	flag_wait(&f, ms);
	flag_free(&f);
}

/* ---- Many producers, many consumers ------------------------------------ */

struct producer {
	struct exs_queue *q;
	unsigned id;
	int failures;
};

struct consumer {
	struct exs_queue *q;
	unsigned char *seen;     /* TOTAL counters, this consumer's only */
	unsigned last[PRODUCERS];/* last number taken from each producer, +1 */
	int out_of_order;
};

static void produce(void *arg)
{
	struct producer *p = arg;
	for (unsigned i = 0; i < PER_PRODUCER; i++)
		if (exs_queue_push(p->q, item_of(p->id, i)) != EXS_OK)
			p->failures++;
	exs_queue_producer_done(p->q);
}

static void consume(void *arg)
{
	struct consumer *c = arg;
	void *item;
	while ((item = exs_queue_pop(c->q, 0, NULL)) != NULL) {
		unsigned n = number_of(item);
		if (n >= TOTAL)
			continue;
		if (c->seen[n] < 255)
			c->seen[n]++;
		/* The queue is FIFO and each producer pushes in order, so one
		 * consumer sees each producer's items in increasing order. */
		unsigned from = n / PER_PRODUCER;
		if (n + 1 <= c->last[from])
			c->out_of_order++;
		c->last[from] = n + 1;
	}
}

static void test_exactly_once(void)
{
	struct exs_error err;
	struct exs_queue *q;
	/* A small capacity, so that producers block on a full queue and
	 * consumers on an empty one, many times over. */
	ASSERT_EQ(exs_queue_create(plat, 16, PRODUCERS, &q, &err), EXS_OK);
	struct producer prod[PRODUCERS];
	struct consumer cons[CONSUMERS];
	struct exs_thread *threads[PRODUCERS + CONSUMERS];
	size_t started = 0;
	memset(cons, 0, sizeof(cons));
	for (unsigned i = 0; i < CONSUMERS; i++) {
		cons[i].q = q;
		cons[i].seen = calloc(TOTAL, 1);
		ASSERT_TRUE(cons[i].seen != NULL);
	}
	int rc = EXS_OK;
	for (unsigned i = 0; !rc && i < CONSUMERS; i++) {
		rc = plat->thread_create(&threads[started], consume, &cons[i], &err);
		started += !rc;
	}
	for (unsigned i = 0; !rc && i < PRODUCERS; i++) {
		prod[i] = (struct producer){ q, i, 0 };
		rc = plat->thread_create(&threads[started], produce, &prod[i], &err);
		started += !rc;
	}
	if (rc)
		exs_queue_cancel(q);  /* let the started threads finish */
	for (size_t i = 0; i < started; i++)
		plat->thread_join(threads[i]);
	ASSERT_EQ(rc, EXS_OK);

	int failures = 0, out_of_order = 0;
	unsigned missing = 0, duplicated = 0;
	for (unsigned i = 0; i < PRODUCERS; i++)
		failures += prod[i].failures;
	for (unsigned n = 0; n < TOTAL; n++) {
		unsigned times = 0;
		for (unsigned c = 0; c < CONSUMERS; c++)
			times += cons[c].seen[n];
		missing += times == 0;
		duplicated += times > 1;
	}
	unsigned busy = 0;
	for (unsigned c = 0; c < CONSUMERS; c++) {
		out_of_order += cons[c].out_of_order;
		for (unsigned n = 0; n < TOTAL; n++)
			if (cons[c].seen[n]) {
				busy++;
				break;
			}
		free(cons[c].seen);
	}
	ASSERT_TRUE(exs_queue_drain(q) == NULL);
	exs_queue_free(q);
	ASSERT_EQ(failures, 0);
	ASSERT_EQ(missing, 0);
	ASSERT_EQ(duplicated, 0);
	ASSERT_EQ(out_of_order, 0);
	ASSERT_TRUE(busy >= 1);
}

/* ---- Closing ------------------------------------------------------------ */

static void test_producer_done_closes(void)
{
	struct exs_error err;
	struct exs_queue *q;
	int timed_out = -1;
	ASSERT_EQ(exs_queue_create(plat, 4, 2, &q, &err), EXS_OK);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 0)), EXS_OK);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 1)), EXS_OK);
	exs_queue_producer_done(q);
	/* One producer left: still open, so an empty queue makes pop wait. */
	ASSERT_TRUE(exs_queue_pop(q, 10, &timed_out) == item_of(0, 0));
	ASSERT_EQ(timed_out, 0);
	ASSERT_TRUE(exs_queue_pop(q, 10, &timed_out) == item_of(0, 1));
	ASSERT_TRUE(exs_queue_pop(q, 10, &timed_out) == NULL);
	ASSERT_EQ(timed_out, 1);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 2)), EXS_OK);
	exs_queue_producer_done(q);
	/* Closed: what is left is still delivered, then NULL at once. */
	ASSERT_EQ(exs_queue_push(q, item_of(0, 3)), EXS_INVAL);
	ASSERT_TRUE(exs_queue_pop(q, 0, &timed_out) == item_of(0, 2));
	ASSERT_TRUE(exs_queue_pop(q, 0, &timed_out) == NULL);
	ASSERT_EQ(timed_out, 0);
	ASSERT_TRUE(exs_queue_pop(q, 1000, &timed_out) == NULL);
	ASSERT_EQ(timed_out, 0);   /* closed, not timed out */
	/* An extra producer_done does not wrap the count around. */
	exs_queue_producer_done(q);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 4)), EXS_INVAL);
	exs_queue_free(q);
}

struct popper {
	struct exs_queue *q;
	unsigned timeout_ms;
	void *got;
	int timed_out;
	struct flag started, done;
};

static void pop_once(void *arg)
{
	struct popper *p = arg;
	flag_raise(&p->started);
	p->got = exs_queue_pop(p->q, p->timeout_ms, &p->timed_out);
	flag_raise(&p->done);
}

static void test_last_producer_done_wakes_poppers(void)
{
	struct exs_error err;
	struct exs_queue *q;
	struct popper p = { 0 };
	struct exs_thread *t;
	ASSERT_EQ(exs_queue_create(plat, 4, 1, &q, &err), EXS_OK);
	ASSERT_EQ(flag_init(&p.started), 0);
	ASSERT_EQ(flag_init(&p.done), 0);
	p.q = q;
	p.got = item_of(0, 0);
	ASSERT_EQ(plat->thread_create(&t, pop_once, &p, &err), EXS_OK);
	ASSERT_TRUE(flag_wait(&p.started, 5000));
	sleep_ms(50);                 /* let it block in pop */
	ASSERT_EQ(flag_wait(&p.done, 0), 0);
	exs_queue_producer_done(q);
	ASSERT_TRUE(flag_wait(&p.done, 5000));  /* else: lost wake-up */
	plat->thread_join(t);
	ASSERT_TRUE(p.got == NULL);
	ASSERT_EQ(p.timed_out, 0);
	flag_free(&p.started);
	flag_free(&p.done);
	exs_queue_free(q);
}

/* ---- Cancel ------------------------------------------------------------- */

struct pusher {
	struct exs_queue *q;
	int rc;
	struct flag started, done;
};

static void push_once(void *arg)
{
	struct pusher *p = arg;
	flag_raise(&p->started);
	p->rc = exs_queue_push(p->q, item_of(1, 1));
	flag_raise(&p->done);
}

static void test_cancel_wakes_blocked_pusher(void)
{
	struct exs_error err;
	struct exs_queue *q;
	struct pusher p = { 0 };
	struct exs_thread *t;
	ASSERT_EQ(exs_queue_create(plat, 1, 1, &q, &err), EXS_OK);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 0)), EXS_OK);  /* now full */
	ASSERT_EQ(flag_init(&p.started), 0);
	ASSERT_EQ(flag_init(&p.done), 0);
	p.q = q;
	p.rc = -1;
	ASSERT_EQ(plat->thread_create(&t, push_once, &p, &err), EXS_OK);
	ASSERT_TRUE(flag_wait(&p.started, 5000));
	sleep_ms(50);
	ASSERT_EQ(flag_wait(&p.done, 0), 0);   /* blocked on the full queue */
	exs_queue_cancel(q);
	ASSERT_TRUE(flag_wait(&p.done, 5000)); /* else: cancel did not wake it */
	plat->thread_join(t);
	ASSERT_EQ(p.rc, EXS_INVAL);            /* the item was not taken */
	/* After cancel, pop gives nothing and the item inside is drained. */
	int timed_out = -1;
	ASSERT_TRUE(exs_queue_pop(q, 0, &timed_out) == NULL);
	ASSERT_EQ(timed_out, 0);
	ASSERT_TRUE(exs_queue_drain(q) == item_of(0, 0));
	ASSERT_TRUE(exs_queue_drain(q) == NULL);
	ASSERT_EQ(exs_queue_push(q, item_of(0, 2)), EXS_INVAL);
	flag_free(&p.started);
	flag_free(&p.done);
	exs_queue_free(q);
}

static void test_cancel_wakes_blocked_poppers(void)
{
	struct exs_error err;
	struct exs_queue *q;
	struct popper p[2];
	struct exs_thread *t[2];
	ASSERT_EQ(exs_queue_create(plat, 4, 1, &q, &err), EXS_OK);
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(flag_init(&p[i].started), 0);
		ASSERT_EQ(flag_init(&p[i].done), 0);
		p[i].q = q;
		p[i].got = item_of(0, 0);
		/* One waits forever, one with a timeout far beyond the test. */
		p[i].timeout_ms = i == 0 ? 0 : 600000;
		ASSERT_EQ(plat->thread_create(&t[i], pop_once, &p[i], &err),
			  EXS_OK);
	}
	for (int i = 0; i < 2; i++)
		ASSERT_TRUE(flag_wait(&p[i].started, 5000));
	sleep_ms(50);
	exs_queue_cancel(q);
	for (int i = 0; i < 2; i++)
		ASSERT_TRUE(flag_wait(&p[i].done, 5000));
	for (int i = 0; i < 2; i++) {
		plat->thread_join(t[i]);
		ASSERT_TRUE(p[i].got == NULL);
		ASSERT_EQ(p[i].timed_out, 0);
		flag_free(&p[i].started);
		flag_free(&p[i].done);
	}
	exs_queue_free(q);
}

static void test_cancel_keeps_items_for_drain(void)
{
	struct exs_error err;
	struct exs_queue *q;
	ASSERT_EQ(exs_queue_create(plat, 8, 1, &q, &err), EXS_OK);
	for (unsigned i = 0; i < 3; i++)
		ASSERT_EQ(exs_queue_push(q, item_of(0, i)), EXS_OK);
	exs_queue_cancel(q);
	ASSERT_TRUE(exs_queue_pop(q, 0, NULL) == NULL);
	for (unsigned i = 0; i < 3; i++)
		ASSERT_TRUE(exs_queue_drain(q) == item_of(0, i));
	ASSERT_TRUE(exs_queue_drain(q) == NULL);
	exs_queue_free(q);
}

/* ---- Timeouts ----------------------------------------------------------- */

static void test_pop_timeout(void)
{
	struct exs_error err;
	struct exs_queue *q;
	int timed_out = -1;
	ASSERT_EQ(exs_queue_create(plat, 2, 1, &q, &err), EXS_OK);
	int64_t t0 = plat->clock_monotonic_ns();
	ASSERT_TRUE(exs_queue_pop(q, 60, &timed_out) == NULL);
	int64_t waited = plat->clock_monotonic_ns() - t0;
	ASSERT_EQ(timed_out, 1);
	ASSERT_TRUE(waited >= 59 * 1000000LL);  /* not early */
	ASSERT_TRUE(waited < 10000 * 1000000LL); /* and not forever */
	/* An item already there comes back at once, without a timeout. */
	ASSERT_EQ(exs_queue_push(q, item_of(0, 7)), EXS_OK);
	ASSERT_TRUE(exs_queue_pop(q, 60, &timed_out) == item_of(0, 7));
	ASSERT_EQ(timed_out, 0);
	/* timed_out may be NULL. */
	ASSERT_TRUE(exs_queue_pop(q, 1, NULL) == NULL);
	exs_queue_free(q);
}

static void test_timed_pop_gets_late_item(void)
{
	/* An item pushed while a consumer waits with a timeout is delivered,
	 * not reported as a timeout. */
	struct exs_error err;
	struct exs_queue *q;
	struct popper p = { 0 };
	struct exs_thread *t;
	ASSERT_EQ(exs_queue_create(plat, 2, 1, &q, &err), EXS_OK);
	ASSERT_EQ(flag_init(&p.started), 0);
	ASSERT_EQ(flag_init(&p.done), 0);
	p.q = q;
	p.timeout_ms = 600000;
	p.timed_out = -1;
	ASSERT_EQ(plat->thread_create(&t, pop_once, &p, &err), EXS_OK);
	ASSERT_TRUE(flag_wait(&p.started, 5000));
	sleep_ms(30);
	ASSERT_EQ(exs_queue_push(q, item_of(2, 5)), EXS_OK);
	ASSERT_TRUE(flag_wait(&p.done, 5000));
	plat->thread_join(t);
	ASSERT_TRUE(p.got == item_of(2, 5));
	ASSERT_EQ(p.timed_out, 0);
	flag_free(&p.started);
	flag_free(&p.done);
	exs_queue_free(q);
}

int main(void)
{
	plat = exs_platform_native();
	RUN(test_exactly_once);
	RUN(test_producer_done_closes);
	RUN(test_last_producer_done_wakes_poppers);
	RUN(test_cancel_wakes_blocked_pusher);
	RUN(test_cancel_wakes_blocked_poppers);
	RUN(test_cancel_keeps_items_for_drain);
	RUN(test_pop_timeout);
	RUN(test_timed_pop_gets_late_item);
	return TEST_EXIT();
}
