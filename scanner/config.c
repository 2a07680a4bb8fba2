/* config.c -- exsweep's settings: defaults, the INI file, the dump and the
 * sample, all generated from the key table in config.def.
 *
 * Parsing goes through inih's ini_parse_stream with our own line reader. The
 * reader counts lines (a stock libinih does not pass them to the handler),
 * rejects lines longer than inih's buffer instead of letting inih split them,
 * and classifies each line the way inih will, so that the handler can tell a
 * continuation line from a key line and every error gets its FILE:LINE.
 * A load parses into a copy of the configuration and swaps it in only when the
 * whole file was good, so an error never leaves a half-applied configuration.
 */
#include "config.h"

#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

/* Longest value accepted, in bytes after unquoting: a path of PATH_MAX, and
 * what the command line may set too, so that every value exsweep holds can
 * be written back by the dump and read again. */
#define CONFIG_VALUE_MAX 4096

/* Longest line accepted, in bytes without the line break: a value of the
 * longest kind, quoted, after a key, with room for blanks and a comment.
 * inih (Debian's libinih) reads lines into INI_MAX_LINE (200) bytes and would
 * split a longer one silently, so our reader hands inih a short stand-in for
 * a long line (config_read_line) and the handler takes the value from the
 * reader: the library's buffer sets no limit on ours. */
#define CONFIG_LINE_MAX (2 * CONFIG_VALUE_MAX)

#define CONFIG_STRINGIFY_(x) #x
#define CONFIG_STRINGIFY(x) CONFIG_STRINGIFY_(x)

/* Largest configuration file read; anything bigger is not a config file. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* Width of the comment text in the sample, so it reads well in Notepad. */
#define SAMPLE_WIDTH 78

/* Where EXS_PLACE_DATA_DIR usually is, for the sample only: the defaults
 * themselves ask the platform (%ProgramData% is C:\ProgramData unless moved). */
#define SAMPLE_DATA_DIR_POSIX "/var/lib/exsweep"
#define SAMPLE_DATA_DIR_WINDOWS "C:\\ProgramData\\exsweep"

enum key_type {
	KEY_PATH_LIST,
	KEY_PATH,
	KEY_DATA_FILE,
	KEY_BOOL,
	KEY_UNSIGNED,
	KEY_SIZE,
	KEY_SECONDS,
};

struct key_spec {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;             /* of the member in struct exs_config */
	uint64_t minimum;
	uint64_t maximum;
	const char *posix_default;
	const char *windows_default;
	const char *help;
};

static const struct key_spec key_specs[] = {
#define EXS_CONFIG_KEY(section, name, type, member, minimum, maximum,       \
		       posix_default, windows_default, help)                \
	{ #section, #name, KEY_##type, offsetof(struct exs_config, member),  \
	  minimum, maximum, posix_default, windows_default, help },
#include "config.def"
};

#define KEY_COUNT (sizeof(key_specs) / sizeof(key_specs[0]))

/* The generic code reaches members through offsets; these checks make the
 * compiler refuse a row whose type does not fit its member. */
#define MEMBER_(member) (((struct exs_config *)0)->member)
#define MEMBER_FITS_PATH_LIST(m) _Generic(MEMBER_(m), struct exs_strlist: 1, default: 0)
#define MEMBER_FITS_PATH(m) _Generic(MEMBER_(m), char *: 1, default: 0)
#define MEMBER_FITS_DATA_FILE(m) MEMBER_FITS_PATH(m)
#define MEMBER_FITS_BOOL(m) _Generic(MEMBER_(m), int: 1, default: 0)
#define MEMBER_FITS_UNSIGNED(m) _Generic(MEMBER_(m), unsigned: 1, default: 0)
#define MEMBER_FITS_SIZE(m) _Generic(MEMBER_(m), uint64_t: 1, default: 0)
#define MEMBER_FITS_SECONDS(m) MEMBER_FITS_UNSIGNED(m)
#define EXS_CONFIG_KEY(section, name, type, member, minimum, maximum,       \
		       posix_default, windows_default, help)                \
	_Static_assert(MEMBER_FITS_##type(member),                          \
		       "config.def: member " #member " does not fit " #type);
#include "config.def"

const char *const exs_default_excludes[] = {
#define EXS_CONFIG_DEFAULT_EXCLUDE(pattern, why) pattern,
#include "config.def"
	NULL
};

static const char *const default_exclude_reasons[] = {
#define EXS_CONFIG_DEFAULT_EXCLUDE(pattern, why) why,
#include "config.def"
	NULL
};

/* -- Small helpers: ISO C has no strdup, strcasecmp or isspace for bytes --- */

static char *text_copy(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int same_word(const char *a, const char *b)
{
	while (*a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

static struct exs_strlist *member_list(struct exs_config *cfg,
				       const struct key_spec *k)
{
	return (struct exs_strlist *)(void *)((char *)cfg + k->offset);
}

static char **member_text(struct exs_config *cfg, const struct key_spec *k)
{
	return (char **)(void *)((char *)cfg + k->offset);
}

static int *member_int(struct exs_config *cfg, const struct key_spec *k)
{
	return (int *)(void *)((char *)cfg + k->offset);
}

static unsigned *member_unsigned(struct exs_config *cfg,
				 const struct key_spec *k)
{
	return (unsigned *)(void *)((char *)cfg + k->offset);
}

static uint64_t *member_u64(struct exs_config *cfg, const struct key_spec *k)
{
	return (uint64_t *)(void *)((char *)cfg + k->offset);
}

static const struct key_spec *key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!strcmp(key_specs[i].section, section) &&
		    !strcmp(key_specs[i].name, name))
			return &key_specs[i];
	return NULL;
}

static int section_known(const char *section)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!strcmp(key_specs[i].section, section))
			return 1;
	return 0;
}

