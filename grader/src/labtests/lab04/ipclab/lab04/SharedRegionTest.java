package ipclab.lab04;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.testkit.FdTargets;
import ipclab.testkit.UniqueNames;
import java.lang.foreign.ValueLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SharedRegionTest {

    private static final String STEP = "Step 1: Map a shared file";
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("create maps a new file MAP_SHARED (rw-s in /proc/self/maps) with no descriptor left open; close unmaps it and removes the file")
    void createMapsTheFileSharedAndCloseRemovesIt() throws Exception {
        Path file = UniqueNames.inDevShm("region");
        try {
            try (SharedRegion region = SharedRegion.create(file, 10_000)) {
                assertThat(Files.exists(file)).as("create(%s, 10000) should create the file", file).isTrue();
                assertThat(Files.size(file)).as("the file should be as long as the region (10000 bytes)").isEqualTo(10_000);
                assertThat(region.segment().byteSize()).as("the segment should cover the whole region").isEqualTo(10_000);

                List<String> maps = TestKit.mapsLines("self", file);
                assertThat(maps).as("/proc/self/maps should have one line mapping %s after create", file).hasSize(1);
                assertThat(maps.getFirst().split("\\s+")[1])
                        .as("the mapping's permissions, from /proc/self/maps: 'rw-s' means readable, writable and shared;"
                                + " 'rw-p' is a private copy-on-write mapping (MapMode.PRIVATE) whose stores nobody else sees."
                                + " Map with FileChannel.MapMode.READ_WRITE. The line: %s", maps.getFirst())
                        .isEqualTo("rw-s");
                assertThat(FdTargets.referringTo(file))
                        .as("no descriptor should stay open on the file: close the FileChannel once the file is mapped"
                                + " (try-with-resources); the mapping keeps its own reference to the file")
                        .isEmpty();

                region.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 4000, 0x0123_4567_89AB_CDEFL);
                byte[] onDisk = Files.readAllBytes(file);
                assertThat(java.nio.ByteBuffer.wrap(onDisk, 4000, 8).order(java.nio.ByteOrder.nativeOrder()).getLong())
                        .as("a store into a shared mapping changes the file's pages themselves, so read(2) of the file sees it at once")
                        .isEqualTo(0x0123_4567_89AB_CDEFL);

                assertThatThrownBy(() -> SharedRegion.create(file, 10_000))
                        .as("create on a name that exists already should fail with FileAlreadyExistsException"
                                + " (StandardOpenOption.CREATE_NEW): a region left by a crashed run must not be reused unknowingly")
                        .isInstanceOf(FileAlreadyExistsException.class);
                assertThat(Files.exists(file)).as("a failed create must not remove someone else's existing file").isTrue();

                try (SharedRegion second = SharedRegion.open(file)) {
                    assertThat(second.segment().byteSize()).as("open maps the whole file, however long it is").isEqualTo(10_000);
                    assertThat(second.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 4000))
                            .as("a second mapping of the same file sees the first one's store").isEqualTo(0x0123_4567_89AB_CDEFL);
                    second.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 12, 4242);
                    assertThat(region.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 12))
                            .as("and the first sees the second's: both map the same pages").isEqualTo(4242);
                    assertThat(TestKit.mapsLines("self", file)).as("two mappings, two lines in /proc/self/maps").hasSize(2);
                }
                assertThat(Files.exists(file)).as("closing a region made by open() must not remove the file: it only unmaps").isTrue();
                assertThat(TestKit.mapsLines("self", file)).as("closing the opened region should unmap it (one mapping left)").hasSize(1);
            }
            assertThat(TestKit.mapsLines("self", file))
                    .as("closing the region should unmap it (close its Arena: munmap), not leave it to the garbage collector")
                    .isEmpty();
            assertThat(Files.exists(file)).as("closing the region that create() made should remove its file from /dev/shm").isFalse();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("a child JVM that opens the same file maps the same inode, reads what this process stored, and its reply appears in this process's memory")
    void twoProcessesShareOneMapping() throws Exception {
        Path file = UniqueNames.inDevShm("peer");
        try (SharedRegion region = SharedRegion.create(file, 2 * MapPeer.TEXT_SLOT_BYTES)) {
            String message = "hello from the test, pid " + ProcessHandle.current().pid();
            MapPeer.writeText(region.segment(), MapPeer.MESSAGE_OFFSET, message);
            String ours = TestKit.mapsLines("self", file).stream().findFirst().orElseThrow();
            try (TestKit.Child peer = new TestKit.Child(ipclab.support.ChildJvm.main(MapPeer.class).args(file.toString()))) {
                String mapped = peer.next(DEADLINE, "mapped ...");
                assertThat(mapped).as("MapPeer's first line").startsWith("mapped ");
                String[] theirs = mapped.substring("mapped ".length()).split("\\s+");
                String[] mine = ours.split("\\s+");
                assertThat(theirs.length).as("MapPeer found no mapping of the file in its /proc/self/maps: %s", mapped).isGreaterThan(5);
                assertThat(theirs[1]).as("the child's mapping should be shared and writable (rw-s): %s", mapped).isEqualTo("rw-s");
                assertThat(theirs[3] + " " + theirs[4])
                        .as("the child's mapping should be of the same device and inode as ours (%s vs %s)", mapped, ours)
                        .isEqualTo(mine[3] + " " + mine[4]);

                String read = peer.next(DEADLINE, "read ...");
                assertThat(read).as("the child should load exactly what this process stored in the shared pages")
                        .isEqualTo("read " + message);
                assertThat(peer.next(DEADLINE, "replied")).isEqualTo("replied");
                assertThat(MapPeer.readText(region.segment(), MapPeer.REPLY_OFFSET))
                        .as("the child's store into its mapping should appear in ours without any copy: MAP_SHARED")
                        .isEqualTo("hello from pid " + peer.pid());
                assertThat(TestKit.mapsLines(Long.toString(peer.pid()), file))
                        .as("while MapPeer runs, /proc/%d/maps lists the file", peer.pid()).hasSize(1);

                peer.stdin().close();
                peer.expectExit(0, DEADLINE, "MapPeer should unmap (close its region) and exit 0 when its stdin ends");
            }
            assertThat(Files.exists(file)).as("the child's close() of an opened region must not remove the creator's file").isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
