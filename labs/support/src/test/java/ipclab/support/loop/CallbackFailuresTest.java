package ipclab.support.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CallbackFailuresTest {

    @Test
    @DisplayName("code that guards its own callbacks records what it caught, and a wait that began before hears of it")
    void recordedFromOutsideTheLoop() {
        long began = System.nanoTime();
        CallbackFailures.record("a-loop", "a message listener", new UnsupportedOperationException("TODO: answer the call"));
        assertThat(CallbackFailures.describeSince(began))
                .isEqualTo("; meanwhile, on event loop a-loop, a message listener threw "
                        + "java.lang.UnsupportedOperationException: TODO: answer the call");
        assertThat(CallbackFailures.describeSince(System.nanoTime())).as("nothing recorded since now").isEmpty();
    }
}
