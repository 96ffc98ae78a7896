package org.lvs4j.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files of secrets (accounts, token hashes): refused when others may read them, and written to a temporary file of
 * mode 0600 renamed into place, so they never exist with looser permissions or half written.
 */
final class OwnerOnlyFile {

    private OwnerOnlyFile() {
    }

    /** Parses one line's colon-separated fields; an IllegalArgumentException names what is wrong with it. */
    interface LineParser {
        void parse(String[] fields);
    }

    /**
     * Reads {@code file} (nothing when it does not exist; refused when others may read it), giving each line that is
     * not blank or a comment to {@code parser}; an error names the file and line.
     */
    static void read(Path file, LineParser parser) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        check(file);
        java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                parser.parse(line.split(":", -1));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
    }

    static void check(Path file) throws IOException {
        for (PosixFilePermission p : Files.getPosixFilePermissions(file)) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IOException(file + " must be readable by its owner only (chmod 600)");
            }
        }
    }

    static void write(Path file, CharSequence text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
