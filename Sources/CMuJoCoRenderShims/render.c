// MuJoCo's renderer (mjv_/mjr_) under the error trap.
//
// Why this exists: mjr_makeContext, mjr_resizeOffscreen and mjr_render raise mju_error when GL
// fails (no framebuffer objects, missing entry points, out of memory); the trap turns that into a
// status. Each public function is one trapped C call, so the longjmp only ever crosses C frames.
// The renderer owns a private copy of the model, so the offscreen size and multisampling can be set
// in `vis` without writing to the model the simulations share.
#include "CMuJoCoRenderShims.h"
#include "CMuJoCoShims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmj_renderer {
  mjModel* model;  // private copy (vis.global.offwidth/offheight, vis.quality.offsamples set)
  mjvScene scene;
  mjvOption option;
  mjrContext context;
  int width, height;
  int scene_made, context_made;
  unsigned char* row;  // one row of scratch for the vertical flip
  unsigned char* window_rgb;  // bottom-up copy for drawing into a window
};

typedef struct {
  const mjModel* source;
  cmj_renderer* r;
  int quality;
  int max_geoms;
} cmj_make_args;

static void cmj_renderer_make_body(void* p) {
  cmj_make_args* a = (cmj_make_args*)p;
  cmj_renderer* r = a->r;
  r->model = mj_copyModel(NULL, a->source);
  r->model->vis.global.offwidth = r->width;
  r->model->vis.global.offheight = r->height;
  // Fast: no multisampling. Quality: 4x MSAA (MuJoCo's default offsamples).
  r->model->vis.quality.offsamples = a->quality ? 4 : 0;
  mjv_defaultOption(&r->option);
  mjv_defaultScene(&r->scene);
  mjv_makeScene(r->model, &r->scene, a->max_geoms);
  r->scene_made = 1;
  mjr_defaultContext(&r->context);
  mjr_makeContext(r->model, &r->context, mjFONTSCALE_100);
  r->context_made = 1;
  mjr_setBuffer(mjFB_OFFSCREEN, &r->context);
  if (r->context.currentBuffer != mjFB_OFFSCREEN) mju_error("offscreen framebuffer is not supported by this OpenGL context");
  // Fast mode turns off everything that costs a second pass or extra fill on a CPU rasterizer.
  r->scene.flags[mjRND_SHADOW] = a->quality ? 1 : 0;
  r->scene.flags[mjRND_REFLECTION] = a->quality ? 1 : 0;
  r->scene.flags[mjRND_SKYBOX] = a->quality ? 1 : 0;
  r->scene.flags[mjRND_FOG] = 0;
  r->scene.flags[mjRND_HAZE] = a->quality ? 1 : 0;
}

cmj_renderer* cmj_renderer_create(const mjModel* m, int width, int height, int quality, int max_geoms,
                                  char* error, int error_size) {
  cmj_renderer* r = (cmj_renderer*)calloc(1, sizeof(cmj_renderer));
  if (!r) {
    snprintf(error, (size_t)error_size, "out of memory");
    return NULL;
  }
  r->width = width;
  r->height = height;
  r->row = (unsigned char*)malloc((size_t)width * 3);
  r->window_rgb = (unsigned char*)malloc((size_t)width * (size_t)height * 3);
  cmj_make_args args = {m, r, quality, max_geoms};
  if (!r->row || !r->window_rgb) {
    snprintf(error, (size_t)error_size, "out of memory");
    cmj_renderer_free(r);
    return NULL;
  }
  if (cmj_call_trapped(cmj_renderer_make_body, &args) != 0) {
    snprintf(error, (size_t)error_size, "%s", cmj_last_error());
    cmj_renderer_free(r);
    return NULL;
  }
  return r;
}

void cmj_renderer_free(cmj_renderer* r) {
  if (!r) return;
  if (r->context_made) mjr_freeContext(&r->context);
  if (r->scene_made) mjv_freeScene(&r->scene);
  if (r->model) mj_deleteModel(r->model);
  free(r->row);
  free(r->window_rgb);
  free(r);
}

typedef struct {
  cmj_renderer* r;
  mjData* d;
  mjvCamera* camera;
  const cmj_marker* markers;
  int marker_count;
  unsigned char* rgb;
} cmj_frame_args;

static void cmj_renderer_frame_body(void* p) {
  cmj_frame_args* a = (cmj_frame_args*)p;
  cmj_renderer* r = a->r;
  mjrRect viewport = {0, 0, r->width, r->height};
  // mjv_updateScene reads the model and data (positions, orientations computed by the last
  // mj_forward/mj_step) and writes only the scene and the camera.
  mjv_updateScene(r->model, a->d, &r->option, NULL, a->camera, mjCAT_ALL, &r->scene);
  for (int i = 0; i < a->marker_count && r->scene.ngeom < r->scene.maxgeom; i++) {
    const cmj_marker* marker = &a->markers[i];
    mjvGeom* geom = &r->scene.geoms[r->scene.ngeom++];
    mjv_initGeom(geom, marker->type, marker->size, marker->pos, NULL, marker->rgba);
    geom->category = mjCAT_DECOR;
  }
  mjr_setBuffer(mjFB_OFFSCREEN, &r->context);
  mjr_render(viewport, &r->scene, &r->context);
  mjr_readPixels(a->rgb, NULL, viewport, &r->context);
}

int cmj_renderer_frame(cmj_renderer* r, mjData* d, mjvCamera* camera, const cmj_marker* markers,
                       int marker_count, unsigned char* rgb, char* error, int error_size) {
  cmj_frame_args args = {r, d, camera, markers, marker_count, rgb};
  if (cmj_call_trapped(cmj_renderer_frame_body, &args) != 0) {
    snprintf(error, (size_t)error_size, "%s", cmj_last_error());
    return 1;
  }
  // OpenGL's rows start at the bottom of the image; files and video want the top row first.
  size_t stride = (size_t)r->width * 3;
  for (int y = 0; y < r->height / 2; y++) {
    unsigned char* top = rgb + (size_t)y * stride;
    unsigned char* bottom = rgb + (size_t)(r->height - 1 - y) * stride;
    memcpy(r->row, top, stride);
    memcpy(top, bottom, stride);
    memcpy(bottom, r->row, stride);
  }
  return 0;
}

typedef struct {
  cmj_renderer* r;
  int width, height;
} cmj_show_args;

static void cmj_renderer_show_body(void* p) {
  cmj_show_args* a = (cmj_show_args*)p;
  mjrRect viewport = {0, 0, a->width, a->height};
  mjr_setBuffer(mjFB_WINDOW, &a->r->context);
  mjr_drawPixels(a->r->window_rgb, NULL, viewport, &a->r->context);
  mjr_setBuffer(mjFB_OFFSCREEN, &a->r->context);
}

int cmj_renderer_show(cmj_renderer* r, const unsigned char* rgb) {
  size_t stride = (size_t)r->width * 3;
  for (int y = 0; y < r->height; y++) memcpy(r->window_rgb + (size_t)(r->height - 1 - y) * stride, rgb + (size_t)y * stride, stride);
  cmj_show_args args = {r, r->width, r->height};
  return cmj_call_trapped(cmj_renderer_show_body, &args);
}
