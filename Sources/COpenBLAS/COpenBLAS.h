// OpenBLAS's CBLAS interface (Debian: libopenblas-dev) plus its thread-count controls.
#include <cblas.h>
