/* pe.c -- the PE header reader (pe.h).
 *
 * Three accessors touch the file's bytes: exs_pe_fits says whether a range
 * lies inside the buffer (in 64-bit arithmetic, so an offset plus a size
 * cannot wrap), and pe_u16/pe_u32 read little-endian values only after it
 * said yes. Everything else works on offsets. The layout is the PE/COFF
 * specification's: the DOS header's e_lfanew at 0x3c, "PE\0\0", the 20-byte
 * COFF header, the optional header (magic 0x10b PE32 or 0x20b PE32+, whose
 * CheckSum sits at offset 64 in both and whose data directories follow at
 * 96 or 112), then the section table of 40-byte entries.
 */
#include "pe.h"

#include <stdio.h>
#include <string.h>

int exs_pe_fits(const struct exs_pe *pe, uint64_t off, uint64_t n)
{
	return off <= pe->len && n <= (uint64_t)pe->len - off;
}

/* Reads a value at off; *ok becomes 0 (and stays so) when it does not fit. */
static uint16_t pe_u16(const struct exs_pe *pe, uint64_t off, int *ok)
{
	if (!*ok || !exs_pe_fits(pe, off, 2)) {
		*ok = 0;
		return 0;
	}
	const unsigned char *p = pe->data + off;
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t pe_u32(const struct exs_pe *pe, uint64_t off, int *ok)
{
	if (!*ok || !exs_pe_fits(pe, off, 4)) {
		*ok = 0;
		return 0;
	}
	const unsigned char *p = pe->data + off;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int malformed(struct exs_pe *pe, const char *why)
{
	snprintf(pe->why, sizeof(pe->why), "%s", why);
	return EXS_PE_MALFORMED;
}

int exs_pe_parse(const unsigned char *data, size_t len, struct exs_pe *pe)
{
	memset(pe, 0, sizeof(*pe));
	pe->data = data;
	pe->len = len;
	int ok = 1;
	if (!exs_pe_fits(pe, 0, 64) || data[0] != 'M' || data[1] != 'Z')
		return EXS_PE_NOT_PE;
	uint32_t lfanew = pe_u32(pe, 0x3c, &ok);
	if (!ok || !exs_pe_fits(pe, lfanew, 4) ||
	    memcmp(data + lfanew, "PE\0\0", 4) != 0)
		return EXS_PE_NOT_PE;
	pe->pe_offset = lfanew;
	uint64_t coff = (uint64_t)lfanew + 4;
	if (!exs_pe_fits(pe, coff, 20))
		return malformed(pe, "COFF header past the end of the file");
	pe->machine = pe_u16(pe, coff, &ok);
	pe->section_count = pe_u16(pe, coff + 2, &ok);
	pe->opt_size = pe_u16(pe, coff + 16, &ok);
	pe->characteristics = pe_u16(pe, coff + 18, &ok);
	uint64_t opt = coff + 20;
	pe->opt_offset = (uint32_t)opt;
	if (pe->opt_size < 2 || !exs_pe_fits(pe, opt, pe->opt_size))
		return malformed(pe, "optional header past the end of the file");
	uint16_t magic = pe_u16(pe, opt, &ok);
	uint32_t dirs_at;
	if (magic == 0x10b) {
		dirs_at = 96;
	} else if (magic == 0x20b) {
		pe->pe32plus = 1;
		dirs_at = 112;
	} else {
		return malformed(pe, "optional header magic is neither PE32 "
				 "nor PE32+");
	}
	if (pe->opt_size < dirs_at)
		return malformed(pe, "optional header too short");
	pe->size_of_headers = pe_u32(pe, opt + 60, &ok);
	pe->checksum_offset = (uint32_t)(opt + 64);
	pe->checksum = pe_u32(pe, opt + 64, &ok);
	pe->subsystem = pe_u16(pe, opt + 68, &ok);
	uint32_t ndirs = pe_u32(pe, opt + dirs_at - 4, &ok);
	if (!ok)
		return malformed(pe, "optional header past the end of the file");
	/* Only the directories the optional header really holds count. */
	uint32_t room = (uint32_t)(pe->opt_size - dirs_at) / 8;
	if (ndirs > room)
		ndirs = room;
	if (ndirs > EXS_PE_DIRS_MAX)
		ndirs = EXS_PE_DIRS_MAX;
	pe->dir_count = ndirs;
	pe->dir_table_offset = (uint32_t)(opt + dirs_at);
	for (uint32_t i = 0; i < ndirs; i++) {
		pe->dir_rva[i] = pe_u32(pe, opt + dirs_at + 8 * i, &ok);
		pe->dir_size[i] = pe_u32(pe, opt + dirs_at + 8 * i + 4, &ok);
	}
	if (!ok)
		return malformed(pe, "data directory past the end of the file");
	if (ndirs > EXS_PE_DIR_SECURITY) {
		pe->has_security_entry = 1;
		pe->security_entry_offset =
			pe->dir_table_offset + 8 * EXS_PE_DIR_SECURITY;
		pe->security_offset = pe->dir_rva[EXS_PE_DIR_SECURITY];
		pe->security_size = pe->dir_size[EXS_PE_DIR_SECURITY];
		pe->has_security = pe->security_size != 0;
		pe->security_fits = pe->has_security &&
				    exs_pe_fits(pe, pe->security_offset,
						pe->security_size);
	}
	pe->is_dotnet = ndirs > EXS_PE_DIR_CLR &&
			pe->dir_rva[EXS_PE_DIR_CLR] && pe->dir_size[EXS_PE_DIR_CLR];

	uint64_t sect = opt + pe->opt_size;
	pe->section_table_offset = (uint32_t)sect;
	unsigned n = pe->section_count < EXS_PE_SECTIONS_MAX
			     ? pe->section_count : EXS_PE_SECTIONS_MAX;
	if (!exs_pe_fits(pe, sect, (uint64_t)n * 40))
		return malformed(pe, "section table past the end of the file");
	for (unsigned i = 0; i < n; i++) {
		struct exs_pe_section *s = &pe->sections[i];
		uint64_t at = sect + 40u * i;
		memcpy(s->name, data + at, 8);
		s->name[8] = '\0';
		s->virtual_size = pe_u32(pe, at + 8, &ok);
		s->virtual_address = pe_u32(pe, at + 12, &ok);
		s->raw_size = pe_u32(pe, at + 16, &ok);
		s->raw_offset = pe_u32(pe, at + 20, &ok);
	}
	pe->sections_read = n;
	if (!ok)
		return malformed(pe, "section table past the end of the file");
	return EXS_PE_OK;
}

uint32_t exs_pe_compute_checksum(const struct exs_pe *pe)
{
	uint64_t sum = 0;
	size_t i = 0;
	for (; i + 1 < pe->len; i += 2) {
		if (i == pe->checksum_offset || i == (size_t)pe->checksum_offset + 2)
			continue;
		sum += (uint32_t)(pe->data[i] | pe->data[i + 1] << 8);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < pe->len)
		sum += pe->data[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + pe->len);
}
