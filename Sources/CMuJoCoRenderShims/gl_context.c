// Offscreen OpenGL contexts for MuJoCo's renderer: EGL (Mesa surfaceless, EGL devices, default
// display), OSMesa, and a GLFW window for live viewing.
//
// Why this exists: mjr_makeContext needs a current OpenGL context and loads GL function pointers
// itself (glad, once per process, through whichever of eglGetProcAddress / OSMesaGetProcAddress /
// glXGetProcAddressARB it finds). MuJoCo does not create contexts. Every GL library is opened with
// dlopen at run time, so nothing here is linked: environments and evaluation build and run on
// machines with no GL at all, and a missing library becomes an error message naming the Debian
// package that provides it. The few prototypes and constants needed are declared below (values from
// the Khronos EGL 1.5 registry headers, Mesa's GL/osmesa.h and GLFW 3's glfw3.h).
#define _GNU_SOURCE
#include "CMuJoCoRenderShims.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// --- EGL (EGL 1.5 + EGL_EXT_platform_base, EGL_EXT_device_enumeration, EGL_MESA_platform_surfaceless)
typedef void* EGLDisplay;
typedef void* EGLConfig;
typedef void* EGLContext;
typedef void* EGLSurface;
typedef void* EGLDeviceEXT;
typedef int32_t EGLint;
typedef unsigned int EGLBoolean;
typedef unsigned int EGLenum;
#define CMJ_EGL_NONE 0x3038
#define CMJ_EGL_SUCCESS 0x3000
#define CMJ_EGL_SURFACE_TYPE 0x3033
#define CMJ_EGL_PBUFFER_BIT 0x0001
#define CMJ_EGL_RENDERABLE_TYPE 0x3040
#define CMJ_EGL_OPENGL_BIT 0x0008
#define CMJ_EGL_RED_SIZE 0x3024
#define CMJ_EGL_GREEN_SIZE 0x3023
#define CMJ_EGL_BLUE_SIZE 0x3022
#define CMJ_EGL_ALPHA_SIZE 0x3021
#define CMJ_EGL_DEPTH_SIZE 0x3025
#define CMJ_EGL_STENCIL_SIZE 0x3026
#define CMJ_EGL_DONT_CARE (-1)
#define CMJ_EGL_OPENGL_API 0x30A2
#define CMJ_EGL_EXTENSIONS 0x3055
#define CMJ_EGL_PLATFORM_SURFACELESS_MESA 0x31DD
#define CMJ_EGL_PLATFORM_DEVICE_EXT 0x313F

typedef EGLint (*egl_get_error_fn)(void);
typedef EGLDisplay (*egl_get_display_fn)(void* native);
typedef EGLDisplay (*egl_get_platform_display_fn)(EGLenum platform, void* native, const EGLint* attribs);
typedef EGLBoolean (*egl_query_devices_fn)(EGLint max, EGLDeviceEXT* devices, EGLint* count);
typedef EGLBoolean (*egl_initialize_fn)(EGLDisplay, EGLint*, EGLint*);
typedef EGLBoolean (*egl_choose_config_fn)(EGLDisplay, const EGLint*, EGLConfig*, EGLint, EGLint*);
typedef EGLBoolean (*egl_bind_api_fn)(EGLenum);
typedef EGLContext (*egl_create_context_fn)(EGLDisplay, EGLConfig, EGLContext, const EGLint*);
typedef EGLBoolean (*egl_make_current_fn)(EGLDisplay, EGLSurface, EGLSurface, EGLContext);
typedef EGLBoolean (*egl_destroy_context_fn)(EGLDisplay, EGLContext);
typedef const char* (*egl_query_string_fn)(EGLDisplay, EGLint);
typedef void* (*egl_get_proc_address_fn)(const char*);

// --- OSMesa (Mesa GL/osmesa.h)
#define CMJ_OSMESA_RGBA 0x1908        /* GL_RGBA */
#define CMJ_GL_UNSIGNED_BYTE 0x1401
typedef void* OSMesaContext;
typedef OSMesaContext (*osmesa_create_fn)(unsigned format, int depth, int stencil, int accum, OSMesaContext share);
typedef unsigned char (*osmesa_make_current_fn)(OSMesaContext, void* buffer, unsigned type, int width, int height);
typedef void (*osmesa_destroy_fn)(OSMesaContext);
typedef void* (*osmesa_get_proc_address_fn)(const char*);