/* -- Values ---------------------------------------------------------------- */

/* Reads a run of decimal digits; 0 if there is none or it overflows. */
static int parse_digits(const char **text, uint64_t *out)
{
	const char *s = *text;
	uint64_t value = 0;
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned digit = (unsigned)(*s - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return 0;
		value = value * 10 + digit;
	}
	*text = s;
	*out = value;
	return 1;
}

/* Multiplies *value by the unit the one-letter suffix names (letters[i] for
 * multipliers[i], any case); 0 for an unknown suffix or an overflow. No
 * suffix means no unit. */
static int apply_suffix(const char *suffix, uint64_t *value,
			const char *letters, const uint64_t *multipliers)
{
	if (*suffix == '\0')
		return 1;
	if (suffix[1] != '\0')
		return 0;
	const char *found = strchr(letters, ascii_lower((unsigned char)*suffix));
	if (!found)
		return 0;
	uint64_t unit = multipliers[found - letters];
	if (*value > UINT64_MAX / unit)
		return 0;
	*value *= unit;
	return 1;
}

/* EXS_INVAL for anything but digits and one unit letter; EXS_LIMIT when the
 * size does not fit in 64 bits. */
int exs_config_parse_size(const char *text, uint64_t *out)
{
	static const uint64_t units[] = { 1ull << 10, 1ull << 20, 1ull << 30,
					  1ull << 40 };
	uint64_t value;
	if (!text)
		return EXS_INVAL;
	const char *suffix = text;
	if (!parse_digits(&suffix, &value)) {
		/* parse_digits stops on a digit only when the number overflows */
		return *text >= '0' && *text <= '9' ? EXS_LIMIT : EXS_INVAL;
	}
	if (!apply_suffix(suffix, &value, "kmgt", units)) {
		int unit_letter = suffix[1] == '\0' &&
				  strchr("kmgt", ascii_lower((unsigned char)*suffix));
		return unit_letter ? EXS_LIMIT : EXS_INVAL;
	}
	*out = value;
	return EXS_OK;
}

static int parse_seconds(const char *text, uint64_t *out)
{
	static const uint64_t units[] = { 1, 60, 3600 };
	uint64_t value;
	if (!parse_digits(&text, &value) ||
	    !apply_suffix(text, &value, "smh", units))
		return 0;
	*out = value;
	return 1;
}

/* "16M" for 16 MiB; bytes when no unit divides the value. */
static void format_size(uint64_t value, char *buf, size_t cap)
{
	static const char letters[] = "TGMK";
	for (int i = 0; i < 4; i++) {
		uint64_t unit = 1ull << (10 * (4 - i));
		if (value && value % unit == 0) {
			snprintf(buf, cap, "%llu%c",
				 (unsigned long long)(value / unit), letters[i]);
			return;
		}
	}
	snprintf(buf, cap, "%llu", (unsigned long long)value);
}

/* What a key accepts, for error messages and the sample; writes into buf. */
static const char *key_expects(const struct key_spec *k, char *buf, size_t cap)
{
	char low[32], high[32];
	switch (k->type) {
	case KEY_BOOL:
		return "yes or no";
	case KEY_UNSIGNED:
		snprintf(buf, cap, "a whole number from %llu to %llu",
			 (unsigned long long)k->minimum,
			 (unsigned long long)k->maximum);
		return buf;
	case KEY_SIZE:
		format_size(k->minimum, low, sizeof(low));
		format_size(k->maximum, high, sizeof(high));
		snprintf(buf, cap, "a size from %s to %s, such as 16M", low,
			 high);
		return buf;
	case KEY_SECONDS:
		snprintf(buf, cap, "seconds from %llu to %llu, such as 90 or 2m",
			 (unsigned long long)k->minimum,
			 (unsigned long long)k->maximum);
		return buf;
	default:
		return "a path";
	}
}

/* Sets one value of key k: adds an item for a list key, replaces the value
 * otherwise. Returns EXS_OK, EXS_NOMEM, or EXS_CONFIG with the reason in
 * detail. value has been trimmed and unquoted. */
