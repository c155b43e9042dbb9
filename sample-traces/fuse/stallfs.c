/* stallfs: a one-file libfuse3 filesystem whose WRITE handler misbehaves on purpose, to capture a FUSE daemon as the
 * root blocker of a writeback wait (tracefx issue 20).
 *
 *   stallfs MOUNTPOINT block   the first WRITE blocks for good: the thread sleeps in read(2) on a pipe no one writes
 *   stallfs MOUNTPOINT slow N  each WRITE sleeps N seconds, then answers
 *   stallfs MOUNTPOINT stop    the first WRITE stops the daemon (SIGSTOP to itself, as `kill -STOP` would) with the
 *                              request read and not answered; SIGCONT lets it answer
 *   stallfs MOUNTPOINT ok      each WRITE answers at once
 *
 * Writeback cache is on (FUSE_CAP_WRITEBACK_CACHE), so dd's writes land in the page cache and reach the daemon as
 * WRITE requests from fuse_writepages; `dd conv=fsync` then waits in fuse_fsync -> filemap_write_and_wait_range.
 * Single-threaded (-s) and foreground (-f): one daemon thread serves /dev/fuse, the pid the capture should name.
 *
 * Build: cc -O2 -Wall -o stallfs stallfs.c $(pkg-config --cflags --libs fuse3)
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static enum { MODE_OK, MODE_BLOCK, MODE_SLOW, MODE_STOP } mode;
static unsigned slow_seconds;
static off_t file_size;
static int never[2];

static void *sf_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)cfg;
    if (conn->capable & FUSE_CAP_WRITEBACK_CACHE) conn->want |= FUSE_CAP_WRITEBACK_CACHE;
    return NULL;
}

static int sf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) { st->st_mode = S_IFDIR | 0755; st->st_nlink = 2; return 0; }
    if (strcmp(path, "/data") == 0) { st->st_mode = S_IFREG | 0644; st->st_nlink = 1; st->st_size = file_size; return 0; }
    return -ENOENT;
}

static int sf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags)
{
    (void)off; (void)fi; (void)flags;
    if (strcmp(path, "/") != 0) return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, "data", NULL, 0, 0);
    return 0;
}

static int sf_open(const char *path, struct fuse_file_info *fi)
{
    (void)fi;
    return strcmp(path, "/data") == 0 ? 0 : -ENOENT;
}

static int sf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    (void)path; (void)fi;
    file_size = size;
    return 0;
}

static int sf_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path; (void)fi;
    if (off >= file_size) return 0;
    if ((off_t)size > file_size - off) size = (size_t)(file_size - off);
    memset(buf, 0, size);
    return (int)size;
}

static int sf_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path; (void)buf; (void)fi;
    if (mode == MODE_BLOCK) {
        char c;
        /* Blocks for good: nothing writes to this pipe (pipe_read, S state). */
        if (read(never[0], &c, 1) < 0) return -errno;
    } else if (mode == MODE_STOP) {
        kill(getpid(), SIGSTOP);
    } else if (mode == MODE_SLOW) {
        sleep(slow_seconds);
    }
    if (off + (off_t)size > file_size) file_size = off + (off_t)size;
    return (int)size;
}

static int sf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path; (void)datasync; (void)fi;
    return 0;
}

static const struct fuse_operations ops = {
    .init = sf_init, .getattr = sf_getattr, .readdir = sf_readdir, .open = sf_open, .truncate = sf_truncate,
    .read = sf_read, .write = sf_write, .fsync = sf_fsync,
};

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s MOUNTPOINT block|slow N|stop|ok\n", argv[0]); return 2; }
    if (strcmp(argv[2], "block") == 0) mode = MODE_BLOCK;
    else if (strcmp(argv[2], "slow") == 0 && argc > 3) { mode = MODE_SLOW; slow_seconds = (unsigned)atoi(argv[3]); }
    else if (strcmp(argv[2], "stop") == 0) mode = MODE_STOP;
    else if (strcmp(argv[2], "ok") == 0) mode = MODE_OK;
    else { fprintf(stderr, "unknown mode %s\n", argv[2]); return 2; }
    if (pipe(never) != 0) { perror("pipe"); return 1; }
    char *fargv[] = { argv[0], "-f", "-s", "-o", "fsname=stallfs,subtype=stallfs", argv[1], NULL };
    return fuse_main(6, fargv, &ops, NULL);
}
