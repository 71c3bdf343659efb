/*
 * burst intercept: a library preloaded (LD_PRELOAD) into every dynamically
 * linked program a `burst build` command starts. It sees each exec and spawn
 * before the kernel does, so tools are caught by what they are, not by the
 * name a build system spells them with: CMake and Meson record compilers by
 * absolute path (/usr/bin/c++), autotools may too (CC=/usr/bin/gcc), and a
 * PATH directory of stand-ins misses all of those.
 *
 * For each exec it
 *   - resolves the program as the exec would (PATH for the p-variants) and,
 *     when its real path is one of the tools the engine models
 *     (BURST_INTERCEPT, a ':'-separated list of real paths), runs the stand-in
 *     (BURST_STANDIN) instead, telling it the program by BURST_EXEC_PATH;
 *   - otherwise asks the engine (BURST_SOCKET) to make real every placeholder
 *     the program or its arguments name, so no program Burst did not model
 *     reads a placeholder;
 *   - puts its own variables back into an environment a caller cleared, so the
 *     processes below still report.
 * Static programs never load it; the stand-ins first on PATH still catch the
 * tools they run by bare name.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define PLACEHOLDER_HEAD "#!/bin/sh\n# burst placeholder:"
#define PLACEHOLDER_MAX 512

/* Variables this library needs in every process below the build command. */
static const char *const KEPT[] = {"LD_PRELOAD", "BURST_SOCKET", "BURST_STANDIN", "BURST_INTERCEPT", "BURST_USER_PRELOAD", "BURST", "BURST_NODE", "BURST_CACHE_DIR"};
#define NKEPT (sizeof KEPT / sizeof KEPT[0])
static char *kept[NKEPT]; /* "NAME=value", or NULL */
static const char *tools, *standin, *socket_path;
static char standin_real[PATH_MAX];

__attribute__((constructor)) static void init(void) {
  for (size_t i = 0; i < NKEPT; i++) {
    const char *v = getenv(KEPT[i]);
    if (!v) continue;
    size_t n = strlen(KEPT[i]) + strlen(v) + 2;
    kept[i] = malloc(n);
    if (kept[i]) snprintf(kept[i], n, "%s=%s", KEPT[i], v);
  }
  tools = getenv("BURST_INTERCEPT");
  standin = getenv("BURST_STANDIN");
  socket_path = getenv("BURST_SOCKET");
  if (tools) tools = strdup(tools);
  if (standin) standin = strdup(standin);
  if (!standin || !realpath(standin, standin_real)) standin_real[0] = '\0';
  if (socket_path) socket_path = strdup(socket_path);
}

static void *next_fn(const char *name) { return dlsym(RTLD_NEXT, name); }

/* The file an exec of `file` would run: as given, or found on PATH. */
static int resolve_program(const char *file, int search, char *out, size_t n) {
  if (!search || strchr(file, '/')) {
    if ((size_t)snprintf(out, n, "%s", file) >= n) return 0;
    return 1;
  }
  const char *path = getenv("PATH");
  if (!path) path = "/bin:/usr/bin";
  for (const char *p = path;; p++) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    int w = len == 0 ? snprintf(out, n, "./%s", file) : snprintf(out, n, "%.*s/%s", (int)len, p, file);
    struct stat st;
    if (w > 0 && (size_t)w < n && access(out, X_OK) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 1;
    if (!end) return 0;
    p = end;
  }
}

static int is_tool(const char *real) {
  if (!tools || !standin) return 0;
  size_t n = strlen(real);
  for (const char *p = tools; *p;) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && memcmp(p, real, n) == 0) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

static int is_placeholder(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size >= PLACEHOLDER_MAX || st.st_size < (off_t)sizeof PLACEHOLDER_HEAD) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return 0;
  char head[sizeof PLACEHOLDER_HEAD];
  ssize_t r = read(fd, head, sizeof head - 1);
  close(fd);
  return r == (ssize_t)(sizeof head - 1) && memcmp(head, PLACEHOLDER_HEAD, sizeof head - 1) == 0;
}

/*
 * Programs that move, link, remove or stamp files without reading them:
 * a placeholder can go through them as it is (libtool's mv -f of every
 * object), and waiting for its job there would hold a make slot.
 */
static int moves_only(const char *real) {
  static const char *const names[] = {"mv", "rm", "ln", "touch", "chmod", "mkdir", "rmdir", "test", "[", "true", "false", "echo", "sleep"};
  const char *base = strrchr(real, '/');
  base = base ? base + 1 : real;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(base, names[i]) == 0) return 1;
  return 0;
}

/* A frame for the engine: u32 length, then NUL-terminated fields. */
#define FRAME_SIZE 65536
struct frame {
  char *buf;
  size_t len;
};

static int fits(const struct frame *f, const char *s) { return f->len + strlen(s) + 1 <= FRAME_SIZE; }