static int key_apply(struct exs_config *cfg, const struct key_spec *k,
		     const char *value, char *detail, size_t cap)
{
	uint64_t number = 0;
	int ok = 1;
	size_t len = strlen(value);
	if ((k->type == KEY_PATH_LIST || k->type == KEY_PATH ||
	     k->type == KEY_DATA_FILE) && len > CONFIG_VALUE_MAX) {
		snprintf(detail, cap, "value of %s is too long: %lu bytes, at "
			 "most %d", k->name, (unsigned long)len,
			 CONFIG_VALUE_MAX);
		return EXS_CONFIG;
	}
	switch (k->type) {
	case KEY_PATH_LIST:
		/* An empty value adds nothing: "root =" empties the list. */
		if (*value == '\0')
			return EXS_OK;
		if (k->offset == offsetof(struct exs_config, excludes)) {
			/* Compiled here as the walker will, so that a bad
			 * pattern is an error with its FILE:LINE. */
			struct exs_pattern pattern;
			int status = exs_pattern_compile(value, &pattern);
			exs_pattern_free(&pattern);
			if (status == EXS_NOMEM)
				return EXS_NOMEM;
			if (status) {
				snprintf(detail, cap, "invalid exclude pattern "
					 "'%s'%s", value,
					 strspn(value, "/\\") == len
					 ? ": it names no folder or file, only "
					   "separators" : "");
				return EXS_CONFIG;
			}
		}
		if (k->offset == offsetof(struct exs_config, report_formats) &&
		    strcmp(value, "json") != 0 && strcmp(value, "ndjson") != 0) {
			snprintf(detail, cap, "unknown report format '%s' "
				 "(json or ndjson)", value);
			return EXS_CONFIG;
		}
		return exs_strlist_add_str(member_list(cfg, k), value);
	case KEY_DATA_FILE:
		/* There is no baseline without a file: empty is not "none". */
		if (*value == '\0') {
			ok = 0;
			break;
		}
		/* fall through */
	case KEY_PATH: {
		char *copy = NULL;
		if (*value && !(copy = text_copy(value, strlen(value))))
			return EXS_NOMEM;
		free(*member_text(cfg, k));
		*member_text(cfg, k) = copy;
		return EXS_OK;
	}
	case KEY_BOOL:
		if (same_word(value, "yes") || same_word(value, "true") ||
		    same_word(value, "on") || same_word(value, "1")) {
			*member_int(cfg, k) = 1;
			return EXS_OK;
		}
		if (same_word(value, "no") || same_word(value, "false") ||
		    same_word(value, "off") || same_word(value, "0")) {
			*member_int(cfg, k) = 0;
			return EXS_OK;
		}
		ok = 0;
		break;
	case KEY_UNSIGNED: {
		const char *end = value;
		ok = parse_digits(&end, &number) && *end == '\0';
		break;
	}
	case KEY_SIZE:
		ok = exs_config_parse_size(value, &number) == EXS_OK;
		break;
	case KEY_SECONDS:
		ok = parse_seconds(value, &number);
		break;
	}
	if (ok && (number < k->minimum || number > k->maximum))
		ok = 0;
	if (!ok) {
		char expects[96];
		snprintf(detail, cap, "invalid value '%s' for %s: expected %s",
			 value, k->name, key_expects(k, expects, sizeof(expects)));
		return EXS_CONFIG;
	}
	if (k->type == KEY_SIZE)
		*member_u64(cfg, k) = number;
	else
		*member_unsigned(cfg, k) = (unsigned)number;
	return EXS_OK;
}

/* -- Defaults, copies, freeing --------------------------------------------- */

void exs_config_free(struct exs_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_spec *k = &key_specs[i];
		if (k->type == KEY_PATH_LIST)
			exs_strlist_free(member_list(cfg, k));
		else if (k->type == KEY_PATH || k->type == KEY_DATA_FILE)
			free(*member_text(cfg, k));
	}
	free(cfg->source);
	memset(cfg, 0, sizeof(*cfg));
}

/* Deep copy of src into dst, which is overwritten. */
static int config_copy(struct exs_config *dst, const struct exs_config *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_spec *k = &key_specs[i];
		struct exs_config *from = (struct exs_config *)src;
		if (k->type == KEY_PATH_LIST) {
			const struct exs_strlist *list = member_list(from, k);
			for (size_t j = 0; j < list->count; j++)
				if (exs_strlist_add_str(member_list(dst, k),
							list->items[j]))
					goto nomem;
		} else if (k->type == KEY_PATH || k->type == KEY_DATA_FILE) {
			const char *text = *member_text(from, k);
			if (text && !(*member_text(dst, k) =
					      text_copy(text, strlen(text))))
				goto nomem;
		} else if (k->type == KEY_SIZE) {
			*member_u64(dst, k) = *member_u64(from, k);
		} else if (k->type == KEY_BOOL) {
			*member_int(dst, k) = *member_int(from, k);
		} else {
			*member_unsigned(dst, k) = *member_unsigned(from, k);
		}
	}
	if (src->source &&
	    !(dst->source = text_copy(src->source, strlen(src->source))))
		goto nomem;
	return EXS_OK;
nomem:
	exs_config_free(dst);
	return EXS_NOMEM;
}

int exs_config_init(struct exs_config *cfg, const struct exs_platform *plat,
		    struct exs_error *err)
{
	int windows = plat->path_separator == '\\';
	char data_dir[4096];
	char detail[EXS_ERROR_DETAIL_MAX];
	int status;

