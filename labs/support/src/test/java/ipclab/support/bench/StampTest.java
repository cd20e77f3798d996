package ipclab.support.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StampTest {

    @Test
    @DisplayName("a stamp is the round trip's number, big-endian, and tells two messages apart")
    void stamps() {
        byte[] a = new byte[8];
        byte[] b = new byte[8];
        Stamp.put(a, 0x01020304);
        Stamp.put(b, 0x01020304);
        assertThat(Stamp.same(a, b)).isTrue();
        assertThat(a).startsWith(1, 2, 3, 4);
        Stamp.put(b, 0x01020305);
        assertThat(Stamp.same(a, b)).isFalse();
    }
}
