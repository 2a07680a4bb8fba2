/* pe.h -- a bounds-checked reader of PE32 and PE32+ images (EXE, DLL, IIS
 * modules, .NET assemblies), for the Authenticode check (authenticode.h).
 *
 * The bytes are an attacker's: every read goes through one checked accessor
 * (pe_fits / pe_u16 / pe_u32 in pe.c, the discipline of libyara's
 * fits_in_pe), nothing is reached by raw pointer arithmetic on the file, and
 * every count (sections, data directories) is capped. exs_pe_parse never
 * allocates: the result points into the caller's buffer and holds offsets
 * and sizes that are known to lie inside it (or says which do not).
 */
#ifndef EXS_PE_H
#define EXS_PE_H

#include <stddef.h>
#include <stdint.h>

#define EXS_PE_SECTIONS_MAX 96     /* the PE loader's own limit */
#define EXS_PE_DIRS_MAX 16
#define EXS_PE_DIR_SECURITY 4      /* the certificate table (file offset) */
#define EXS_PE_DIR_CLR 14          /* the .NET CLR header (RVA) */

enum exs_pe_status {
	EXS_PE_OK = 0,
	EXS_PE_NOT_PE,      /* no MZ, no PE signature: not an image at all */
	EXS_PE_MALFORMED,   /* starts like an image but a header does not fit */
};

struct exs_pe_section {
	char name[9];                 /* NUL-terminated, at most 8 bytes */
	uint32_t virtual_size, virtual_address;
	uint32_t raw_size, raw_offset;  /* as in the header; may overrun */
};

struct exs_pe {
	const unsigned char *data;
	size_t len;
	int pe32plus;                 /* 1: PE32+ (64-bit) */
	uint16_t machine;
	uint16_t characteristics;     /* IMAGE_FILE_DLL is 0x2000 */
	uint32_t pe_offset;           /* of "PE\0\0" */
	uint32_t opt_offset;          /* of the optional header */
	uint16_t opt_size;
	uint32_t checksum;            /* as stored */
	uint32_t checksum_offset;     /* file offset of the 4-byte field */
	uint32_t size_of_headers;
	uint16_t subsystem;
	uint32_t dir_count;           /* NumberOfRvaAndSizes, capped at 16 */
	uint32_t dir_table_offset;    /* file offset of data directory 0 */
	uint32_t dir_rva[EXS_PE_DIRS_MAX], dir_size[EXS_PE_DIRS_MAX];
	/* The certificate table entry (directory 4) exists in the header:
	 * security_entry_offset is its file offset. security_offset/size are
	 * its values (a file offset, not an RVA); has_security when the size
	 * is nonzero, security_fits when the table lies inside the file. */
	int has_security_entry;
	uint32_t security_entry_offset;
	uint32_t security_offset, security_size;
	int has_security, security_fits;
	int is_dotnet;                /* directory 14 present and nonzero */
	uint16_t section_count;       /* as stored */
	unsigned sections_read;       /* min(section_count, SECTIONS_MAX) */
	uint32_t section_table_offset;
	struct exs_pe_section sections[EXS_PE_SECTIONS_MAX];
	char why[96];                 /* EXS_PE_MALFORMED: what did not fit */
};

/* Parses the headers of data[0..len). EXS_PE_NOT_PE when it is not an
 * image, EXS_PE_MALFORMED (pe->why says what) when a header does not fit;
 * on EXS_PE_OK every header field above lies inside the buffer (a
 * section's raw data or the certificate table may still not: the digest
 * checks them). */
int exs_pe_parse(const unsigned char *data, size_t len, struct exs_pe *pe);

/* The PE checksum as the loader computes it (the field itself counted as
 * zero), for a report that says whether the stored one matches. */
uint32_t exs_pe_compute_checksum(const struct exs_pe *pe);

/* 1 when [off, off + n) lies inside the image's bytes. */
int exs_pe_fits(const struct exs_pe *pe, uint64_t off, uint64_t n);

#endif
