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
        throw new UnsupportedOperationException("TODO: {version 1, savedAt, apps: [{spec, stopped}]} as JSON into NAME.tmp created 0600 (CREATE_NEW), FileChannel.force(true), Files.move ATOMIC_MOVE over the file, then force the folder too (FileChannel.open(dir, READ)) (handout, step 7)");
    }

    /**
     * The apps in {@code file}; none when it does not exist.
     *
     * @throws IOException when it is not a dump this code reads: "dump.json is version 2; this pm reads version 1"
     */
    public static List<SavedApp> read(Path file) throws IOException {
        throw new UnsupportedOperationException("TODO: none when the file does not exist; refuse a version other than VERSION ('dump.json is version 2; this pm reads version 1'); each entry's spec through AppSpec.fromJson, and its stopped flag (handout, step 7)");
    }
}
