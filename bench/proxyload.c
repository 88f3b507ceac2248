/*
 * proxyload: HTTPS load through an HTTP proxy (CONNECT), for bench/forward.sh.
 *
 * Each of -c connections, spread over -T threads (one epoll loop each), does:
 *   TCP connect to the proxy -> "CONNECT host:port HTTP/1.1" -> expects 200
 *   -> TLS handshake through the tunnel (SNI = host, certificate verified
 *      against -C CAFILE and the host name, no session resumption)
 *   -> "GET path HTTP/1.1" requests; every response must be status 200 with a
 *      Content-Length body of exactly -l bytes (and equal to -b FILE if given).
 *
 * Modes (-m):
 *   keepalive  every connection uses host -H and sends requests back to back
 *              for the whole run (reconnecting only after an error).
 *   newconn    one request with "Connection: close" per connection, then a new
 *              connection to the NEXT host name: h<N>.<domain> with N = -n,
 *              -n+1, ... shared by all threads, so every connection asks the
 *              proxy for a name it has not seen (a certificate to forge).
 *   newconn-samehost  like newconn, but every connection uses host -H (so the
 *              proxy can answer from its certificate cache).
 *
 * -X: no proxy, TLS straight to the -x address (the baseline without a proxy).
 *
 * Only what completes within -d seconds is counted. Latency: keepalive, from
 * writing a request to its last byte; newconn*, from connect() to the last
 * byte of the response (proxy setup + handshake + request).
 * Prints one machine-readable line on stdout:
 *   PROXYLOAD mode=.. requests=.. connections=.. duration_us=.. p50_us=..
 *   p99_us=.. max_us=.. err_<kind>=.. names_first=.. names_next=.. cpu_us=..
 * and the first message of each kind of error on stderr.
 *
 * Build: gcc -O2 -o proxyload proxyload.c -lssl -lcrypto -lpthread
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { KEEPALIVE, NEWCONN, NEWCONN_SAMEHOST };
enum state { S_TCP, S_CONNECT_SEND, S_CONNECT_RECV, S_TLS, S_SEND, S_RECV, S_RETRY, S_RETRY_LATER };
enum err { E_CONNECT, E_PROXY, E_TLS, E_VERIFY, E_CLOSED, E_STATUS, E_BODY, E_TIMEOUT, E_N };
static const char *err_name[E_N] = {"connect", "proxy", "tls", "verify", "closed", "status", "body", "timeout"};

/* options */
static enum mode mode = KEEPALIVE;
static struct sockaddr_in proxy_addr;
static int direct, target_port = 443, nconns = 64, nthreads = 2, seconds = 10, timeout_s = 10;
static const char *cafile, *ka_host = "bench.test", *domain = "bench.test", *path = "/1k";
static long body_len = 1024;
static char *body_expect;               /* -b FILE contents, or NULL */
static uint64_t names_first = 1, names_next;   /* newconn host counter (atomic) */

static SSL_CTX *ssl_ctx;
static uint64_t t_begin, t_deadline;   /* monotonic microseconds */
static int first_err_printed[E_N];

struct worker;
struct conn {
    struct worker *w;
    int fd;
    SSL *ssl;
    enum state st;
    uint32_t events;                    /* current epoll interest */
    char host[128];
    char out[512];
    size_t out_len, out_off;
    char in[16384];
    size_t in_len;
    uint64_t t_conn, t_req, t_progress;
};

struct worker {
    pthread_t th;
    int ep;
    struct conn *conns;
    int n;
    uint64_t requests, connections, errs[E_N];
    uint32_t *lat;
    size_t lat_n, lat_cap;
};

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "proxyload: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void close_conn(struct conn *c) {
    if (c->ssl) {
        SSL_shutdown(c->ssl);           /* one close_notify, non-blocking, result ignored */
        ERR_clear_error();
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

/* Count an error (only while measuring), report its first occurrence, close the
 * connection; the event loop reconnects it (after a connect error: 100 ms later). */
static void fail(struct conn *c, enum err e, const char *detail) {
    if (now_us() <= t_deadline) c->w->errs[e]++;
    if (!__atomic_exchange_n(&first_err_printed[e], 1, __ATOMIC_RELAXED)) {
        unsigned long ossl = ERR_peek_error();
        char ebuf[256] = "";
        if (ossl) ERR_error_string_n(ossl, ebuf, sizeof ebuf);
        fprintf(stderr, "proxyload: first %s error (host %s): %s%s%s\n", err_name[e], c->host, detail,
                ossl ? " / " : "", ebuf);
    }
    ERR_clear_error();
    close_conn(c);
    c->st = e == E_CONNECT ? S_RETRY_LATER : S_RETRY;
}

static void want(struct conn *c, uint32_t ev) {
    if (c->events == ev) return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &e);
    c->events = ev;
}