static void put(struct frame *f, const char *s) {
  size_t n = strlen(s) + 1;
  memcpy(f->buf + f->len, s, n);
  f->len += n;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Sends one request (the frame's paths) and shows what the engine says went wrong; -1 when the engine does not answer. */
static int send_request(struct frame *f) {
  uint32_t body = (uint32_t)(f->len - 4);
  memcpy(f->buf, &body, 4);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path);
  uint32_t answer_len = 0;
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || write_all(fd, f->buf, f->len) != 0 || read_all(fd, (char *)&answer_len, 4) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  /* "exit", status, stdout, stderr: the start of it is kept (the engine's messages about failed jobs), the rest read and dropped. */
  size_t kept = answer_len < FRAME_SIZE - 1 ? answer_len : FRAME_SIZE - 1;
  int ok = read_all(fd, f->buf, kept) == 0;
  for (size_t left = answer_len - kept; ok && left > 0;) {
    char sink[512];
    size_t n = left < sizeof sink ? left : sizeof sink;
    ok = read_all(fd, sink, n) == 0;
    left -= n;
  }
  close(fd);
  if (!ok) return -1;
  f->buf[kept] = '\0';
  char *field = f->buf;
  for (int i = 0; i < 3 && field < f->buf + kept; i++) field += strlen(field) + 1;
  if (field < f->buf + kept) write_all(2, field, strlen(field));
  return 0;
}

/*
 * Asks the engine to write the real bytes of these placeholders, in as many
 * requests as they take. 0 when done; -1 (with a message) when the engine is
 * gone. The frame is mapped, not on the stack or the heap: threads with small
 * stacks exec too, and so do children of vfork.
 */
static int materialize(const char *const *paths, int count) {
  char cwd[PATH_MAX], num[32];
  if (!getcwd(cwd, sizeof cwd)) return 0;
  struct frame f;
  f.buf = mmap(NULL, FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (f.buf == MAP_FAILED) return 0;
  int status = 0;
  for (int i = 0; i < count && status == 0;) {
    int first = i;
    size_t room = 4 + sizeof "burst-materialize/1" + strlen(cwd) + 1 + sizeof num;
    while (i < count && (i == first || room + strlen(paths[i]) + 1 <= FRAME_SIZE)) room += strlen(paths[i++]) + 1;
    f.len = 4;
    put(&f, "burst-materialize/1");
    put(&f, cwd);
    snprintf(num, sizeof num, "%d", i - first);
    put(&f, num);
    for (int k = first; k < i; k++)
      if (fits(&f, paths[k])) put(&f, paths[k]);
    status = send_request(&f);
  }
  munmap(f.buf, FRAME_SIZE);
  if (status != 0) {
    static const char msg[] = "burst: the engine running this build stopped, so the outputs this program reads cannot be made real; run `burst build` again\n";
    write_all(2, msg, sizeof msg - 1);
  }
  return status;
}

/* Every placeholder the program or its arguments name (also after '=' in an option) is made real first. */
static int make_inputs_real(const char *program, char *const argv[]) {
  if (!socket_path) return 0;
  const char *found[64];
  int n = 0;
  if (is_placeholder(program)) found[n++] = program;
  for (int i = 1; argv && argv[i] && n < 64; i++) {
    const char *a = argv[i];
    if (a[0] == '-') {
      const char *eq = strchr(a, '=');
      if (!eq) continue;
      a = eq + 1;
    }
    if (*a && is_placeholder(a)) found[n++] = a;
  }
  return n == 0 ? 0 : materialize(found, n);
}

static int has_var(char *const envp[], const char *name) {
  size_t n = strlen(name);
  for (char *const *e = envp; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return 1;
  return 0;
}

static size_t count_env(char *const envp[]) {
  size_t n = 0;
  while (envp && envp[n]) n++;
  return n;
}

/*
 * The environment the new program gets: the caller's, with this library's
 * variables put back if the caller dropped them, and (for a stand-in) the
 * program it stands in for. `out` holds count_env(envp) + NKEPT + 2 entries.
 */
static char **environment(char *const envp[], char **out, const char *exec_path_var) {
  size_t n = 0;
  for (char *const *e = envp; e && *e; e++)
    if (strncmp(*e, "BURST_EXEC_PATH=", 16) != 0) out[n++] = *e;
  for (size_t i = 0; i < NKEPT; i++)
    if (kept[i] && !has_var(envp, KEPT[i])) out[n++] = kept[i];
  if (exec_path_var) out[n++] = (char *)exec_path_var;
  out[n] = NULL;
  return out;
}

/*
 * What to run: the stand-in if `file` is a modelled tool (its absolute path
 * then goes into `exec_path_var`), else the program itself once the
 * placeholders it reads are real. Returns the path to exec, or NULL when the
 * exec must fail (errno set).
 */
static const char *plan(const char *file, int search, char *const argv[], char *resolved, char *exec_path_var) {
  exec_path_var[0] = '\0';
  if (!resolve_program(file, search, resolved, PATH_MAX)) return file;
  char real[PATH_MAX];
  if (!realpath(resolved, real)) real[0] = '\0';
  /* A stand-in found on PATH by bare name: it takes the call itself, placeholders and all. */
  if (standin_real[0] && strcmp(real, standin_real) == 0) return file;
  if (real[0] && is_tool(real)) {
    char cwd[PATH_MAX];
    if (resolved[0] == '/') snprintf(exec_path_var, PATH_MAX + 32, "BURST_EXEC_PATH=%s", resolved);
    else if (getcwd(cwd, sizeof cwd)) snprintf(exec_path_var, PATH_MAX + 32, "BURST_EXEC_PATH=%s/%s", cwd, resolved);
    else return file;
    return standin;
  }
  if (!moves_only(real) && make_inputs_real(resolved, argv) != 0) {
    errno = EIO;
    return NULL;
  }
  return file;
}

typedef int (*execve_t)(const char *, char *const[], char *const[]);
typedef int (*execvpe_t)(const char *, char *const[], char *const[]);
typedef int (*spawn_t)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, char *const[], char *const[]);

static int do_exec(const char *file, int search, char *const argv[], char *const envp[]) {
  char resolved[PATH_MAX], var[PATH_MAX + 32];
  const char *target = plan(file, search, argv, resolved, var);
  if (!target) return -1;
  char *env[count_env(envp) + NKEPT + 2];
  environment(envp, env, var[0] ? var : NULL);
  if (target == standin || !search) return ((execve_t)next_fn("execve"))(target, argv, env);
  return ((execvpe_t)next_fn("execvpe"))(target, argv, env);
}

static int do_spawn(pid_t *pid, const char *file, int search, const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
  char resolved[PATH_MAX], var[PATH_MAX + 32];
  const char *target = plan(file, search, argv, resolved, var);
  if (!target) return errno;
  char *env[count_env(envp) + NKEPT + 2];
  environment(envp, env, var[0] ? var : NULL);
  if (target == standin || !search) return ((spawn_t)next_fn("posix_spawn"))(pid, target, actions, attr, argv, env);
  return ((spawn_t)next_fn("posix_spawnp"))(pid, target, actions, attr, argv, env);
}

int execve(const char *path, char *const argv[], char *const envp[]) { return do_exec(path, 0, argv, envp); }
int execv(const char *path, char *const argv[]) { return do_exec(path, 0, argv, environ); }
int execvp(const char *file, char *const argv[]) { return do_exec(file, 1, argv, environ); }
int execvpe(const char *file, char *const argv[], char *const envp[]) { return do_exec(file, 1, argv, envp); }

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
  return do_spawn(pid, path, 0, actions, attr, argv, envp);
}
int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
  return do_spawn(pid, file, 1, actions, attr, argv, envp);
}

