package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code dump.json}: the apps {@code pm save} wrote, for {@code pm resurrect} after a reboot.
 * {@code {"version":1,"savedAt":"…","apps":[{"spec":{…},"stopped":false}]}}, mode 0600.
 *
 * <p>It is replaced atomically: written to {@code dump.json.tmp}, forced to the disk, renamed over
 * {@code dump.json}, and the folder forced too (a rename is a change of the folder). A crash at any
 * moment leaves the old file or the new one, never half of one. pm2 copies the old dump to
 * {@code dump.pm2.bak}, then writes {@code dump.pm2} in place, with no fsync
 * ({@code lib/God/ActionMethods.js} 157–181): a crash during the write leaves a truncated dump.
 */
public final class DumpFile {

    /** The format this code writes and reads. */
    public static final int VERSION = 1;

    private DumpFile() {
    }

    /** Writes {@code apps} to {@code file}, atomically and durably (see the class comment). */
    public static void write(Path file, List<SavedApp> apps) throws IOException {
        ObjectNode dump = JsonNodeFactory.instance.objectNode();
        dump.put("version", VERSION);
        dump.put("savedAt", Instant.now().toString());
        ArrayNode array = dump.putArray("apps");
        for (SavedApp app : apps) {
            ObjectNode entry = array.addObject();
            entry.set("spec", app.spec().toJson());
            entry.put("stopped", app.stopped());
        }
        byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(dump);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp); // a crash's leftover: CREATE_NEW below makes it with our mode, or fails
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true); // the bytes on the disk before the name points at them
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE); // rename(2): the old file or the new one
        try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            folder.force(true); // the rename itself on the disk
        }
    }

    /**
     * The apps in {@code file}; none when it does not exist.
     *
     * @throws IOException when it is not a dump this code reads: "dump.json is version 2; this pm reads version 1"
     */
    public static List<SavedApp> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode dump = Json.MAPPER.readTree(file.toFile());
        int version = dump.path("version").asInt(-1);
        if (version != VERSION) {
            throw new IOException(file.getFileName() + " is version " + dump.path("version") + "; this pm reads version " + VERSION);
        }
        List<SavedApp> apps = new ArrayList<>();
        for (JsonNode entry : dump.path("apps")) {
            try {
                apps.add(new SavedApp(AppSpec.fromJson(entry.path("spec")), entry.path("stopped").asBoolean(false)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file.getFileName() + ": an app cannot be read: " + e.getMessage(), e);
            }
        }
        return apps;
    }
}
