/* run.c -- collecting findings and skipped nodes of a run (see run.h). */
#include "run.h"

#include <stdlib.h>
#include <string.h>

const char *exs_finding_kind_name(enum exs_finding_kind kind)
{
	switch (kind) {
	case EXS_FINDING_WEBSHELL: return "webshell";
	case EXS_FINDING_SUSPICIOUS: return "suspicious";
	case EXS_FINDING_CHANGED: return "changed";
	case EXS_FINDING_ADDED: return "added";
	case EXS_FINDING_REMOVED: return "removed";
	case EXS_FINDING_ERROR: return "error";
	default: return "unknown";
	}
}

const struct exs_generation *exs_run_generation(const struct exs_run *run)
{
	return run->generation_count
		? &run->generations[run->generation_count - 1] : NULL;
}

const char *exs_node_name(enum exs_node node)
{
	switch (node) {
	case EXS_NODE_FILE: return "file";
	case EXS_NODE_DIR: return "dir";
	case EXS_NODE_LINK: return "link";
	case EXS_NODE_FIFO: return "fifo";
	case EXS_NODE_SOCKET: return "socket";
	case EXS_NODE_DEVICE: return "device";
	default: return "unknown";
	}
}

int exs_run_add(struct exs_run *run, const struct exs_finding *f)
{
	if (run->finding_count == run->finding_cap) {
		size_t cap = run->finding_cap ? run->finding_cap * 2 : 64;
		struct exs_finding *grown =
			realloc(run->findings, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		run->findings = grown;
		run->finding_cap = cap;
	}
	char *path = malloc(f->path_len + 1);
	if (!path)
		return EXS_NOMEM;
	memcpy(path, f->path, f->path_len);
	path[f->path_len] = '\0';
	struct exs_finding *dst = &run->findings[run->finding_count++];
	*dst = *f;
	dst->path = path;
	run->counts[f->kind]++;
	return EXS_OK;
}

int exs_run_add_skipped(struct exs_run *run, const char *path, size_t len,
			enum exs_node node)
{
	run->skipped++;
	if (run->skipped_listed == EXS_SKIPPED_LIST_MAX)
		return EXS_OK;
	if (!run->skipped_list) {
		run->skipped_list = calloc(EXS_SKIPPED_LIST_MAX,
					   sizeof(*run->skipped_list));
		if (!run->skipped_list)
			return EXS_NOMEM;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return EXS_NOMEM;
	memcpy(copy, path, len);
	copy[len] = '\0';
	run->skipped_list[run->skipped_listed++] =
		(struct exs_skipped){ copy, len, node };
	return EXS_OK;
}

static int compare_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static int compare_findings(const void *pa, const void *pb)
{
	const struct exs_finding *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return compare_bytes(a->path, a->path_len, b->path, b->path_len);
}

static int compare_skipped(const void *pa, const void *pb)
{
	const struct exs_skipped *a = pa, *b = pb;
	return compare_bytes(a->path, a->path_len, b->path, b->path_len);
}

void exs_run_sort(struct exs_run *run)
{
	if (run->finding_count > 1)
		qsort(run->findings, run->finding_count, sizeof(*run->findings),
		      compare_findings);
	if (run->skipped_listed > 1)
		qsort(run->skipped_list, run->skipped_listed,
		      sizeof(*run->skipped_list), compare_skipped);
}

int exs_run_finding_bits(const struct exs_run *run)
{
	int bits = 0;
	if (run->counts[EXS_FINDING_ADDED])
		bits |= 1;
	if (run->counts[EXS_FINDING_REMOVED])
		bits |= 2;
	if (run->counts[EXS_FINDING_CHANGED])
		bits |= 4;
	/* Suspicious findings share the webshell bit: a scheduled task must
	 * not stay silent about a script where none belongs. */
	if (run->counts[EXS_FINDING_WEBSHELL] || run->counts[EXS_FINDING_SUSPICIOUS])
		bits |= 8;
	return bits;
}

void exs_run_free(struct exs_run *run)
{
	for (size_t i = 0; i < run->finding_count; i++) {
		free(run->findings[i].path);
		free(run->findings[i].message);
		free(run->findings[i].hits);
	}
	free(run->findings);
	for (size_t i = 0; i < run->skipped_listed; i++)
		free(run->skipped_list[i].path);
	free(run->skipped_list);
	exs_strlist_free(&run->warnings);
	free(run->generations);
	run->generations = NULL;
	run->generation_count = 0;
	run->findings = NULL;
	run->skipped_list = NULL;
	run->finding_count = run->finding_cap = run->skipped_listed = 0;
}
