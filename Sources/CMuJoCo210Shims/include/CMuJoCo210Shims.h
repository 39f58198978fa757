// CMuJoCo210Shims: the door's backend for DeepMind's MuJoCo 2.1.0 release ("mujoco210", the build
// mujoco-py and so D4RL, EDP and Diffusion-QL ran on; libmujoco210.so from the PyPI wheel
// free-mujoco-py==2.1.6, installed by Scripts/bootstrap), compiled against its own headers
// (<mujoco210/mujoco.h>). See CMuJoCoDoor.h for why each build has its own shim.
#ifndef CMUJOCO210_SHIMS_H
#define CMUJOCO210_SHIMS_H
#include <CMuJoCoDoor.h>

/// Opens the MuJoCo 2.1.0 library at `library_path` (once per process; later calls return the
/// same table). The library leaves GLEW's symbols undefined: a GLEW build must already be in the
/// global scope (cmj_load_global), as mujoco-py arranges. NULL on failure, reason in `error`.
const cmj_backend* cmj210_open(const char* library_path, char* error, int error_size);

#endif
