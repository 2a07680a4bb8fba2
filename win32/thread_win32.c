/* thread_win32.c -- threads, mutexes and condition variables on Win32.
 *
 * SRW locks and condition variables (Vista and later) are used rather than
 * critical sections and events: they need no destruction, allocate nothing in
 * the kernel and pair directly (SleepConditionVariableSRW), which is all the
 * work queue needs. Wrapping them in heap objects keeps their layout out of
 * platform.h, whose types stay opaque on every platform.
 */
#include "platform_win32.h"

#include <stdlib.h>

struct exs_thread {
	HANDLE handle;
	void (*fn)(void *);
	void *arg;
};

struct exs_mutex {
	SRWLOCK lock;
};

struct exs_cond {
	CONDITION_VARIABLE variable;
};

static DWORD WINAPI thread_start(LPVOID param)
{
	struct exs_thread *t = param;
	t->fn(t->arg);
	return 0;
}

int exs_win32_thread_create(struct exs_thread **out, void (*fn)(void *),
			    void *arg, struct exs_error *err)
{
	*out = NULL;
	struct exs_thread *t = malloc(sizeof(*t));
	if (!t)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	t->fn = fn;
	t->arg = arg;
	t->handle = CreateThread(NULL, 0, thread_start, t, 0, NULL);
	if (!t->handle) {
		DWORD code = GetLastError();
		free(t);
		return exs_win32_fail(err, code, "CreateThread", NULL);
	}
	*out = t;
	return EXS_OK;
}

void exs_win32_thread_join(struct exs_thread *t)
{
	if (!t)
		return;
	WaitForSingleObject(t->handle, INFINITE);
	CloseHandle(t->handle);
	free(t);
}

int exs_win32_mutex_create(struct exs_mutex **out, struct exs_error *err)
{
	struct exs_mutex *m = malloc(sizeof(*m));
	*out = NULL;
	if (!m)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	InitializeSRWLock(&m->lock);
	*out = m;
	return EXS_OK;
}

void exs_win32_mutex_lock(struct exs_mutex *m)
{
	AcquireSRWLockExclusive(&m->lock);
}

void exs_win32_mutex_unlock(struct exs_mutex *m)
{
	ReleaseSRWLockExclusive(&m->lock);
}

void exs_win32_mutex_destroy(struct exs_mutex *m)
{
	free(m); /* an SRW lock holds no kernel resource */
}

int exs_win32_cond_create(struct exs_cond **out, struct exs_error *err)
{
	struct exs_cond *c = malloc(sizeof(*c));
	*out = NULL;
	if (!c)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	InitializeConditionVariable(&c->variable);
	*out = c;
	return EXS_OK;
}

void exs_win32_cond_wait(struct exs_cond *c, struct exs_mutex *m)
{
	SleepConditionVariableSRW(&c->variable, &m->lock, INFINITE, 0);
}

int exs_win32_cond_timed_wait(struct exs_cond *c, struct exs_mutex *m,
			      unsigned timeout_ms)
{
	/* INFINITE is 0xFFFFFFFF; a caller asking for that many milliseconds
	 * still means "at most", so stay one short of it. */
	DWORD wait = timeout_ms >= INFINITE ? INFINITE - 1 : timeout_ms;
	if (SleepConditionVariableSRW(&c->variable, &m->lock, wait, 0))
		return EXS_OK;
	/* The only other documented failure is ERROR_TIMEOUT; either way the
	 * lock is held again and the caller rechecks its predicate. */
	return GetLastError() == ERROR_TIMEOUT ? EXS_TIMEOUT : EXS_INTERNAL;
}

void exs_win32_cond_signal(struct exs_cond *c)
{
	WakeConditionVariable(&c->variable);
}

void exs_win32_cond_broadcast(struct exs_cond *c)
{
	WakeAllConditionVariable(&c->variable);
}

void exs_win32_cond_destroy(struct exs_cond *c)
{
	free(c);
}
