package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AbsoluteUrlTest {
    @Test
    void splitsHostPortAndOriginForm() {
        assertThat(AbsoluteUrl.parse("http://example.test/a/b?c=d")).isEqualTo(new AbsoluteUrl("example.test", 80, "/a/b?c=d"));
        assertThat(AbsoluteUrl.parse("HTTP://Example.test:8080")).isEqualTo(new AbsoluteUrl("Example.test", 8080, "/"));
        assertThat(AbsoluteUrl.parse("http://[::1]:81/x")).isEqualTo(new AbsoluteUrl("::1", 81, "/x"));
        assertThat(AbsoluteUrl.parse("http://[::1]/x")).isEqualTo(new AbsoluteUrl("::1", 80, "/x"));
        assertThat(AbsoluteUrl.parse("http://h.test?q")).isEqualTo(new AbsoluteUrl("h.test", 80, "/?q"));
        assertThat(AbsoluteUrl.parse("http://h.test/p#frag")).isEqualTo(new AbsoluteUrl("h.test", 80, "/p"));
    }

    @Test
    void hostHeaderOmitsTheDefaultPort() {
        assertThat(AbsoluteUrl.parse("http://h.test/").hostHeader()).isEqualTo("h.test");
        assertThat(AbsoluteUrl.parse("http://h.test:81/").hostHeader()).isEqualTo("h.test:81");
        assertThat(AbsoluteUrl.parse("http://[::1]:81/").hostHeader()).isEqualTo("[::1]:81");
    }

    @Test
    void anythingElseIsNotAnAbsoluteHttpUrl() {
        assertThat(AbsoluteUrl.parse("/index.html")).isNull();
        assertThat(AbsoluteUrl.parse("https://h.test/")).isNull();
        assertThat(AbsoluteUrl.parse("http://")).isNull();
        assertThat(AbsoluteUrl.parse("http://user:pw@h.test/")).isNull();
        assertThat(AbsoluteUrl.parse("http://h.test:notaport/")).isNull();
        assertThat(AbsoluteUrl.parse("http://h.test:0/")).isNull();
        assertThat(AbsoluteUrl.parse(null)).isNull();
    }
}