// --- GLFW 3 (glfw3.h)
#define CMJ_GLFW_VISIBLE 0x00020004
typedef int (*glfw_init_fn)(void);
typedef void (*glfw_window_hint_fn)(int, int);
typedef void* (*glfw_create_window_fn)(int, int, const char*, void*, void*);
typedef void (*glfw_make_context_current_fn)(void*);
typedef void (*glfw_destroy_window_fn)(void*);
typedef void (*glfw_swap_buffers_fn)(void*);
typedef void (*glfw_poll_events_fn)(void);
typedef int (*glfw_window_should_close_fn)(void*);
typedef int (*glfw_get_error_fn)(const char**);
typedef void* (*glfw_get_proc_address_fn)(const char*);

// --- GL (only for describing the context)
#define CMJ_GL_VENDOR 0x1F00
#define CMJ_GL_RENDERER 0x1F01
#define CMJ_GL_VERSION 0x1F02
typedef const unsigned char* (*gl_get_string_fn)(unsigned);

struct cmj_gl_context {
  int backend;
  void* library;  // dlopen handle of libEGL / libOSMesa / libglfw
  char library_name[64];
  // EGL
  EGLDisplay egl_display;
  EGLContext egl_context;
  egl_make_current_fn egl_make_current;
  egl_destroy_context_fn egl_destroy_context;
  // OSMesa
  OSMesaContext osmesa_context;
  osmesa_make_current_fn osmesa_make_current;
  osmesa_destroy_fn osmesa_destroy;
  unsigned char* osmesa_buffer;
  int width, height;
  // GLFW
  void* window;
  glfw_make_context_current_fn glfw_make_current;
  glfw_destroy_window_fn glfw_destroy_window;
  glfw_swap_buffers_fn glfw_swap_buffers;
  glfw_poll_events_fn glfw_poll_events;
  glfw_window_should_close_fn glfw_should_close;
  char description[256];
};

static void cmj_gl_fail(char* error, int error_size, const char* format, ...) {
  if (!error || error_size <= 0) return;
  va_list args;
  va_start(args, format);
  vsnprintf(error, (size_t)error_size, format, args);
  va_end(args);
}

// The libraries tried for each backend, in order: the runtime packages' sonames first, then the
// unversioned name a -dev package installs. Indexed by CMJ_GL_EGL / _OSMESA / _GLFW.
static const char* const cmj_gl_libraries[][4] = {
    [CMJ_GL_EGL] = {"libEGL.so.1", "libEGL.so", NULL},
    [CMJ_GL_OSMESA] = {"libOSMesa.so.8", "libOSMesa.so.6", "libOSMesa.so", NULL},
    [CMJ_GL_GLFW] = {"libglfw.so.3", "libglfw.so", NULL},
};

// Opens the first library of `backend` that loads (RTLD_LOCAL: its symbols stay out of the global
// scope until cmj_gl_make_global, so MuJoCo's loader cannot pick a backend that was only probed).
static void* cmj_gl_open(int backend, char* chosen, int chosen_size, char* error, int error_size) {
  if (backend < CMJ_GL_EGL || backend > CMJ_GL_GLFW) {
    cmj_gl_fail(error, error_size, "unknown backend %d", backend);
    return NULL;
  }
  const char* const* names = cmj_gl_libraries[backend];
  const char* first_error = NULL;
  char message[512] = "";
  for (int i = 0; names[i]; i++) {
    void* handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      snprintf(chosen, (size_t)chosen_size, "%s", names[i]);
      return handle;
    }
    if (!first_error) {
      first_error = dlerror();
      snprintf(message, sizeof message, "%s", first_error ? first_error : names[i]);
    }
  }
  cmj_gl_fail(error, error_size, "cannot load %s (%s)", names[0], message);
  return NULL;
}

