package io.plainsight.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ctl:auditLogParts semantics: + appends, - removes, = replaces, in order. */
class PartsChangeTest {
    @Test
    void appendRemoveReplace() {
        assertThat(PartsChange.parse("+EIJ").apply("ABCFHZ")).isEqualTo("ABCEFHIJZ");
        assertThat(PartsChange.parse("+C").apply("ABCFHZ")).isEqualTo("ABCFHZ");
        assertThat(PartsChange.parse("-C").apply("ABCFHZ")).isEqualTo("ABFHZ");
        assertThat(PartsChange.parse("-E").apply("ABFHZ")).isEqualTo("ABFHZ");
        assertThat(PartsChange.parse("=ZBA").apply("ABCFHZ")).isEqualTo("ABZ");
        assertThat(PartsChange.parse("+eij").apply("")).isEqualTo("EIJ");
    }

    @Test
    void changesApplyInRuleOrder() {
        assertThat(PartsChange.applyAll("ABCFHZ", List.of("+EIJ", "-E", "+K"))).isEqualTo("ABCFHIJKZ");
        assertThat(PartsChange.applyAll("ABCFHZ", List.of("+EIJ", "=ABFHZ"))).isEqualTo("ABFHZ");
        assertThat(PartsChange.applyAll("ABCFHZ", List.of("=ABFHZ", "+EIJ"))).isEqualTo("ABEFHIJZ");
    }

    @Test
    void badChangesSayWhy() {
        assertThatThrownBy(() -> PartsChange.parse("EIJ")).hasMessageContaining("start with + (add), - (remove) or = (replace)");
        assertThatThrownBy(() -> PartsChange.parse("+EX")).hasMessage("parts '+EX': 'X' is not an audit log part (expected letters of ABCDEFGHIJKZ)");
        assertThatThrownBy(() -> PartsChange.parse("+")).hasMessage("parts '+': no part letters after '+'");
        assertThatThrownBy(() -> PartsChange.parse(" ")).hasMessageContaining("empty");
    }
}
