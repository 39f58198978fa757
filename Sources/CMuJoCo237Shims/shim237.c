// The door's backend for MuJoCo 2.3.7: cmj_backend.inc compiled against 2.3.7's headers.
#include <mujoco/mujoco.h>
#include <mujoco/mjxmacro.h>

#include "CMuJoCo237Shims.h"

#if mjVERSION_HEADER != 237
#error "CMuJoCo237Shims must be compiled against MuJoCo 2.3.7's headers (run Scripts/bootstrap)"
#endif

#define CMJ_NAME(x) cmj237_##x
#define CMJ_VERSION_NUMBER 237
#define CMJ_VERSION_STRING "2.3.7"
#include <cmj_backend.inc>