static void cmj_gl_describe(cmj_gl_context* c, void* (*get_proc)(const char*), const char* platform) {
  gl_get_string_fn get_string = get_proc ? (gl_get_string_fn)get_proc("glGetString") : NULL;
  const char* renderer = get_string ? (const char*)get_string(CMJ_GL_RENDERER) : NULL;
  const char* version = get_string ? (const char*)get_string(CMJ_GL_VERSION) : NULL;
  snprintf(c->description, sizeof c->description, "%s; GL %s; %s", platform,
           version ? version : "?", renderer ? renderer : "unknown renderer");
}

static const char* cmj_egl_error_name(EGLint code) {
  switch (code) {
    case 0x3000: return "EGL_SUCCESS";
    case 0x3001: return "EGL_NOT_INITIALIZED";
    case 0x3002: return "EGL_BAD_ACCESS";
    case 0x3003: return "EGL_BAD_ALLOC";
    case 0x3004: return "EGL_BAD_ATTRIBUTE";
    case 0x3005: return "EGL_BAD_CONFIG";
    case 0x3006: return "EGL_BAD_CONTEXT";
    case 0x3008: return "EGL_BAD_DISPLAY";
    case 0x3009: return "EGL_BAD_MATCH";
    case 0x300C: return "EGL_BAD_PARAMETER";
    default: return "EGL error";
  }
}

