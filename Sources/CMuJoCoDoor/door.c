// The part of the door that does not depend on a MuJoCo build.
#include "CMuJoCoDoor.h"

#include <dlfcn.h>
#include <stdio.h>

int cmj_load_global(const char* path, char* error, int error_size) {
  // RTLD_LAZY: the GLEW builds MuJoCo 2.1.0 ships leave their GL entry points undefined until a GL
  // library is in the global scope (which happens only when a context is made).
  if (dlopen(path, RTLD_LAZY | RTLD_GLOBAL)) return 1;
  const char* reason = dlerror();
  snprintf(error, (size_t)error_size, "%s", reason ? reason : "dlopen failed");
  return 0;
}
