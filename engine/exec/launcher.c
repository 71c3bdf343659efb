/*
 * burst launcher: starts job processes for the engine. Forking the engine's
 * Node process costs milliseconds of page-table copying per job; forking this
 * small program costs a fraction of that. It reads requests on stdin and
 * writes events on stdout, both framed as a u32 length and NUL-terminated
 * fields:
 *
 *   request: id, cwd, uid ("" to keep), gid, stdout file, stderr file,
 *            argc, argv..., envc, env...
 *   events:  "started", id, pid      (the job's process group is its pid)
 *            "exited", id, status, signal
 *            "failed", id, errno text (could not start)
 *
 * It exits when stdin closes, after its jobs have ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_JOBS 4096

static int sigpipe_fds[2];
static struct { pid_t pid; char id[32]; } jobs[MAX_JOBS];

static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigpipe_fds[1], "x", 1) < 0) { /* the loop reaps anyway */ }
  errno = saved;
}

static void emit(const char **fields, int n) {
  size_t len = 0;
  for (int i = 0; i < n; i++) len += strlen(fields[i]) + 1;
  char *buf = malloc(len + 4);
  if (!buf) exit(70);
  uint32_t l = (uint32_t)len;
  memcpy(buf, &l, 4);
  size_t off = 4;
  for (int i = 0; i < n; i++) {
    size_t k = strlen(fields[i]) + 1;
    memcpy(buf + off, fields[i], k);
    off += k;
  }
  size_t done = 0;
  while (done < len + 4) {
    ssize_t w = write(1, buf + done, len + 4 - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(71);
    }
    done += (size_t)w;
  }
  free(buf);
}

static int read_full(char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(0, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_JOBS; i++) {
      if (jobs[i].pid != pid) continue;
      char st[16], sg[16];
      snprintf(st, sizeof st, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      snprintf(sg, sizeof sg, "%d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      const char *f[] = {"exited", jobs[i].id, st, sg};
      emit(f, 4);
      jobs[i].pid = 0;
      break;
    }
  }
}

static int running(void) {
  for (int i = 0; i < MAX_JOBS; i++) if (jobs[i].pid) return 1;
  return 0;
}

static void start(char *body, uint32_t len) {
  char *fields[65536];
  int n = 0;
  for (char *p = body; p < body + len && n < 65536; p += strlen(p) + 1) fields[n++] = p;
  if (n < 7) return;
  const char *id = fields[0], *cwd = fields[1], *uid = fields[2], *gid = fields[3], *out = fields[4], *err = fields[5];
  int argc = atoi(fields[6]);
  if (7 + argc >= n) return;
  char **argv = &fields[7];
  int envc = atoi(fields[7 + argc]);
  char **env = &fields[8 + argc];
  if (8 + argc + envc > n) return;
  char *argv_z[argc + 1];
  for (int i = 0; i < argc; i++) argv_z[i] = argv[i];
  argv_z[argc] = NULL;
  char *env_z[envc + 1];
  for (int i = 0; i < envc; i++) env_z[i] = env[i];
  env_z[envc] = NULL;

  int slot = -1;
  for (int i = 0; i < MAX_JOBS; i++) if (!jobs[i].pid) { slot = i; break; }
  int errpipe[2];
  if (slot < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
    const char *f[] = {"failed", id, "too many jobs"};
    emit(f, 3);
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) goto fail;
    if (chdir(cwd) < 0) goto fail;
    if (*gid && (setgroups(0, NULL) < 0 || setgid((gid_t)atoi(gid)) < 0)) goto fail;
    if (*uid && setuid((uid_t)atoi(uid)) < 0) goto fail;
    execve(argv_z[0], argv_z, env_z);
  fail: {
      int code = errno;
      if (write(errpipe[1], &code, sizeof code) < 0) { /* nothing to do */ }
      _exit(127);
    }
  }
  close(errpipe[1]);
  if (pid < 0) {
    close(errpipe[0]);
    const char *f[] = {"failed", id, strerror(errno)};
    emit(f, 3);
    return;
  }
  setpgid(pid, pid); /* also here, so a kill right after "started" reaches the group */
  int code = 0;
  ssize_t got;
  do got = read(errpipe[0], &code, sizeof code); while (got < 0 && errno == EINTR);
  close(errpipe[0]);
  if (got == (ssize_t)sizeof code) {
    waitpid(pid, NULL, 0);
    const char *f[] = {"failed", id, code == ENOENT ? "ENOENT" : code == EACCES ? "EACCES" : strerror(code)};
    emit(f, 3);
    return;
  }
  jobs[slot].pid = pid;
  snprintf(jobs[slot].id, sizeof jobs[slot].id, "%s", id);
  char p[16];
  snprintf(p, sizeof p, "%d", (int)pid);
  const char *f[] = {"started", id, p};
  emit(f, 3);
}

int main(void) {
  if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) return 70;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int open_input = 1;
  while (open_input || running()) {
    struct pollfd fds[2] = {{sigpipe_fds[0], POLLIN, 0}, {0, POLLIN, 0}};
    int r = poll(fds, open_input ? 2 : 1, -1);
    if (r < 0 && errno == EINTR) continue;
    if (fds[0].revents) {
      char drain[64];
      while (read(sigpipe_fds[0], drain, sizeof drain) > 0) {}
      reap();
    }
    if (open_input && fds[1].revents) {
      uint32_t len;
      if (read_full((char *)&len, 4) < 0) { open_input = 0; continue; }
      char *body = malloc(len + 1);
      if (!body || read_full(body, len) < 0) { open_input = 0; free(body); continue; }
      body[len] = '\0';
      start(body, len);
      free(body);
      reap();
    }
  }
  return 0;
}
