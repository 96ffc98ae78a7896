package org.lvs4j.shell.ctl;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ctl wire protocol over the UNIX socket {@code STATE/ctl.sock}. Every message is a frame: one type byte, a
 * 4-byte big-endian length, then that many bytes.
 *
 * <ul>
 * <li>client to director: {@link #ARGS} (a 4-byte count, then each argument as length and UTF-8), then stdin as
 * {@link #STDIN} frames ended by {@link #STDIN_END};</li>
 * <li>director to client: {@link #STDOUT} and {@link #STDERR} data, then {@link #EXIT} (a 4-byte exit code), after
 * which the director closes the connection.</li>
 * </ul>
 * The arguments travel verbatim: nothing on either side re-parses them as shell or Gogo syntax.
 */
public final class CtlProtocol {

    public static final byte ARGS = 'A';
    public static final byte STDIN = 'I';
    public static final byte STDIN_END = 'E';
    public static final byte STDOUT = 'O';
    public static final byte STDERR = 'R';
    public static final byte EXIT = 'X';
    /** Longest frame either side accepts. */
    public static final int MAX_FRAME = 1 << 20;

    private CtlProtocol() {
    }

    /** A received frame. */
    public record Frame(byte type, byte[] payload) {
    }

    public static void write(OutputStream out, byte type, byte[] payload, int off, int len) throws IOException {
        byte[] head = {type, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        out.write(head);
        out.write(payload, off, len);
    }

    public static void write(OutputStream out, byte type, byte[] payload) throws IOException {
        write(out, type, payload, 0, payload.length);
    }

    /** Reads one frame; null at a clean end of stream. */
    public static Frame read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("ctl frame of " + len + " bytes refused");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new Frame((byte) type, b);
    }

    public static byte[] encodeArgs(List<String> args) {
        List<byte[]> parts = new ArrayList<>();
        int size = 4;
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            parts.add(b);
            size += 4 + b.length;
        }
        byte[] out = new byte[size];
        putInt(out, 0, args.size());
        int pos = 4;
        for (byte[] b : parts) {
            putInt(out, pos, b.length);
            System.arraycopy(b, 0, out, pos + 4, b.length);
            pos += 4 + b.length;
        }
        return out;
    }

    public static List<String> decodeArgs(byte[] b) throws IOException {
        try {
            int n = getInt(b, 0);
            if (n < 0 || n > 4096) {
                throw new IOException("bad argument count " + n);
            }
            List<String> args = new ArrayList<>(n);
            int pos = 4;
            for (int i = 0; i < n; i++) {
                int len = getInt(b, pos);
                if (len < 0 || pos + 4 + len > b.length) {
                    throw new IOException("argument " + i + " overruns its frame");
                }
                args.add(new String(b, pos + 4, len, StandardCharsets.UTF_8));
                pos += 4 + len;
            }
            return args;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException("truncated argument frame", e);
        }
    }

    public static byte[] encodeInt(int v) {
        byte[] b = new byte[4];
        putInt(b, 0, v);
        return b;
    }

    public static int decodeInt(byte[] b) throws EOFException {
        if (b.length != 4) {
            throw new EOFException("exit frame of " + b.length + " bytes");
        }
        return getInt(b, 0);
    }

    private static void putInt(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int pos) {
        return (b[pos] & 0xff) << 24 | (b[pos + 1] & 0xff) << 16 | (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
    }

    /** Reads all of {@code in} into STDIN frames, then STDIN_END. */
    static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) > 0) {
            synchronized (out) {
                write(out, STDIN, buf, 0, n);
                out.flush();
            }
        }
        synchronized (out) {
            write(out, STDIN_END, new byte[0]);
            out.flush();
        }
    }
}
