// CMuJoCoDoor: the version-neutral C interface between the Swift `MuJoCo` module and the MuJoCo
// builds this package drives (one shim target per build: CMuJoCo210Shims, CMuJoCo237Shims).
//
// Why this exists: two official MuJoCo builds (2.1.0, the papers' physics, and 2.3.7) live in one
// process. Their structs differ in layout, so nothing above this header may see an `mjModel`,
// `mjData` or `mjvCamera`: Swift holds opaque handles and calls a table of functions (`cmj_backend`)
// filled by the shim of the build it chose. Each shim is compiled against its own build's headers
// (cmj_backend.inc, included once per shim) and opens its library with dlopen(RTLD_LOCAL), so the
// two libraries never resolve each other's symbols. Engine calls that can raise `mju_error` run
// under that shim's setjmp trap and return a status instead of ending the process.
#ifndef CMUJOCO_DOOR_H
#define CMUJOCO_DOOR_H

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/// An `mjModel` of some build (opaque; only that build's backend may touch it).
typedef struct cmj_model cmj_model;
/// An `mjData` of some build (opaque).
typedef struct cmj_data cmj_data;
/// A MuJoCo scene + GL rendering context of some build (opaque).
typedef struct cmj_renderer cmj_renderer;

/// Object kinds for name look-ups (mapped to each build's `mjtObj`).
enum { CMJ_OBJ_BODY = 1, CMJ_OBJ_JOINT = 2, CMJ_OBJ_GEOM = 3, CMJ_OBJ_ACTUATOR = 4, CMJ_OBJ_CAMERA = 5, CMJ_OBJ_SITE = 6 };
/// Parts of the physics a single forward call can switch off (mapped to `mjtDisableBit`).
enum { CMJ_DISABLE_ACTUATION = 1 };
/// Camera kinds (`mjtCamera`; the shims check these values against their headers at compile time).
enum { CMJ_CAMERA_FREE = 0, CMJ_CAMERA_TRACKING = 1, CMJ_CAMERA_FIXED = 2 };
/// Geom types used above the door (`mjtGeom`; checked against each build's headers).
enum { CMJ_GEOM_PLANE = 0, CMJ_GEOM_SPHERE = 2, CMJ_GEOM_CYLINDER = 5 };
/// Numerical instabilities (`mjWARN_BADQPOS`, `mjWARN_BADQVEL`, `mjWARN_BADQACC`).
enum { CMJ_INSTABILITY_NONE = 0, CMJ_INSTABILITY_QPOS = 1, CMJ_INSTABILITY_QVEL = 2, CMJ_INSTABILITY_QACC = 3 };

/// Scalars of a compiled model that are not arrays (`opt`, `stat`, `vis`).
typedef struct {
  double timestep;        ///< opt.timestep, s
  int integrator;         ///< opt.integrator (mjtIntegrator: 0 Euler, 1 RK4, 2 implicit, 3 implicitfast)
  double gravity[3];      ///< opt.gravity, m/s²
  double center[3];       ///< stat.center, m
  double extent;          ///< stat.extent, m
  double fovy;            ///< vis.global.fovy, degrees
} cmj_model_facts;

/// Where one `mjData`'s state arrays live (stable for the data's lifetime: mj_makeData allocates
/// them once). Lengths: qpos nq, qvel/qacc nv, act na, ctrl nu, xpos 3·nbody, site_xpos 3·nsite.
typedef struct {
  double* _Nullable time;
  double* _Nullable qpos;
  double* _Nullable qvel;
  double* _Nullable act;
  double* _Nullable ctrl;
  double* _Nullable qacc;
  double* _Nullable xpos;
  double* _Nullable site_xpos;
} cmj_data_arrays;

/// An abstract camera (`mjvCamera`'s fields, independent of its layout).
typedef struct {
  int type;               ///< CMJ_CAMERA_*
  int fixedcamid;         ///< model camera for CMJ_CAMERA_FIXED
  int trackbodyid;        ///< body for CMJ_CAMERA_TRACKING
  double lookat[3];       ///< m, world frame
  double distance;        ///< m
  double azimuth;         ///< degrees
  double elevation;       ///< degrees
} cmj_camera;

/// A decorative geom added to the scene after mjv_updateScene (e.g. the AntMaze goal).
typedef struct {
  int type;               ///< CMJ_GEOM_SPHERE or CMJ_GEOM_CYLINDER
  double size[3];         ///< geom size parameters (m), as in MJCF
  double pos[3];          ///< position (m, world frame)
  float rgba[4];          ///< colour, 0...1
} cmj_marker;

