// CMuJoCoRenderShims: OpenGL contexts (EGL, OSMesa, GLFW) from libraries opened with dlopen at run
// time, for MuJoCo's renderer (which each build's shim runs, behind the MuJoCo module's door). Only
// the Rendering module imports this target, so simulations and evaluation never load any GL code.
#ifndef CMUJOCO_RENDER_SHIMS_H
#define CMUJOCO_RENDER_SHIMS_H

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
