package io.plainsight.sink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostLabelsTest {
    @Test
    void hostsLoseTheirPortAndCaseAndStayBoundedInNumber() {
        HostLabels labels = new HostLabels(2);
        assertThat(labels.label("API.example.com:8443")).isEqualTo("api.example.com");
        assertThat(labels.label("[::1]:443")).isEqualTo("[::1]");
        assertThat(labels.label("api.example.com.")).isEqualTo("api.example.com");
        // the limit is reached: a new host is "other", the admitted ones keep their names
        assertThat(labels.label("third.example")).isEqualTo("other");
        assertThat(labels.label("fourth.example")).isEqualTo("other");
        assertThat(labels.label("api.example.com")).isEqualTo("api.example.com");
        assertThat(labels.label(null)).isEqualTo("none");
        assertThat(labels.label("  ")).isEqualTo("none");
        assertThat(labels.label("evil\"host{}")).isEqualTo("invalid");
        assertThat(labels.label("a".repeat(300))).isEqualTo("invalid");
    }

    @Test
    void fixedLabelSets() {
        assertThat(Labels.method("GET")).isEqualTo("GET");
        assertThat(Labels.method("PROPFIND")).isEqualTo("OTHER");
        assertThat(Labels.method(null)).isEqualTo("OTHER");
        var response = new io.plainsight.http.HttpMessage(io.plainsight.http.HttpMessage.Kind.RESPONSE, 0);
        response.status = 404;
        assertThat(Labels.statusClass(response)).isEqualTo("4xx");
        response.status = 999;
        assertThat(Labels.statusClass(response)).isEqualTo("none");
        assertThat(Labels.statusClass(null)).isEqualTo("none");
        assertThat(Labels.interception(io.plainsight.event.Interception.FAILED_OPEN)).isEqualTo("fail_open");
        assertThat(Labels.outcome(io.plainsight.event.CloseKind.TIMEOUT)).isEqualTo("timeout");
        assertThat(Labels.tlsVersion("TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(Labels.tlsVersion("NONE")).isEqualTo("other");
    }
}