	memset(cfg, 0, sizeof(*cfg));
	status = plat->place(EXS_PLACE_DATA_DIR, data_dir, sizeof(data_dir), err);
	if (status)
		return status;
	data_dir[sizeof(data_dir) - 1] = '\0';
	size_t dir_len = strlen(data_dir);
	/* Do not double the separator of a data folder such as "C:\". */
	int add_separator = dir_len && data_dir[dir_len - 1] != '/' &&
			    data_dir[dir_len - 1] != plat->path_separator;

	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_spec *k = &key_specs[i];
		const char *text = windows ? k->windows_default : k->posix_default;
		if (k->type == KEY_DATA_FILE) {
			/* DATA_DIR SEP NAME; dir_len stays the folder's length
			 * for every data file. */
			size_t len = strlen(text), at = dir_len;
			char *path = malloc(dir_len + 1 + len + 1);
			if (!path)
				goto nomem;
			memcpy(path, data_dir, dir_len);
			if (add_separator)
				path[at++] = plat->path_separator;
			memcpy(path + at, text, len + 1);
			*member_text(cfg, k) = path;
			continue;
		}
		/* The same parser as the file, one list item per line. */
		do {
			const char *end = strchr(text, '\n');
			size_t len = end ? (size_t)(end - text) : strlen(text);
			char *item = text_copy(text, len);
			if (!item)
				goto nomem;
			status = key_apply(cfg, k, item, detail, sizeof(detail));
			free(item);
			if (status == EXS_NOMEM)
				goto nomem;
			if (status) {
				exs_config_free(cfg);
				return exs_failf(err, EXS_INTERNAL, 0, NULL,
						 "config.def", "%s", detail);
			}
			text = end ? end + 1 : NULL;
		} while (text);
	}
	return EXS_OK;
nomem:
	exs_config_free(cfg);
	return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
}

/* -- Parsing ---------------------------------------------------------------- */

enum line_kind {
	LINE_BLANK,
	LINE_COMMENT,
	LINE_SECTION,
	LINE_KEY,
	LINE_CONTINUATION, /* indented line right after a key: more value */
	LINE_BAD,
};

struct config_parse {
	struct exs_config *cfg;        /* the copy being filled */
	const char *text;
	size_t len;
	size_t pos;                    /* start of the next line */
	int line;                      /* lines handed to inih so far */
	enum line_kind kind;           /* of the current line */
	int after_key;                 /* inih would continue the last key */
	char line_buf[CONFIG_LINE_MAX + 1]; /* the current line, NUL-ended */
	const char *value;             /* its raw value (key or continuation
					* line), in line_buf; NULL otherwise */
	unsigned char list_seen[KEY_COUNT]; /* list key met in this file */
	int error_line;                /* first error found, 0 if none */
	int error_status;
	char error_detail[EXS_ERROR_DETAIL_MAX];
};

EXS_PRINTF(4, 5)
static int parse_fail(struct config_parse *p, int line, int status,
		      const char *fmt, ...)
{
	/* Only the first error counts: later ones may follow from it. */
	if (!p->error_line) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->error_detail, sizeof(p->error_detail), fmt, ap);
		va_end(ap);
		p->error_line = line;
		p->error_status = status;
	}
	return 0;
}

/* Where inih's find_chars_or_comment stops: at one of chars, or at a ';'
 * that follows whitespace (an inline comment), or at the end. */
static char *find_stop(char *s, const char *chars)
{
	int was_space = 0;
	while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = is_blank(*s);
		s++;
	}
	return s;
}

/* Decides what inih will make of the line, in the order inih decides it,
 * and reports unknown sections (inih does not tell the handler about them)
 * and lines inih will reject. Sets p->value for a key or continuation line,
 * and for a key line *name_end (the name is line[..*name_end), untrimmed).
 * The section name is cut out with a NUL for the check, then restored. */
static void classify_line(struct config_parse *p, char *line, char **name,
			  char **name_end)
{
	char *start = line;
	p->value = NULL;
	if (p->line == 1 && !strncmp(start, "\xEF\xBB\xBF", 3))
		start += 3; /* inih skips a UTF-8 byte order mark */
	char *first = start;
	while (is_blank(*start))
		start++;

	if (*start == '\0') {
		p->kind = LINE_BLANK;
	} else if (*start == ';' || *start == '#') {
		p->kind = LINE_COMMENT;
	} else if (p->after_key && start > first) {
		p->kind = LINE_CONTINUATION;
		p->value = start;
	} else if (*start == '[') {
		char *end = find_stop(start + 1, "]");
		if (*end != ']') {
			p->kind = LINE_BAD;
			parse_fail(p, p->line, EXS_CONFIG,
				   "missing ']' after section name");
			return;
		}
		p->kind = LINE_SECTION;
		p->after_key = 0;
		*name = start + 1;
		*name_end = end;
		*end = '\0';
		if (!section_known(start + 1))
			parse_fail(p, p->line, EXS_CONFIG,
				   "unknown section [%s]", start + 1);
		*end = ']';
	} else {
		char *end = find_stop(start, "=:");
		if (*end != '=' && *end != ':') {
			p->kind = LINE_BAD;
			parse_fail(p, p->line, EXS_CONFIG,
				   "expected 'key = value' or '[section]'");
			return;
		}
		p->kind = LINE_KEY;
		p->after_key = end > start;
		p->value = end + 1;
		*name = start;
		*name_end = end;
	}
}

/* What inih is given for a line too long for its buffer: a line it reads
 * the same way (same kind, same section or key name) whose value the
 * handler ignores, taking p->value instead. 0 when none fits in cap, which
 * only an absurd section or key name needs. */
