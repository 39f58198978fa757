// MuJoCo's public C API (installed by Scripts/bootstrap, located through pkg-config `mujoco`).
#include <mujoco/mujoco.h>
