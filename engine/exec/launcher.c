/*
 * burst launcher: starts job processes for the engine. Forking the engine's
 * Node process costs milliseconds of page-table copying per job; forking this
 * small program costs a fraction of that. It reads requests on stdin and
 * writes events on stdout, both framed as a u32 length and NUL-terminated
 * fields:
 *
 *   request: id, cwd, uid ("" to keep), gid, stdout file, stderr file,
 *            bytes kept of each, memory limit in bytes (0: none),
 *            argc, argv..., envc, env...
 *   events:  "started", id, pid      (the job's process group is its pid)
 *            "exited", id, status, signal, stdout bytes, stderr bytes,
 *            "1" if its memory limit killed it, else "0",
 *            "1" if it ran with its memory limit, "0" if none could be set
 *            "failed", id, errno text (could not start)
 *
 * Each job runs under a shepherd of its own, a child subreaper: when the
 * job's process ends, whatever it left running (a daemon that called
 * setsid, a child in another process group) has become the shepherd's, and
 * is killed before the job is reported ended. The shepherd also carries the
 * job's stdout and stderr to their files, keeping the first bytes of each
 * and counting the rest, so a job printing gigabytes takes neither memory
 * nor disk. Given a memory limit, it puts the job in a memory cgroup of its
 * own where the machine lets it make one (cgroup v2, or v1's memory
 * controller), and says whether the limit killed it.
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
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_JOBS 4096

static int sigpipe_fds[2];
static struct { pid_t pid; int info; char id[32]; } jobs[MAX_JOBS];

static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigpipe_fds[1], "x", 1) < 0) { /* the loop reaps anyway */ }
  errno = saved;
}

/* Writes all of p to fd; -1 if the other end is gone. */
static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads exactly n bytes from fd; -1 at its end or on an error. */
static int read_full(int fd, void *p, size_t n) {
  char *c = p;
  while (n > 0) {
    ssize_t r = read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    c += r;
    n -= (size_t)r;
  }
  return 0;
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
  if (write_all(1, buf, len + 4) < 0) exit(71);
  free(buf);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_JOBS; i++) {
      if (jobs[i].pid != pid) continue;
      char st[16], sg[16], o[24], e[24];
      long long totals[4] = {0, 0, 0, 0};
      if (read(jobs[i].info, totals, sizeof totals) != (ssize_t)sizeof totals) totals[0] = totals[1] = totals[2] = totals[3] = 0;
      close(jobs[i].info);
      snprintf(st, sizeof st, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      snprintf(sg, sizeof sg, "%d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      snprintf(o, sizeof o, "%lld", totals[0]);
      snprintf(e, sizeof e, "%lld", totals[1]);
      const char *f[] = {"exited", jobs[i].id, st, sg, o, e, totals[2] ? "1" : "0", totals[3] ? "1" : "0"};
      emit(f, 8);
      jobs[i].pid = 0;
      break;
    }
  }
}

static int running(void) {
  for (int i = 0; i < MAX_JOBS; i++) if (jobs[i].pid) return 1;
  return 0;
}

/* SIGKILLs every child of this process; returns how many it found. */
static int kill_children(void) {
  int found = 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  FILE *f = fopen(path, "r");
  if (f) {
    int c;
    while (fscanf(f, "%d", &c) == 1) {
      kill(c, SIGKILL);
      found++;
    }
    fclose(f);
    return found;
  }
  /* Kernels without the children file: every process's parent, from its stat. */
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    int pid = atoi(de->d_name);
    if (pid <= 0) continue;
    char sp[64], buf[512];
    snprintf(sp, sizeof sp, "/proc/%d/stat", pid);
    FILE *sf = fopen(sp, "r");
    if (!sf) continue;
    size_t n = fread(buf, 1, sizeof buf - 1, sf);
    fclose(sf);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    int ppid = 0;
    if (close_paren && sscanf(close_paren + 1, " %*c %d", &ppid) == 1 && ppid == (int)getpid()) {
      kill(pid, SIGKILL);
      found++;
    }
  }
  closedir(d);
  return found;
}

/* Kills and reaps every descendant left: orphans come to this subreaper as their parents die. */
static void kill_descendants(void) {
  for (;;) {
    kill_children();
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0 && errno == ECHILD) return;
  }
}

/* Writes a short text to a file; 0 on success. */
static int put(const char *dir, const char *file, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t w = write(fd, text, strlen(text));
  close(fd);
  return w == (ssize_t)strlen(text) ? 0 : -1;
}

