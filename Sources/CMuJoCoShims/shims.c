#include "CMuJoCoShims.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMJ_MESSAGE_SIZE = 1024 };

// Per-thread trap state: environments step on many threads at once.
static _Thread_local jmp_buf* cmj_trap = NULL;
static _Thread_local char cmj_error_message[CMJ_MESSAGE_SIZE];
static _Thread_local char cmj_warning_message[CMJ_MESSAGE_SIZE];
static _Thread_local int cmj_untrapped_errors = 0;

static void cmj_copy(char* dst, const char* src) {
  if (!src) src = "";
  strncpy(dst, src, CMJ_MESSAGE_SIZE - 1);
  dst[CMJ_MESSAGE_SIZE - 1] = '\0';
}

static void cmj_on_error(const char* message) {
  cmj_copy(cmj_error_message, message);
  if (cmj_trap) longjmp(*cmj_trap, 1);
  // Only reachable if a MuJoCo function that can fail is called outside a cmj_ wrapper, which
  // the Swift layer never does. Returning would let MuJoCo continue on corrupt state, so stop.
  cmj_untrapped_errors++;
  fprintf(stderr, "MuJoCo error outside a trapped call: %s\n", cmj_error_message);
  abort();
}

static void cmj_on_warning(const char* message) {
  // Kept for diagnostics; instability is detected from mjData.warning counters by the caller.
  cmj_copy(cmj_warning_message, message);
}

static pthread_once_t cmj_once = PTHREAD_ONCE_INIT;
static void cmj_install_once(void) {
  mju_user_error = cmj_on_error;
  mju_user_warning = cmj_on_warning;
}
void cmj_install_handlers(void) { pthread_once(&cmj_once, cmj_install_once); }

const char* cmj_last_error(void) { return cmj_error_message; }
const char* cmj_last_warning(void) { return cmj_warning_message; }
int cmj_untrapped_error_count(void) { return cmj_untrapped_errors; }

// Runs BODY with the trap armed; evaluates to 1 if MuJoCo raised an error inside it.
#define CMJ_TRAPPED(BODY)                                   \
  do {                                                      \
    jmp_buf here;                                           \
    jmp_buf* previous = cmj_trap;                           \
    cmj_error_message[0] = '\0';                            \
    if (setjmp(here) != 0) {                                \
      cmj_trap = previous;                                  \
      return 1;                                             \
    }                                                       \
    cmj_trap = &here;                                       \
    BODY;                                                   \
    cmj_trap = previous;                                    \
    return 0;                                               \
  } while (0)

int cmj_call_trapped(void (*body)(void* context), void* context) { CMJ_TRAPPED(body(context)); }

int cmj_step(const mjModel* m, mjData* d, int count) {
  CMJ_TRAPPED(for (int i = 0; i < count; i++) mj_step(m, d));
}
int cmj_forward(const mjModel* m, mjData* d) { CMJ_TRAPPED(mj_forward(m, d)); }
int cmj_reset_data(const mjModel* m, mjData* d) { CMJ_TRAPPED(mj_resetData(m, d)); }
int cmj_step1(const mjModel* m, mjData* d) { CMJ_TRAPPED(mj_step1(m, d)); }
int cmj_step2(const mjModel* m, mjData* d) { CMJ_TRAPPED(mj_step2(m, d)); }

static int cmj_copy_model_into(const mjModel* m, mjModel** out) { CMJ_TRAPPED(*out = mj_copyModel(NULL, m)); }
mjModel* cmj_copy_model(const mjModel* m) {
  mjModel* copy = NULL;
  return cmj_copy_model_into(m, &copy) == 0 ? copy : NULL;
}

static int cmj_make_data_into(const mjModel* m, mjData** out) { CMJ_TRAPPED(*out = mj_makeData(m)); }
mjData* cmj_make_data(const mjModel* m) {
  mjData* d = NULL;
  return cmj_make_data_into(m, &d) == 0 ? d : NULL;
}

mjModel* cmj_load_xml_string(const char* xml, const char* name, char* error, int error_size) {
  // mjVFS is large (fixed tables), so it lives on the heap.
  mjVFS* vfs = (mjVFS*)malloc(sizeof(mjVFS));
  if (!vfs) {
    snprintf(error, error_size, "out of memory allocating a virtual file system");
    return NULL;
  }
  mj_defaultVFS(vfs);
  size_t length = strlen(xml);
  int status = mj_makeEmptyFileVFS(vfs, name, (int)length);
  if (status != 0) {
    snprintf(error, error_size, "cannot create virtual file '%s' (status %d)", name, status);
    free(vfs);
    return NULL;
  }
  int index = mj_findFileVFS(vfs, name);
  memcpy(vfs->filedata[index], xml, length);
  mjModel* model = mj_loadXML(name, vfs, error, error_size);
  mj_deleteVFS(vfs);
  free(vfs);
  return model;
}