static int stand_in(const struct config_parse *p, const char *name,
		    const char *name_end, char *str, size_t cap)
{
	size_t n = name ? (size_t)(name_end - name) : 0;
	while (n && is_blank(name[n - 1]))
		n--;
	switch (p->kind) {
	case LINE_SECTION:
		return snprintf(str, cap, "[%.*s]\n", (int)n, name) < (int)cap;
	case LINE_KEY:
		return n > 0 && snprintf(str, cap, "%.*s=\n", (int)n, name) < (int)cap;
	case LINE_CONTINUATION:
		return snprintf(str, cap, " -\n") < (int)cap;
	case LINE_COMMENT:
		return snprintf(str, cap, ";\n") < (int)cap;
	default:
		return snprintf(str, cap, "\n") < (int)cap;
	}
}

/* inih's fgets-style reader over the buffer: one line per call. */
static char *config_read_line(char *str, int num, void *stream)
{
	struct config_parse *p = stream;
	/* After the first error the rest is not worth parsing. */
	if (p->error_line || p->pos >= p->len || num < 8)
		return NULL;

	const char *start = p->text + p->pos;
	size_t rest = p->len - p->pos;
	const char *newline = memchr(start, '\n', rest);
	size_t consumed = newline ? (size_t)(newline - start) + 1 : rest;
	size_t content = newline ? consumed - 1 : consumed;
	if (content && start[content - 1] == '\r')
		content--;

	p->line++;
	p->pos += consumed;
	if (content > CONFIG_LINE_MAX) {
		/* %lu, not %zu: mingw checks formats against msvcrt's printf */
		parse_fail(p, p->line, EXS_CONFIG,
			   "line is too long: %lu bytes, at most %lu",
			   (unsigned long)content, (unsigned long)CONFIG_LINE_MAX);
		return NULL;
	}
	memcpy(p->line_buf, start, content);
	p->line_buf[content] = '\0';
	char *name = NULL, *name_end = NULL;
	classify_line(p, p->line_buf, &name, &name_end);
	if (p->error_line)
		return NULL;
	/* inih needs room for the line, its '\n' and a NUL. */
	if (content + 2 <= (size_t)num) {
		memcpy(str, start, content);
		str[content] = '\n';
		str[content + 1] = '\0';
		return str;
	}
	if (!stand_in(p, name, name_end, str, (size_t)num)) {
		parse_fail(p, p->line, EXS_CONFIG, "unknown key '%.40s...'",
			   name ? name : "");
		return NULL;
	}
	return str;
}

/* Copies a raw value into buf (cap > CONFIG_LINE_MAX), returning its length.
 * A value that begins and ends with a double quote is taken as written
 * between them: ';', '#' and blanks inside are part of it, which lets any
 * value be written back (exs_config_dump quotes what needs it). Otherwise
 * an inline comment (a ';' after a blank) ends it, surrounding blanks go,
 * and one pair of enclosing quotes is still removed ("x" ; comment). */
static size_t clean_value(const char *value, char *buf, size_t cap)
{
	size_t len;
	while (is_blank(*value))
		value++;
	len = strlen(value);
	while (len && is_blank(value[len - 1]))
		len--;
	if (!(len >= 2 && value[0] == '"' && value[len - 1] == '"')) {
		int was_space = 0;
		for (len = 0; value[len] && !(was_space && value[len] == ';'); len++)
			was_space = is_blank(value[len]);
		while (len && is_blank(value[len - 1]))
			len--;
	}
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value++;
		len -= 2;
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, value, len);
	buf[len] = '\0';
	return len;
}

/* An indented "[yara]" or "threads = 4" after a list key would, by inih's
 * rules, silently become one more path in the list; refuse it instead. */
static int looks_like_setting(const char *value)
{
	if (value[0] == '[')
		return strchr(value, ']') != NULL;
	const char *equals = strchr(value, '=');
	if (!equals)
		return 0;
	size_t len = (size_t)(equals - value);
	while (len && is_blank(value[len - 1]))
		len--;
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strlen(key_specs[i].name) == len &&
		    !memcmp(key_specs[i].name, value, len))
			return 1;
	return 0;
}

static int config_handle(void *user, const char *section, const char *name,
			 const char *value)
{
	struct config_parse *p = user;
	char clean[CONFIG_LINE_MAX + 1];
	char detail[EXS_ERROR_DETAIL_MAX];

	if (p->error_line)
		return 1;
	if (!name[0])
		return parse_fail(p, p->line, EXS_CONFIG,
				  "missing key name before '='");
	if (!section[0])
		return parse_fail(p, p->line, EXS_CONFIG,
				  "key '%s' comes before any [section]", name);
	const struct key_spec *k = key_find(section, name);
	if (!k) {
		if (!section_known(section))
			return parse_fail(p, p->line, EXS_CONFIG,
					  "unknown section [%s]", section);
		return parse_fail(p, p->line, EXS_CONFIG,
				  "unknown key '%s' in section [%s]", name,
				  section);
	}
	size_t index = (size_t)(k - key_specs);
	if (p->kind == LINE_CONTINUATION) {
		if (k->type != KEY_PATH_LIST)
			return parse_fail(p, p->line, EXS_CONFIG,
					  "indented line continues %s, which "
					  "takes one value", name);
	} else if (k->type == KEY_PATH_LIST && !p->list_seen[index]) {
		/* The file's first line for a list replaces the default. */
		exs_strlist_clear(member_list(p->cfg, k));
		p->list_seen[index] = 1;
	}
	(void)value; /* inih's copy: a stand-in for long lines, see above */
	clean_value(p->value ? p->value : "", clean, sizeof(clean));
	if (p->kind == LINE_CONTINUATION && looks_like_setting(clean))
		return parse_fail(p, p->line, EXS_CONFIG,
				  "indented line '%s' would add to %s: remove "
				  "the indentation", clean, name);
	int status = key_apply(p->cfg, k, clean, detail, sizeof(detail));
	if (status == EXS_NOMEM)
		return parse_fail(p, p->line, EXS_NOMEM, "out of memory");
	if (status)
		return parse_fail(p, p->line, status, "%s", detail);
	return 1;
}

