// libpng 1.6 (Debian libpng-dev), found through pkg-config `libpng`; used by Rendering's PNG
// files through libpng's "simplified API" (png_image_*), which reports errors in the struct
// instead of longjmp-ing through Swift frames.
#include <png.h>
