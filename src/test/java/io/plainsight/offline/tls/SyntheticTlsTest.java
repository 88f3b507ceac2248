package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.StringReader;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records written by an independent encryptor (the one the throughput measurement uses) decrypt to what was written. */
class SyntheticTlsTest {
    @ParameterizedTest
    @ValueSource(ints = {0xc02f, 0xc030, 0xcca8, 0x002f, 0x003d, 0xc028, 0x000a, 0x0005, 0x0004, 0x0002, 0x003b, 0x00b0})
    void roundTrip(int suite) throws IOException {
        SyntheticTls tls = new SyntheticTls(suite, suite);
        Random random = new Random(suite);
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes();
        tls.applicationData(true, request);
        byte[] response = new byte[3 * 16384 + 123];
        random.nextBytes(response);
        for (int off = 0; off < response.length; off += 16384) {
            tls.applicationData(false, java.util.Arrays.copyOfRange(response, off, Math.min(response.length, off + 16384)));
        }
        tls.applicationData(false, new byte[0]); // an empty record is legal and yields nothing
        DecryptionKeys keys = new DecryptionKeys();
        keys.addKeyLog("synthetic", new StringReader(tls.keyLogLine()));
        Recorder r = new Recorder();
        TlsStreamDecryptor d = new TlsStreamDecryptor(1, keys, r);
        d.data(true, 1, Unpooled.wrappedBuffer(tls.client.toByteArray()));
        d.data(false, 2, Unpooled.wrappedBuffer(tls.server.toByteArray()));
        d.end(3);
        assertThat(r.failures).as(r.events.toString()).isEmpty();
        assertThat(r.c2s.bytes.toByteArray()).isEqualTo(request);
        assertThat(r.s2c.bytes.toByteArray()).isEqualTo(response);
        assertThat(r.s2c.records).isEqualTo(4);
        assertThat(r.handshakes).singleElement().extracting(TlsHandshakeInfo::cipherSuiteCode).isEqualTo(suite);
    }
}
