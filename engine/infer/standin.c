/*
 * burst stand-in: installed under the names of build tools (gcc, cc, ar, ...)
 * at the front of PATH during `burst build`. It forwards its command line to
 * the running engine over a Unix socket and does what the engine answers:
 * exit with a status and output (the call was recorded as thunks), or exec a
 * real program (a probe or anything not modelled). Written in C because it
 * runs once per compiler invocation: a Node start would cost 40-50 ms.
 *
 * Request:  u32 length, then NUL-terminated fields:
 *           "burst-standin/2", tool, exec path, cwd, argc, argv..., envc, env...
 *           The exec path is the program the build ran when the preloaded
 *           interceptor (intercept.c) sent it here (BURST_EXEC_PATH), empty
 *           when the build found this stand-in by name on PATH.
 * Answer:   u32 length, then "exit", status, stdout, stderr (NUL-terminated)
 *           or "exec", path, PATH, argc, argv... (NUL-terminated): the real
 *           program runs with PATH set without the stand-ins and without the
 *           interceptor, so the tools it starts itself (gcc starting as and
 *           ld) are the real ones too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what) {
  fprintf(stderr, "burst stand-in: %s: %s\n", what, strerror(errno));
  exit(127);
}

static char *buf;
static size_t len, cap;

static void put(const char *s) {
  size_t n = strlen(s) + 1;
  if (len + n > cap) {
    cap = (len + n) * 2;
    buf = realloc(buf, cap);
    if (!buf) die("out of memory");
  }
  memcpy(buf + len, s, n);
  len += n;
}

static void put_int(long v) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%ld", v);
  put(tmp);
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    p += w;
    n -= (size_t)w;
  }
}

static void read_all(int fd, char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      fprintf(stderr, "burst stand-in: the engine closed the connection\n");
      exit(127);
    }
    p += r;
    n -= (size_t)r;
  }
}

/* The next NUL-terminated field of the answer. */
static char *field(char **cursor, char *end) {
  char *f = *cursor;
  if (f >= end) {
    fprintf(stderr, "burst stand-in: malformed answer\n");
    exit(127);
  }
  *cursor += strlen(f) + 1;
  return f;
}

int main(int argc, char **argv) {
  const char *socket_path = getenv("BURST_SOCKET");
  if (!socket_path) {
    fprintf(stderr, "burst stand-in: BURST_SOCKET is not set; run the build with `burst build -- ...`\n");
    return 127;
  }
  const char *tool = strrchr(argv[0], '/');
  tool = tool ? tool + 1 : argv[0];
  const char *exec_path = getenv("BURST_EXEC_PATH");
  if (exec_path) {
    exec_path = strdup(exec_path);
    unsetenv("BURST_EXEC_PATH");
  }
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) die("getcwd");

  len = 4;
  cap = 8192;
  buf = malloc(cap);
  if (!buf) die("out of memory");
  put("burst-standin/2");
  put(tool);
  put(exec_path ? exec_path : "");
  put(cwd);
  put_int(argc);
  for (int i = 0; i < argc; i++) put(argv[i]);
  long envc = 0;
  for (char **e = environ; *e; e++) envc++;
  put_int(envc);
  for (char **e = environ; *e; e++) put(*e);
  uint32_t body = (uint32_t)(len - 4);
  memcpy(buf, &body, 4);

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(socket_path) >= sizeof addr.sun_path) {
    fprintf(stderr, "burst stand-in: socket path too long\n");
    return 127;
  }
  strcpy(addr.sun_path, socket_path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    fprintf(stderr, "burst: the engine running this build stopped (%s); run `burst build` again\n", strerror(errno));
    return 127;
  }
  write_all(fd, buf, len);

  uint32_t answer_len;
  read_all(fd, (char *)&answer_len, 4);
  char *answer = malloc(answer_len + 1);
  if (!answer) die("out of memory");
  read_all(fd, answer, answer_len);
  answer[answer_len] = '\0';
  close(fd);

  char *cursor = answer, *end = answer + answer_len;
  const char *kind = field(&cursor, end);
  if (strcmp(kind, "exit") == 0) {
    int status = atoi(field(&cursor, end));
    const char *out = field(&cursor, end);
    const char *err = field(&cursor, end);
    write_all(1, out, strlen(out));
    write_all(2, err, strlen(err));
    return status;
  }
  if (strcmp(kind, "exec") == 0) {
    const char *path = field(&cursor, end);
    if (setenv("PATH", field(&cursor, end), 1) != 0) die("setenv");
    /* The real tool and what it starts run as they would without Burst: no interceptor, the user's own preload kept. */
    const char *user_preload = getenv("BURST_USER_PRELOAD");
    if (user_preload && *user_preload) setenv("LD_PRELOAD", user_preload, 1);
    else unsetenv("LD_PRELOAD");
    int n = atoi(field(&cursor, end));
    char **args = calloc((size_t)n + 1, sizeof *args);
    if (!args) die("out of memory");
    for (int i = 0; i < n; i++) args[i] = field(&cursor, end);
    /* The system call itself: the interceptor, loaded into this process too, would send the real tool back here. */
    syscall(SYS_execve, path, args, environ);
    fprintf(stderr, "burst stand-in: cannot run %s: %s\n", path, strerror(errno));
    return 127;
  }
  fprintf(stderr, "burst stand-in: unknown answer %s\n", kind);
  return 127;
}
