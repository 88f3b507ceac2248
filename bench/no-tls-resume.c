/*
 * LD_PRELOAD shim for wrk: force a full TLS handshake on every new connection.
 *
 * wrk (4.1.0) keeps one SSL object per connection slot and, when the server
 * closes the connection, calls SSL_shutdown() + SSL_clear() and reconnects
 * with the same SSL object. SSL_clear() keeps the negotiated SSL_SESSION (and
 * under TLS 1.3 the session ticket read after the response), so the next
 * SSL_connect() resumes it: measured against nginx with $ssl_session_reused,
 * 5734 of 5736 "Connection: close" requests were resumed.
 *
 * This wraps SSL_clear() and drops the session afterwards, so the next
 * ClientHello carries no ticket / PSK and the server must do a full handshake
 * (certificate + signature + key exchange). bench/reverse.sh verifies this on
 * every run against a logging nginx server before measuring.
 *
 * No OpenSSL headers needed: the symbols resolve against wrk's own libssl.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;
int SSL_set_session(SSL *s, SSL_SESSION *session);

int SSL_clear(SSL *s) {
    static int (*real_clear)(SSL *) = NULL;
    if (real_clear == NULL) {
        real_clear = (int (*)(SSL *)) dlsym(RTLD_NEXT, "SSL_clear");
    }
    int r = real_clear(s);
    SSL_set_session(s, NULL);
    return r;
}
