package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.plainsight.tls.CertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The page a client gets for {@code http://plainsight/} through the proxy (like mitm.it): the CA
 * certificate to download in PEM, DER and PKCS#12, and how to install it per platform.
 */
final class Onboarding {
    private Onboarding() {}

    /** Whether a request for this host is meant for the onboarding page. */
    static boolean isFor(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(':') == colon) {
            h = h.substring(0, colon);
        }
        return h.equals("plainsight") || h.equals("plainsight.ca");
    }

    /** The response for {@code path} ("/", "/cert/pem", "/cert/der", "/cert/p12"); keeps the connection open. */
    static ByteBuf respond(ByteBufAllocator alloc, String path, CertificateAuthority ca) {
        String p = path == null ? "/" : path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (ca == null) {
            return HttpReplies.error(alloc, 503, "Service Unavailable", "this mode has no CA");
        }
        return switch (p) {
            case "/", "/index.html" -> HttpReplies.response(alloc, 200, "OK", "text/html; charset=utf-8",
                    page(ca).getBytes(StandardCharsets.UTF_8), false);
            case "/cert/pem" -> download(alloc, "application/x-pem-file", "plainsight-ca.pem",
                    ca.pem().getBytes(StandardCharsets.US_ASCII));
            case "/cert/der", "/cert/cer" -> download(alloc, "application/x-x509-ca-cert", "plainsight-ca.cer", ca.der());
            case "/cert/p12" -> download(alloc, "application/x-pkcs12", "plainsight-ca.p12", ca.pkcs12(new char[0]));
            default -> HttpReplies.response(alloc, 404, "Not Found", "text/plain; charset=utf-8",
                    ("plainsight: no such page: " + p + "\n").getBytes(StandardCharsets.UTF_8), false);
        };
    }

    private static ByteBuf download(ByteBufAllocator alloc, String type, String file, byte[] body) {
        return HttpReplies.response(alloc, 200, "OK", type, body, false,
                "Content-Disposition: attachment; filename=\"" + file + "\"");
    }

    static String page(CertificateAuthority ca) {
        String fp = ca.sha256Fingerprint();
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>plainsight CA</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.45}
                code,pre{background:#f3f3f3;padding:.1em .3em}pre{padding:.6em;overflow-x:auto}
                a.dl{display:inline-block;margin:.2em .6em .2em 0;padding:.4em .8em;border:1px solid #888;border-radius:4px;text-decoration:none}</style>
                </head><body>
                <h1>plainsight CA certificate</h1>
                <p>This traffic goes through plainsight, which decrypts TLS to capture it. To let it, your client must
                trust this installation's CA certificate. Install it only on devices you debug, and remove it afterwards.</p>
                <p>SHA-256 fingerprint: <code>%s</code></p>
                <p><a class="dl" href="/cert/pem">PEM (.pem)</a><a class="dl" href="/cert/der">DER (.cer)</a><a class="dl" href="/cert/p12">PKCS#12 (.p12)</a></p>
                <h2>Linux</h2>
                <pre>curl -x http://PROXY http://plainsight/cert/pem -o plainsight-ca.pem
                sudo cp plainsight-ca.pem /usr/local/share/ca-certificates/plainsight.crt &amp;&amp; sudo update-ca-certificates   # Debian/Ubuntu
                sudo cp plainsight-ca.pem /etc/pki/ca-trust/source/anchors/ &amp;&amp; sudo update-ca-trust                       # RHEL/Fedora
                curl --cacert plainsight-ca.pem -x http://PROXY https://example.com/                                          # curl alone</pre>
                <h2>Firefox</h2>
                <p>Settings &gt; Privacy &amp; Security &gt; Certificates &gt; View Certificates &gt; Authorities &gt; Import, pick the PEM,
                tick "Trust this CA to identify websites".</p>
                <h2>Chrome / Chromium on Linux</h2>
                <pre>certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n plainsight -i plainsight-ca.pem</pre>
                <h2>macOS</h2>
                <pre>sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain plainsight-ca.pem</pre>
                <h2>Windows</h2>
                <p>Open the .cer file, Install Certificate, Local Machine, "Trusted Root Certification Authorities"; or in an
                administrator prompt:</p>
                <pre>certutil -addstore -f Root plainsight-ca.cer</pre>
                <h2>iOS</h2>
                <p>Open <code>http://plainsight/cert/pem</code> in Safari, install the profile (Settings &gt; Profile Downloaded),
                then enable full trust in Settings &gt; General &gt; About &gt; Certificate Trust Settings.</p>
                <h2>Android</h2>
                <p>Download the .cer, then Settings &gt; Security &gt; Encryption &amp; credentials &gt; Install a certificate &gt; CA certificate.
                Apps trust user CAs only when their network security config allows it.</p>
                <h2>Java</h2>
                <pre>keytool -importcert -cacerts -alias plainsight -file plainsight-ca.pem -storepass changeit -noprompt</pre>
                </body></html>
                """.formatted(fp);
    }
}
