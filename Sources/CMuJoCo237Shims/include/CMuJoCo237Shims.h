// CMuJoCo237Shims: the door's backend for the official MuJoCo 2.3.7 build (the PyPI wheel
// mujoco==2.3.7's libmujoco.so.2.3.7, installed by Scripts/bootstrap), compiled against its own
// headers (<mujoco/mujoco.h>). See CMuJoCoDoor.h for why each build has its own shim.
#ifndef CMUJOCO237_SHIMS_H
#define CMUJOCO237_SHIMS_H
#include <CMuJoCoDoor.h>

/// Opens the MuJoCo 2.3.7 library at `library_path` (once per process; later calls return the
/// same table). NULL on failure, with the reason in `error`.
const cmj_backend* cmj237_open(const char* library_path, char* error, int error_size);

#endif