/*
 * The execl family: the arguments gathered into an array (and execle's
 * environment after them), then as above. The array is counted first, and
 * mapped when it is too big for a small thread's stack.
 */
/* Out of line: the headers declare arg non-null, but a caller may pass NULL and the check must stay. */
__attribute__((noinline)) static int is_null(const void *p) { return p == NULL; }

#define EXECL_BODY(file, search, with_env)                                              \
  va_list ap;                                                                           \
  size_t n = 1;                                                                         \
  va_start(ap, arg);                                                                    \
  while (!is_null(arg) && va_arg(ap, char *)) n++;                                      \
  va_end(ap);                                                                           \
  size_t bytes = (n + 1) * sizeof(char *);                                              \
  char *small[n + 1 <= 256 ? n + 1 : 1];                                                \
  char **args = n + 1 <= 256 ? small : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); \
  if (args == MAP_FAILED) {                                                             \
    errno = E2BIG;                                                                      \
    return -1;                                                                          \
  }                                                                                     \
  va_start(ap, arg);                                                                    \
  args[0] = (char *)arg;                                                                \
  for (size_t k = 1; k < n; k++) args[k] = va_arg(ap, char *);                          \
  args[n] = NULL;                                                                       \
  if (!is_null(arg)) (void)va_arg(ap, char *);                                          \
  char *const *envp = with_env ? va_arg(ap, char *const *) : environ;                   \
  va_end(ap);                                                                           \
  int r = do_exec(file, search, args, envp);                                            \
  if (args != small) munmap(args, bytes);                                               \
  return r

int execl(const char *path, const char *arg, ...) { EXECL_BODY(path, 0, 0); }
int execlp(const char *file, const char *arg, ...) { EXECL_BODY(file, 1, 0); }
int execle(const char *path, const char *arg, ...) { EXECL_BODY(path, 0, 1); }
