package io.plainsight.sink.auditlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MultipartBodyTest {
    static final String TYPE = "multipart/form-data; boundary=" + AuditFixtures.BOUNDARY;

    @Test
    void fieldsAndFilesWithTheirPositionsAmongAllParts() {
        MultipartBody m = MultipartBody.parse(TYPE, AuditFixtures.multipartBody());
        assertThat(m.parts()).extracting(MultipartBody.Part::index).containsExactly(1, 2, 3, 4);
        assertThat(m.parts()).extracting(MultipartBody.Part::name).containsExactly("title", "file", "img", "note");
        assertThat(m.files()).extracting(MultipartBody.Part::filename).containsExactly("notes.txt", "a\"b.png");
        assertThat(m.files()).extracting(MultipartBody.Part::size).containsExactly(22L, 4L);
        assertThat(m.files()).extracting(MultipartBody.Part::contentType).containsExactly("text/plain", null);
        assertThat(m.parts()).allMatch(MultipartBody.Part::complete);
        assertThat(m.reducedBody()).isEqualTo("title=Hello+world+%26+more*&note=x%3dy");
    }

    @Test
    void notMultipartOrWithoutABoundaryIsNull() {
        byte[] body = "a=b".getBytes(StandardCharsets.US_ASCII);
        assertThat(MultipartBody.parse("application/x-www-form-urlencoded", body)).isNull();
        assertThat(MultipartBody.parse("multipart/form-data", body)).isNull();
        assertThat(MultipartBody.parse(null, body)).isNull();
        assertThat(MultipartBody.parse("multipart/mixed; boundary=x", body)).isNull();
    }

    @Test
    void aQuotedBoundaryLfLineEndsAndAPreamble() {
        String body = "preamble\n--b1\nContent-Disposition: form-data; name=a\n\nvalue 1\n--b1\n"
                + "content-disposition: form-data; name=\"up\"; filename=\"x.bin\"\ncontent-type: application/octet-stream\n\n"
                + "12345\n--b1--\n";
        MultipartBody m = MultipartBody.parse("Multipart/Form-Data; charset=utf-8; boundary=\"b1\"",
                body.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m.parts()).hasSize(2);
        assertThat(m.reducedBody()).isEqualTo("a=value+1");
        assertThat(m.files().get(0).size()).isEqualTo(5);
        assertThat(m.files().get(0).contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void aBodyCutShortKeepsWhatArrivedOfItsLastPart() {
        byte[] full = AuditFixtures.multipartBody();
        String s = new String(full, StandardCharsets.ISO_8859_1);
        int cut = s.indexOf("file content") + 4;
        MultipartBody m = MultipartBody.parse(TYPE, Arrays.copyOf(full, cut));
        assertThat(m.parts()).hasSize(2);
        assertThat(m.files().get(0).size()).isEqualTo(4);
        assertThat(m.files().get(0).complete()).isFalse();
        assertThat(m.parts().get(0).complete()).isTrue();
    }

    @Test
    void parametersQuotedWithEscapesOrBare() {
        assertThat(MultipartBody.parameter("form-data; name=\"a;b\"; filename=\"c\\\\d\"", "filename")).isEqualTo("c\\d");
        assertThat(MultipartBody.parameter("form-data; name=\"a;b\"; filename=\"c\\\\d\"", "name")).isEqualTo("a;b");
        assertThat(MultipartBody.parameter("form-data; NAME = x ", "name")).isEqualTo("x");
        assertThat(MultipartBody.parameter("form-data", "name")).isNull();
    }
}
