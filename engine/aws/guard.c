/*
 * Burst's worker guard: a Node-API module whose only work is to make the
 * process that loads it non-dumpable, so that the jobs it starts, which run
 * as the same user, cannot read its environment or memory nor attach to it.
 */
#include <sys/prctl.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  (void)env;
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return exports;
}

__attribute__((visibility("default"))) int node_api_module_get_api_version_v1(void) { return 8; }