/* Finds the first NUL byte or invalid UTF-8 sequence (overlong forms,
 * surrogates and code points past U+10FFFF included); 0 if there is none,
 * else its line number with the reason in *why. */
static int find_bad_byte(const char *text, size_t len, const char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	int line = 1;
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t need;
		unsigned low = 0x80, high = 0xBF; /* bounds of the 2nd byte */
		if (c == '\n')
			line++;
		if (c == 0) {
			*why = "NUL byte in the file";
			return line;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				low = 0xA0;
			if (c == 0xED)
				high = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				low = 0x90;
			if (c == 0xF4)
				high = 0x8F;
		} else {
			*why = "invalid UTF-8";
			return line;
		}
		for (size_t j = 1; j <= need; j++) {
			unsigned next = i + j < len ? s[i + j] : 0;
			unsigned lo = j == 1 ? low : 0x80;
			unsigned hi = j == 1 ? high : 0xBF;
			if (next < lo || next > hi) {
				*why = "invalid UTF-8";
				return line;
			}
		}
		i += need + 1;
	}
	return 0;
}

static int located_fail(struct exs_error *err, int status, const char *name,
			int line, const char *detail)
{
	char where[EXS_ERROR_WHERE_MAX];
	snprintf(where, sizeof(where), "%s:%d", name, line);
	return exs_failf(err, status, 0, NULL, where, "%s", detail);
}