/* This process's cgroup, under `root`, in the hierarchy whose controllers include `want` ("" for v2), from /proc/self/cgroup. */
static int own_cgroup(const char *want, const char *root, char *out, size_t n) {
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    char *a = strchr(line, ':');
    char *b = a ? strchr(a + 1, ':') : NULL;
    if (!b) continue;
    *b = '\0';
    b[strcspn(b + 1, "\n") + 1] = '\0';
    int match = *want ? strstr(a + 1, want) != NULL : (a[1] == '\0');
    if (!match) continue;
    snprintf(out, n, "%s%s", root, b + 1);
    found = 0;
    break;
  }
  fclose(f);
  return found;
}

/* A memory cgroup for one job, limited to `bytes`: fills `dir`, returns 2 (v2) or 1 (v1), or 0 where none can be made. */
static int memory_cgroup(long long bytes, char *dir, size_t n) {
  char base[3072], limit[32];
  snprintf(limit, sizeof limit, "%lld", bytes);
  const char *v2roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
  for (int i = 0; i < 2; i++) {
    char controllers[4096];
    snprintf(controllers, sizeof controllers, "%s/cgroup.controllers", v2roots[i]);
    FILE *c = fopen(controllers, "r");
    if (!c) continue;
    char list[512] = "";
    if (!fgets(list, sizeof list, c)) list[0] = '\0';
    fclose(c);
    if (!strstr(list, "memory") || own_cgroup("", v2roots[i], base, sizeof base) < 0) continue;
    snprintf(dir, n, "%s/burst-job-%d", base, (int)getpid());
    if (mkdir(dir, 0755) == 0) {
      if (put(dir, "memory.max", limit) == 0) {
        put(dir, "memory.swap.max", "0");
        return 2;
      }
      rmdir(dir);
    }
  }
  if (own_cgroup("memory", "/sys/fs/cgroup/memory", base, sizeof base) == 0) {
    snprintf(dir, n, "%s/burst-job-%d", base, (int)getpid());
    if (mkdir(dir, 0755) == 0) {
      if (put(dir, "memory.limit_in_bytes", limit) == 0) {
        put(dir, "memory.memsw.limit_in_bytes", limit);
        return 1;
      }
      rmdir(dir);
    }
  }
  return 0;
}

/* Whether the cgroup's limit killed a process in it. */
static int memory_killed(const char *dir, int version) {
  char path[4096], line[256];
  snprintf(path, sizeof path, "%s/%s", dir, version == 2 ? "memory.events" : "memory.oom_control");
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  long long n = 0;
  int killed = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "oom_kill %lld", &n) == 1 && n > 0) killed = 1;
  fclose(f);
  return killed;
}

static int shepherd_sig[2];
static void on_shepherd_child(int sig) {
  (void)sig;
  int saved = errno;
  if (write(shepherd_sig[1], "x", 1) < 0) { /* polled anyway */ }
  errno = saved;
}

/* Appends a chunk to a job's output file, up to the bytes kept; counts it all. */
static void carry(int from, int to, long long keep, long long *total, int *open_fd) {
  char buf[65536];
  ssize_t r = read(from, buf, sizeof buf);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (r <= 0) {
    close(from);
    *open_fd = -1;
    return;
  }
  if (*total < keep) write_all(to, buf, (size_t)((long long)r < keep - *total ? r : keep - *total));
  *total += r;
}

