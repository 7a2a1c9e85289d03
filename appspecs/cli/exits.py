"""Exit codes, the same in every command."""

OK = 0
# The input or the org is not as declared: invalid specs, drift found.
FAILED = 1
# Usage or I/O problem: bad flags, missing folder, unreadable file, unreachable org.
USAGE = 2
