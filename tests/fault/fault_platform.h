/* fault_platform.h -- the native platform with faults injected by path.
 *
 * The faults come from the environment variable EXSWEEP_FAULTS, a list of
 * KIND:GLOB rules separated by ';', for example
 *     busy:*locked.aspx;vanish:*gone.js;access:*secret*;ioerr:*bad.dll
 * so that files Windows would hold locked, files deleted between listing and
 * opening, and read errors can be tested on Linux, as root, end to end.
 */
#ifndef EXS_FAULT_PLATFORM_H
#define EXS_FAULT_PLATFORM_H

#include "platform.h"

/* The native table with file_open_read, file_read, file_close and dir_open
 * wrapped. Call once, before any thread starts. Returns NULL, after a message
 * on stderr, when EXSWEEP_FAULTS cannot be parsed. */
const struct exs_platform *fault_platform(void);

#endif
