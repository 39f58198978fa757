// CMuJoCoShims: the small amount of C that MuJoCo's error model needs.
//
// Why this exists: MuJoCo reports fatal errors through `mju_error`, whose default handler prints,
// waits for Enter and calls exit(), and a user handler that returns lets MuJoCo carry on in a
// corrupt state. Warnings go to `MUJOCO_LOG.TXT` in the current folder. Swift cannot unwind C
// frames, so every engine call that can raise an error goes through a `cmj_` wrapper here that
// sets a per-thread setjmp point; the installed handler copies the message and longjmps back, and
// the wrapper returns a status the Swift layer turns into a thrown error. The installed warning
// handler discards warnings, so no log file is written; the Swift layer reads numerical
// instabilities from mjData.warning. OpenGL contexts and the renderer are in CMuJoCoRenderShims.
#ifndef CMUJOCO_SHIMS_H
#define CMUJOCO_SHIMS_H

#include <mujoco/mujoco.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Installs the process-wide error and warning handlers (idempotent, thread-safe).
void cmj_install_handlers(void);

/// The message of the last MuJoCo error raised on this thread ("" if none).
const char* cmj_last_error(void);

/// Calls `body(context)` under the error trap. Returns 0, or 1 if MuJoCo raised an error inside.
/// Used for MuJoCo calls that have no dedicated wrapper here (e.g. the renderer's mjr_ calls in
/// CMuJoCoRenderShims).
int cmj_call_trapped(void (*body)(void* context), void* context);

/// mj_step `count` times under the error trap. Returns 0, or 1 if MuJoCo raised an error.
int cmj_step(const mjModel* m, mjData* d, int count);
/// mj_forward under the error trap. Returns 0, or 1 on a MuJoCo error.
int cmj_forward(const mjModel* m, mjData* d);
/// mj_resetData under the error trap. Returns 0, or 1 on a MuJoCo error.
int cmj_reset_data(const mjModel* m, mjData* d);
/// mj_step1 (positions and velocities stage) under the error trap. Returns 0, or 1 on a MuJoCo error.
int cmj_step1(const mjModel* m, mjData* d);
/// mj_step2 (forces, acceleration, integration) under the error trap. Returns 0, or 1 on a MuJoCo error.
int cmj_step2(const mjModel* m, mjData* d);
/// mj_makeData under the error trap; NULL on a MuJoCo error (message in cmj_last_error()).
mjData* cmj_make_data(const mjModel* m);
/// mj_copyModel into a new model under the error trap; NULL on a MuJoCo error.
mjModel* cmj_copy_model(const mjModel* m);

/// `count` dm_control legacy substeps under the error trap: mj_step2 then mj_step1 each (the step
/// dm_control 1.0.14's `Physics.step` takes for Euler models). Returns 0, or 1 on a MuJoCo error.
int cmj_step_legacy(const mjModel* m, mjData* d, int count);
/// mj_forward with the `mjtDisableBit`s `disable_flags` added, without writing to `m` (dm_control's
/// `with model.disable('actuation'): forward()`). Returns 0, or 1 on a MuJoCo error.
int cmj_forward_disabled(const mjModel* m, mjData* d, int disable_flags);
/// Array number `index` of mjModel in `MJMODEL_POINTERS` order (mjxmacro.h): its field name, data,
/// element size in bytes and element count. Returns 0 when `index` is past the last array.
int cmj_model_array(const mjModel* m, int index, const char** name, const void** data,
                    int* element_size, long* count);
/// Size number `index` of mjModel in `MJMODEL_INTS` order (nq, nv, ...). Returns 0 past the last.
int cmj_model_size(const mjModel* m, int index, const char** name, long* value);

/// Compiles a model from an XML string via a one-file virtual file system. `name` is the file
/// name the string is given (used in MuJoCo's messages). NULL on failure, message in `error`.
mjModel* cmj_load_xml_string(const char* xml, const char* name, char* error, int error_size);

#ifdef __cplusplus
}
#endif
#endif
