/* compiler.h -- what exsweep asks of the compiler beyond C11.
 *
 * EXS_PRINTF marks printf-like functions so that -Wformat checks their
 * callers. mingw-w64 with __USE_MINGW_ANSI_STDIO (set by meson.build for
 * Windows) formats like C99 (%zu, %lld), and says so through
 * __MINGW_PRINTF_FORMAT; plain "printf" there would mean MSVCRT's rules and
 * reject %zu. stdio.h is included for that macro: it is ISO C, not an OS
 * header.
 */
#ifndef EXS_COMPILER_H
#define EXS_COMPILER_H

#include <stdio.h>

#if defined(__MINGW_PRINTF_FORMAT)
#define EXS_PRINTF(fmt, args) \
	__attribute__((format(__MINGW_PRINTF_FORMAT, fmt, args)))
#elif defined(__GNUC__)
#define EXS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define EXS_PRINTF(fmt, args)
#endif

#endif