/* The job's parent: runs it, carries its output, kills what it leaves, ends as it ended. Never returns. */
static void shepherd(const char *cwd, const char *uid, const char *gid, const char *out, const char *err, long long keep, long long mem,
                     char **argv, char **env, int errw, int infow) {
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  char cg[4096] = "";
  int cgv = mem > 0 ? memory_cgroup(mem, cg, sizeof cg) : 0;
  int op[2], ep[2];
  if (pipe2(shepherd_sig, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(op, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) _exit(126);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_shepherd_child;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  pid_t job = fork();
  if (job == 0) {
    setpgid(0, 0);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(op[1], 1) < 0 || dup2(ep[1], 2) < 0) goto fail;
    if (chdir(cwd) < 0) goto fail;
    if (cgv && put(cg, "cgroup.procs", "0") < 0) goto fail; /* before dropping privileges: joining needs them */
    if (*gid && (setgroups(0, NULL) < 0 || setgid((gid_t)atoi(gid)) < 0)) goto fail;
    if (*uid && setuid((uid_t)atoi(uid)) < 0) goto fail;
    execve(argv[0], argv, env);
  fail: {
      int code = errno;
      write_all(errw, &code, sizeof code);
      _exit(127);
    }
  }
  close(op[1]);
  close(ep[1]);
  close(errw);
  if (job > 0) setpgid(job, job); /* also here, so a kill right after "started" reaches the group */
  write_all(infow, &job, sizeof job);
  if (job < 0) _exit(126);
  int of = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int ef = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  long long totals[2] = {0, 0};
  int status = 0, ended = 0, outfd = op[0], errfd = ep[0];
  while (!ended || outfd >= 0 || errfd >= 0) {
    struct pollfd fds[3] = {{shepherd_sig[0], POLLIN, 0}, {outfd, POLLIN, 0}, {errfd, POLLIN, 0}};
    int r = poll(fds, 3, -1);
    if (r < 0 && errno == EINTR) continue;
    if (fds[0].revents) {
      char drain[64];
      while (read(shepherd_sig[0], drain, sizeof drain) > 0) {}
      int st;
      pid_t p;
      while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == job) {
          status = st;
          ended = 1;
        }
      }
      /* The job is over: what it left running goes now, so its output pipes close. */
      if (ended) kill_descendants();
    }
    if (outfd >= 0 && fds[1].revents) carry(outfd, of, keep, &totals[0], &outfd);
    if (errfd >= 0 && fds[2].revents) carry(errfd, ef, keep, &totals[1], &errfd);
  }
  kill_descendants();
  long long report[4] = {totals[0], totals[1], cgv ? memory_killed(cg, cgv) : 0, cgv ? 1 : 0};
  if (cgv) rmdir(cg);
  write_all(infow, report, sizeof report);
  if (WIFSIGNALED(status)) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    signal(WTERMSIG(status), SIG_DFL);
    kill(getpid(), WTERMSIG(status));
    _exit(128 + WTERMSIG(status));
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static void start(char *body, uint32_t len) {
  char *fields[65536];
  int n = 0;
  for (char *p = body; p < body + len && n < 65536; p += strlen(p) + 1) fields[n++] = p;
  if (n < 9) return;
  const char *id = fields[0], *cwd = fields[1], *uid = fields[2], *gid = fields[3], *out = fields[4], *err = fields[5];
  long long keep = atoll(fields[6]);
  long long mem = atoll(fields[7]);
  int argc = atoi(fields[8]);
  if (9 + argc >= n) return;
  char **argv = &fields[9];
  int envc = atoi(fields[9 + argc]);
  char **env = &fields[10 + argc];
  if (10 + argc + envc > n) return;
  char *argv_z[argc + 1];
  for (int i = 0; i < argc; i++) argv_z[i] = argv[i];
  argv_z[argc] = NULL;
  char *env_z[envc + 1];
  for (int i = 0; i < envc; i++) env_z[i] = env[i];
  env_z[envc] = NULL;

  int slot = -1;
  for (int i = 0; i < MAX_JOBS; i++) if (!jobs[i].pid) { slot = i; break; }
  int errpipe[2], info[2];
  if (slot < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
    const char *f[] = {"failed", id, "too many jobs"};
    emit(f, 3);
    return;
  }
  if (pipe2(info, O_CLOEXEC) < 0) {
    close(errpipe[0]);
    close(errpipe[1]);
    const char *f[] = {"failed", id, strerror(errno)};
    emit(f, 3);
    return;
  }
  pid_t sh = fork();
  if (sh == 0) {
    close(errpipe[0]);
    close(info[0]);
    close(sigpipe_fds[0]);
    close(sigpipe_fds[1]);
    shepherd(cwd, uid, gid, out, err, keep, mem, argv_z, env_z, errpipe[1], info[1]);
  }
  close(errpipe[1]);
  close(info[1]);
  if (sh < 0) {
    close(errpipe[0]);
    close(info[0]);
    const char *f[] = {"failed", id, strerror(errno)};
    emit(f, 3);
    return;
  }
  pid_t job = -1;
  int code = 0;
  ssize_t got = -1;
  if (read_full(info[0], &job, sizeof job) == 0 && job > 0) {
    do got = read(errpipe[0], &code, sizeof code); while (got < 0 && errno == EINTR);
  }
  close(errpipe[0]);
  if (job <= 0 || got == (ssize_t)sizeof code) {
    waitpid(sh, NULL, 0);
    close(info[0]);
    const char *f[] = {"failed", id, job <= 0 ? "fork" : code == ENOENT ? "ENOENT" : code == EACCES ? "EACCES" : strerror(code)};
    emit(f, 3);
    return;
  }
  jobs[slot].pid = sh;
  jobs[slot].info = info[0];
  snprintf(jobs[slot].id, sizeof jobs[slot].id, "%s", id);
  char p[16];
  snprintf(p, sizeof p, "%d", (int)job);
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
      if (read_full(0, &len, 4) < 0) { open_input = 0; continue; }
      char *body = malloc(len + 1);
      if (!body || read_full(0, body, len) < 0) { open_input = 0; free(body); continue; }
      body[len] = '\0';
      start(body, len);
      free(body);
      reap();
    }
  }
  return 0;
}