/// One MuJoCo build, opened. Every function pointer is set. Functions returning int return 0 on
/// success and 1 when MuJoCo raised an error (the message is then in `last_error()`), unless noted.
typedef struct cmj_backend {
  int version;                  ///< mj_version(), e.g. 210 or 237
  const char* version_string;   ///< "2.1.0", "2.3.7"
  const char* library_path;     ///< the file dlopen loaded

  /// The message of the last error raised on this thread by this build ("" if none).
  const char* _Nonnull (*_Nonnull last_error)(void);

  // Models
  cmj_model* _Nullable (*load_xml)(const char* path, char* error, int error_size);
  cmj_model* _Nullable (*load_xml_string)(const char* xml, const char* name, char* error, int error_size);
  cmj_model* _Nullable (*copy_model)(const cmj_model* m);                 ///< NULL on error
  void (*delete_model)(cmj_model* m);
  void (*model_facts)(const cmj_model* m, cmj_model_facts* out);
  /// Size number `index` in `MJMODEL_INTS` order; 0 past the last.
  int (*model_size)(const cmj_model* m, int index, const char* _Nullable * _Nonnull name, long* value);
  /// Array number `index` in `MJMODEL_POINTERS` order (data, element size in bytes, count); 0 past the last.
  int (*model_array)(const cmj_model* m, int index, const char* _Nullable * _Nonnull name,
                     void* _Nullable * _Nonnull data, int* element_size, long* count);
  int (*name_to_id)(const cmj_model* m, int object, const char* name);        ///< -1 if none
  const char* _Nullable (*id_to_name)(const cmj_model* m, int object, int id);          ///< NULL if none

  // Data and simulation
  cmj_data* _Nullable (*make_data)(const cmj_model* m);                    ///< NULL on error
  void (*delete_data)(cmj_data* d);
  void (*data_arrays)(const cmj_model* m, cmj_data* d, cmj_data_arrays* out);
  int (*step)(const cmj_model* m, cmj_data* d, int count);       ///< mj_step × count
  int (*step1)(const cmj_model* m, cmj_data* d);
  int (*step2)(const cmj_model* m, cmj_data* d);
  int (*forward)(const cmj_model* m, cmj_data* d);
  int (*reset_data)(const cmj_model* m, cmj_data* d);
  int (*step_legacy)(const cmj_model* m, cmj_data* d, int count); ///< (mj_step2, mj_step1) × count
  int (*forward_disabled)(const cmj_model* m, cmj_data* d, int cmj_disable_flags);
  /// The first bad-qpos/qvel/qacc warning since the last reset: CMJ_INSTABILITY_* and MuJoCo's index.
  int (*instability)(const cmj_data* d, int* index);
  void (*clear_warnings)(cmj_data* d);

  // The engine's own entry points, untrapped, for the benchmarks' bare C loops.
  void (*raw_step)(const cmj_model* m, cmj_data* d);
  void (*raw_step1)(const cmj_model* m, cmj_data* d);
  void (*raw_step2)(const cmj_model* m, cmj_data* d);
  void (*raw_forward)(const cmj_model* m, cmj_data* d);
  void (*raw_reset_data)(const cmj_model* m, cmj_data* d);

  // Rendering (a GL context must be current on the calling thread).
  void (*default_camera)(cmj_camera* out);
  cmj_renderer* _Nullable (*renderer_create)(const cmj_model* m, int width, int height, int quality, int max_geoms,
                                   char* error, int error_size);
  void (*renderer_free)(cmj_renderer* _Nullable r);
  /// Renders `d` from `camera` (updated in place, e.g. where a tracking camera looked) plus markers
  /// into `rgb` (width × height × 3, top row first).
  int (*renderer_frame)(cmj_renderer* r, cmj_data* d, cmj_camera* camera, const cmj_marker* _Nullable markers,
                        int marker_count, unsigned char* rgb, char* error, int error_size);
  int (*renderer_show)(cmj_renderer* r, const unsigned char* rgb);
} cmj_backend;

/// Loads `path` with RTLD_GLOBAL (e.g. the GLEW library MuJoCo 2.1.0 expects in the global scope).
/// Returns 1, or 0 with dlerror()'s message in `error`.
int cmj_load_global(const char* path, char* error, int error_size);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif
#endif
