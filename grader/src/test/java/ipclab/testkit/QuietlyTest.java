package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Quietly.close closes without throwing")
class QuietlyTest {

    @Test
    @DisplayName("closes what it is given, swallows what closing throws, and takes null")
    void closes() {
        AtomicBoolean closed = new AtomicBoolean();
        Quietly.close(() -> closed.set(true));
        assertThat(closed).isTrue();
        Quietly.close(() -> {
            throw new IllegalStateException("already broken");
        });
        Quietly.close(null);
    }
}
