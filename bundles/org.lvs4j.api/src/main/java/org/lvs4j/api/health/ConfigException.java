package org.lvs4j.api.health;

import java.nio.file.Path;

/** An error in a configuration file, with where it is: {@code ldirectord.cf:12: unknown directive "foo"}. */
public class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    public ConfigException(Path file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based, or 0 when the error is not about one line (the file cannot be read). */
    public int line() {
        return line;
    }
}
