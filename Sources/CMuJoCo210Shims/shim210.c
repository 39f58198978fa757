// The door's backend for MuJoCo 2.1.0: cmj_backend.inc compiled against 2.1.0's headers.
#include <mujoco210/mujoco.h>
#include <mujoco210/mjxmacro.h>

#include "CMuJoCo210Shims.h"

#if mjVERSION_HEADER != 210
#error "CMuJoCo210Shims must be compiled against MuJoCo 2.1.0's headers (run Scripts/bootstrap)"
#endif

#define CMJ_NAME(x) cmj210_##x
#define CMJ_VERSION_NUMBER 210
#define CMJ_VERSION_STRING "2.1.0"
#include <cmj_backend.inc>