// EGL: Mesa's surfaceless platform first (no display server, no GPU: llvmpipe), then the first EGL
// device (NVIDIA's EGL has no surfaceless platform; MUJOCO_EGL_DEVICE_ID picks another device, as
// in dm_control), then the default display. The context has no surface at all
// (EGL_KHR_surfaceless_context): MuJoCo renders into its own framebuffer objects.
static int cmj_gl_create_egl(cmj_gl_context* c, char* error, int error_size) {
  c->library = cmj_gl_open(CMJ_GL_EGL, c->library_name, sizeof c->library_name, error, error_size);
  if (!c->library) return 0;
#define CMJ_EGL_SYM(type, name) type name = (type)dlsym(c->library, #name)
  CMJ_EGL_SYM(egl_get_error_fn, eglGetError);
  CMJ_EGL_SYM(egl_get_display_fn, eglGetDisplay);
  CMJ_EGL_SYM(egl_initialize_fn, eglInitialize);
  CMJ_EGL_SYM(egl_choose_config_fn, eglChooseConfig);
  CMJ_EGL_SYM(egl_bind_api_fn, eglBindAPI);
  CMJ_EGL_SYM(egl_create_context_fn, eglCreateContext);
  CMJ_EGL_SYM(egl_make_current_fn, eglMakeCurrent);
  CMJ_EGL_SYM(egl_destroy_context_fn, eglDestroyContext);
  CMJ_EGL_SYM(egl_query_string_fn, eglQueryString);
  CMJ_EGL_SYM(egl_get_proc_address_fn, eglGetProcAddress);
#undef CMJ_EGL_SYM
  if (!eglGetError || !eglGetDisplay || !eglInitialize || !eglChooseConfig || !eglBindAPI ||
      !eglCreateContext || !eglMakeCurrent || !eglDestroyContext || !eglQueryString || !eglGetProcAddress) {
    cmj_gl_fail(error, error_size, "%s lacks EGL 1.4 entry points", c->library_name);
    return 0;
  }
  egl_get_platform_display_fn get_platform_display =
      (egl_get_platform_display_fn)eglGetProcAddress("eglGetPlatformDisplayEXT");
  egl_query_devices_fn query_devices = (egl_query_devices_fn)eglGetProcAddress("eglQueryDevicesEXT");
  const char* client_extensions = eglQueryString(NULL, CMJ_EGL_EXTENSIONS);
  if (!client_extensions) client_extensions = "";

  const char* device_env = getenv("MUJOCO_EGL_DEVICE_ID");
  int wanted_device = device_env && *device_env ? atoi(device_env) : -1;
  char attempts[512] = "";
  EGLDisplay display = NULL;
  const char* platform = "";
  EGLint major = 0, minor = 0;
  for (int stage = 0; stage < 3 && !display; stage++) {
    EGLDisplay candidate = NULL;
    const char* name = "";
    if (stage == 0 && wanted_device < 0) {
      name = "surfaceless";
      if (get_platform_display && strstr(client_extensions, "EGL_MESA_platform_surfaceless"))
        candidate = get_platform_display(CMJ_EGL_PLATFORM_SURFACELESS_MESA, NULL, NULL);
    } else if (stage == 1) {
      name = "device";
      if (get_platform_display && query_devices && strstr(client_extensions, "EGL_EXT_platform_device")) {
        EGLDeviceEXT devices[16];
        EGLint count = 0;
        if (query_devices(16, devices, &count) && count > 0) {
          int index = wanted_device >= 0 ? wanted_device : 0;
          if (index < count) candidate = get_platform_display(CMJ_EGL_PLATFORM_DEVICE_EXT, devices[index], NULL);
        }
      }
    } else if (stage == 2) {
      name = "default display";
      candidate = eglGetDisplay(NULL);
    } else {
      continue;
    }
    if (!candidate) {
      size_t used = strlen(attempts);
      snprintf(attempts + used, sizeof attempts - used, "%s%s: unavailable", used ? "; " : "", name);
      continue;
    }
    if (!eglInitialize(candidate, &major, &minor)) {
      size_t used = strlen(attempts);
      snprintf(attempts + used, sizeof attempts - used, "%s%s: eglInitialize failed (%s)", used ? "; " : "",
               name, cmj_egl_error_name(eglGetError()));
      continue;
    }
    display = candidate;
    platform = name;
  }
  if (!display) {
    cmj_gl_fail(error, error_size, "no usable EGL display (%s)", attempts);
    return 0;
  }
  // Surface type: pbuffer-capable configs first (Mesa and NVIDIA list them), else any.
  EGLint attributes[] = {CMJ_EGL_SURFACE_TYPE, CMJ_EGL_PBUFFER_BIT, CMJ_EGL_RENDERABLE_TYPE, CMJ_EGL_OPENGL_BIT,
                         CMJ_EGL_RED_SIZE, 8, CMJ_EGL_GREEN_SIZE, 8, CMJ_EGL_BLUE_SIZE, 8, CMJ_EGL_ALPHA_SIZE, 8,
                         CMJ_EGL_DEPTH_SIZE, 24, CMJ_EGL_STENCIL_SIZE, 8, CMJ_EGL_NONE};
  EGLConfig config = NULL;
  EGLint count = 0;
  if (!eglChooseConfig(display, attributes, &config, 1, &count) || count < 1) {
    attributes[1] = CMJ_EGL_DONT_CARE;
    if (!eglChooseConfig(display, attributes, &config, 1, &count) || count < 1) {
      cmj_gl_fail(error, error_size, "EGL (%s) has no RGBA8/depth24/stencil8 desktop-OpenGL config", platform);
      return 0;
    }
  }
  if (!eglBindAPI(CMJ_EGL_OPENGL_API)) {
    cmj_gl_fail(error, error_size, "EGL (%s) does not offer desktop OpenGL (%s)", platform,
                cmj_egl_error_name(eglGetError()));
    return 0;
  }
  EGLContext context = eglCreateContext(display, config, NULL, NULL);
  if (!context) {
    cmj_gl_fail(error, error_size, "eglCreateContext failed on the %s display (%s)", platform,
                cmj_egl_error_name(eglGetError()));
    return 0;
  }
  if (!eglMakeCurrent(display, NULL, NULL, context)) {
    cmj_gl_fail(error, error_size, "eglMakeCurrent without a surface failed on the %s display (%s)", platform,
                cmj_egl_error_name(eglGetError()));
    eglDestroyContext(display, context);
    return 0;
  }
  c->egl_display = display;
  c->egl_context = context;
  c->egl_make_current = eglMakeCurrent;
  c->egl_destroy_context = eglDestroyContext;
  char label[96];
  snprintf(label, sizeof label, "EGL %d.%d %s", major, minor, platform);
  cmj_gl_describe(c, eglGetProcAddress, label);
  return 1;
}

