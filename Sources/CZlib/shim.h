// System zlib (Debian: zlib1g-dev), for gzip record batches.
#include <zlib.h>
