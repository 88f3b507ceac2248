package io.plainsight.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds ClientHello and ServerHello handshake messages (type, 3-byte length, body) field by field,
 * so that a fixture states exactly which code points it holds and in which order.
 */
public final class HelloBytes {
    private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    private boolean extensionsBlock = true;

    /** Appends an extension of {@code type} with {@code data}. */
    public HelloBytes extension(int type, byte[] data) {
        u16(extensions, type);
        u16(extensions, data.length);
        extensions.writeBytes(data);
        return this;
    }

    /** No extensions block at all (an SSL 3.0-style hello). */
    public HelloBytes noExtensions() {
        extensionsBlock = false;
        return this;
    }

    public HelloBytes sni(String host) {
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        u16(e, name.length + 3);
        e.write(0);
        u16(e, name.length);
        e.writeBytes(name);
        return extension(0, e.toByteArray());
    }

    /** An ALPN extension with these protocol names, each given as its raw bytes. */
    public HelloBytes alpn(byte[]... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (byte[] n : names) {
            list.write(n.length);
            list.writeBytes(n);
        }
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        u16(e, list.size());
        e.writeBytes(list.toByteArray());
        return extension(16, e.toByteArray());
    }

    public HelloBytes alpn(String... names) {
        byte[][] raw = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            raw[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        return alpn(raw);
    }

    /** An extension whose data is a u16 list with a {@code lengthBytes}-byte length (groups, sigalgs: 2; versions: 1). */
    public HelloBytes u16List(int type, int lengthBytes, int... values) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        if (lengthBytes == 2) {
            u16(e, values.length * 2);
        } else {
            e.write(values.length * 2);
        }
        for (int v : values) {
            u16(e, v);
        }
        return extension(type, e.toByteArray());
    }

    /** An extension holding one u16 (a ServerHello's supported_versions). */
    public HelloBytes u16(int type, int value) {
        return extension(type, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    public HelloBytes pointFormats(int... formats) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.write(formats.length);
        for (int f : formats) {
            e.write(f);
        }
        return extension(11, e.toByteArray());
    }

    /** An extension with {@code n} zero bytes of data. */
    public HelloBytes opaque(int type, int n) {
        return extension(type, new byte[n]);
    }

    /** The ClientHello message: {@code version}, a fixed random, empty session id, the suites, null compression. */
    public byte[] clientHello(int version, int... cipherSuites) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u16(b, version);
        b.writeBytes(random());
        b.write(0);
        u16(b, cipherSuites.length * 2);
        for (int c : cipherSuites) {
            u16(b, c);
        }
        b.write(1);
        b.write(0);
        appendExtensions(b);
        return message(1, b.toByteArray());
    }

    /** The ServerHello message: {@code version}, a fixed random, empty session id, the suite, null compression. */
    public byte[] serverHello(int version, int cipherSuite) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u16(b, version);
        b.writeBytes(random());
        b.write(0);
        u16(b, cipherSuite);
        b.write(0);
        appendExtensions(b);
        return message(2, b.toByteArray());
    }

    private void appendExtensions(ByteArrayOutputStream b) {
        if (extensionsBlock) {
            u16(b, extensions.size());
            b.writeBytes(extensions.toByteArray());
        }
    }

    private static byte[] random() {
        byte[] r = new byte[32];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) (i * 7 + 1);
        }
        return r;
    }

    private static byte[] message(int type, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) (body.length >>> 16);
        m[2] = (byte) (body.length >>> 8);
        m[3] = (byte) body.length;
        System.arraycopy(body, 0, m, 4, body.length);
        return m;
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }
}
