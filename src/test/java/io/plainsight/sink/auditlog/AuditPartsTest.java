package io.plainsight.sink.auditlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuditPartsTest {
    @Test
    void lettersInAnyOrderAndCaseWithAAndZAlwaysThere() {
        assertThat(AuditParts.parse("hfcb").toString()).isEqualTo("ABCFHZ");
        assertThat(AuditParts.parse("B").toString()).isEqualTo("ABZ");
        assertThat(AuditParts.DEFAULT.toString()).isEqualTo("ABCFHZ");
        assertThat(AuditParts.ALL.toString()).isEqualTo("ABCEFHIJKZ");
        assertThat(AuditParts.parse("ABDG").has('D')).isTrue();
    }

    @Test
    void ctlAuditLogPartsChangesAddRemoveAndReplace() {
        AuditParts production = AuditParts.parse("ABFHKZ");
        assertThat(production.apply("+EIJ").toString()).isEqualTo("ABEFHIJKZ");
        assertThat(production.apply("+EIJ").apply("-E").toString()).isEqualTo("ABFHIJKZ");
        assertThat(production.apply("=BF").toString()).isEqualTo("ABFZ");
        assertThat(production.apply("CH").toString()).isEqualTo("ACHZ");
        assertThat(production.apply("-AZBK").toString()).as("A and Z stay").isEqualTo("AFHZ");
        assertThat(production).isEqualTo(AuditParts.parse("ZKHFBA"));
    }

    @Test
    void aLetterThatIsNotAPartIsNamed() {
        assertThatThrownBy(() -> AuditParts.parse("ABX")).hasMessageContaining("'X' is not an audit log part");
        assertThatThrownBy(() -> AuditParts.parse("")).hasMessageContaining("no parts given");
        assertThatThrownBy(() -> AuditParts.DEFAULT.apply("+L")).hasMessageContaining("'L'");
        assertThatThrownBy(() -> AuditParts.DEFAULT.apply("")).hasMessageContaining("empty");
    }
}