int exs_config_load_buffer(struct exs_config *cfg, const char *name,
			   const char *text, size_t len, struct exs_error *err)
{
	struct exs_config next;
	struct config_parse p;
	const char *why;

	if (!name)
		name = "(config)";
	int bad_line = find_bad_byte(text, len, &why);
	if (bad_line)
		return located_fail(err, EXS_CONFIG, name, bad_line, why);

	if (config_copy(&next, cfg))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	memset(&p, 0, sizeof(p));
	p.cfg = &next;
	p.text = text;
	p.len = len;

	int result = ini_parse_stream(config_read_line, &p, config_handle, &p);
	if (result == -2) {
		exs_config_free(&next);
		return exs_fail(err, EXS_NOMEM, 0, "ini_parse_stream", NULL);
	}
	/* inih reports the first line it rejected; we know why for the lines we
	 * classified, and fall back to a plain message if inih saw more. */
	if (result > 0 && (!p.error_line || result < p.error_line)) {
		p.error_line = result;
		p.error_status = EXS_CONFIG;
		snprintf(p.error_detail, sizeof(p.error_detail),
			 "syntax error");
	}
	if (p.error_line) {
		exs_config_free(&next);
		if (p.error_status == EXS_NOMEM)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		return located_fail(err, p.error_status, name, p.error_line,
				    p.error_detail);
	}

	char *source = text_copy(name, strlen(name));
	if (!source) {
		exs_config_free(&next);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	free(next.source);
	next.source = source;
	exs_config_free(cfg);
	*cfg = next;
	return EXS_OK;
}

int exs_config_set(struct exs_config *cfg, const char *section,
		   const char *name, const char *value, const char *where,
		   struct exs_error *err)
{
	char detail[EXS_ERROR_DETAIL_MAX];
	const char *why;
	const struct key_spec *k = key_find(section, name);
	if (!k)
		return exs_failf(err, EXS_INTERNAL, 0, NULL, where,
				 "no configuration key [%s] %s", section, name);
	size_t len = strlen(value);
	/* What a file cannot hold, the dump could not write back. */
	if (memchr(value, '\n', len))
		return exs_failf(err, EXS_CONFIG, 0, NULL, where,
				 "value of %s holds a line break", name);
	/* A file name on the command line is bytes (a mounted image can hold
	 * any), and the report gives such names a _b64 twin; only the file
	 * form is text. Patterns and everything else must be UTF-8. */
	int is_path = k->type == KEY_PATH || k->type == KEY_DATA_FILE ||
		      (k->type == KEY_PATH_LIST && strcmp(name, "exclude"));
	if (!is_path && find_bad_byte(value, len, &why))
		return exs_failf(err, EXS_CONFIG, 0, NULL, where,
				 "value of %s is not valid UTF-8", name);

	int status = key_apply(cfg, k, value, detail, sizeof(detail));
	if (status == EXS_NOMEM)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	if (status)
		return exs_failf(err, status, 0, NULL, where, "%s", detail);
	return EXS_OK;
}

int exs_config_load(struct exs_config *cfg, const struct exs_platform *plat,
		    const char *path, struct exs_error *err)
{
	struct exs_file *file;
	size_t cap = 16 * 1024, len = 0;
	char *buf;
	int status = plat->file_open_read(path, &file, err);
	if (status)
		return status;
	if (!(buf = malloc(cap))) {
		plat->file_close(file);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	for (;;) {
		size_t got = 0;
		if (len == cap) {
			if (cap > CONFIG_FILE_MAX) {
				status = exs_failf(err, EXS_CONFIG, 0, NULL, path,
						   "file is larger than 1 MiB");
				break;
			}
			/* One byte past the limit tells a file that is too big. */
			size_t grown = cap * 2 > CONFIG_FILE_MAX + 1
					       ? CONFIG_FILE_MAX + 1 : cap * 2;
			char *bigger = realloc(buf, grown);
			if (!bigger) {
				status = exs_fail(err, EXS_NOMEM, 0, "realloc",
						  path);
				break;
			}
			buf = bigger;
			cap = grown;
		}
		status = plat->file_read(file, buf + len, cap - len, &got, err);
		if (status || got == 0)
			break;
		len += got;
	}
	plat->file_close(file);
	if (!status)
		status = exs_config_load_buffer(cfg, path, buf, len, err);
	free(buf);
	return status;
}

/* -- Writing: the dump and the sample -------------------------------------- */

struct writer {
	int (*write)(void *ctx, const char *text, size_t len);
	void *ctx;
	int status;                    /* first failure of write; then silent */
};

static void put(struct writer *w, const char *text)
{
	if (!w->status && *text)
		w->status = w->write(w->ctx, text, strlen(text));
}

static void put_setting(struct writer *w, const char *prefix,
			const struct key_spec *k, const char *value)
{
	put(w, prefix);
	put(w, k->name);
	put(w, *value ? " = " : " =");
	put(w, value);
	put(w, "\n");
}

/* Writes text as comment lines of at most SAMPLE_WIDTH columns: first line
 * after first_prefix, the others after prefix. '\n' starts a new line. */
static void put_wrapped(struct writer *w, const char *first_prefix,
			const char *prefix, const char *text)
{
	char line[SAMPLE_WIDTH + 1];
	const char *lead = first_prefix;
	while (*text) {
		size_t used = strlen(lead), start = used;
		memcpy(line, lead, used);
		while (*text == ' ')
			text++;
		for (;;) {
			size_t word = strcspn(text, " \n");
			int first_word = used == start;
			if (!first_word && used + 1 + word > SAMPLE_WIDTH)
				break;
			if (!first_word)
				line[used++] = ' ';
			/* A word wider than the line is cut, never overflowed. */
			size_t room = SAMPLE_WIDTH - used;
			memcpy(line + used, text, word < room ? word : room);
			used += word < room ? word : room;
			text += word;
			while (*text == ' ')
				text++;
			if (*text == '\0' || *text == '\n')
				break;
		}
		if (*text == '\n')
			text++;
		while (used && line[used - 1] == ' ')
			used--; /* an empty comment line is ";", not "; " */
		line[used] = '\0';
		put(w, line);
		put(w, "\n");
		lead = prefix;
	}
}

/* Writes every item of a default ("a\nb") as a setting line. */
static void put_default(struct writer *w, const char *prefix,
			const struct key_spec *k, const char *text)
{
	char item[CONFIG_LINE_MAX + 1];
	do {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, text, len);
		item[len] = '\0';
		put_setting(w, prefix, k, item);
		text = end ? end + 1 : NULL;
	} while (text);
}

/* A platform-specific default, commented out: one sample serves both. */
static void put_platform_default(struct writer *w, const char *platform,
				 const struct key_spec *k, const char *text)
{
	put(w, "; Default on ");
	put(w, platform);
	if (*text == '\0') {
		put(w, ": none.\n");
		return;
	}
	put(w, ":\n");
	put_default(w, ";", k, text);
}

static void put_section(struct writer *w, const struct key_spec *k,
			const char **last_section)
{
	if (*last_section && !strcmp(*last_section, k->section))
		return;
	put(w, "\n[");
	put(w, k->section);
	put(w, "]\n");
	*last_section = k->section;
}

/* A value the loader would read otherwise as written goes in quotes (see
 * clean_value): blanks at its ends, a ';' that could start a comment, a
 * leading quote. Quoted, every value the loader accepts reads back. */
static void put_dump_value(struct writer *w, const struct key_spec *k,
			   const char *value)
{
	size_t len = strlen(value);
	if (len && (is_blank(value[0]) || is_blank(value[len - 1]) ||
		    value[0] == '"' || strchr(value, ';'))) {
		put(w, k->name);
		put(w, " = \"");
		put(w, value);
		put(w, "\"\n");
		return;
	}
	put_setting(w, "", k, value);
}

/* Text in a comment line: a control byte (a line break in a file name
 * given with -c) would end the comment and start a setting. */
static void put_comment_text(struct writer *w, const char *text)
{
	char chunk[256];
	size_t n = 0;
	for (; *text; text++) {
		chunk[n++] = (unsigned char)*text < 0x20 ? '?' : *text;
		if (n == sizeof(chunk) - 1) {
			chunk[n] = '\0';
			put(w, chunk);
			n = 0;
		}
	}
	chunk[n] = '\0';
	put(w, chunk);
}

int exs_config_dump(const struct exs_config *cfg,
		    int (*write)(void *ctx, const char *text, size_t len),
		    void *ctx)
{
	struct writer w = { write, ctx, EXS_OK };
	struct exs_config *c = (struct exs_config *)cfg;
	const char *section = NULL;
	char number[32];

	put(&w, "; exsweep configuration in effect: ");
	put_comment_text(&w, cfg->source ? cfg->source : "built-in defaults");
	put(&w, "\n");
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_spec *k = &key_specs[i];
		put_section(&w, k, &section);
		switch (k->type) {
		case KEY_PATH_LIST: {
			const struct exs_strlist *list = member_list(c, k);
			if (!list->count)
				put_setting(&w, "", k, "");
			for (size_t j = 0; j < list->count; j++)
				put_dump_value(&w, k, list->items[j]);
			break;
		}
		case KEY_PATH:
		case KEY_DATA_FILE: {
			const char *text = *member_text(c, k);
			put_dump_value(&w, k, text ? text : "");
			break;
		}
		case KEY_BOOL:
			put_setting(&w, "", k, *member_int(c, k) ? "yes" : "no");
			break;
		case KEY_SIZE:
			format_size(*member_u64(c, k), number, sizeof(number));
			put_setting(&w, "", k, number);
			break;
		case KEY_UNSIGNED:
		case KEY_SECONDS:
			snprintf(number, sizeof(number), "%u",
				 *member_unsigned(c, k));
			put_setting(&w, "", k, number);
			break;
		}
	}
	return w.status;
}