// OSMesa: Mesa's off-screen software renderer; the context draws into `osmesa_buffer` (MuJoCo then
// renders into its own framebuffer objects, so the buffer only has to exist).
static int cmj_gl_create_osmesa(cmj_gl_context* c, int width, int height, char* error, int error_size) {
  c->library = cmj_gl_open(CMJ_GL_OSMESA, c->library_name, sizeof c->library_name, error, error_size);
  if (!c->library) return 0;
  osmesa_create_fn create = (osmesa_create_fn)dlsym(c->library, "OSMesaCreateContextExt");
  c->osmesa_make_current = (osmesa_make_current_fn)dlsym(c->library, "OSMesaMakeCurrent");
  c->osmesa_destroy = (osmesa_destroy_fn)dlsym(c->library, "OSMesaDestroyContext");
  osmesa_get_proc_address_fn get_proc = (osmesa_get_proc_address_fn)dlsym(c->library, "OSMesaGetProcAddress");
  if (!create || !c->osmesa_make_current || !c->osmesa_destroy || !get_proc) {
    cmj_gl_fail(error, error_size, "%s lacks OSMesaCreateContextExt/OSMesaMakeCurrent", c->library_name);
    return 0;
  }
  c->osmesa_context = create(CMJ_OSMESA_RGBA, 24, 8, 0, NULL);
  if (!c->osmesa_context) {
    cmj_gl_fail(error, error_size, "OSMesaCreateContextExt(RGBA, depth 24, stencil 8) failed");
    return 0;
  }
  c->width = width > 0 ? width : 1;
  c->height = height > 0 ? height : 1;
  c->osmesa_buffer = (unsigned char*)calloc((size_t)c->width * (size_t)c->height, 4);
  if (!c->osmesa_buffer ||
      !c->osmesa_make_current(c->osmesa_context, c->osmesa_buffer, CMJ_GL_UNSIGNED_BYTE, c->width, c->height)) {
    cmj_gl_fail(error, error_size, "OSMesaMakeCurrent failed");
    return 0;
  }
  cmj_gl_describe(c, get_proc, "OSMesa");
  return 1;
}

// GLFW: a window (visible to watch live, or hidden) on an X11/Wayland display, through GLX/EGL as
// GLFW chooses. Only used when asked for.
static int cmj_gl_create_glfw(cmj_gl_context* c, int width, int height, int visible, char* error, int error_size) {
  const char* x11 = getenv("DISPLAY");
  const char* wayland = getenv("WAYLAND_DISPLAY");
  if ((!x11 || !*x11) && (!wayland || !*wayland)) {
    cmj_gl_fail(error, error_size, "no display (DISPLAY and WAYLAND_DISPLAY are unset)");
    return 0;
  }
  c->library = cmj_gl_open(CMJ_GL_GLFW, c->library_name, sizeof c->library_name, error, error_size);
  if (!c->library) return 0;
  glfw_init_fn init = (glfw_init_fn)dlsym(c->library, "glfwInit");
  glfw_window_hint_fn hint = (glfw_window_hint_fn)dlsym(c->library, "glfwWindowHint");
  glfw_create_window_fn create = (glfw_create_window_fn)dlsym(c->library, "glfwCreateWindow");
  glfw_get_error_fn get_error = (glfw_get_error_fn)dlsym(c->library, "glfwGetError");
  glfw_get_proc_address_fn get_proc = (glfw_get_proc_address_fn)dlsym(c->library, "glfwGetProcAddress");
  c->glfw_make_current = (glfw_make_context_current_fn)dlsym(c->library, "glfwMakeContextCurrent");
  c->glfw_destroy_window = (glfw_destroy_window_fn)dlsym(c->library, "glfwDestroyWindow");
  c->glfw_swap_buffers = (glfw_swap_buffers_fn)dlsym(c->library, "glfwSwapBuffers");
  c->glfw_poll_events = (glfw_poll_events_fn)dlsym(c->library, "glfwPollEvents");
  c->glfw_should_close = (glfw_window_should_close_fn)dlsym(c->library, "glfwWindowShouldClose");
  if (!init || !hint || !create || !c->glfw_make_current || !c->glfw_destroy_window || !c->glfw_swap_buffers ||
      !c->glfw_poll_events || !c->glfw_should_close) {
    cmj_gl_fail(error, error_size, "%s lacks GLFW 3 entry points", c->library_name);
    return 0;
  }
  const char* description = NULL;
  if (!init()) {
    if (get_error) get_error(&description);
    cmj_gl_fail(error, error_size, "glfwInit failed (%s)", description ? description : "no reason given");
    return 0;
  }
  hint(CMJ_GLFW_VISIBLE, visible ? 1 : 0);
  c->window = create(width, height, "edp-eval", NULL, NULL);
  if (!c->window) {
    if (get_error) get_error(&description);
    cmj_gl_fail(error, error_size, "glfwCreateWindow failed (%s)", description ? description : "no reason given");
    return 0;
  }
  c->glfw_make_current(c->window);
  cmj_gl_describe(c, get_proc, visible ? "GLFW window" : "GLFW hidden window");
  return 1;
}

