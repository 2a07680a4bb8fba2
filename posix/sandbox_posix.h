/* sandbox_posix.h -- the scan worker's sandbox on Linux, shared between
 * sandbox_posix.c (processes, rights) and seccomp_posix.c (the filter),
 * and filled into the platform table by platform_posix.c. */
#ifndef EXS_SANDBOX_POSIX_H
#define EXS_SANDBOX_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"

int exs_posix_worker_start(const char *user, uint64_t memory,
			   struct exs_shared *shared, struct exs_worker **out,
			   struct exs_error *err);
int exs_posix_shared_create(size_t size, struct exs_shared **out, void **addr,
			    struct exs_error *err);
void exs_posix_shared_free(struct exs_shared *sh);
int exs_posix_channel_shared(const void **addr, size_t *size);
int exs_posix_worker_send(struct exs_worker *w, const void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err);
int exs_posix_worker_recv(struct exs_worker *w, void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err);
void exs_posix_worker_stop(struct exs_worker *w, char *why, size_t cap);
int exs_posix_sandbox_enter(const char *arg, struct exs_error *err);
int exs_posix_channel_read(void *buf, size_t len);
int exs_posix_channel_write(const void *buf, size_t len);

/* Installs the worker's seccomp-BPF allow-list (seccomp_posix.c).
 * EXS_SANDBOX where the kernel or the architecture has none. */
int exs_posix_seccomp_install(struct exs_error *err);

#endif
