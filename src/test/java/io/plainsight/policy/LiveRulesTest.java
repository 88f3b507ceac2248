package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading (what SIGHUP does): a good file replaces the rules, a bad one keeps them; sticky windows survive. */
class LiveRulesTest {
    @TempDir
    Path tmp;

    @Test
    void reloadSwapsGoodRulesAndKeepsTheOldOnesOnAnError() throws Exception {
        Path f = tmp.resolve("r.rules");
        Files.writeString(f, "a match http => audit on\n");
        LiveRules live = LiveRules.load(f);
        live.sticky().trigger(InetAddress.getByName("127.0.0.2"), 0, 10_000_000);
        assertThat(live.current().all()).extracting(Rule::id).containsExactly("a");

        Files.writeString(f, "a match http => audit on\nb match htp => audit off\n");
        assertThat(live.reload()).isFalse();
        assertThat(live.current().all()).extracting(Rule::id).containsExactly("a");

        Files.writeString(f, "b match http => audit off\n");
        assertThat(live.reload()).isTrue();
        assertThat(live.current().all()).extracting(Rule::id).containsExactly("b");
        assertThat(live.sticky().until(InetAddress.getByName("127.0.0.2"), 1)).isEqualTo(10_000_000);

        Files.delete(f);
        assertThat(live.reload()).isFalse();
        assertThat(live.current().all()).extracting(Rule::id).containsExactly("b");
    }
}