cmj_gl_context* cmj_gl_create(int backend, int width, int height, int visible, char* error, int error_size) {
  if (error && error_size > 0) error[0] = '\0';
  cmj_gl_context* c = (cmj_gl_context*)calloc(1, sizeof(cmj_gl_context));
  if (!c) {
    cmj_gl_fail(error, error_size, "out of memory");
    return NULL;
  }
  c->backend = backend;
  int ok = 0;
  switch (backend) {
    case CMJ_GL_EGL: ok = cmj_gl_create_egl(c, error, error_size); break;
    case CMJ_GL_OSMESA: ok = cmj_gl_create_osmesa(c, width, height, error, error_size); break;
    case CMJ_GL_GLFW: ok = cmj_gl_create_glfw(c, width, height, visible, error, error_size); break;
    default: cmj_gl_fail(error, error_size, "unknown backend %d", backend);
  }
  if (!ok) {
    cmj_gl_destroy(c);
    return NULL;
  }
  return c;
}

int cmj_gl_make_current(cmj_gl_context* c) {
  if (!c) return 0;
  switch (c->backend) {
    case CMJ_GL_EGL: return c->egl_make_current(c->egl_display, NULL, NULL, c->egl_context) ? 1 : 0;
    case CMJ_GL_OSMESA:
      return c->osmesa_make_current(c->osmesa_context, c->osmesa_buffer, CMJ_GL_UNSIGNED_BYTE, c->width, c->height)
                 ? 1 : 0;
    case CMJ_GL_GLFW: c->glfw_make_current(c->window); return 1;
    default: return 0;
  }
}

void cmj_gl_release_current(cmj_gl_context* c) {
  if (!c) return;
  switch (c->backend) {
    case CMJ_GL_EGL:
      if (c->egl_make_current && c->egl_display) c->egl_make_current(c->egl_display, NULL, NULL, NULL);
      break;
    case CMJ_GL_OSMESA:
      if (c->osmesa_make_current) c->osmesa_make_current(NULL, NULL, 0, 0, 0);
      break;
    case CMJ_GL_GLFW:
      if (c->glfw_make_current) c->glfw_make_current(NULL);
      break;
  }
}

void cmj_gl_destroy(cmj_gl_context* c) {
  if (!c) return;
  cmj_gl_release_current(c);
  if (c->egl_context && c->egl_destroy_context) c->egl_destroy_context(c->egl_display, c->egl_context);
  // The EGL display is left initialized: it is shared by every context of the process, and
  // eglTerminate would invalidate the other renderers' contexts.
  if (c->osmesa_context && c->osmesa_destroy) c->osmesa_destroy(c->osmesa_context);
  free(c->osmesa_buffer);
  if (c->window && c->glfw_destroy_window) c->glfw_destroy_window(c->window);
  // Libraries stay loaded: MuJoCo keeps the GL function pointers it loaded for the whole process.
  free(c);
}

int cmj_gl_make_global(cmj_gl_context* c) {
  if (!c || !c->library_name[0]) return 0;
  return dlopen(c->library_name, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) ? 1 : 0;
}

const char* cmj_gl_description(const cmj_gl_context* c) { return c ? c->description : ""; }

int cmj_gl_present(cmj_gl_context* c) {
  if (!c || c->backend != CMJ_GL_GLFW || !c->window) return 0;
  c->glfw_swap_buffers(c->window);
  c->glfw_poll_events();
  return c->glfw_should_close(c->window) ? 1 : 0;
}

int cmj_gl_library_loadable(int backend, char* error, int error_size) {
  char chosen[64];
  void* handle = cmj_gl_open(backend, chosen, sizeof chosen, error, error_size);
  if (!handle) return 0;
  dlclose(handle);
  return 1;
}
