package io.plainsight.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Direction;
import org.junit.jupiter.api.Test;

class PerMessageDeflateTest {

    @Test
    void noPermessageDeflateNoParameters() {
        assertThat(PerMessageDeflate.parse(null)).isNull();
        assertThat(PerMessageDeflate.parse("")).isNull();
        assertThat(PerMessageDeflate.parse("x-webkit-deflate-frame")).isNull();
        assertThat(PerMessageDeflate.parse("permessage-deflate-not")).isNull();
    }

    @Test
    void defaults() {
        assertThat(PerMessageDeflate.parse("permessage-deflate")).isEqualTo(new PerMessageDeflate(false, false, 15, 15));
        assertThat(PerMessageDeflate.parse(" Permessage-Deflate ")).isEqualTo(new PerMessageDeflate(false, false, 15, 15));
    }

    @Test
    void parameters() {
        // RFC 7692 5.2 / 7.1 examples of accepted offers
        assertThat(PerMessageDeflate.parse("permessage-deflate; client_max_window_bits=10; server_no_context_takeover"))
                .isEqualTo(new PerMessageDeflate(true, false, 15, 10));
        assertThat(PerMessageDeflate.parse("permessage-deflate;client_no_context_takeover;server_max_window_bits=\"9\""))
                .isEqualTo(new PerMessageDeflate(false, true, 9, 15));
        PerMessageDeflate both = PerMessageDeflate.parse(
                "permessage-deflate;client_no_context_takeover;server_no_context_takeover");
        assertThat(both.noContextTakeover(Direction.CLIENT_TO_SERVER)).isTrue();
        assertThat(both.noContextTakeover(Direction.SERVER_TO_CLIENT)).isTrue();
        PerMessageDeflate server = PerMessageDeflate.parse("permessage-deflate; server_no_context_takeover");
        assertThat(server.noContextTakeover(Direction.CLIENT_TO_SERVER)).isFalse();
        assertThat(server.noContextTakeover(Direction.SERVER_TO_CLIENT)).isTrue();
    }

    @Test
    void amongOtherExtensionsTheFirstCounts() {
        assertThat(PerMessageDeflate.parse("foo; a=\"x,y;permessage-deflate\", permessage-deflate; server_max_window_bits=12,"
                + " permessage-deflate; client_no_context_takeover"))
                .isEqualTo(new PerMessageDeflate(false, false, 12, 15));
    }

    @Test
    void windowSizesOutOfRangeAreIgnored() {
        assertThat(PerMessageDeflate.parse("permessage-deflate; server_max_window_bits=16; client_max_window_bits=7"))
                .isEqualTo(new PerMessageDeflate(false, false, 15, 15));
        assertThat(PerMessageDeflate.parse("permessage-deflate; server_max_window_bits=abc; client_max_window_bits"))
                .isEqualTo(new PerMessageDeflate(false, false, 15, 15));
        assertThat(PerMessageDeflate.parse("permessage-deflate; server_max_window_bits=8; x_unknown=1"))
                .isEqualTo(new PerMessageDeflate(false, false, 8, 15));
    }
}