static void set_request(struct conn *c) {
    c->out_len = (size_t) snprintf(c->out, sizeof c->out, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, c->host,
                                   mode != KEEPALIVE ? "Connection: close\r\n" : "");
    c->out_off = 0;
    c->in_len = 0;
    c->t_req = now_us();
    c->st = S_SEND;
}

static void open_conn(struct conn *c) {
    if (mode == NEWCONN) {
        uint64_t n = __atomic_fetch_add(&names_next, 1, __ATOMIC_RELAXED);
        snprintf(c->host, sizeof c->host, "h%llu.%s", (unsigned long long) n, domain);
    } else {
        snprintf(c->host, sizeof c->host, "%s", ka_host);
    }
    c->t_conn = c->t_progress = now_us();
    c->in_len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->st = S_TCP;
    c->events = EPOLLOUT;
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(c->w->ep, EPOLL_CTL_ADD, c->fd, &e) < 0) die("epoll_ctl: %s", strerror(errno));
    if (connect(c->fd, (struct sockaddr *) &proxy_addr, sizeof proxy_addr) < 0 && errno != EINPROGRESS) {
        fail(c, E_CONNECT, strerror(errno));
    }
}

/* A complete response is in c->in: check it. Returns 1 when it is good. */
static int check_response(struct conn *c, size_t hdr_end, long clen) {
    int status = 0;
    if (sscanf(c->in, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
        char line[64];
        snprintf(line, sizeof line, "status line: %.40s", c->in);
        fail(c, E_STATUS, line);
        return 0;
    }
    if (clen != body_len || c->in_len != hdr_end + (size_t) clen ||
        (body_expect && memcmp(c->in + hdr_end, body_expect, (size_t) clen) != 0)) {
        fail(c, E_BODY, "body is not the expected bytes");
        return 0;
    }
    return 1;
}

static long content_length(const char *hdr, size_t len) {
    const char *p = hdr, *end = hdr + len;
    while (p < end) {
        const char *eol = memmem(p, (size_t) (end - p), "\r\n", 2);
        if (!eol) break;
        if (eol - p > 15 && strncasecmp(p, "Content-Length:", 15) == 0) return strtol(p + 15, NULL, 10);
        p = eol + 2;
    }
    return -1;
}

static void start_tls(struct conn *c) {
    c->ssl = SSL_new(ssl_ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, c->host);
    SSL_set1_host(c->ssl, c->host);
    SSL_set_connect_state(c->ssl);
    c->st = S_TLS;
}

/* Advance the connection as far as it goes without blocking. */
static void drive(struct conn *c) {
    for (;;) {
        ssize_t r;
        int ok, e;
        switch (c->st) {
        case S_RETRY:
        case S_RETRY_LATER:
            return;
        case S_TCP: {
            int err = 0;
            socklen_t l = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
            if (err) return fail(c, E_CONNECT, strerror(err));
            if (direct) {
                start_tls(c);
                break;
            }
            c->out_len = (size_t) snprintf(c->out, sizeof c->out, "CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n",
                                           c->host, target_port, c->host, target_port);
            c->out_off = 0;
            c->st = S_CONNECT_SEND;
            break;
        }
        case S_CONNECT_SEND:
            r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
            if (r < 0) {
                if (errno == EAGAIN) return want(c, EPOLLOUT);
                return fail(c, E_PROXY, strerror(errno));
            }
            c->out_off += (size_t) r;
            if (c->out_off == c->out_len) c->st = S_CONNECT_RECV;
            break;
        case S_CONNECT_RECV: {
            r = recv(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len, 0);
            if (r < 0 && errno == EAGAIN) return want(c, EPOLLIN);
            if (r <= 0) return fail(c, E_PROXY, r == 0 ? "proxy closed before answering CONNECT" : strerror(errno));
            c->in_len += (size_t) r;
            c->in[c->in_len] = 0;
            char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
            if (!end) {
                if (c->in_len >= sizeof c->in - 1) return fail(c, E_PROXY, "CONNECT answer too long");
                break;
            }
            int status = 0;
            if (sscanf(c->in, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
                char line[80];
                snprintf(line, sizeof line, "CONNECT answered: %.60s", c->in);
                return fail(c, E_PROXY, line);
            }
            if ((size_t) (end + 4 - c->in) != c->in_len) return fail(c, E_PROXY, "bytes after the CONNECT answer");
            start_tls(c);
            break;
        }
        case S_TLS:
            ok = SSL_do_handshake(c->ssl);
            if (ok != 1) {
                e = SSL_get_error(c->ssl, ok);
                if (e == SSL_ERROR_WANT_READ) return want(c, EPOLLIN);
                if (e == SSL_ERROR_WANT_WRITE) return want(c, EPOLLOUT);
                long v = SSL_get_verify_result(c->ssl);
                if (v != X509_V_OK) return fail(c, E_VERIFY, X509_verify_cert_error_string(v));
                return fail(c, E_TLS, "handshake failed");
            }
            if (now_us() <= t_deadline) c->w->connections++;
            set_request(c);
            break;
        case S_SEND:
            ok = SSL_write(c->ssl, c->out + c->out_off, (int) (c->out_len - c->out_off));
            if (ok <= 0) {
                e = SSL_get_error(c->ssl, ok);
                if (e == SSL_ERROR_WANT_READ) return want(c, EPOLLIN);
                if (e == SSL_ERROR_WANT_WRITE) return want(c, EPOLLOUT);
                return fail(c, E_CLOSED, "write failed");
            }
            c->out_off += (size_t) ok;
            if (c->out_off == c->out_len) c->st = S_RECV;
            break;
        case S_RECV: {
            ok = SSL_read(c->ssl, c->in + c->in_len, (int) (sizeof c->in - 1 - c->in_len));
            if (ok <= 0) {
                e = SSL_get_error(c->ssl, ok);
                if (e == SSL_ERROR_WANT_READ) return want(c, EPOLLIN);
                if (e == SSL_ERROR_WANT_WRITE) return want(c, EPOLLOUT);
                return fail(c, E_CLOSED, c->in_len ? "closed in the middle of a response" : "closed before a response");
            }
            c->in_len += (size_t) ok;
            c->in[c->in_len] = 0;
            char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
            if (!end) {
                if (c->in_len >= sizeof c->in - 1) return fail(c, E_BODY, "response headers too long");
                break;
            }
            size_t hdr_end = (size_t) (end + 4 - c->in);
            long clen = content_length(c->in, hdr_end);
            if (clen < 0) return fail(c, E_BODY, "no Content-Length");
            if (hdr_end + (size_t) clen > sizeof c->in - 1) return fail(c, E_BODY, "response too long");
            if (c->in_len < hdr_end + (size_t) clen) break;      /* more body to come */
            if (!check_response(c, hdr_end, clen)) return;
            uint64_t t = now_us();
            if (t <= t_deadline) {
                struct worker *w = c->w;
                w->requests++;
                if (w->lat_n == w->lat_cap) {
                    w->lat_cap = w->lat_cap ? w->lat_cap * 2 : 65536;
                    w->lat = realloc(w->lat, w->lat_cap * sizeof *w->lat);
                    if (!w->lat) die("out of memory");
                }
                w->lat[w->lat_n++] = (uint32_t) (t - (mode != KEEPALIVE ? c->t_conn : c->t_req));
            }
            if (mode != KEEPALIVE) {
                close_conn(c);
                c->st = S_RETRY;        /* the event loop opens the next connection */
                return;
            }
            set_request(c);
            break;
        }
        }
    }
}

static void *run(void *arg) {
    struct worker *w = arg;
    struct epoll_event evs[256];
    uint64_t last_scan = now_us();
    for (int i = 0; i < w->n; i++) {
        w->conns[i].w = w;
        w->conns[i].fd = -1;
        open_conn(&w->conns[i]);
    }
    for (;;) {
        uint64_t t = now_us();
        if (t >= t_deadline) break;
        int left_ms = (int) ((t_deadline - t) / 1000) + 1;
        int n = epoll_wait(w->ep, evs, 256, left_ms < 100 ? left_ms : 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            c->t_progress = now_us();
            drive(c);
            if (c->st == S_RETRY) open_conn(c);
        }
        t = now_us();
        if (t - last_scan >= 100000) {          /* every 100 ms: stalled and failed connections */
            last_scan = t;
            for (int i = 0; i < w->n; i++) {
                struct conn *c = &w->conns[i];
                if (c->fd >= 0 && t - c->t_progress > (uint64_t) timeout_s * 1000000) fail(c, E_TIMEOUT, "no progress");
                if (c->st == S_RETRY || c->st == S_RETRY_LATER) open_conn(c);
            }
        }
    }
    for (int i = 0; i < w->n; i++) close_conn(&w->conns[i]);
    return NULL;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static void usage(void) {
    fprintf(stderr,
            "usage: proxyload -x PROXY_IP:PORT -t TARGET_PORT -C CAFILE [-m keepalive|newconn|newconn-samehost]\n"
            "                 [-X (no proxy: TLS straight to -x, for a baseline)]\n"
            "                 [-c CONNS] [-T THREADS] [-d SECONDS] [-H HOST] [-n FIRST] [-D DOMAIN]\n"
            "                 [-p PATH] [-l BODY_LEN] [-b BODY_FILE] [-o TIMEOUT_S]\n");
    exit(2);
}

int main(int argc, char **argv) {
    int opt;
    const char *proxy = NULL, *body_file = NULL;
    while ((opt = getopt(argc, argv, "x:Xt:C:m:c:T:d:H:n:D:p:l:b:o:")) != -1) {
        switch (opt) {
        case 'x': proxy = optarg; break;
        case 'X': direct = 1; break;
        case 't': target_port = atoi(optarg); break;
        case 'C': cafile = optarg; break;
        case 'm':
            if (strcmp(optarg, "keepalive") == 0) mode = KEEPALIVE;
            else if (strcmp(optarg, "newconn") == 0) mode = NEWCONN;
            else if (strcmp(optarg, "newconn-samehost") == 0) mode = NEWCONN_SAMEHOST;
            else usage();
            break;
        case 'c': nconns = atoi(optarg); break;
        case 'T': nthreads = atoi(optarg); break;
        case 'd': seconds = atoi(optarg); break;
        case 'H': ka_host = optarg; break;
        case 'n': names_first = strtoull(optarg, NULL, 10); break;
        case 'D': domain = optarg; break;
        case 'p': path = optarg; break;
        case 'l': body_len = atol(optarg); break;
        case 'b': body_file = optarg; break;
        case 'o': timeout_s = atoi(optarg); break;
        default: usage();
        }
    }
    signal(SIGPIPE, SIG_IGN);           /* a write to a connection the peer closed is an error, not death */
    if (!proxy || !cafile || nconns < 1 || nthreads < 1 || seconds < 1) usage();
    if (nthreads > nconns) nthreads = nconns;
    char ip[64];
    int pport;
    if (sscanf(proxy, "%63[^:]:%d", ip, &pport) != 2) usage();
    proxy_addr.sin_family = AF_INET;
    proxy_addr.sin_port = htons((uint16_t) pport);
    if (inet_pton(AF_INET, ip, &proxy_addr.sin_addr) != 1) die("-x needs an IPv4 address: %s", proxy);
    if (body_file) {
        FILE *f = fopen(body_file, "rb");
        if (!f) die("cannot read %s", body_file);
        body_expect = malloc((size_t) body_len + 1);
        if (fread(body_expect, 1, (size_t) body_len + 1, f) != (size_t) body_len) die("%s is not %ld bytes", body_file, body_len);
        fclose(f);
    }

    ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!ssl_ctx || SSL_CTX_load_verify_locations(ssl_ctx, cafile, NULL) != 1) die("cannot load CA file %s", cafile);
    SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);   /* every handshake is a full one */
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);

    names_next = names_first;
    struct worker *ws = calloc((size_t) nthreads, sizeof *ws);
    t_begin = now_us();
    t_deadline = t_begin + (uint64_t) seconds * 1000000;
    for (int i = 0; i < nthreads; i++) {
        ws[i].n = nconns / nthreads + (i < nconns % nthreads);
        ws[i].conns = calloc((size_t) ws[i].n, sizeof *ws[i].conns);
        ws[i].ep = epoll_create1(EPOLL_CLOEXEC);
        if (!ws[i].conns || ws[i].ep < 0) die("setup failed");
        pthread_create(&ws[i].th, NULL, run, &ws[i]);
    }
    uint64_t requests = 0, connections = 0, errs[E_N] = {0};
    size_t lat_n = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(ws[i].th, NULL);
        requests += ws[i].requests;
        connections += ws[i].connections;
        for (int e = 0; e < E_N; e++) errs[e] += ws[i].errs[e];
        lat_n += ws[i].lat_n;
    }
    uint32_t *lat = malloc((lat_n ? lat_n : 1) * sizeof *lat);
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(lat + k, ws[i].lat, ws[i].lat_n * sizeof *lat);
        k += ws[i].lat_n;
    }
    qsort(lat, lat_n, sizeof *lat, cmp_u32);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t cpu = (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;

    static const char *mode_name[] = {"keepalive", "newconn", "newconn-samehost"};
    printf("PROXYLOAD mode=%s requests=%llu connections=%llu duration_us=%llu p50_us=%u p99_us=%u max_us=%u",
           mode_name[mode], (unsigned long long) requests, (unsigned long long) connections,
           (unsigned long long) (t_deadline - t_begin), lat_n ? lat[lat_n / 2] : 0,
           lat_n ? lat[(size_t) ((double) (lat_n - 1) * 0.99)] : 0, lat_n ? lat[lat_n - 1] : 0);
    for (int e = 0; e < E_N; e++) printf(" err_%s=%llu", err_name[e], (unsigned long long) errs[e]);
    printf(" names_first=%llu names_next=%llu cpu_us=%llu\n", (unsigned long long) names_first,
           (unsigned long long) names_next, (unsigned long long) cpu);
    return 0;
}
