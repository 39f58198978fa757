// CMuJoCoShims: the small amount of C that MuJoCo's error model needs.
//
// Why this exists: MuJoCo reports fatal errors through `mju_error`, whose default handler prints,
// waits for Enter and calls exit(), and a user handler that returns lets MuJoCo carry on in a
// corrupt state. Warnings go to `MUJOCO_LOG.TXT` in the current folder. Swift cannot unwind C
// frames, so every engine call that can raise an error goes through a `cmj_` wrapper here that
// sets a per-thread setjmp point; the installed handler copies the message and longjmps back, and
// the wrapper returns a status the Swift layer turns into a thrown error.
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
/// The message of the last MuJoCo warning raised on this thread ("" if none).
const char* cmj_last_warning(void);
/// Number of MuJoCo errors raised on this thread outside a trapped call (never expected).
int cmj_untrapped_error_count(void);

/// Calls `body(context)` under the error trap. Returns 0, or 1 if MuJoCo raised an error inside.
/// Used for MuJoCo calls that have no dedicated wrapper here (e.g. the renderer's mjr_ calls).
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

/// Compiles a model from an XML string via a one-file virtual file system. `name` is the file
/// name the string is given (used in MuJoCo's messages). NULL on failure, message in `error`.
mjModel* cmj_load_xml_string(const char* xml, const char* name, char* error, int error_size);

// ---- OpenGL contexts (gl_context.c) ---------------------------------------------------------------
// Why: mjr_makeContext needs a current GL context and MuJoCo creates none. The GL libraries are
// opened with dlopen at run time (nothing is linked), so environments and evaluation never need GL.

/// Backends for cmj_gl_create.
enum {
  /// EGL: Mesa's surfaceless platform (no display, no GPU), else an EGL device, else the default display.
  CMJ_GL_EGL = 1,
  /// OSMesa: Mesa's off-screen software renderer.
  CMJ_GL_OSMESA = 2,
  /// GLFW: a window on an X11/Wayland display (visible for live viewing, or hidden).
  CMJ_GL_GLFW = 3
};

/// An OpenGL context and the library it came from (opaque).
typedef struct cmj_gl_context cmj_gl_context;

/// Creates a context of `backend` and makes it current on the calling thread. `width` × `height`
/// (pixels) sizes the OSMesa buffer / GLFW window; `visible` shows the GLFW window. NULL on failure,
/// with a one-line reason in `error` (library not found, no display, EGL error name...).
cmj_gl_context* cmj_gl_create(int backend, int width, int height, int visible, char* error, int error_size);
/// Makes the context current on the calling thread. Returns 1 on success.
int cmj_gl_make_current(cmj_gl_context* context);
/// Releases the calling thread's current context (so another thread may make it current).
void cmj_gl_release_current(cmj_gl_context* context);
/// Destroys the context (the library stays loaded: MuJoCo keeps GL pointers for the process).
void cmj_gl_destroy(cmj_gl_context* context);
/// Moves the context's library into the global symbol scope, where MuJoCo's GL loader looks for
/// eglGetProcAddress / OSMesaGetProcAddress first. Call once, for the backend the process uses.
int cmj_gl_make_global(cmj_gl_context* context);
/// "EGL 1.5 surfaceless; GL 4.5 (Compatibility Profile) Mesa 22.3.6; llvmpipe (...)" and the like.
const char* cmj_gl_description(const cmj_gl_context* context);
/// Whether the backend's library can be loaded (without creating a context): 1, or 0 with the
/// reason in `error`. For skipping tests and for messages; creating a context is the real test.
int cmj_gl_library_loadable(int backend, char* error, int error_size);
/// GLFW only: swaps the window's buffers and polls events. Returns 1 if the user closed the window.
int cmj_gl_present(cmj_gl_context* context);

// ---- MuJoCo renderer under the error trap (render.c) ----------------------------------------------
// Why: mjr_makeContext/mjr_render raise mju_error on GL failures; each call here is one trapped C
// call. The renderer keeps a private model copy so offscreen size and multisampling can be set
// without writing to the model simulations share.

/// A decorative geom added to the scene after mjv_updateScene (e.g. the AntMaze goal).
typedef struct {
  int type;          ///< mjtGeom, e.g. mjGEOM_SPHERE, mjGEOM_CYLINDER
  mjtNum size[3];    ///< geom size parameters (m), as in MJCF
  mjtNum pos[3];     ///< position (m, world frame)
  float rgba[4];     ///< colour, 0...1
} cmj_marker;

/// MuJoCo scene + rendering context for frames of `width` × `height` pixels. The GL context must be
/// current. `quality` 0: no shadows, reflections, skybox, haze or multisampling; 1: all, 4x MSAA.
typedef struct cmj_renderer cmj_renderer;
cmj_renderer* cmj_renderer_create(const mjModel* m, int width, int height, int quality, int max_geoms,
                                  char* error, int error_size);
/// Frees the scene and GL resources (the GL context must be current) and the model copy.
void cmj_renderer_free(cmj_renderer* renderer);
/// Renders `d` seen from `camera` plus `markers` into `rgb` (width × height × 3 bytes, rows top
/// first). Reads `d` only. Returns 0, or 1 on a MuJoCo error (message in cmj_last_error()).
int cmj_renderer_frame(cmj_renderer* renderer, mjData* d, mjvCamera* camera, const cmj_marker* markers,
                       int marker_count, unsigned char* rgb);
/// Draws a top-row-first RGB frame of the renderer's size into the window buffer (GLFW contexts).
int cmj_renderer_show(cmj_renderer* renderer, const unsigned char* rgb);
/// Number of geoms in the scene after the last frame (decorations included).
int cmj_renderer_scene_geoms(const cmj_renderer* renderer);

#ifdef __cplusplus
}
#endif
#endif
