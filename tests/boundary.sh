#!/usr/bin/env bash
# The core reaches the OS only through scanner/platform.h. This test fails if
# a core source includes an OS header, or if the core's object code refers to
# a POSIX or Win32 function directly (nm -u on the core libraries).
#   boundary.sh SRCDIR LIB.a...
set -u
src=$1; shift
fail=0
headers='windows\.h|unistd\.h|dirent\.h|sys/[a-z_]+\.h|fcntl\.h|pthread\.h|io\.h|direct\.h|winbase\.h|fileapi\.h|synchapi\.h'
hits=$(grep -rnE "#[[:space:]]*include[[:space:]]*<($headers)>" "$src/scanner" "$src/baseline" "$src/logs" "$src/detect" "$src/inspect" \
       --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
	echo "OS headers included in the core:"; echo "$hits"; fail=1
fi
syms='^(open|openat|open64|close|read|write|pread|stat|stat64|fstat|fstat64|lstat|lstat64|fstatat|opendir|fdopendir|readdir|readdir64|closedir|mkdir|unlink|rename|fsync|flock|fcntl|isatty|getenv|gethostname|sysconf|clock_gettime|nice|getrusage|pthread_[a-z_]+|CreateFile[AW]|ReadFile|WriteFile|FindFirstFile[A-Za-z]*|FindNextFile[AW]|MoveFileEx[AW]|GetFileInformationByHandle[A-Za-z]*|CreateThread|InitializeSRWLock|RegGetValue[AW]|RegOpenKeyEx[AW]|ReportEvent[AW]|RegisterEventSource[AW]|GetEnvironmentVariable[AW]|_wopen|_open|fopen|fopen64|freopen)$'
for lib in "$@"; do
	bad=$(nm -u "$lib" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' | grep -E "$syms" | sort -u)
	if [ -n "$bad" ]; then
		echo "$(basename "$lib") calls the OS directly: $(echo $bad)"; fail=1
	fi
done
if [ $fail = 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