static const char sample_header[] =
	"exsweep.ini -- configuration of exsweep, the file integrity monitor "
	"and webshell scanner for Microsoft Exchange servers. Generated by "
	"`exsweep config --sample`.\n"
	"\n"
	"exsweep reads /etc/exsweep/exsweep.ini, on Windows "
	"%ProgramData%\\exsweep\\exsweep.ini, or the file given with --config; "
	"without a file it uses the built-in defaults. Command-line options "
	"override the file. Every key below is set to its built-in default, "
	"or shown commented out where the default differs between Windows "
	"and other systems.\n"
	"\n"
	"Syntax: [section] headers and \"key = value\" lines. Comments are "
	"lines starting with ; or #, or the rest of a line after \" ;\". The "
	"file is UTF-8; a value holds at most " CONFIG_STRINGIFY(CONFIG_VALUE_MAX)
	" bytes. A value that starts and ends with a double quote is taken as "
	"written between them, spaces and ; included. An empty path means "
	"none. Give paths in full: a scheduled task "
	"does not start in a useful folder.\n"
	"\n"
	"Lists (root, web_root, exclude): the first line of a list key in "
	"this file replaces the built-in list and each further line adds one "
	"item, so \"root =\" alone empties the list. An indented line right "
	"after a list key adds one more item too.\n"
	"\n"
	"An unknown section or key, or a bad value, stops exsweep with the "
	"file name and line number.";

int exs_config_write_sample(int (*write)(void *ctx, const char *text,
					 size_t len),
			    void *ctx)
{
	struct writer w = { write, ctx, EXS_OK };
	const char *section = NULL;
	char expects[96], line[160];

	put_wrapped(&w, "; ", "; ", sample_header);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct key_spec *k = &key_specs[i];
		put_section(&w, k, &section);
		put(&w, "\n");
		put_wrapped(&w, "; ", "; ", k->help);
		/* The built-in list goes under the key that switches it. */
		if (k->offset == offsetof(struct exs_config, default_excludes)) {
			for (size_t j = 0; exs_default_excludes[j]; j++) {
				snprintf(line, sizeof(line), "%s: %s",
					 exs_default_excludes[j],
					 default_exclude_reasons[j]);
				put_wrapped(&w, ";   ", ";       ", line);
			}
		}
		if (k->type != KEY_PATH_LIST && k->type != KEY_PATH &&
		    k->type != KEY_DATA_FILE) {
			snprintf(line, sizeof(line), "Allowed: %s.",
				 key_expects(k, expects, sizeof(expects)));
			put_wrapped(&w, "; ", "; ", line);
		}
		if (k->type == KEY_DATA_FILE) {
			/* The data folder comes from the platform at run time;
			 * the sample shows where it usually is. */
			put(&w, "; Default on Windows:\n");
			snprintf(line, sizeof(line), "%s\\%s",
				 SAMPLE_DATA_DIR_WINDOWS, k->windows_default);
			put_default(&w, ";", k, line);
			put(&w, "; Default on other systems:\n");
			snprintf(line, sizeof(line), "%s/%s",
				 SAMPLE_DATA_DIR_POSIX, k->posix_default);
			put_default(&w, ";", k, line);
		} else if (strcmp(k->posix_default, k->windows_default)) {
			put_platform_default(&w, "Windows", k,
					     k->windows_default);
			put_platform_default(&w, "other systems", k,
					     k->posix_default);
		} else {
			put_default(&w, "", k, k->posix_default);
		}
	}
	return w.status;
}
